"""Service requests: categories, requests, comments, attachments, the status
machine, SLA clocks and reports. (Not ``requests/``: that name would shadow the
HTTP library firebase-admin needs.)"""


def init_app(app):
    from service_app.extensions import api
    from service_app.seed import register_seeder

    from .category_routes import blp as categories_blp
    from service_app.users.personal_data import register_section
    from offices.service import register_target_source

    from .cli import retention_cli, sla_cli
    from .personal_data import my_attachments, my_comments, my_requests
    from .report_routes import blp as sla_blp
    from . import attachment_routes  # noqa: F401 - adds the photo views to the requests blueprint
    from .history import subscribe
    from .sla import longest_target
    from .notify import on_history_event
    from .routes import blp as requests_blp
    from .seed import seed_categories, seed_requests

    api.register_blueprint(categories_blp)
    api.register_blueprint(requests_blp)
    api.register_blueprint(sla_blp)
    app.cli.add_command(sla_cli)
    app.cli.add_command(retention_cli)
    register_section("requests", my_requests)
    register_section("comments", my_comments)
    register_section("attachments", my_attachments)
    register_seeder(seed_categories)
    register_seeder(seed_requests)
    subscribe(on_history_event)
    register_target_source(longest_target)
