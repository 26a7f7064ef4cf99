"""A request's conversation (comments and internal notes) and the history as a reader sees it.

Both lists read like a story, oldest first, one page at a time
(``service_app.pagination``); internal rows are left out for callers who may
not read internal notes. A follower (staff outside the request's scope included)
reads the follower view of both (``history.follower_body``,
``history.follower_event_data``): the staff's public comments, and the public
events but those of photos and of the author's comments, without the author.
"""
import sqlalchemy as sa
from flask import g

from service_app.errors import ApiError
from service_app.extensions import db
from service_app.pagination import paginate

from service_requests import access, history
from . import status as lifecycle
from service_requests.history import add_comment
from service_requests.models import Comment, RequestEvent


def is_open_for_comments(req):
    """Whether the conversation takes new comments: it closes once the request is final."""
    return not req.is_final


def post_comment(user, req, body, internal, *, commit=True, part_of=None, follower_body=None):
    """A comment from the API: employees cannot write internal notes; an author's
    comment on a ``waiting`` request puts it back ``in_progress``.

    ``commit=False`` leaves the commit to the caller (a bulk call, a canned reply);
    ``part_of`` names the event the comment belongs to, ``follower_body`` what its
    followers read instead (``history.add_comment``)."""
    if internal:
        access.require_may_write_internal(user, req)
    access.require_may_comment(user, req)
    if not is_open_for_comments(req):
        raise ApiError(409, "conflict", f"the request is {req.status}; comments are closed")
    comment = add_comment(user, req, body, internal, part_of=part_of, follower_body=follower_body)
    if not internal and access.is_staff_for(user, req) and not access.is_author(user, req):
        lifecycle.mark_first_response(req, comment.created_at)
    if access.is_author(user, req) and req.status == "waiting" and not internal:
        lifecycle.change_status(user, req, "in_progress", automatic=True)
    if commit:
        db.session.commit()
    return comment


def list_comments(user, req, args):
    """One page of the conversation, oldest first."""
    return _page(user, req, Comment, args)


def list_events(user, req, args):
    """One page of the request's history, oldest first."""
    return _page(user, req, RequestEvent, args)


def _page(user, req, model, args):
    stmt = sa.select(model).where(model.request_id == req.id)
    if not access.may_read_in_full(user, req):
        # A follower: the follower view's rows only (never internal ones), the author not named, and
        # what is shown of each row (a comment's follower body, an event's data) read through
        # ``history`` by the schemas (``FollowerBody``, ``FollowerEventData``).
        g.hidden_person_id = req.author_id
        g.follower_view_of = req
        condition = history.follower_comments_condition if model is Comment else history.follower_events_condition
        stmt = stmt.where(condition(req))
    elif not access.may_read_internal(user, req):
        stmt = stmt.where(model.internal.is_(False))
    return paginate(db.session, stmt, model, args["limit"], args.get("cursor"), oldest_first=True)
