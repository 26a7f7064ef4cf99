"""Writing notifications: the feed row and one outbox row per device, in the
caller's transaction, so a change and its notifications commit (or roll back)
together. The worker delivers the outbox.

Pushes are coalesced per recipient and request: when a push about the same
request was queued (or sent) to someone within ``PUSH_COALESCE_SECONDS``,
their new feed row gets no outbox rows. One person commenting 300 times a
minute therefore costs the assignee one push, not 300; the feed, which the
app opens on that push, still lists every item. The window counts from the
push that was queued, so a steady stream yields one push a window. Writers on
one request are serialised by its row lock (comments, moves), so two of them
cannot both see an empty window.

Only devices whose sign-in session is live get outbox rows (``models.Device``);
the feed row is written whatever the devices.

The feed row keeps the message parameters in ``data`` (``number``, ``title``,
``status``, ``comment``) so its text is rendered in the reader's language when
read or pushed; ``title`` and ``body`` keep the first rendering as a fallback.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from service_app.auth.models import AuthSession
from service_app.database import utcnow
from service_app.extensions import db

from .messages import PARAMS, render
from .models import Delivery, Device, Notification, live_session


def notify(event, recipients, *, request_id, params, actor_id=None, new_request=False):
    """Queue ``event`` for each recipient but the actor (caller commits, which writes the rows).

    ``recipients`` are users (anything with ``id``, ``language`` and
    ``is_active``); ``params`` fills the message catalogue (number, title,
    status, comment). ``new_request``: the request was made in this
    transaction, so nobody can have had a push about it yet.

    The feed and outbox rows are added to the session unflushed (each
    delivery holds its notification by the relationship), so the commit's
    flush writes each table's rows in one multi-row INSERT.
    """
    now = utcnow()
    people = {}
    for user in recipients:
        if user is not None and user.id != actor_id and user.is_active:
            people.setdefault(user.id, user)
    if not people:
        return
    notes = []
    data = {key: params[key] for key in PARAMS if params.get(key) is not None}
    for user in people.values():
        title, body = render(event, user.language, params)
        notes.append(Notification(user_id=user.id, event=event, request_id=request_id, title=title, body=body,
                                  data=dict(data), created_at=now))
    db.session.add_all(notes)
    pushed_lately = set() if new_request else _pushed_lately(people, request_id, now)
    with db.session.no_autoflush:  # the devices do not depend on the rows just added
        devices = db.session.execute(sa.select(Device.id, Device.user_id, Device.token)
                                     .join(AuthSession, AuthSession.id == Device.session_id)
                                     .where(Device.user_id.in_(set(people) - pushed_lately),
                                            live_session(now))).all()
    by_user = {}
    for device in devices:
        by_user.setdefault(device.user_id, []).append(device)
    db.session.add_all([Delivery(notification=note, device_id=device.id, token=device.token,
                                 next_attempt_at=now, created_at=now)
                        for note in notes for device in by_user.get(note.user_id, ())])


def _pushed_lately(user_ids, request_id, now):
    """Which of ``user_ids`` had a push about ``request_id`` queued within the coalescing window."""
    window = current_app.config.get("PUSH_COALESCE_SECONDS") or 0
    if window <= 0 or request_id is None:
        return set()
    recent = (sa.select(Notification.user_id).distinct()
              .join(Delivery, Delivery.notification_id == Notification.id)
              .where(Notification.request_id == request_id, Notification.user_id.in_(user_ids),
                     Delivery.created_at > now - timedelta(seconds=window),
                     Delivery.status.in_(("pending", "sending", "sent"))))
    return set(db.session.scalars(recent))
