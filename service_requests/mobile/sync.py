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
requests they could see after the change (the request's visibility keys each row
keeps) or before it (the row's ``before_*`` values); internal notes count for staff
only. It is read by index over the caller's own keys (``_window``), so an old
cursor costs what changed for the caller, not what the whole company changed. A
request of the window visible now is in ``requests``, one no longer visible in
``removed``. Like the full sync, the window follows what ``visible_condition``
admits: a request one only follows is not synced (its author, assignee, office and
department are not the follower's keys); its notifications are. A change of the
caller's own role or scope, a cursor older than ``SYNC_CURSOR_DAYS``, or one issued
before windows were read by keys (``WINDOW_VERSION``) answers 410 ``sync_expired``:
the app syncs from scratch.

Cursors are signed (``SECRET_KEY``) and name their user: a forged, damaged or
someone else's cursor is 400, and never reaches the database.
"""
import hashlib
import re
import time

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import aliased

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
# How a window finds the caller's rows. 2: by the visibility keys each row keeps; the rows written
# before them have none, so a cursor of version 1 (none in its fingerprint) is 410, synced afresh.
WINDOW_VERSION = 2


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
    changes = list(db.session.scalars(_window(user, state, limit + 1)))
    has_more = len(changes) > limit
    changes = changes[:limit]
    if has_more:
        next_state = {**state, "a": changes[-1].id, "t": changes[-1].txid}
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


def _window(user, state, limit):
    """The first ``limit`` change-log rows after position ``s`` up to ``n`` (after the row ``t``,
    ``a`` of the page before) that concern ``user``, in the order of the log.

    A row concerns the caller when it is their notification, or a change of a request they saw
    after the change (its keys, ``author_id``...) or before it (``before_*``, on a move). Internal
    notes and events concern only staff who may read them: never through the author's key.

    The window is a union of one index range per key of the caller, over ``(key, txid)``
    (``service_app.changes``): an employee's notifications, their requests, and those that
    were theirs before a move; staff's also what is assigned to them and what lies in each
    office or department of their scope, now or before a move. Each range is read in the order
    of the log from where the page before ended, ``limit`` rows at most; so a page costs
    about ``limit`` rows a key of the caller, never what the rest of the company changed since
    the cursor. Staff whose scope is the whole company read every row, as they see every request.
    Rows written without keys (by the release before them, during a deploy) are matched through
    the request as it is now, as that release did, through their own small index.
    Filtering here, not after the page is cut, keeps every page useful.

    The order is ``(txid, id)`` (on SQLite ``txid`` is empty: ``id``): any order fixed for the
    window would do, and this is the one each range's index gives.
    """
    public = ~SyncChange.internal
    branches = [SyncChange.user_id == user.id]
    company_wide = user.is_staff and not user.office_ids and not user.department_codes
    if company_wide:
        branches.append(SyncChange.request_id.is_not(None))  # every row about a request, keyed or not
    else:
        branches += [sa.and_(SyncChange.author_id == user.id, public),
                     sa.and_(SyncChange.moved, SyncChange.before_author_id == user.id, public)]
        if user.is_staff:
            branches += [SyncChange.assignee_id == user.id, sa.and_(SyncChange.moved, SyncChange.before_assignee_id == user.id),
                         *_scope_ranges(user, SyncChange.office_id, SyncChange.department_code),
                         *(sa.and_(SyncChange.moved, each) for each in _scope_ranges(
                             user, SyncChange.before_office_id, SyncChange.before_department_code))]
    window = [*_in_window(state), *_after(state)]
    order = (SyncChange.txid, SyncChange.id)
    selects = [sa.select(SyncChange.__table__).where(branch, *window) for branch in branches]
    if not company_wide:
        selects.append(_unkeyed(user).where(*window))
    # Each range its own first ``limit`` rows (a subquery each: SQLite takes no LIMIT in a UNION's part).
    ranges = [sa.select(select.order_by(*order).limit(limit).subquery()) for select in selects]
    rows = aliased(SyncChange, sa.union(*ranges).subquery("window"))
    return sa.select(rows).order_by(rows.txid, rows.id).limit(limit)


def _scope_ranges(user, office_id, department_code):
    """Conditions, one a range: the request (or what it was before, given those columns) lies in
    ``user``'s scope. One an office (its departments a filter), else one a department; each
    range is read in order on its own, where an ``IN`` list over several would be read whole."""
    if user.office_ids:
        departments = [department_code.in_(user.department_codes)] if user.department_codes else []
        return [sa.and_(office_id == office, *departments) for office in sorted(user.office_ids)]
    return [department_code == code for code in sorted(user.department_codes)]


def _after(state):
    """Conditions: the row comes after the last one of the page before (``t``, ``a``)."""
    if not state["a"]:
        return []
    if state.get("t") is None:  # SQLite: the order is the id's
        return [SyncChange.id > state["a"]]
    return [SyncChange.txid >= state["t"], sa.or_(SyncChange.txid > state["t"], SyncChange.id > state["a"])]


def _unkeyed(user):
    """The rows without keys, matched the way the release before the keys matched every row:
    through the request as it is now, and ``before_*``."""
    before = visible_condition(user, SyncChange.before_author_id, SyncChange.before_assignee_id,
                               SyncChange.before_office_id, SyncChange.before_department_code)
    about_request = sa.or_(visible_condition(user), sa.and_(SyncChange.moved, before))
    if user.is_staff:
        about_request = sa.and_(about_request, sa.or_(
            ~SyncChange.internal, ServiceRequest.assignee_id == user.id, scope_condition(user)))
    else:
        about_request = sa.and_(about_request, ~SyncChange.internal)
    return (sa.select(SyncChange.__table__)
            .outerjoin(ServiceRequest, ServiceRequest.id == SyncChange.request_id)
            .where(~SyncChange.keyed, SyncChange.request_id.is_not(None), about_request))


def _in_window(state):
    """Conditions: the row was written after position ``s`` and up to ``n``.

    On PostgreSQL, one index range over the transaction id (from what ``s`` saw running, its
    ``xmin``, to what ``n`` had not yet begun, its ``xmax``; transactions are short, as the
    statement and idle-in-transaction timeouts keep them, so the range is little wider than
    the window), then the exact test: committed as ``n`` saw it, not as ``s`` saw it.
    """
    if not _postgres():
        return [SyncChange.id > state["s"], SyncChange.id <= state["n"]]
    since, until = state["s"], state["n"]
    return [
        SyncChange.txid >= _snapshot_xmin(since),
        SyncChange.txid < _snapshot_bounds(until)[0],
        sa.text("pg_visible_in_snapshot(sync_changes.txid::text::xid8, CAST(:until AS pg_snapshot))")
        .bindparams(until=until),
        sa.text("NOT pg_visible_in_snapshot(sync_changes.txid::text::xid8, CAST(:since AS pg_snapshot))")
        .bindparams(since=since),
    ]


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


def _snapshot_xmin(snapshot):
    """The ``xmin`` of a snapshot: every transaction before it had ended when it was taken."""
    return int(snapshot.split(":", 1)[0])


def scope_fingerprint(user):
    """What decides which requests ``user`` sees, and how a window finds their rows
    (``WINDOW_VERSION``); a cursor made under another scope, or before, is void."""
    scope = (f"{WINDOW_VERSION}|{user.id}|{user.role}|{sorted(user.office_ids or [])}"
             f"|{sorted(user.department_codes or [])}")
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
    return (ok and type(state.get("ts")) is int and type(state.get("a", 0)) is int
            and type(state.get("t", 0)) in (int, type(None)) and isinstance(state.get("f"), str))
