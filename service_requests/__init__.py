"""Service requests: the request's kernel flat here (its tables, access, history, search, SLA clocks,
followers, form answers, lists and schemas), its wings in subpackages (catalogue, lifecycle, photos,
staff, employees, reports, mobile, privacy), and on top the request's own endpoints, intake, seed
and CLI; ``init_app`` wires them into an app. The floors and their rule: README, "Layout", and
tests/test_import_graph.py. (Not ``requests/``: that name would shadow the HTTP library firebase-admin needs.)"""
from service_app import plugins
from service_app.extensions import api
from service_app.users.personal_data import Section

# The package's tables, the kernel's and each wing's (the metadata and Alembic see them through here).
from . import models  # noqa: F401
from .catalogue import models as catalogue_models  # noqa: F401
from .employees import models as employees_models  # noqa: F401
from .photos import models as photos_models  # noqa: F401
from .photos import storage
from .staff import models as staff_models  # noqa: F401
from .mobile.app_config import blp as app_config_blp
from .staff.assignment import drop_from_pools
from .staff.assignment_routes import blp as assignment_blp
from .catalogue.routes import blp as categories_blp
from .following import dump_followed, followed_rows
from .employees.following_routes import blp as following_blp
from .cli import retention_cli, sla_cli, storage_cli
from .employees.notice_routes import blp as notices_blp
from .employees.notices import dump_follows, erase_account_follows, follow_rows
from .lifecycle.notify import on_history_event
from .privacy.personal_data import (attachment_rows, comment_rows, dump_attachments, dump_comments, dump_replies,
                                    dump_requests, dump_views, reply_rows, request_rows, view_rows)
from .employees.qr_routes import blp as qr_blp
from .queries import requests_at_office, requests_in_room
from .staff.reply_routes import blp as replies_blp
from .reports.routes import blp as sla_blp
from .routes import blp as requests_blp
from .mobile.routes import blp as sync_blp
from .seed import (seed_assignment_rule, seed_categories, seed_duplicates, seed_notice, seed_replies, seed_requests,
                   seed_views)
from .sla import longest_target
from .lifecycle.edits import release_assignments
from .staff.view_routes import blp as views_blp


def init_app(app):
    """Register the requests API and CLI, and plug requests into offices, accounts, the export and the seed."""
    storage.init_app(app)
    api.register_blueprint(categories_blp)
    api.register_blueprint(following_blp)  # before requests: /requests/similar is not a request id
    api.register_blueprint(requests_blp)
    api.register_blueprint(sla_blp)
    api.register_blueprint(replies_blp)
    api.register_blueprint(sync_blp)
    api.register_blueprint(app_config_blp)
    api.register_blueprint(assignment_blp)
    api.register_blueprint(views_blp)
    api.register_blueprint(notices_blp)
    api.register_blueprint(qr_blp)
    app.cli.add_command(sla_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(storage_cli)
    hooks = plugins.hooks(app)
    hooks.add(plugins.Hook.PERSONAL_DATA, Section("requests", query=request_rows, dump=dump_requests))
    hooks.add(plugins.Hook.PERSONAL_DATA, Section("comments", query=comment_rows, dump=dump_comments))
    hooks.add(plugins.Hook.PERSONAL_DATA, Section("attachments", query=attachment_rows, dump=dump_attachments))
    hooks.add(plugins.Hook.PERSONAL_DATA, Section("views", query=view_rows, dump=dump_views))
    hooks.add(plugins.Hook.PERSONAL_DATA, Section("replies", query=reply_rows, dump=dump_replies))
    hooks.add(plugins.Hook.PERSONAL_DATA, Section("followed_notices", query=follow_rows, dump=dump_follows))
    hooks.add(plugins.Hook.PERSONAL_DATA, Section("following", query=followed_rows, dump=dump_followed))
    hooks.add(plugins.Hook.SEEDERS, seed_categories)
    hooks.add(plugins.Hook.SEEDERS, seed_requests)
    hooks.add(plugins.Hook.SEEDERS, seed_duplicates)
    hooks.add(plugins.Hook.SEEDERS, seed_assignment_rule)
    hooks.add(plugins.Hook.SEEDERS, seed_views)
    hooks.add(plugins.Hook.SEEDERS, seed_replies)
    hooks.add(plugins.Hook.SEEDERS, seed_notice)
    hooks.add(plugins.Hook.ERASE_ACCOUNTS, erase_account_follows)
    hooks.add(plugins.Hook.HISTORY_SUBSCRIBERS, on_history_event)
    hooks.add(plugins.Hook.SCOPE_LOSS, release_assignments)
    hooks.add(plugins.Hook.SCOPE_LOSS, drop_from_pools)
    hooks.add(plugins.Hook.DEADLINE_TARGETS, longest_target)
    hooks.add(plugins.Hook.OFFICE_USAGE_CHECKS, requests_at_office)
    hooks.add(plugins.Hook.ROOM_USAGE_CHECKS, requests_in_room)
