"""A request's history: the event log every change writes to.

``add_comment`` lives here too, under both of its writers: a status move that
gives a reason (``lifecycle``) and the conversation (``comments``), which
itself may move the status. Neither imports the other's service for it.

So does what a follower reads of them (the follower view, PRIVACY.md P18): the staff's public
comments (``follower_body``) and the public events but those of photos and of the author's own
comments, with nothing the author wrote or answered (``follower_event_data``). Every reader of a
follower's view goes through these: the API's comments and history, the notifications, the console.
"""
from enum import StrEnum

import sqlalchemy as sa

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


def add_comment(user, req, body, internal=False, part_of=None, follower_body=None):
    """Store a comment (caller commits); its event is recorded alongside.

    ``part_of`` names the event a comment belongs to (a status change's
    reason), so that one action makes one notification, not two.
    ``follower_body`` is what followers read instead, when it differs (see :func:`follower_body`).
    """
    comment = Comment(request_id=req.id, author_id=user.id, body=body, internal=internal, created_at=utcnow(),
                      follower_body=follower_body if follower_body != body else None)
    db.session.add(comment)
    db.session.flush()
    search.add_comment_text(req.id, body, internal)
    data = {"comment_id": comment.id, "internal": internal}
    if part_of:
        data["part_of"] = part_of
    record(req, Event.COMMENTED, user, data, internal=internal)
    return comment


# --- the follower view (PRIVACY.md P18) ----------------------------------------------------------

# What a follower sees change in an ``updated`` event: what the follower view shows. The description
# (the author's own words) and the form's answers change without values (the event stays).
FOLLOWER_UPDATE_KEYS = ("title", "priority", "category", "department")
# Events a follower's history leaves out: photos, which followers never see.
FOLLOWER_HIDDEN_EVENTS = (Event.ATTACHMENT_ADDED.value, Event.ATTACHMENT_REMOVED.value)


def follower_comments_condition(req):
    """SQL condition on ``Comment``: the comments of ``req`` its followers read, those
    :func:`follower_body` gives a text (the page of a follower's conversation is cut by it)."""
    return sa.and_(Comment.internal.is_(False), Comment.author_id.is_distinct_from(req.author_id))


def follower_body(comment, req):
    """The text of ``comment`` (a comment of ``req``) that a follower of ``req`` reads, or None when a
    follower does not read the comment at all.

    The one answer for everyone who shows a follower a comment: the API's conversation, the
    notifications, the staff console (staff who follow a request outside their scope read it as any
    follower does). A follower reads the staff's public comments only: never an internal note, nor
    the author's own comments (the author's words, like the description, PRIVACY.md P18). Of those,
    they read ``Comment.follower_body`` when set: a canned reply filled for the author
    (``{author_name}``) is stored a second time for followers, with a neutral word in place of the
    name (``staff.replies``), so no follower reads the author's name filled in by the service.
    """
    if comment.internal or comment.author_id == req.author_id:
        return None
    return comment.follower_body if comment.follower_body is not None else comment.body


def follower_events_condition(req):
    """SQL condition on ``RequestEvent``: the events of ``req`` its followers read: public ones, but
    not those of photos nor of the author's own comments (whose comments followers do not read)."""
    own_comment = sa.and_(RequestEvent.event == Event.COMMENTED.value,
                          RequestEvent.actor_id.is_not_distinct_from(req.author_id))
    return sa.and_(RequestEvent.internal.is_(False), RequestEvent.event.not_in(FOLLOWER_HIDDEN_EVENTS),
                   sa.not_(own_comment))


def follower_event_data(event, req):
    """The ``data`` of ``event`` (an event of ``req`` that :func:`follower_events_condition` admits) as a
    follower reads it: an ``updated`` event keeps only the changes of what the follower view shows
    (an edit of the description or of a form answer shows as ``updated`` without values); a status
    change drops the author's rating and the author's own comment. Who made the change is hidden
    apart from this when it is the author (the API's ``PersonOrHidden``)."""
    data = dict(event.data or {})
    if event.event == Event.UPDATED.value:
        return {key: value for key, value in data.items() if key in FOLLOWER_UPDATE_KEYS}
    if event.event == Event.STATUS_CHANGED.value:
        data.pop("rating", None)
        if event.actor_id is not None and event.actor_id == req.author_id:
            data.pop("comment_id", None)
    return data
