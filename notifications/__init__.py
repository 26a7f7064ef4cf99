"""Device tokens, the notification feed and outbox, push senders (log, FCM),
the delivery worker, and message texts in ru / kk / en. Knows nothing of
requests beyond their ids: callers hand it recipients and message parameters."""
from service_app import plugins
from service_app.extensions import api
from service_app.users.personal_data import Section

from . import models, senders  # noqa: F401 - models: the package's tables
from .cli import notifications_cli
from .routes import blp
from .seed import seed_devices
from .service import (device_rows, dump_devices, dump_notifications, erase_account_devices,
                      erase_request_notifications, notification_rows)


def init_app(app):
    """Register the notifications API and CLI; add the devices and the feed to the export, seed and retention."""
    senders.init_app(app)
    api.register_blueprint(blp)
    app.cli.add_command(notifications_cli)
    hooks = plugins.hooks(app)
    hooks.add(plugins.Hook.PERSONAL_DATA, Section("devices", query=device_rows, dump=dump_devices))
    hooks.add(plugins.Hook.PERSONAL_DATA, Section("notifications", query=notification_rows, dump=dump_notifications))
    hooks.add(plugins.Hook.ERASE_ACCOUNTS, erase_account_devices)
    hooks.add(plugins.Hook.ERASE_REQUESTS, erase_request_notifications)
    hooks.add(plugins.Hook.SEEDERS, seed_devices)
