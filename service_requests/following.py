"""Following a request (API.md "Employees", "Following and similar requests, tightened"): who
follows, who may, their counts.

What the app shows before submitting (the open requests of the same category in the office the
place routes to) is ``employees.similar``; a scanned room tag shows the room's. Both show only what
anyone may follow (``findable_condition``): open requests no older than ``SIMILAR_DAYS`` of a
category an administrator made ``discoverable`` (PRIVACY.md P18: an air conditioner is everyone's
business, an HR certificate is nobody's but its author's and HR's). A request may be followed by
whoever reads it in full (its author, its staff), or, while it is findable, by anyone; anything
else answers 404, as a missing request does, and stores nothing. Following is idempotent both ways
(an unfollow removes a stored follow whatever became of the request). Its author hears of
everything anyway, so an author's follow stores nothing.

Followers read a request in the follower view (``access``, ``history``: no author, description,
location, photos, form answers or rating), only while its category stays discoverable, and hear
of its status changes and the staff's public comments (``notify``); they cannot edit or comment on
it. Each person makes at most ``FOLLOW_LIMIT`` new follows an hour (the route's rate limit).
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from service_app.database import dialect_insert, utcnow
from service_app.errors import ApiError
from service_app.extensions import db
from service_app.users.models import User

from . import access
from .models import OPEN_STATUSES, RequestFollower, ServiceRequest


def recent_condition(now=None):
    """SQL: open and created within ``SIMILAR_DAYS``."""
    since = (now or utcnow()) - timedelta(days=current_app.config["SIMILAR_DAYS"])
    return sa.and_(ServiceRequest.status.in_(OPEN_STATUSES), ServiceRequest.created_at >= since)


def findable_condition(now=None):
    """SQL: what ``similar`` and a room's tag may show anyone, and so what anyone may follow: open,
    recent (:func:`recent_condition`) and of a discoverable category."""
    return sa.and_(recent_condition(now), access.discoverable_condition())


def _followable(user, request_id, now=None):
    """The request if ``user`` may follow it (reads it in full or as a follower, or it is findable), else 404."""
    condition = sa.or_(access.visible_condition(user), access.follower_condition(user), findable_condition(now))
    req = db.session.scalar(sa.select(ServiceRequest).where(ServiceRequest.id == request_id, condition))
    if req is None:
        raise ApiError(404, "not_found", access.NOT_FOUND)
    return req


def follow(user, request_id):
    """Follow the request; True when a follow was stored now (what ``FOLLOW_LIMIT`` counts), False
    when there was nothing to store (the author's own request, one followed already)."""
    req = _followable(user, request_id)
    stored = False
    if not access.is_author(user, req):
        stored = add_followers(req.id, [user.id]) > 0
    db.session.commit()
    return stored


def unfollow(user, request_id):
    """Stop following: a stored follow is removed whatever became of the request (closed, or its
    category no longer discoverable); without one, a request one may not follow is a 404."""
    removed = db.session.execute(sa.delete(RequestFollower).where(RequestFollower.request_id == request_id,
                                                                  RequestFollower.user_id == user.id)).rowcount
    if not removed:
        _followable(user, request_id)
    db.session.commit()


def add_followers(request_id, user_ids, now=None):
    """Make ``user_ids`` follow the request (those who follow it already stay as they are); caller
    commits. Returns how many follows were stored."""
    if not user_ids:
        return 0
    now = now or utcnow()
    rows = [{"request_id": request_id, "user_id": i, "created_at": now} for i in dict.fromkeys(user_ids)]
    table = RequestFollower.__table__
    # RETURNING names the rows inserted (psycopg answers rowcount -1 to this INSERT).
    return len(db.session.execute(dialect_insert(db.session())(table).values(rows)
                                  .on_conflict_do_nothing(index_elements=["request_id", "user_id"])
                                  .returning(table.c.user_id)).all())


def follower_ids(request_id):
    return list(db.session.scalars(sa.select(RequestFollower.user_id).where(RequestFollower.request_id == request_id)
                                   .order_by(RequestFollower.user_id)))


def followers(req):
    """The people following ``req`` (for its notifications)."""
    return list(db.session.scalars(sa.select(User).join(RequestFollower, RequestFollower.user_id == User.id)
                                   .where(RequestFollower.request_id == req.id).order_by(User.id)))


_STATS = "_following_stats"


def prime(requests, user):
    """Count the followers of ``requests`` and whether ``user`` is one, in one grouped query (a page's);
    requests counted already are left as they are."""
    requests = [r for r in requests if r is not None and _STATS not in r.__dict__]
    if not requests:
        return
    ids = [r.id for r in requests]
    mine = sa.func.max(sa.case((RequestFollower.user_id == (user.id if user else None), 1), else_=0))
    found = {row.request_id: (row.count, bool(row.mine)) for row in db.session.execute(
        sa.select(RequestFollower.request_id, sa.func.count().label("count"), mine.label("mine"))
        .where(RequestFollower.request_id.in_(ids)).group_by(RequestFollower.request_id))}
    for r in requests:
        r.__dict__[_STATS] = found.get(r.id, (0, False))


def stats(req, user):
    """``(followers_count, following)`` of ``req`` for ``user``: primed, or read now together with
    every other request the session holds (a page of a list is dumped item by item: its first item
    counts them all, in one query)."""
    if _STATS not in req.__dict__:
        held = [obj for obj in db.session.identity_map.values() if isinstance(obj, ServiceRequest)]
        prime([req, *held], user)
    return req.__dict__[_STATS]


def none_yet(req):
    """A request just made has no followers: its answer needs no count."""
    req.__dict__[_STATS] = (0, False)


def forget(req):
    """Drop ``req``'s primed figures (after a change of its followers)."""
    req.__dict__.pop(_STATS, None)


def followed_rows(user):
    """``/me/data``: the requests I follow."""
    return sa.select(RequestFollower).where(RequestFollower.user_id == user.id)


def dump_followed(rows):
    return [{"id": f.id, "request_id": f.request_id, "number": ServiceRequest.number_of(f.request_id),
             "created_at": f.created_at.isoformat()} for f in rows]
