"""The change log behind ``GET /sync``: one row per request or notification a
transaction touched, written in that transaction.

Rows are collected by a session hook (``after_flush``), so every ORM change to a
tracked model is logged whatever service made it; the few bulk statements on
tracked tables log through :func:`log_notifications` themselves. The rows a
transaction collects are kept on the session and written in one multi-row
INSERT when it commits (``before_commit``, after a last flush, so a flush made
by the commit itself is logged too); a rollback drops them with the rest of
its work, a rolled-back savepoint the rows collected inside it. A row that
changes who may see a request (author, assignee, office, department) keeps
the values from before the change (``before_*``), so a sync can tell a phone
that a request left its view.

Visibility keys. Every row about a request also keeps those four values as they
are after the change (``author_id``, ``assignee_id``, ``office_id``,
``department_code``), so a sync finds the rows of one caller by index, over the
caller's own keys, and never walks what the rest of the company changed. They
are read from the request by the commit's INSERT itself (after the transaction's
last flush), and on PostgreSQL under a share lock on the request (``FOR SHARE``)
held to the commit: a transaction that moves the request elsewhere either
committed before (its values are read) or waits for this one (and logs the move
with ``before_*`` after it). So a row's keys are never older than a move
committed before the row: whoever sees the request after that move finds the
row, whoever saw it before finds the move. A row without keys (``keyed`` false:
written by the release before them, while a deploy was under way) is matched
through the request as it is now, as that release did.

Ordering. A row's ``id`` is taken when it is inserted, not when its transaction
commits, so ids alone would let a sync skip a slow transaction that committed
after a faster one. On PostgreSQL each row also keeps its transaction id
(``txid``, ``pg_current_xact_id()``); a sync position is a transaction snapshot
(``pg_current_snapshot()``), and the rows new since a position are exactly those
whose transaction was not yet visible in it. On SQLite one writer holds the
database from its first write to its commit, so ids are handed out in commit
order and a position is the highest id.
"""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from .database import UTCDateTime, utcnow
from .extensions import db

# Fields of a request that decide who may see it (access.visible_condition).
VISIBILITY_FIELDS = ("author_id", "assignee_id", "office_id", "department_code")
UNKEYED = "NOT keyed AND request_id IS NOT NULL"


def _key_index(column, where):
    """The index ``(column, txid)`` a sync reads one key's rows through, partial over ``where``:
    ``ix_sync_changes_<column without _id or _code>_txid``."""
    name = f"ix_sync_changes_{column.removesuffix('_id').removesuffix('_code')}_txid"
    return sa.Index(name, column, "txid", postgresql_where=sa.text(where), sqlite_where=sa.text(where))


_INFO_KEY = "sync_changes_logged"
_PENDING_KEY = "sync_changes_pending"
_MARKS_KEY = "sync_changes_savepoints"


class SyncChange(db.Model):
    """One request or notification changed by one transaction."""

    __tablename__ = "sync_changes"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    # PostgreSQL: the writing transaction (pg_current_xact_id(), filled by the column default).
    txid: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    request_id: Mapped[int | None] = mapped_column()
    user_id: Mapped[int | None] = mapped_column()  # the recipient, for a notification
    notification_id: Mapped[int | None] = mapped_column()
    before_author_id: Mapped[int | None] = mapped_column()
    before_assignee_id: Mapped[int | None] = mapped_column()
    before_office_id: Mapped[int | None] = mapped_column()
    before_department_code: Mapped[str | None] = mapped_column(sa.String(32))
    # before_* hold the values from before a change of who may see the request.
    moved: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # An internal note or event: only staff are told that the request changed.
    internal: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The request's visibility keys after the change (read at the commit; see the module's docstring).
    author_id: Mapped[int | None] = mapped_column()
    assignee_id: Mapped[int | None] = mapped_column()
    office_id: Mapped[int | None] = mapped_column()
    department_code: Mapped[str | None] = mapped_column(sa.String(32))
    # Written with the keys above (false: a row of the release before them, read the old way).
    keyed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    __table_args__ = (
        sa.Index("ix_sync_changes_txid", "txid"),
        # A sync's window is a union of ranges of these, one per key of the caller (mobile.sync):
        # the key, then the transaction id (PostgreSQL's position; SQLite reads the key's rows).
        # Partial: a row without the key (a notification, a row from before the keys) is in none.
        _key_index("user_id", "user_id IS NOT NULL"),
        *(_key_index(field, f"{field} IS NOT NULL") for field in VISIBILITY_FIELDS),
        *(_key_index(f"before_{field}", "moved") for field in VISIBILITY_FIELDS),
        # The rows of the release before the keys (written while it was still running at a deploy).
        sa.Index("ix_sync_changes_unkeyed_txid", "txid", postgresql_where=sa.text(UNKEYED),
                 sqlite_where=sa.text(UNKEYED)),
        {"sqlite_autoincrement": True},
    )


@dataclass(frozen=True)
class _Tracked:
    request_id: str | None = None   # attribute holding the request id
    is_request: bool = False
    is_notification: bool = False


_TRACKED = {}
_NAMED = {}
_REQUESTS = {}  # "table": the request model's table, where a row's visibility keys are read


def track_request_model(model):
    """Log every change to ``model`` (the request itself) for sync, with its visibility before the
    change; every row about a request reads its visibility keys from ``model``'s table."""
    _TRACKED[model] = _Tracked(request_id="id", is_request=True)
    _REQUESTS["table"] = model.__table__


def track_request_part(model, attribute="request_id"):
    """Log a change to a row of ``model`` (comment, photo, event) as a change of its request."""
    _TRACKED[model] = _Tracked(request_id=attribute)


def track_notification_model(model):
    """Log a new or changed (read) notification for its recipient."""
    _TRACKED[model] = _Tracked(is_notification=True)


def track_names(model, fields, requests_of):
    """Log the requests showing a ``model`` row (a person's name, an office's) when one of ``fields`` changes.

    ``requests_of(ids)`` is a select of the ids of the requests that show those rows.
    """
    _NAMED[model] = (fields, requests_of)


def _logged(session):
    return session.info.setdefault(_INFO_KEY, set())


def _pending(session):
    return session.info.setdefault(_PENDING_KEY, [])


def _add(session, rows, now=None):
    """Keep ``rows`` for the commit's INSERT (filled up to full rows, so one statement takes them all)."""
    now = now or utcnow()
    _pending(session).extend({**_EMPTY_ROW, **row, "created_at": now} for row in rows)


def _visibility_before(obj):
    """``{field: value before this flush}`` when a visibility field changed, else None."""
    state = sa.inspect(obj)
    before, moved = {}, False
    for field in VISIBILITY_FIELDS:
        history = state.attrs[field].history
        if history.has_changes() and history.deleted:
            before[field] = history.deleted[0]
            moved = True
        else:
            before[field] = getattr(obj, field)
    return before if moved else None


def _rows_for_flush(session):
    rows, logged = [], _logged(session)
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        tracked = _TRACKED.get(type(obj))
        if tracked is None:
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        if tracked.is_notification:
            key = ("n", obj.id)
            if key not in logged:
                logged.add(key)
                rows.append({"user_id": obj.user_id, "notification_id": obj.id})
            continue
        request_id = getattr(obj, tracked.request_id)
        before = _visibility_before(obj) if tracked.is_request and obj not in session.new else None
        internal = bool(getattr(obj, "internal", False))
        key = ("r", request_id, before is not None, internal)
        if request_id is None or (key in logged and before is None):
            continue
        logged.add(key)
        row = {"request_id": request_id, "internal": internal}
        if before is not None:
            row.update({f"before_{field}": value for field, value in before.items()}, moved=True)
        rows.append(row)
    return rows


_EMPTY_ROW = {"request_id": None, "user_id": None, "notification_id": None, "moved": False, "internal": False,
              **{f"before_{field}": None for field in VISIBILITY_FIELDS}}


def _renamed(session):
    """``{model: [ids]}`` of rows whose shown name changed in this flush."""
    renamed = {}
    for obj in session.dirty:
        named = _NAMED.get(type(obj))
        if named and any(sa.inspect(obj).attrs[field].history.has_changes() for field in named[0]):
            renamed.setdefault(type(obj), []).append(sa.inspect(obj).identity[0])
    return renamed


def _after_flush(session, _flush_context):
    rows = _rows_for_flush(session)
    now = utcnow()
    if rows:
        _add(session, rows, now)
    renamed = _renamed(session) if session.dirty else {}
    for model, ids in renamed.items():
        requests = _REQUESTS["table"]
        # The keys read under a share lock held to the commit, as the commit's INSERT reads them.
        shown = (sa.select(requests.c.id, sa.literal(now, UTCDateTime),
                           *(requests.c[field] for field in VISIBILITY_FIELDS), sa.true())
                 .where(requests.c.id.in_(_NAMED[model][1](ids))).with_for_update(read=True))
        session.connection().execute(sa.insert(SyncChange.__table__).from_select(
            ["request_id", "created_at", *VISIBILITY_FIELDS, "keyed"], shown))


def _write_pending(session):
    """At a commit: flush what is left (``_after_flush`` collects its rows), then write every
    collected row in one INSERT. A savepoint's release keeps its rows for the commit."""
    transaction = session._transaction
    session.flush()
    if transaction is not None and transaction.nested:
        # Released: its rows are the outer's now. Only once its last flush went through: a flush
        # that fails rolls the savepoint back, and its mark drops the rows collected inside it.
        session.info.get(_MARKS_KEY, {}).pop(transaction, None)
        return
    rows = session.info.pop(_PENDING_KEY, None)
    if rows:
        connection = session.connection()
        for start in range(0, len(rows), _CHUNK):
            connection.execute(_insert_keyed(connection.dialect, rows[start:start + _CHUNK]))


_PENDING_COLUMNS = (*_EMPTY_ROW, "created_at")
_CHUNK = 500  # rows a statement: 5,000 parameters, within SQLite's and PostgreSQL's limits


def _insert_keyed(dialect, rows):
    """``INSERT ... SELECT`` of ``rows`` with the visibility keys of their requests, read by the
    statement itself (on PostgreSQL under ``FOR SHARE``, see the module's docstring).

    The rows come as a ``UNION ALL`` of one-row selects of bound values, each of its column's
    type (psycopg's dialect casts each to it, so a column of NULLs is typed too).
    """
    table, requests = SyncChange.__table__, _REQUESTS["table"]
    postgres = dialect.name == "postgresql"
    pending = sa.union_all(*(sa.select(*(sa.literal(row[name], table.c[name].type).label(name)
                                         for name in _PENDING_COLUMNS))
                             for row in rows)).subquery("pending")
    if postgres:
        keys = (sa.select(*(requests.c[field] for field in VISIBILITY_FIELDS))
                .where(requests.c.id == pending.c.request_id).with_for_update(read=True).lateral("keys"))
        source = pending.outerjoin(keys, sa.true())
    else:
        keys = requests.alias("keys")
        source = pending.outerjoin(keys, keys.c.id == pending.c.request_id)
    select = sa.select(*(pending.c[name] for name in _PENDING_COLUMNS),
                       *(keys.c[field] for field in VISIBILITY_FIELDS), sa.true()).select_from(source)
    return sa.insert(table).from_select([*_PENDING_COLUMNS, *VISIBILITY_FIELDS, "keyed"], select)


def _mark_savepoint(session, transaction):
    # The rows collected before a savepoint survive its rollback; those collected inside it do not.
    if transaction.nested:
        session.info.setdefault(_MARKS_KEY, {})[transaction] = len(_pending(session))


def _forget(session, transaction):
    # The end of the transaction or of a savepoint (a rolled-back savepoint took its rows
    # with it; logging a request twice in one transaction costs a row, never a missed
    # change). Not the end of a flush's own subtransaction: the rows it collected stay, so
    # a request flushed twice in one transaction is logged once.
    if transaction.parent is None:
        session.info.pop(_INFO_KEY, None)
        session.info.pop(_PENDING_KEY, None)  # written by the commit; dropped by a rollback
        session.info.pop(_MARKS_KEY, None)
    elif transaction.nested:
        session.info.pop(_INFO_KEY, None)
        mark = session.info.get(_MARKS_KEY, {}).pop(transaction, None)
        if mark is not None:  # rolled back (a release removed the mark)
            del _pending(session)[mark:]


def log_notifications(user_id, notification_ids):
    """Log notifications changed by a bulk statement (which the session hook does not see)."""
    if notification_ids:
        _add(db.session(), [{"user_id": user_id, "notification_id": i} for i in notification_ids])


def log_request(session, request_id, internal=False):
    """Log a change of a request made by a bulk statement (which the session hook does not see),
    unless this transaction logged the request already."""
    key = ("r", request_id, False, internal)
    logged = _logged(session)
    if key not in logged:
        logged.add(key)
        _add(session, [{"request_id": request_id, "internal": internal}])


def log_moved(session, request_id, before):
    """Log that a request moved into another (a merge): a ``moved`` row with ``before`` (its
    visibility fields) as ``before_*``, so everyone who has the request is told, whoever sees it now."""
    _add(session, [{"request_id": request_id, "moved": True,
                    **{f"before_{field}": before[field] for field in VISIBILITY_FIELDS}}])


def log_new_notifications(pairs):
    """Log notifications inserted by a bulk statement, ``(user_id, notification_id)`` pairs (written at commit)."""
    _add(db.session(), [{"user_id": user_id, "notification_id": i} for user_id, i in pairs])


def purge(before):
    """Delete rows older than ``before``; returns the count (no cursor can still need them)."""
    return db.session.execute(sa.delete(SyncChange).where(SyncChange.created_at < before)).rowcount


# Every session of the process, the app's scoped one and any a job opens itself.
sa.event.listen(Session, "after_flush", _after_flush)
sa.event.listen(Session, "before_commit", _write_pending)
sa.event.listen(Session, "after_transaction_create", _mark_savepoint)
sa.event.listen(Session, "after_transaction_end", _forget)
