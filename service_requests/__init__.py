"""Service requests: categories, requests, comments, attachments, the status
machine, SLA clocks and reports. (Not ``requests/``: that name would shadow the
HTTP library firebase-admin needs.)"""


def init_app(app):
    from service_app.extensions import api
    from service_app.seed import register_seeder

    from .category_routes import blp as categories_blp
    from service_app.users.personal_data import register_section
    from offices.service import register_target_source

    from . import storage
    from .cli import retention_cli, sla_cli, storage_cli
    from .personal_data import (attachment_rows, comment_rows, dump_attachments, dump_comments, dump_requests,
                                request_rows)
    from .report_routes import blp as sla_blp
    from . import attachment_routes  # noqa: F401 - adds the photo views to the requests blueprint
    from .history import subscribe
    from .sla import longest_target
    from .notify import on_history_event
    from .routes import blp as requests_blp
    from .seed import seed_categories, seed_requests
    from .triage import release_assignments
    from service_app.users.scope_checks import register_scope_loss_hook

    storage.init_app(app)
    api.register_blueprint(categories_blp)
    api.register_blueprint(requests_blp)
    api.register_blueprint(sla_blp)
    app.cli.add_command(sla_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(storage_cli)
    register_section("requests", query=request_rows, dump=dump_requests)
    register_section("comments", query=comment_rows, dump=dump_comments)
    register_section("attachments", query=attachment_rows, dump=dump_attachments)
    register_seeder(seed_categories)
    register_seeder(seed_requests)
    subscribe(on_history_event)
    register_scope_loss_hook(release_assignments)
    register_target_source(longest_target)
