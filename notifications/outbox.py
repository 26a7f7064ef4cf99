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
    people = {}
    for user in recipients:
        if user is not None and user.id != actor_id and user.is_active:
            people.setdefault(user.id, user)
    if not people:
        return
    notes = []
    for user in people.values():
        title, body = render(event, user.language, params)
        data = {"request_id": str(request_id), "event": event, "status": params.get("status", "")}
        notes.append(Notification(user_id=user.id, event=event, request_id=request_id, title=title, body=body,
                                  data=data, created_at=now))
    db.session.add_all(notes)
    db.session.flush()  # one flush for the ids the outbox rows point at
    devices = db.session.execute(sa.select(Device.id, Device.user_id, Device.token)
                                 .where(Device.user_id.in_(people))).all()
    by_user = {}
    for device in devices:
        by_user.setdefault(device.user_id, []).append(device)
    db.session.add_all([Delivery(notification_id=note.id, device_id=device.id, token=device.token,
                                 next_attempt_at=now, created_at=now)
                        for note in notes for device in by_user.get(note.user_id, ())])
