"""Office notices: what an office already knows about ("the lift in block B is out"), so the app
can say so before anybody files the same request.

An administrator whose office scope covers the office posts a notice, edits it while it is
active, and resolves it; a notice is active while it is not resolved and its ``until`` (when
given) has not passed. Anybody signed in may follow an active notice of any office; on resolve,
each follower is told once (``notice_resolved``), whoever resolves it and however often.

The notices live with requests because a notice may name a category. A notice may name a room
of its office (cleared if the room is deleted).
"""

import sqlalchemy as sa

from notifications.outbox import notify
from offices.models import Office, Room
from service_app.database import dialect_insert, get_or_404, utcnow
from service_app.errors import ApiError, invalid
from service_app.extensions import db
from service_app.users.models import User

from service_requests.catalogue.categories import active_category

from .models import Notice, NoticeFollow
from .places import place_office_id

NOT_FOUND = "no such notice"
# The title a notification quotes: "Resolved: " and the title must fit the feed's 200 characters.
NOTIFICATION_TITLE_CHARS = 180


def active_condition(now):
    """SQL condition: the notice is active at ``now``."""
    return sa.and_(Notice.resolved_at.is_(None), sa.or_(Notice.until.is_(None), Notice.until > now))


# --- reading ------------------------------------------------------------------------------------

def _rooms(notices):
    """``{room id: {id, code, name}}`` of the rooms ``notices`` name, in one query."""
    ids = {notice.room_id for notice in notices if notice.room_id is not None}
    if not ids:
        return {}
    return {room.id: {"id": room.id, "code": room.code, "name": room.name}
            for room in db.session.scalars(sa.select(Room).where(Room.id.in_(ids)))}


def serialise(notices, user):
    """The API's Notice of each of ``notices`` for ``user``: followers counted and the caller's
    own follow found in two queries, whatever the number of notices."""
    ids = [notice.id for notice in notices]
    counts, mine = {}, set()
    if ids:
        counts = dict(db.session.execute(
            sa.select(NoticeFollow.notice_id, sa.func.count()).where(NoticeFollow.notice_id.in_(ids))
            .group_by(NoticeFollow.notice_id)).all())
        mine = set(db.session.scalars(sa.select(NoticeFollow.notice_id).where(
            NoticeFollow.notice_id.in_(ids), NoticeFollow.user_id == user.id)))
    rooms = _rooms(notices)
    return [{"id": n.id, "office_id": n.office_id, "title": n.title, "body": n.body, "category": n.category_code,
             "room": rooms.get(n.room_id), "until": n.until, "resolved_at": n.resolved_at,
             "followers_count": counts.get(n.id, 0), "following": n.id in mine} for n in notices]


def active_notices(office_ids, user):
    """The active notices of ``office_ids``, newest first, as the API's Notice for ``user``
    (for ``GET /notices`` and any answer that shows what a place's office already knows)."""
    office_ids = sorted({office_id for office_id in office_ids if office_id is not None})
    if not office_ids:
        return []
    notices = db.session.scalars(
        sa.select(Notice).where(Notice.office_id.in_(office_ids), active_condition(utcnow()))
        .order_by(Notice.created_at.desc(), Notice.id.desc())).all()
    return serialise(notices, user)


def notices_for_place(user, *, office_id=None, lat=None, lon=None, qr_token=None):
    """``GET /notices``: the active notices of the place's office and of the caller's home office."""
    return {"items": active_notices([place_office_id(user, office_id=office_id, lat=lat, lon=lon, qr_token=qr_token,
                                                     required=False),
                                     user.office_id], user), "next_cursor": None}


def get_notice(notice_id, *, for_update=False):
    stmt = sa.select(Notice).where(Notice.id == notice_id)
    if for_update:
        stmt = stmt.with_for_update()
    notice = db.session.scalar(stmt)
    if notice is None:
        raise ApiError(404, "not_found", NOT_FOUND)
    return notice


# --- administrators -----------------------------------------------------------------------------

def require_office_admin(user, office_id):
    """An administrator whose office scope covers the office (an empty scope covers all);
    a department scope does not limit notices, which are about the place, not a department."""
    if user.role != "administrator" or not user.is_active:
        raise ApiError(403, "forbidden", "your role may not do this")
    if user.office_ids and office_id not in user.office_ids:
        raise ApiError(403, "forbidden", "your scope does not cover this office")


def _check_until(until, now):
    if until is not None and until <= now:
        raise invalid("until", "must be in the future")


def _check_room(data, office_id):
    """A notice's room must be a room of its office (422)."""
    room_id = data.get("room_id")
    if room_id is not None and db.session.scalar(
            sa.select(Room.id).where(Room.id == room_id, Room.office_id == office_id)) is None:
        raise invalid("room_id", "no such room in this office")
    return data


def _check_category(data):
    if "category" in data:
        code = data.pop("category")
        data["category_code"] = active_category(code).code if code is not None else None
    return data


def create_notice(user, office_id, data):
    office = get_or_404(Office, office_id, "no such office")
    require_office_admin(user, office.id)
    now = utcnow()
    _check_until(data.get("until"), now)
    data = _check_room(_check_category(dict(data)), office.id)
    notice = Notice(office_id=office.id, created_by_id=user.id, created_at=now, updated_at=now, **data)
    db.session.add(notice)
    db.session.commit()
    return serialise([notice], user)[0]


def update_notice(user, notice_id, data):
    """Edit an active notice, or resolve it (``resolved: true``); resolving a resolved notice
    changes nothing and tells nobody again. A resolved notice is not reopened (409)."""
    notice = get_notice(notice_id, for_update=True)
    require_office_admin(user, notice.office_id)
    data = dict(data)
    resolve = data.pop("resolved", None)
    now = utcnow()
    if resolve is False and notice.resolved_at is not None:
        raise ApiError(409, "conflict", "a resolved notice cannot be reopened")
    if data and not notice.is_active(now):
        raise ApiError(409, "conflict", "the notice is no longer active")
    if "until" in data:
        _check_until(data["until"], now)
    data = _check_room(_check_category(data), notice.office_id)
    for field, value in data.items():
        setattr(notice, field, value)
    if resolve and notice.resolved_at is None:
        notice.resolved_at = now
        db.session.flush()
        _tell_followers(notice, user)
    db.session.commit()
    return serialise([notice], user)[0]


def _short(text):
    if isinstance(text, dict):
        return {language: value[:NOTIFICATION_TITLE_CHARS] for language, value in text.items()}
    return text[:NOTIFICATION_TITLE_CHARS]


def _tell_followers(notice, actor):
    """One ``notice_resolved`` each to the followers (the resolver aside), in this transaction."""
    followers = db.session.scalars(sa.select(User).join(NoticeFollow, NoticeFollow.user_id == User.id)
                                   .where(NoticeFollow.notice_id == notice.id).order_by(User.id)).all()
    notify("notice_resolved", followers, request_id=None, actor_id=actor.id,
           params={"title": _short(notice.title), "notice_id": notice.id})


# --- following ----------------------------------------------------------------------------------

def follow(user, notice_id):
    """Follow an active notice (again: nothing changes); 404 unknown, 409 no longer active."""
    notice = get_notice(notice_id)
    if not notice.is_active():
        raise ApiError(409, "conflict", "the notice is no longer active")
    insert = dialect_insert(db.session)
    db.session.execute(insert(NoticeFollow).values(notice_id=notice.id, user_id=user.id, created_at=utcnow())
                       .on_conflict_do_nothing(index_elements=["notice_id", "user_id"]))
    db.session.commit()


def unfollow(user, notice_id):
    """Stop following (also a resolved or expired notice; not following: nothing changes); 404 unknown."""
    notice = get_notice(notice_id)
    db.session.execute(sa.delete(NoticeFollow).where(NoticeFollow.notice_id == notice.id,
                                                     NoticeFollow.user_id == user.id))
    db.session.commit()


# --- personal data ------------------------------------------------------------------------------

def follow_rows(user):
    """The notices I follow (``/me/data``)."""
    return sa.select(NoticeFollow).where(NoticeFollow.user_id == user.id)


def dump_follows(rows):
    notices = {n.id: n for n in db.session.scalars(
        sa.select(Notice).where(Notice.id.in_([row.notice_id for row in rows])))} if rows else {}
    return [{"notice_id": row.notice_id, "office_id": notices[row.notice_id].office_id,
             "title": notices[row.notice_id].title, "followed_at": row.created_at.isoformat()}
            for row in rows if row.notice_id in notices]


def erase_account_follows(user_ids):
    """Retention (PRIVACY.md P15): an anonymised account follows nothing."""
    if user_ids:
        db.session.execute(sa.delete(NoticeFollow).where(NoticeFollow.user_id.in_(user_ids)))
