"""A request's history: the event log every change writes to.

``add_comment`` lives here too, under both of its writers: a status move that
gives a reason (``lifecycle``) and the conversation (``comments``), which
itself may move the status. Neither imports the other's service for it.
"""
from enum import StrEnum

from service_app import changes
from service_app.database import utcnow
from service_app.extensions import db
from service_app.plugins import Hook, hooks

from . import search
from .models import Comment, RequestEvent


class Event(StrEnum):
    """Every kind of history event, the one list writers name and readers map: the API's
    ``Event.event``, the console's labels (``console.messages.event_labels``) and who is notified
    (``lifecycle.notify.NOTIFIED``) each cover all of them (tests/service_requests/test_events.py).
    Stored and answered as the plain string."""

    CREATED = "created"
    ROUTED = "routed"
    ASSIGNED = "assigned"
    STATUS_CHANGED = "status_changed"
    REROUTED = "rerouted"
    UPDATED = "updated"
    COMMENTED = "commented"
    MERGED = "merged"
    MERGED_IN = "merged_in"
    ATTACHMENT_ADDED = "attachment_added"
    ATTACHMENT_REMOVED = "attachment_removed"


def record(req, event, actor, data=None, internal=False):
    """Add one history row (caller commits) and tell ``Hook.HISTORY_SUBSCRIBERS`` (the notifications outbox)."""
    event = Event(event)  # an event no reader knows is a programming error, not a row
    row = RequestEvent(request_id=req.id, event=event.value, actor_id=actor.id if actor else None,
                       internal=internal, data=data or {}, created_at=utcnow())
    db.session.add(row)
    for listener in hooks().get(Hook.HISTORY_SUBSCRIBERS):
        listener(req, event, actor, row.data, internal)
    return row


def record_all(req, events, actor):
    """``record`` for several events at once, ``(event, data)`` pairs (none internal): one multi-row INSERT.

    The rows are written at once (so the sync log is told here, as the session hook does not
    see a bulk statement); then ``Hook.HISTORY_SUBSCRIBERS`` hear of each event in order.
    """
    now, actor_id = utcnow(), actor.id if actor else None
    rows = [{"request_id": req.id, "event": Event(event).value, "actor_id": actor_id, "internal": False, "data": data or {},
             "created_at": now} for event, data in events]
    db.session.execute(RequestEvent.__table__.insert(), rows)
    changes.log_request(db.session(), req.id)
    for row in rows:
        for listener in hooks().get(Hook.HISTORY_SUBSCRIBERS):
            listener(req, row["event"], actor, row["data"], False)


def add_comment(user, req, body, internal=False, part_of=None):
    """Store a comment (caller commits); its event is recorded alongside.

    ``part_of`` names the event a comment belongs to (a status change's
    reason), so that one action makes one notification, not two.
    """
    comment = Comment(request_id=req.id, author_id=user.id, body=body, internal=internal, created_at=utcnow())
    db.session.add(comment)
    db.session.flush()
    search.add_comment_text(req.id, body, internal)
    data = {"comment_id": comment.id, "internal": internal}
    if part_of:
        data["part_of"] = part_of
    record(req, Event.COMMENTED, user, data, internal=internal)
    return comment
