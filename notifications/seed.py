"""A demo phone for each demo account, so `make run` shows pushes in the log."""
import sqlalchemy as sa

from service_app.extensions import db
from service_app.users.models import User

from .models import Device


def seed_devices():
    lines = []
    for login, platform in (("demo-employee", "android"), ("demo-admin", "ios"), ("demo-manager", "android")):
        user = db.session.scalar(sa.select(User).where(User.login == login))
        token = f"demo-{login}-phone"
        if user is not None and db.session.scalar(sa.select(Device.id).where(Device.token == token)) is None:
            db.session.add(Device(user_id=user.id, token=token, platform=platform, app_version="1.0.0",
                                  os_version="demo", device_model="demo phone"))
            lines.append(f"created device {token}")
    db.session.commit()
    return lines
