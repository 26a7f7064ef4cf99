"""Similar requests and following (API.md "Employees").

Before submitting, the app asks for the open requests of the same category in the office
the place routes to (``similar``): what it shows is never personal (no author, description,
photo or location). Anyone may follow such a request instead of filing another one: a
request may be followed by whoever may read it, or, while it is open and no older than
``SIMILAR_DAYS``, by anyone (``similar`` offers exactly these to whoever asks about its
office and category). Following is idempotent both ways. Its author hears of everything
anyway, so an author's follow stores nothing.

Followers read a request without its location, photos or author (``access``), and hear of
its status changes and public comments (``notify``); they cannot edit or comment on it.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from offices.rooms import tag_room
from offices.service import route_request
from service_app.database import dialect_insert, utcnow
from service_app.errors import ApiError
from service_app.extensions import db
from service_app.users.models import User

from . import access, notices, search
from .models import OPEN_STATUSES, RequestFollower, ServiceRequest

SIMILAR_LIMIT = 5
# SQLite ranks in Python: the newest this many candidates of the office and category.
SQLITE_CANDIDATES = 200


def place_office_id(user, args):
    """The office a place routes to, as a new request there would be routed (``route_request``):
    ``lat``/``lon`` by geofence, else ``office_id``, else the caller's home office; 422
    ``office_required`` when nothing matches. A room's QR tag (``qr_token``) names its office
    (``offices.rooms.tag_room``: 404 for an unknown tag, 422 with another ``office_id``)."""
    if args.get("qr_token"):
        return tag_room(args["qr_token"], args.get("office_id")).office_id
    routed, _office = route_request(args.get("lat"), args.get("lon"), office_id=args.get("office_id"),
                                    home_office_id=user.office_id)
    return routed.office_id


def _recent(now=None):
    """SQL: open and created within ``SIMILAR_DAYS``: what ``similar`` may show anyone."""
    since = (now or utcnow()) - timedelta(days=current_app.config["SIMILAR_DAYS"])
    return sa.and_(ServiceRequest.status.in_(OPEN_STATUSES), ServiceRequest.created_at >= since)


def similar(user, args):
    """At most ``SIMILAR_LIMIT`` open recent requests of ``args["category"]`` in the routed office,
    the most similar title first (PostgreSQL: pg_trgm ``similarity`` between the normalised
    titles; SQLite: the number of words the titles share), newest first among equals."""
    office_id = place_office_id(user, args)
    condition = sa.and_(ServiceRequest.office_id == office_id, ServiceRequest.category_code == args["category"],
                        _recent())
    title = search.normalise(args.get("title") or "").strip()
    newest = (ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
    stmt = sa.select(ServiceRequest).where(condition)
    if not title:
        rows = list(db.session.scalars(stmt.order_by(*newest).limit(SIMILAR_LIMIT)))
    elif db.session.get_bind().dialect.name == "postgresql":
        # The title is the first line of the search document, normalised as the query is.
        own_title = sa.func.split_part(ServiceRequest.search_text, search.SEPARATOR, 1)
        score = sa.func.similarity(own_title, sa.bindparam("title", title, type_=sa.Text))
        rows = list(db.session.scalars(stmt.order_by(score.desc(), *newest).limit(SIMILAR_LIMIT)))
    else:
        words = set(search._WORD.findall(title))
        candidates = list(db.session.scalars(stmt.order_by(*newest).limit(SQLITE_CANDIDATES)))
        shared = {r.id: len(words & set(search._WORD.findall(search.normalise(r.title)))) for r in candidates}
        rows = sorted(candidates, key=lambda r: -shared[r.id])[:SIMILAR_LIMIT]  # stable: newest first among equals
    prime(rows, user)
    return {"items": rows, "notices": notices.active_notices([office_id], user)}


def open_in_room(room, user):
    """The room's open requests of the last ``SIMILAR_DAYS``, newest first, at most ``SIMILAR_LIMIT``:
    what a scanned tag shows (as ``Similar``: nothing personal), so the caller can follow one."""
    rows = list(db.session.scalars(
        sa.select(ServiceRequest).where(ServiceRequest.room_id == room.id, _recent())
        .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc()).limit(SIMILAR_LIMIT)))
    prime(rows, user)
    return rows


def _followable(user, request_id, now=None):
    """The request if ``user`` may follow it (reads it, or it is open and recent), else 404."""
    condition = sa.or_(access.visible_condition(user), access.follower_condition(user), _recent(now))
    req = db.session.scalar(sa.select(ServiceRequest).where(ServiceRequest.id == request_id, condition))
    if req is None:
        raise ApiError(404, "not_found", access.NOT_FOUND)
    return req


def follow(user, request_id):
    req = _followable(user, request_id)
    if not access.is_author(user, req):
        add_followers(req.id, [user.id])
    db.session.commit()


def unfollow(user, request_id):
    req = _followable(user, request_id)
    db.session.execute(sa.delete(RequestFollower).where(RequestFollower.request_id == req.id,
                                                        RequestFollower.user_id == user.id))
    db.session.commit()


def add_followers(request_id, user_ids, now=None):
    """Make ``user_ids`` follow the request (those who follow it already stay as they are); caller commits."""
    if not user_ids:
        return
    now = now or utcnow()
    rows = [{"request_id": request_id, "user_id": i, "created_at": now} for i in dict.fromkeys(user_ids)]
    db.session.execute(dialect_insert(db.session())(RequestFollower.__table__).values(rows)
                       .on_conflict_do_nothing(index_elements=["request_id", "user_id"]))


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
