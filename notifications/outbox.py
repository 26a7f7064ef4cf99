"""Writing notifications: the feed row and one outbox row per device, in the
caller's transaction, so a change and its notifications commit (or roll back)
together. The worker delivers the outbox."""
import sqlalchemy as sa

from service_app.database import utcnow
from service_app.extensions import db

from .messages import render
from .models import Delivery, Device, Notification


def notify(event, recipients, *, request_id, params, actor_id=None):
    """Queue ``event`` for each recipient but the actor (caller commits).

    ``recipients`` are users (anything with ``id``, ``language`` and
    ``is_active``); ``params`` fills the message catalogue (number, title,
    status, comment).
    """
    now = utcnow()
    seen = set()
    for user in recipients:
        if user is None or user.id == actor_id or user.id in seen or not user.is_active:
            continue
        seen.add(user.id)
        title, body = render(event, user.language, params)
        data = {"request_id": str(request_id), "event": event, "status": params.get("status", "")}
        note = Notification(user_id=user.id, event=event, request_id=request_id, title=title, body=body,
                            data=data, created_at=now)
        db.session.add(note)
        db.session.flush()
        for device in db.session.scalars(sa.select(Device).where(Device.user_id == user.id)):
            db.session.add(Delivery(notification_id=note.id, device_id=device.id, token=device.token,
                                    next_attempt_at=now, created_at=now))
