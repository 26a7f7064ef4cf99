"""``GET /sync`` on PostgreSQL, two figures on one database of 100,000 requests.

``sync/old-cursor/1500000``: an employee whose cursor was taken before the company made
1,500,000 changes, none of them the employee's (other people's requests changing, moving
between offices and assignees, internal notes, notifications to others), against the same
employee's sync with a fresh cursor (nothing to read) in the same run. The window of the
old cursor is read by index over the caller's own keys (``service_requests.mobile.sync``),
so the two cost about the same; the company's changes are never walked.

``sync after 10 changes``: one sync after 10 changes of another employee, against reading
that employee's requests in full through ``GET /requests`` (100 a page, following
``next_cursor``), the way an app without sync would refresh.

Every call goes through the Flask test client in this process, so both sides of a ratio pay
the same HTTP and JSON costs. Prints the query plan of the old cursor's window.

Uses the database ``santrade_bench_sync`` (``BENCH_SYNC_DATABASE``) on ``BENCH_PG_URL``.
Loading takes a minute or more, so a database loaded by an earlier run with the same schema and
sizes is reused (the change-log position taken before the 1,500,000 changes is kept in its
mark, and the old cursor is signed again from it); ``BENCH_SYNC_RELOAD=1`` loads afresh.
``BENCH_SYNC_ROWS`` (100000) and ``BENCH_SYNC_CHANGES`` (1500000) change the sizes.
"""
import os
import time

import sqlalchemy as sa

from bench.common import loaded_mark, median_ms, migrated_app, pg_database, report
from bench.synthetic import REQUESTS, load_company

DATABASE = os.environ.get("BENCH_SYNC_DATABASE", "santrade_bench_sync")
ROWS = int(os.environ.get("BENCH_SYNC_ROWS", "100000"))
CHANGE_ROWS = int(os.environ.get("BENCH_SYNC_CHANGES", "1500000"))
BATCH = 10_000  # change-log rows per transaction: many transaction ids, as a real log has
CHANGES = 10
RUNS = 7
MARK = f"sync bench: {ROWS} requests, {CHANGE_ROWS} changes, data version 2"
TIMES = "SELECT g, now() - (:n - g) * interval '30 seconds' AS t FROM generate_series(1, :n) g"
IDLE_EMPLOYEE = "u3"   # has requests, but none of the 1,500,000 changes is about them
BUSY_EMPLOYEE = "u2"   # makes the 10 changes

# One change-log row per ``g``: 1 in 10 a notification to someone else, 1 in 10 a request moved
# (another assignee and office before), 1 in 10 an internal note, the rest plain changes; every
# request one of another person's (``:idle`` never authored them, never was told).
CHANGE_LOG = """
INSERT INTO sync_changes (created_at, request_id, user_id, notification_id, moved, internal,
  before_author_id, before_assignee_id, before_office_id, before_department_code{keys})
SELECT now(), CASE WHEN g % 10 = 0 THEN NULL ELSE r.id END,
  CASE WHEN g % 10 = 0 THEN 4 + g % 40 END, CASE WHEN g % 10 = 0 THEN g END,
  g % 10 = 1, g % 10 = 2,
  CASE WHEN g % 10 = 1 THEN r.author_id END, CASE WHEN g % 10 = 1 THEN 4 + g % 40 END,
  CASE WHEN g % 10 = 1 THEN 1 + (r.office_id + 1) % 20 END, CASE WHEN g % 10 = 1 THEN r.department_code END
  {key_values}
FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) g
JOIN service_requests r ON r.id = 1 + (g * 7919) % :requests
WHERE r.author_id <> :idle
"""
# The columns a change-log row keeps of its request as it is after the change, when the schema has them.
KEYS = ", author_id, assignee_id, office_id, department_code, keyed"
KEY_VALUES = (", CASE WHEN g % 10 = 0 THEN NULL ELSE r.author_id END, CASE WHEN g % 10 = 0 THEN NULL ELSE r.assignee_id END,"
              " CASE WHEN g % 10 = 0 THEN NULL ELSE r.office_id END, CASE WHEN g % 10 = 0 THEN NULL ELSE r.department_code END,"
              " true")


def _keyed_schema():
    from service_app.changes import SyncChange

    return "keyed" in SyncChange.__table__.c


def _loaded(db):
    """The position taken before the changes, if the database holds this module's rows under the
    current schema (``common.loaded_mark``); else None."""
    from service_app.changes import SyncChange

    mark = loaded_mark(db, SyncChange.__table__)
    if not mark or not mark.startswith(MARK + "|"):
        return None
    return mark.split("|", 1)[1]


def _load(db):
    started = time.perf_counter()
    load_company(db.session, "administrator", "employee")
    db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    db.session.execute(sa.text(REQUESTS.format(times=TIMES)), {"n": ROWS})
    # Every request just created: one row each, before the position.
    keys = _keyed_schema()
    db.session.execute(sa.text(
        "INSERT INTO sync_changes (created_at, request_id, moved" + (KEYS if keys else "") + ") "
        "SELECT now(), id, false" + (", author_id, assignee_id, office_id, department_code, true" if keys else "")
        + " FROM service_requests"))
    db.session.commit()
    position = db.session.scalar(sa.text("SELECT pg_current_snapshot()::text"))
    db.session.commit()
    idle = db.session.scalar(sa.text("SELECT id FROM users WHERE login = :l"), {"l": IDLE_EMPLOYEE})
    statement = sa.text(CHANGE_LOG.format(keys=KEYS if keys else "", key_values=KEY_VALUES if keys else ""))
    written = g = 0
    while written < CHANGE_ROWS:
        with db.engine.begin() as conn:  # its own transaction, its own transaction id
            count = min(BATCH, CHANGE_ROWS - written)
            inserted = conn.execute(statement, {"first": g + 1, "last": g + count, "requests": ROWS,
                                                "idle": idle}).rowcount
        written += inserted
        g += count
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE service_requests"))
        conn.execute(sa.text("VACUUM ANALYZE sync_changes"))
        conn.execute(sa.text(f"COMMENT ON TABLE sync_changes IS '{MARK}|{position}'"))
    print(f"# sync: {ROWS:,} requests and {written:,} changes after the old cursor's position loaded in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    return position


def run():
    from service_app import create_app
    from service_app.auth import tokens
    from service_app.extensions import db
    from service_app.users.models import User
    from service_requests.mobile import sync as sync_module

    url = pg_database(DATABASE)
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        position = None if os.environ.get("BENCH_SYNC_RELOAD") == "1" else _loaded(db)
    if position is not None:
        print(f"# sync: reusing the {ROWS:,} requests and {CHANGE_ROWS:,} changes of {DATABASE}", flush=True)
    else:
        app = migrated_app(url)
        with app.app_context():
            position = _load(db)
    client = app.test_client()
    with app.app_context():
        idle = db.session.scalar(sa.select(User).where(User.login == IDLE_EMPLOYEE))
        busy = db.session.scalar(sa.select(User).where(User.login == BUSY_EMPLOYEE))
        # The cursor a phone kept from before the 1,500,000 changes: the app's own, signed afresh
        # so that SYNC_CURSOR_DAYS never voids a reused database's.
        old_cursor = sync_module._encode(idle, {"s": position, "ts": int(time.time())})
        idle_headers = {"Authorization": f"Bearer {tokens.start_session(idle)[0]}"}
        busy_headers = {"Authorization": f"Bearer {tokens.start_session(busy)[0]}"}
        db.session.commit()
        mine = db.session.scalar(sa.text("SELECT count(*) FROM service_requests WHERE author_id = :u"), {"u": busy.id})
        own_ids = db.session.scalars(sa.text("SELECT id FROM service_requests WHERE author_id = :u "
                                             "AND status IN ('new', 'in_progress', 'waiting') ORDER BY id DESC LIMIT :n"),
                                    {"u": busy.id, "n": CHANGES}).all()
        in_window = db.session.scalar(sa.text(
            "SELECT count(*) FROM sync_changes WHERE NOT pg_visible_in_snapshot(txid::text::xid8, CAST(:s AS pg_snapshot))"),
            {"s": position})
        idle_id = idle.id
        db.session.rollback()

    def full_sync(headers):
        cursor = None
        while True:
            body = client.get("/api/v1/sync", query_string={"cursor": cursor} if cursor else {}, headers=headers).get_json()
            cursor = body["cursor"]
            if not body["has_more"]:
                return cursor

    def synced(cursor, headers):
        return client.get("/api/v1/sync", query_string={"cursor": cursor}, headers=headers).get_json()

    # The employee with none of the changes: an old cursor against a fresh one.
    fresh_cursor = full_sync(idle_headers)
    body = synced(old_cursor, idle_headers)
    assert body["requests"] == [] and body["removed"] == [] and not body["has_more"], body
    old_ms = median_ms(lambda: synced(old_cursor, idle_headers), runs=RUNS, warm_up=True)
    fresh_ms = median_ms(lambda: synced(fresh_cursor, idle_headers), runs=RUNS, warm_up=True)
    report(f"sync/old-cursor/{CHANGE_ROWS}", old_ms, "ms", fresh_ms, old_ms / fresh_ms,
           f"an employee with none of the {in_window:,} changes since the cursor; "
           "baseline = the same employee's sync with a fresh cursor")

    # A phone's sync after 10 changes against the full list of the same requests.
    cursor = full_sync(busy_headers)
    for rid in own_ids:
        response = client.post(f"/api/v1/requests/{rid}/comments", json={"body": "any news?"}, headers=busy_headers)
        assert response.status_code == 201, response.get_json()

    def one_sync():
        body = synced(cursor, busy_headers)
        assert len(body["requests"]) == CHANGES and not body["has_more"], body.keys()

    def full_list():
        count, next_cursor = 0, None
        while True:
            query = {"limit": 100, **({"cursor": next_cursor} if next_cursor else {})}
            body = client.get("/api/v1/requests", query_string=query, headers=busy_headers).get_json()
            count += len(body["items"])
            next_cursor = body["next_cursor"]
            if next_cursor is None:
                assert count == mine
                return

    sync_ms = median_ms(one_sync, runs=RUNS, warm_up=True)
    list_ms = median_ms(full_list, runs=3, warm_up=True)
    report("sync after 10 changes", sync_ms, "ms", list_ms, list_ms / sync_ms,
           f"full list of the same {mine:,} requests as baseline; {ROWS:,} requests in all")

    with app.app_context():
        user = db.session.get(User, idle_id)
        state = sync_module._decode(user, old_cursor)
        state = {**state, "n": sync_module._position(), "tn": int(time.time()), "a": 0}
        stmt = sync_module._window(user, state, 101)
        compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = db.session.execute(sa.text("EXPLAIN (ANALYZE, BUFFERS) " + str(compiled))).scalars().all()
        db.session.rollback()
    print("--- EXPLAIN (ANALYZE, BUFFERS): the old cursor's window query", flush=True)
    for line in plan:
        print("    " + line, flush=True)
