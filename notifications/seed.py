"""A demo phone for each demo account, so `make run` shows pushes in the log.

A device receives only while the sign-in session that registered it lasts, so
each demo phone gets a session of its own: no token of it was ever issued.
"""
import uuid

import sqlalchemy as sa
from flask import current_app

from service_app.auth.models import AuthSession
from service_app.database import utcnow
from service_app.extensions import db
from service_app.users.models import User

from .models import Device


def seed_devices():
    lines = []
    for login, platform in (("demo-employee", "android"), ("demo-admin", "ios"), ("demo-manager", "android")):
        user = db.session.scalar(sa.select(User).where(User.login == login))
        token = f"demo-{login}-phone"
        if user is None:
            continue
        device = db.session.scalar(sa.select(Device).where(Device.token == token))
        if device is None:
            device = Device(user_id=user.id, token=token, platform=platform, app_version="1.0.0",
                            os_version="demo", device_model="demo phone")
            db.session.add(device)
            lines.append(f"created device {token}")
        elif device.receiving:
            continue
        device.session_id = _demo_session(user)
    db.session.commit()
    return lines


def _demo_session(user):
    session = AuthSession(id=str(uuid.uuid4()), user_id=user.id, refresh_jti=str(uuid.uuid4()),
                          expires_at=utcnow() + current_app.config["JWT_REFRESH_TOKEN_EXPIRES"])
    db.session.add(session)
    return session.id
