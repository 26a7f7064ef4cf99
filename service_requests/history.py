"""A request's history (events) and conversation (comments)."""
import sqlalchemy as sa

from service_app.database import utcnow
from service_app.errors import ApiError
from service_app.extensions import db
from service_app.plugins import Hook, hooks

from . import access
from .models import Comment, RequestEvent


def record(req, event, actor, data=None, internal=False):
    """Add one history row (caller commits) and tell ``Hook.HISTORY_SUBSCRIBERS`` (the notifications outbox)."""
    row = RequestEvent(request_id=req.id, event=event, actor_id=actor.id if actor else None,
                       internal=internal, data=data or {}, created_at=utcnow())
    db.session.add(row)
    for listener in hooks().get(Hook.HISTORY_SUBSCRIBERS):
        listener(req, event, actor, row.data, internal)
    return row


def add_comment(user, req, body, internal=False, part_of=None):
    """Store a comment (caller commits); its event is recorded alongside.

    ``part_of`` names the event a comment belongs to (a status change's
    reason), so that one action makes one notification, not two.
    """
    comment = Comment(request_id=req.id, author_id=user.id, body=body, internal=internal, created_at=utcnow())
    db.session.add(comment)
    db.session.flush()
    data = {"comment_id": comment.id, "internal": internal}
    if part_of:
        data["part_of"] = part_of
    record(req, "commented", user, data, internal=internal)
    return comment


def post_comment(user, req, body, internal):
    """A comment from the API: employees cannot write internal notes; an author's
    comment on a ``waiting`` request puts it back ``in_progress``."""
    from . import lifecycle

    staff = access.is_staff_for(user, req)
    if internal and not staff:
        raise ApiError(403, "forbidden", "only staff may write internal notes")
    if req.is_final:
        raise ApiError(409, "conflict", f"the request is {req.status}; comments are closed")
    comment = add_comment(user, req, body, internal)
    if not internal and staff and not access.is_author(user, req):
        lifecycle.mark_first_response(req, comment.created_at)
    if access.is_author(user, req) and req.status == "waiting" and not internal:
        lifecycle.change_status(user, req, "in_progress", automatic=True)
    db.session.commit()
    return comment


def list_comments(user, req):
    stmt = sa.select(Comment).where(Comment.request_id == req.id).order_by(Comment.created_at, Comment.id)
    if not access.may_read_internal(user, req):
        stmt = stmt.where(Comment.internal.is_(False))
    return {"items": list(db.session.scalars(stmt)), "next_cursor": None}


def list_events(user, req):
    stmt = (sa.select(RequestEvent).where(RequestEvent.request_id == req.id)
            .order_by(RequestEvent.created_at, RequestEvent.id))
    if not access.may_read_internal(user, req):
        stmt = stmt.where(RequestEvent.internal.is_(False))
    return {"items": list(db.session.scalars(stmt)), "next_cursor": None}
