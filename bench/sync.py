"""``GET /sync`` on PostgreSQL with 100,000 requests: one sync after 10 changes, against
reading the same employee's requests in full through ``GET /requests`` (100 a page,
following ``next_cursor``), the way an app without sync would refresh. Both through
the Flask test client in this process, so both pay the same HTTP and JSON costs.

The change log holds a row for every request (as if each had just been created),
so the index on ``txid`` has something to skip. Prints the query plan of the
sync's window query. Uses the database ``santrade_bench_sync`` on
``BENCH_PG_URL``, emptied each run; ``BENCH_SYNC_ROWS`` (100000) changes the size.
"""
import os
import time

import sqlalchemy as sa

from bench.common import median_ms, migrated_app, pg_database, report
from bench.synthetic import REQUESTS, load_company

DATABASE = "santrade_bench_sync"
ROWS = int(os.environ.get("BENCH_SYNC_ROWS", "100000"))
CHANGES = 10
RUNS = 7
TIMES = "SELECT g, now() - (:n - g) * interval '30 seconds' AS t FROM generate_series(1, :n) g"


def run():
    from service_app.auth import tokens
    from service_app.extensions import db
    from service_app.users.models import User
    from service_requests.mobile import sync as sync_module

    started = time.perf_counter()
    app = migrated_app(pg_database(DATABASE))
    client = app.test_client()
    with app.app_context():
        load_company(db.session, "administrator", "employee")
        db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
        db.session.execute(sa.text(REQUESTS.format(times=TIMES)), {"n": ROWS})
        db.session.execute(sa.text("INSERT INTO sync_changes (created_at, request_id, moved) "
                                   "SELECT now(), id, false FROM service_requests"))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE service_requests"))
            conn.execute(sa.text("VACUUM ANALYZE sync_changes"))
        employee = db.session.scalar(sa.select(User).where(User.login == "u2"))
        access, _ = tokens.start_session(employee)
        db.session.commit()
        mine = db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("service_requests"))
                                 .where(sa.column("author_id") == employee.id))
        own_ids = db.session.scalars(sa.text("SELECT id FROM service_requests WHERE author_id = :u "
                                             "AND status IN ('new', 'in_progress', 'waiting') ORDER BY id DESC LIMIT :n"),
                                    {"u": employee.id, "n": CHANGES}).all()
    headers = {"Authorization": f"Bearer {access}"}
    print(f"# sync: {ROWS:,} requests ({mine:,} of them the employee's) loaded in "
          f"{time.perf_counter() - started:.1f} s", flush=True)

    cursor = None
    while True:  # the phone's first, full sync
        page = client.get("/api/v1/sync", query_string={"cursor": cursor} if cursor else {}, headers=headers)
        body = page.get_json()
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    for rid in own_ids:
        response = client.post(f"/api/v1/requests/{rid}/comments", json={"body": "any news?"}, headers=headers)
        assert response.status_code == 201, response.get_json()

    def one_sync():
        body = client.get("/api/v1/sync", query_string={"cursor": cursor}, headers=headers).get_json()
        assert len(body["requests"]) == CHANGES and not body["has_more"], body.keys()

    def full_list():
        count, next_cursor = 0, None
        while True:
            query = {"limit": 100, **({"cursor": next_cursor} if next_cursor else {})}
            body = client.get("/api/v1/requests", query_string=query, headers=headers).get_json()
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
        user = db.session.get(User, employee.id)
        state = sync_module._decode(user, cursor)
        state = {**state, "n": sync_module._position(), "tn": int(time.time()), "a": 0}
        stmt = sync_module._window(user, state).limit(101)
        compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = db.session.execute(sa.text("EXPLAIN (ANALYZE, BUFFERS) " + str(compiled))).scalars().all()
        db.session.rollback()
    print("--- EXPLAIN (ANALYZE, BUFFERS): the sync window query", flush=True)
    for line in plan:
        print("    " + line, flush=True)
