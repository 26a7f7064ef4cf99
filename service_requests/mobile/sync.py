"""``GET /sync``: what a phone needs to bring its copy up to date, and nothing it may not see.

Without a cursor the caller gets every request they may see, oldest id first,
a page at a time, with their newest notifications on the first page; the
position of the change log is taken *before* the listing starts, so whatever
changes while the pages are read comes with the next sync (perhaps twice,
never not at all). With a cursor, only the change-log rows written since its
position are read (``service_app.changes`` explains why that never misses a
slow transaction), in a window fixed when the first page of that sync was
asked for, so paging through a window never skips a row that commits meanwhile.

The window holds only the caller's rows: their notifications, and changes of
requests they may see now or could see before the change (the row's ``before_*``
values); internal notes count for staff only. A request of the window visible
now is in ``requests``, one no longer visible in ``removed``. A change of the caller's own role or scope, or a cursor older than
``SYNC_CURSOR_DAYS``, answers 410 ``sync_expired``: the app syncs from scratch.

Cursors are signed (``SECRET_KEY``) and name their user: a forged, damaged or
someone else's cursor is 400, and never reaches the database.
"""
import hashlib
import re
import time

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from notifications.models import Notification
from service_app.changes import SyncChange
from service_app.errors import ApiError
from service_app.extensions import db

from service_requests.access import scope_condition, visible_condition
from service_requests.models import ServiceRequest

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
_SALT = "sync-cursor"
_SNAPSHOT = re.compile(r"(\d{1,20}):(\d{1,20}):((\d{1,20},)*\d{1,20})?")
SECONDS_A_DAY = 86_400


def sync(user, cursor, limit):
    """One page of the caller's sync (API.md): ``{requests, removed, notifications, unread_notifications, cursor, has_more}``."""
    state = _decode(user, cursor) if cursor else None
    if state is None or state.get("p") == "full":
        page = _full_page(user, state, limit)
    else:
        page = _changes_page(user, state, limit)
    page["unread_notifications"] = db.session.scalar(
        sa.select(sa.func.count()).select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None)))
    db.session.commit()  # ends the read transaction: nothing is written here
    return page


def _full_page(user, state, limit):
    if state is None:
        state = {"p": "full", "s": _position(), "ts": int(time.time()), "a": 0}
    rows = list(db.session.scalars(
        sa.select(ServiceRequest).where(visible_condition(user), ServiceRequest.id > state["a"])
        .order_by(ServiceRequest.id).limit(limit + 1)))
    notifications = []
    if state["a"] == 0:
        notifications = list(db.session.scalars(
            sa.select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.id.desc()).limit(limit)))
    has_more = len(rows) > limit
    rows = rows[:limit]
    if has_more:
        next_state = {**state, "a": rows[-1].id}
    else:
        next_state = {"s": state["s"], "ts": state["ts"]}
    return {"requests": rows, "removed": [], "notifications": notifications,
            "cursor": _encode(user, next_state), "has_more": has_more}


def _changes_page(user, state, limit):
    if state.get("n") is None:
        state = {**state, "n": _position(), "tn": int(time.time()), "a": 0}
    changes = list(db.session.scalars(_window(user, state).limit(limit + 1)))
    has_more = len(changes) > limit
    changes = changes[:limit]
    if has_more:
        next_state = {**state, "a": changes[-1].id}
    else:
        next_state = {"s": state["n"], "ts": state["tn"]}

    # The window holds only rows about requests the caller sees now or saw before a change, so
    # one that is not visible any more has left the caller's view.
    request_ids = list(dict.fromkeys(c.request_id for c in changes if c.request_id is not None))
    visible = {}
    if request_ids:
        visible = {r.id: r for r in db.session.scalars(
            sa.select(ServiceRequest).where(ServiceRequest.id.in_(request_ids), visible_condition(user)))}
    removed = [i for i in request_ids if i not in visible]

    note_ids = list(dict.fromkeys(c.notification_id for c in changes if c.notification_id is not None))
    notifications = []
    if note_ids:
        notifications = list(db.session.scalars(
            sa.select(Notification).where(Notification.id.in_(note_ids), Notification.user_id == user.id)
            .order_by(Notification.id)))
    return {"requests": [visible[i] for i in request_ids if i in visible], "removed": removed,
            "notifications": notifications, "cursor": _encode(user, next_state), "has_more": has_more}


def _window(user, state):
    """The change-log rows after position ``s`` up to ``n`` (after row ``a``) that concern ``user``, oldest first.

    A row concerns the caller when it is their notification, or a change of a request they
    see now, or saw before the change (``before_*``). Internal notes and events concern only
    staff who may read them. Filtering here, not after the page is cut, keeps every page
    useful: the pages follow the caller's changes, not the company's.
    """
    before = visible_condition(user, SyncChange.before_author_id, SyncChange.before_assignee_id,
                               SyncChange.before_office_id, SyncChange.before_department_code)
    about_request = sa.or_(visible_condition(user), sa.and_(SyncChange.moved, before))
    if user.is_staff:
        about_request = sa.and_(about_request, sa.or_(
            ~SyncChange.internal, ServiceRequest.assignee_id == user.id, scope_condition(user)))
    else:
        about_request = sa.and_(about_request, ~SyncChange.internal)
    stmt = (sa.select(SyncChange).outerjoin(ServiceRequest, ServiceRequest.id == SyncChange.request_id)
            .where(sa.or_(SyncChange.user_id == user.id,
                          sa.and_(SyncChange.request_id.is_not(None), about_request)),
                   SyncChange.id > state["a"])
            .order_by(SyncChange.id))
    if _postgres():
        since, until = state["s"], state["n"]
        since_xmax, since_running = _snapshot_bounds(since)
        until_xmax, _ = _snapshot_bounds(until)
        stmt = stmt.where(
            # Index ranges: what ran at ``since`` or began after it, and began before ``until``.
            sa.or_(SyncChange.txid.in_(since_running), SyncChange.txid >= since_xmax) if since_running
            else SyncChange.txid >= since_xmax,
            SyncChange.txid < until_xmax,
            sa.text("pg_visible_in_snapshot(sync_changes.txid::text::xid8, CAST(:until AS pg_snapshot))")
            .bindparams(until=until),
            sa.text("NOT pg_visible_in_snapshot(sync_changes.txid::text::xid8, CAST(:since AS pg_snapshot))")
            .bindparams(since=since))
    else:
        stmt = stmt.where(SyncChange.id > state["s"], SyncChange.id <= state["n"])
    return stmt


def _postgres():
    return db.session.get_bind().dialect.name == "postgresql"


def _position():
    """Where the change log stands now: a PostgreSQL snapshot, or SQLite's highest id."""
    if _postgres():
        return db.session.scalar(sa.text("SELECT pg_current_snapshot()::text"))
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(SyncChange.id), 0)))


def _snapshot_bounds(snapshot):
    """``(xmax, [running xids])`` of a snapshot ``xmin:xmax:xip,...``: what it does not see."""
    _, xmax, running = snapshot.split(":", 2)
    return int(xmax), [int(x) for x in running.split(",") if x]


def scope_fingerprint(user):
    """What decides which requests ``user`` sees; a cursor made under another scope is void."""
    scope = f"{user.id}|{user.role}|{sorted(user.office_ids or [])}|{sorted(user.department_codes or [])}"
    return hashlib.sha256(scope.encode()).hexdigest()[:16]


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _encode(user, state):
    return _serializer().dumps({**state, "u": user.id, "f": scope_fingerprint(user)})


def _bad_cursor():
    return ApiError(400, "bad_request", "cursor: not a cursor returned by sync", {"cursor": ["invalid cursor"]})


def _decode(user, cursor):
    try:
        state = _serializer().loads(cursor)
    except (BadSignature, ValueError, UnicodeError):
        raise _bad_cursor() from None
    if not isinstance(state, dict) or state.get("u") != user.id or not _well_formed(state):
        raise _bad_cursor()
    days = current_app.config["SYNC_CURSOR_DAYS"]
    if state["f"] != scope_fingerprint(user) or time.time() - state["ts"] > days * SECONDS_A_DAY:
        raise ApiError(410, "sync_expired", "this sync cursor has expired: sync again without a cursor")
    return state


def _well_formed(state):
    """Our own signed payload, checked anyway: a cursor of the other database kind is refused, not cast."""
    positions = [state.get("s")]
    if state.get("n") is not None:
        positions.append(state["n"])
        if type(state.get("tn")) is not int:
            return False
    if _postgres():
        ok = all(isinstance(p, str) and _SNAPSHOT.fullmatch(p) for p in positions)
    else:
        ok = all(type(p) is int for p in positions)
    return ok and type(state.get("ts")) is int and type(state.get("a", 0)) is int and isinstance(state.get("f"), str)
