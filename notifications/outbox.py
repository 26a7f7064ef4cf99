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

Inside :func:`one_push_each` (a bulk call) the feed rows are written as usual
but the pushes wait for the end of the batch: then each recipient gets the
push of their one feed row, or, when the batch gave them several, one summary
feed row (``bulk_updated``, "N requests changed") and its push. The summary is
a feed row of its own so that the push, the badge and the feed agree.

The feed row keeps the message parameters in ``data`` (``number``, ``title``,
``status``, ``comment``) so its text is rendered in the reader's language when
read or pushed; ``title`` and ``body`` keep the first rendering as a fallback.
"""
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g

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
    :func:`notify_new_request` instead. ``request_id`` is None for news about
    no request (a resolved office notice, whose ``notice_id`` in ``params``
    makes the deep link); such pushes are never coalesced.

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
    # One multi-row INSERT each for the feed rows (each person gets one, so the returned
    # ids are told apart by user), the sync log of them, and the outbox rows.
    notes = Notification.__table__
    note_of = dict(db.session.execute(notes.insert().returning(notes.c.user_id, notes.c.id), rows).all())
    changes.log_new_notifications(note_of.items())
    batch = g.get(_BATCH_KEY)
    if batch is not None:
        for user_id in pushed_to:
            batch.held.append((people[user_id], note_of[user_id], request_id))
        return
    _queue(_live_devices(pushed_to, now), {user_id: note_of[user_id] for user_id in pushed_to}, now)


def _live_devices(user_ids, now):
    """``(id, user_id, token)`` of the devices of ``user_ids`` whose sign-in session is live."""
    return db.session.execute(sa.select(Device.id, Device.user_id, Device.token)
                              .join(AuthSession, AuthSession.id == Device.session_id)
                              .where(Device.user_id.in_(user_ids), live_session(now))).all()


def _queue(devices, note_of, now):
    """One outbox row per device, for the feed row ``note_of[device.user_id]``."""
    queued = [{"notification_id": note_of[device.user_id], "device_id": device.id, "token": device.token,
               "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}
              for device in devices if device.user_id in note_of]
    if queued:
        db.session.execute(Delivery.__table__.insert(), queued)


_BATCH_KEY = "_notifications_push_batch"


class PushBatch:
    """The pushes held back during :func:`one_push_each`: ``(user, feed row id, request id)``."""

    def __init__(self):
        self.held = []

    def mark(self):
        """Where the batch is now; :meth:`rollback_to` forgets what was held after it (a rolled-back savepoint)."""
        return len(self.held)

    def rollback_to(self, mark):
        del self.held[mark:]

    def write(self):
        """One push per device of each recipient: their one feed row's, or a ``bulk_updated`` summary's."""
        if not self.held:
            return
        now = utcnow()
        people, rows_of = {}, {}
        for user, note_id, request_id in self.held:
            people[user.id] = user
            rows_of.setdefault(user.id, []).append((note_id, request_id))
        note_of = {user_id: rows[0][0] for user_id, rows in rows_of.items() if len(rows) == 1}
        summaries = []
        for user_id, rows in rows_of.items():
            if len(rows) > 1:
                params = {"count": len({request_id for _, request_id in rows})}
                title, body = render("bulk_updated", people[user_id].language, params)
                summaries.append({"user_id": user_id, "event": "bulk_updated", "request_id": None, "title": title,
                                  "body": body, "data": params, "created_at": now, "read_at": None})
        if summaries:
            notes = Notification.__table__
            written = dict(db.session.execute(notes.insert().returning(notes.c.user_id, notes.c.id), summaries).all())
            changes.log_new_notifications(written.items())
            note_of.update(written)
        _queue(_live_devices(note_of, now), note_of, now)


@contextmanager
def one_push_each():
    """While active, :func:`notify` writes feed rows but holds their pushes; at the end (unless an
    error escapes) each recipient gets one push per device for the whole batch. The caller commits."""
    if g.get(_BATCH_KEY) is not None:  # already batching: the outer batch writes
        yield g.get(_BATCH_KEY)
        return
    batch = PushBatch()
    setattr(g, _BATCH_KEY, batch)
    try:
        yield batch
        batch.write()
    finally:
        g.pop(_BATCH_KEY, None)


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
