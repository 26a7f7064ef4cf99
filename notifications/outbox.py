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

from service_app import changes
from service_app.auth.models import AuthSession
from service_app.database import utcnow
from service_app.extensions import db
from service_app.users.models import User
from service_app.vocabulary import DEFAULT_LANGUAGE, LANGUAGES

from .messages import PARAMS, render
from .models import Delivery, Device, Notification, live_session


def notify(event, recipients, *, request_id, params, actor_id=None):
    """Queue ``event`` for each recipient but the actor (caller commits).

    ``recipients`` are users (anything with ``id``, ``language`` and
    ``is_active``); ``params`` fills the message catalogue (number, title,
    status, comment). A request made in this transaction goes through
    :func:`notify_new_request` instead.

    The feed rows, their sync log rows and the outbox rows are written at
    once, one multi-row INSERT each, whatever the number of recipients.
    """
    now = utcnow()
    people = {}
    for user in recipients:
        if user is not None and user.id != actor_id and user.is_active:
            people.setdefault(user.id, user)
    if not people:
        return
    data = {key: params[key] for key in PARAMS if params.get(key) is not None}
    rows = []
    for user in people.values():
        title, body = render(event, user.language, params)
        rows.append({"user_id": user.id, "event": event, "request_id": request_id, "title": title, "body": body,
                     "data": dict(data), "created_at": now, "read_at": None})
    pushed_lately = _pushed_lately(people, request_id, now)
    pushed_to = set(people) - pushed_lately
    devices = db.session.execute(sa.select(Device.id, Device.user_id, Device.token)
                                 .join(AuthSession, AuthSession.id == Device.session_id)
                                 .where(Device.user_id.in_(pushed_to), live_session(now))).all()
    # One multi-row INSERT each for the feed rows (each person gets one, so the returned
    # ids are told apart by user), the sync log of them, and the outbox rows.
    notes = Notification.__table__
    note_of = dict(db.session.execute(notes.insert().returning(notes.c.user_id, notes.c.id), rows).all())
    changes.log_new_notifications(note_of.items())
    queued = [{"notification_id": note_of[device.user_id], "device_id": device.id, "token": device.token,
               "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}
              for device in devices if device.user_id in pushed_to]
    if queued:
        db.session.execute(Delivery.__table__.insert(), queued)


def notify_new_request(event, condition, *, request_id, params, actor_id=None):
    """:func:`notify` about a request made in this transaction, to the users matching ``condition``
    (an SQL condition on ``User`` that admits only people who may read the request) but the actor.

    The database picks the recipients as it writes: the feed rows are one INSERT ... SELECT from
    ``users`` (the text in each reader's language chosen by a CASE over ``users.language``),
    RETURNING their ids; the outbox rows one INSERT ... SELECT from the live devices of those
    recipients. Nobody can have had a push about a new request, so none is coalesced. The sync log
    of the feed rows is written at commit (``changes``). Two statements, whatever the recipients.
    """
    now = utcnow()
    notes = Notification.__table__
    data = {key: params[key] for key in PARAMS if params.get(key) is not None}
    texts = {language: render(event, language, params) for language in LANGUAGES}

    def text(part):  # render() falls back to the default language for any other value
        return sa.case(*[(User.language == language, sa.literal(texts[language][part]))
                         for language in LANGUAGES if language != DEFAULT_LANGUAGE],
                       else_=sa.literal(texts[DEFAULT_LANGUAGE][part]))

    data_value = sa.literal(data, notes.c.data.type)
    if db.session.get_bind().dialect.name == "postgresql":
        data_value = sa.cast(data_value, notes.c.data.type)  # a bare parameter would be text
    when = sa.literal(now, notes.c.created_at.type)
    if actor_id is not None:
        condition = sa.and_(condition, User.id != actor_id)
    recipients = sa.select(User.id, sa.literal(event), sa.literal(request_id), text(0), text(1), data_value, when
                           ).where(condition)
    note_of = db.session.execute(
        notes.insert().from_select(["user_id", "event", "request_id", "title", "body", "data", "created_at"],
                                   recipients).returning(notes.c.user_id, notes.c.id)).all()
    if not note_of:
        return
    changes.log_new_notifications(note_of)
    outbox = Delivery.__table__
    devices = (sa.select(notes.c.id, Device.id, Device.token, sa.literal("pending"), sa.literal(0), when, when)
               .select_from(notes).join(Device, Device.user_id == notes.c.user_id)
               .join(AuthSession, AuthSession.id == Device.session_id)
               .where(notes.c.id.in_([note_id for _, note_id in note_of]), live_session(now)))
    db.session.execute(outbox.insert().from_select(
        ["notification_id", "device_id", "token", "status", "attempts", "next_attempt_at", "created_at"], devices))


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
