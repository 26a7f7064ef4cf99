"""Device tokens, the notification feed and outbox, push senders (log, FCM),
the delivery worker, and message texts in ru / kk / en. Knows nothing of
requests beyond their ids: callers hand it recipients and message parameters."""


def init_app(app):
    from service_app.extensions import api
    from service_app.seed import register_seeder
    from service_app.users.personal_data import register_section

    from . import senders
    from .cli import notifications_cli
    from .routes import blp
    from .seed import seed_devices
    from .service import device_rows, dump_devices, dump_notifications, notification_rows

    senders.init_app(app)
    api.register_blueprint(blp)
    app.cli.add_command(notifications_cli)
    register_section("devices", query=device_rows, dump=dump_devices)
    register_section("notifications", query=notification_rows, dump=dump_notifications)
    register_seeder(seed_devices)
