"""Who hears about what happens to a request (API.md, Devices and notifications).

Subscribed to the request history, so every notification is queued in the
same transaction as the change that caused it. Only people who may read the
request at that moment are notified: a notification carries the title and
comment texts, so an ex-assignee who was demoted or moved out of scope (and
gets 404 on the request) must not keep receiving them.

Followers (reading the follower view, PRIVACY.md P18) hear what that view shows and no more:
status changes, and the staff's public comments quoted as followers read them
(``history.follower_body``: a canned reply names no one); never the author's own comments.
No notification carries the description or the author's name.
"""
import sqlalchemy as sa

from notifications.messages import COMMENT_EXCERPT_CHARS
from notifications.outbox import notify, notify_new_request
from service_app.extensions import db
from service_app.users.models import User

from service_requests.access import covers_condition, may_read, may_read_in_full
from service_requests.following import followers
from service_requests.history import Event, follower_body
from service_requests.models import Comment, ServiceRequest


def _covering(req):
    """SQL condition on ``User``: active staff whose scope covers the request (``access.covers_condition``)."""
    return covers_condition(req.office_id, req.department_code, db.session.get_bind().dialect.name)


def office_staff(req):
    """Active administrators and managers whose scope covers the request, found by one query."""
    return list(db.session.scalars(sa.select(User).where(_covering(req)).order_by(User.id)))


def _params(req, **extra):
    return {"number": req.number, "title": req.title, "status": req.status, **extra}


def _readers(req, people):
    return [person for person in people if may_read(person, req)]


def _by_view(req, people):
    """``(full readers, followers)`` of ``people``: those who read ``req`` in full and those who read
    it in the follower view (others, who may not read it, in neither)."""
    full, view = [], []
    for person in people:
        if person is None:
            continue
        if may_read_in_full(person, req):
            full.append(person)
        elif may_read(person, req):
            view.append(person)
    return full, view


def _excerpt(text):
    return text[:COMMENT_EXCERPT_CHARS]


# The notification each history event sends, and to whom; None: nobody is told (the change shows
# in the request's history and reaches the apps by sync). Every event is named here
# (tests/service_requests/test_events.py), so a new one is a decision, not an omission.
NOTIFIED = {
    Event.CREATED: "request_created",  # the staff whose scope covers the request
    Event.ROUTED: None,
    Event.ASSIGNED: "assigned",  # the new assignee
    Event.STATUS_CHANGED: "status_changed",  # the author, the assignee, the followers
    Event.REROUTED: None,
    Event.UPDATED: None,
    Event.COMMENTED: "comment_added",  # a public comment: the other side and the followers
    Event.MERGED: "merged",  # the duplicate's author
    Event.MERGED_IN: None,
    Event.ATTACHMENT_ADDED: None,
    Event.ATTACHMENT_REMOVED: None,
}


def on_history_event(req, event, actor, data, internal):
    event = Event(event)
    if NOTIFIED[event] is None:
        return
    actor_id = actor.id if actor else None
    send = lambda name, people, **extra: notify(name, _readers(req, people), request_id=req.id,  # noqa: E731
                                                params=_params(req, **extra), actor_id=actor_id)
    if event is Event.CREATED:
        # The staff whose scope covers the request (``covers_condition`` admits only active staff
        # who may read it), chosen and written by the database as it inserts their feed rows.
        notify_new_request(NOTIFIED[event], _covering(req), request_id=req.id, params=_params(req),
                           actor_id=actor_id)
    elif event is Event.STATUS_CHANGED:
        send(NOTIFIED[event], [req.author, req.assignee, *followers(req)], status=data["to"])
    elif event is Event.ASSIGNED and data.get("assignee"):
        send(NOTIFIED[event], [db.session.get(User, data["assignee"]["id"])])
    elif event is Event.COMMENTED and not internal and not data.get("part_of"):
        comment = db.session.get(Comment, data["comment_id"])
        tell = lambda people, text: notify(NOTIFIED[event], people, request_id=req.id,  # noqa: E731
                                           params=_params(req, comment=_excerpt(text)), actor_id=actor_id)
        if actor_id == req.author_id:
            # The author's own words: the staff hear of them (followers who read it in full, such as
            # staff in scope, too), followers in the follower view do not read them.
            full, _ = _by_view(req, [req.assignee, *followers(req)])
            tell(full, comment.body)
        elif actor is not None and actor.is_staff:
            full, view = _by_view(req, [req.author, *followers(req)])
            tell(full, comment.body)
            tell(view, follower_body(comment, req))
    elif event is Event.MERGED:
        send(NOTIFIED[event], [req.author], target=ServiceRequest.number_of(data["into"]["id"]))


def notify_sla(req, event):
    """``sla_at_risk`` / ``sla_breached`` to the assignee and the office's staff."""
    notify(event, _readers(req, [req.assignee, *office_staff(req)]), request_id=req.id, params=_params(req))
