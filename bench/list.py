"""Listing requests over 1,000,000 rows on PostgreSQL: the app's keyset
pagination (``service_requests.queries.list_requests``, as an administrator who
sees everything) for the first page and for deep pages, against
``ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET k`` with the same visibility
filter, in the same run. Prints the ``EXPLAIN (ANALYZE, BUFFERS)`` plans of the
deep queries.

Uses the database ``santrade_bench_list`` on ``BENCH_PG_URL`` (default: the
local server, trust auth), created if missing and emptied each run.
``BENCH_LIST_ROWS`` (1000000) and ``BENCH_LIST_DEPTHS`` (10000,100000) change
the size and the depths.

Also printed, not reported: the same list with the cursor written as one
row-value comparison ``(created_at, id) < (:c, :id)`` (not the app's code),
which PostgreSQL turns into an index bound. The app's ``created_at < :c OR
(created_at = :c AND id < :id)`` is only a filter on the index scan, so its
cost still grows with the depth (less steeply than OFFSET, which also joins
every skipped row).

Then the staff orders and filters over ``BENCH_LIST_STAFF_ROWS`` (100000) requests
in ``santrade_bench_list_staff``: a page of ``sort=due`` and of ``sla=breached`` (first
page and 50 pages deep) as an administrator, each against the plain created-order
list in the same run; and the ``EXPLAIN (ANALYZE, BUFFERS)`` essentials of every
filter and sort as a manager with an office and department scope and as an
employee (docs/list-plans.md keeps a run's findings).
"""
import os
import time

import sqlalchemy as sa

from bench.common import median_ms, migrated_app, pg_database, report
from bench.synthetic import REQUESTS, load_company

DATABASE = "santrade_bench_list"
ROWS = int(os.environ.get("BENCH_LIST_ROWS", "1000000"))
DEPTHS = [int(n) for n in os.environ.get("BENCH_LIST_DEPTHS", "10000,100000").split(",")]
PAGE = 20
RUNS = 7
INDEX = "ix_service_requests_created_at_id"


STAFF_DATABASE = os.environ.get("BENCH_LIST_STAFF_DATABASE", "santrade_bench_list_staff")
STAFF_ROWS = int(os.environ.get("BENCH_LIST_STAFF_ROWS", "100000"))
STAFF_DEPTH = 50  # pages
TIMES = "SELECT g, now() - (:n - g) * interval '30 seconds' AS t FROM generate_series(1, :n) g"



class _Capture:
    """Records the SQL statements (and parameters) the engine sends while active."""

    def __init__(self, engine):
        self.engine = engine
        self.statements = []

    def _listener(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append((statement, parameters))

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._listener)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._listener)


def _explain(db, statement, parameters):
    """EXPLAIN (ANALYZE, BUFFERS) of a statement captured from the driver, with its own parameters."""
    rows = db.session.connection().exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
    db.session.rollback()
    return [row[0] for row in rows]


def _print_plan(title, sql, plan):
    sql = " ".join(sql.split())
    columns = sql[len("SELECT "):sql.index(" FROM ")].count(",") + 1
    sql = f"SELECT <{columns} columns> " + sql[sql.index(" FROM ") + 1:]
    print(f"--- EXPLAIN (ANALYZE, BUFFERS): {title}", flush=True)
    print("    SQL: " + sql, flush=True)
    for line in plan:
        print("    " + line, flush=True)
    at = next((i for i, line in enumerate(plan) if INDEX in line), None)
    if at is None:
        print(f"    => DOES NOT use {INDEX}", flush=True)
        return
    # The scan node's own detail lines: indented deeper than it, up to the next node.
    depth = len(plan[at]) - len(plan[at].lstrip())
    details = []
    for line in plan[at + 1:]:
        if len(line) - len(line.lstrip()) <= depth or line.strip().startswith("->"):
            break
        details.append(line.strip())
    node = plan[at].strip().lstrip("-> ").split("  (")[0]
    bound = next((d for d in details if d.startswith("Index Cond")), None)
    removed = next((d for d in details if d.startswith("Rows Removed by Filter")), None)
    print(f"    => {node}; " + (f"seeks to the cursor ({bound})" if bound else
                                "no Index Cond: the index gives the order only, the scan starts at the newest row")
          + (f"; {removed}" if removed else ""), flush=True)


def run():
    from service_app.extensions import db
    from service_app.pagination import encode_cursor
    from service_app.users.models import User
    from service_requests.access import visible_condition
    from service_requests.models import ServiceRequest
    from service_requests.queries import list_requests

    started = time.perf_counter()
    app = migrated_app(pg_database(DATABASE))
    with app.app_context():
        load_company(db.session, "administrator", "employee")
        # Bulk load: the rows are consistent by construction, so skip the per-row
        # foreign-key triggers (5 lookups a row); indexes are maintained as usual.
        db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
        db.session.execute(sa.text(REQUESTS.format(times=TIMES)), {"n": ROWS})
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE service_requests"))
        print(f"# list: {ROWS:,} requests loaded in {time.perf_counter() - started:.1f} s "
              f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)", flush=True)

        admin = db.session.scalar(sa.select(User).where(User.login == "u1"))
        db.session.expunge(admin)  # detached, fully loaded: the same user object for every call
        db.session.rollback()
        visible = sa.select(ServiceRequest).where(visible_condition(admin))

        def keyset(cursor):
            return list_requests(admin, {"limit": PAGE, "cursor": cursor})

        def offset(k):
            stmt = (sa.select(ServiceRequest).where(visible_condition(admin))
                    .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc()).limit(PAGE).offset(k))
            return list(db.session.scalars(stmt))

        def cleanup():
            db.session.rollback()
            db.session.expunge_all()

        def deep_row(k):
            return db.session.execute(
                visible.with_only_columns(ServiceRequest.created_at, ServiceRequest.id)
                .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc()).offset(k - 1).limit(1)).one()

        def row_value(after):
            # Not the app's code: the same list with the cursor written as one row-value
            # comparison, which PostgreSQL can turn into an index bound (shown for comparison).
            stmt = sa.select(ServiceRequest).where(visible_condition(admin))
            if after:
                stmt = stmt.where(sa.tuple_(ServiceRequest.created_at, ServiceRequest.id)
                                  < sa.tuple_(sa.literal(after[0], ServiceRequest.created_at.type),
                                              sa.literal(after[1])))
            stmt = stmt.order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc()).limit(PAGE + 1)
            return list(db.session.scalars(stmt))

        def captured(func):
            with _Capture(db.engine) as cap:
                func()
            cleanup()
            return cap.statements[0]

        rows = []
        plans = []
        for k in [0, *DEPTHS]:
            after = tuple(deep_row(k)) if k else None
            cursor = encode_cursor(*after) if after else None
            cleanup()
            # All three must return the same page.
            pages = ([r.id for r in keyset(cursor)["items"]], [r.id for r in offset(k)],
                     [r.id for r in row_value(after)][:PAGE])
            cleanup()
            if not pages[0] or pages[0] != pages[1] or pages[0] != pages[2]:
                raise AssertionError(f"keyset, OFFSET and row-value pages differ at depth {k}")
            keyset_ms = median_ms(lambda c=cursor: keyset(c), RUNS, warm_up=True, cleanup=cleanup)
            offset_ms = median_ms(lambda n=k: offset(n), RUNS, warm_up=True, cleanup=cleanup)
            row_value_ms = median_ms(lambda a=after: row_value(a), RUNS, warm_up=True, cleanup=cleanup)
            rows.append((k, keyset_ms, offset_ms, row_value_ms))
            if k == max(DEPTHS):
                for title, func in ((f"keyset, depth {k:,}: list_requests as issued by the app", lambda c=cursor: keyset(c)),
                                    (f"OFFSET {k:,}", lambda n=k: offset(n)),
                                    (f"row-value keyset, depth {k:,} (not app code, for comparison)",
                                     lambda a=after: row_value(a))):
                    sql, params = captured(func)
                    plans.append((title, sql, _explain(db, sql, params)))

        print(f"{'page':<14} {'keyset ms':>10} {'OFFSET ms':>10} {'OFFSET/keyset':>14} {'row-value keyset ms*':>21}",
              flush=True)
        for k, keyset_ms, offset_ms, row_value_ms in rows:
            label = "first" if k == 0 else f"deep-{k}"
            print(f"{label:<14} {keyset_ms:>10.2f} {offset_ms:>10.2f} {offset_ms / keyset_ms:>13.1f}x "
                  f"{row_value_ms:>21.2f}", flush=True)
        print(f"(median of {RUNS} calls each, ORM objects included; * not the app's code: the cursor as "
              "(created_at, id) < (:c, :id))", flush=True)
        for title, sql, plan in plans:
            _print_plan(title, sql, plan)
        for k, keyset_ms, offset_ms, row_value_ms in rows:
            label = "first" if k == 0 else f"deep-{k}"
            report(f"list/keyset/{label}", keyset_ms, "ms", offset_ms, offset_ms / keyset_ms,
                   f"keyset {keyset_ms:.2f} ms vs OFFSET {k} {offset_ms:.2f} ms (row-value keyset "
                   f"{row_value_ms:.2f} ms); {ROWS:,} rows, administrator (sees all), page of {PAGE}, "
                   f"median of {RUNS}; ratio = OFFSET/keyset")
    print(f"# list: done in {time.perf_counter() - started:.1f} s", flush=True)
    run_staff()


# The plan lines worth keeping: the nodes and how they find and order rows.
ESSENTIAL = ("Scan", "Sort", "Index Cond", "Sort Key", "Rows Removed", "Execution Time", "Limit", "Append",
             "BitmapOr", "Merge")


def _essentials(plan):
    return [line.rstrip() for line in plan if any(word in line for word in ESSENTIAL)
            and not line.strip().startswith(("Buffers", "Planning"))]


def _staff_filters(now):
    from datetime import timedelta

    return [
        ("created (default)", {}),
        ("office_id=1&office_id=2", {"office_id": [1, 2]}),
        ("category=IT-PC", {"category": ["IT-PC"]}),
        ("priority=urgent&priority=high", {"priority": ["urgent", "high"]}),
        ("status=new&status=in_progress", {"status": ["new", "in_progress"]}),
        ("assignee_id=me", {"assignee_id": ["me"]}),
        ("assignee_id=none", {"assignee_id": ["none"]}),
        ("sla=breached", {"sla": "breached"}),
        ("sla=at_risk", {"sla": "at_risk"}),
        ("updated_since=1 day ago", {"updated_since": now - timedelta(days=1)}),
        ("sort=updated", {"sort": "updated"}),
        ("sort=due", {"sort": "due"}),
    ]


def run_staff():
    from service_app.database import utcnow
    from service_app.extensions import db
    from service_app.users.models import User
    from service_requests.queries import list_requests

    started = time.perf_counter()
    app = migrated_app(pg_database(STAFF_DATABASE))
    with app.app_context():
        load_company(db.session, "administrator", "employee")
        db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
        db.session.execute(sa.text(REQUESTS.format(times=TIMES)), {"n": STAFF_ROWS})
        # 80 % marks as the SLA code sets them (8 h / 40 h targets), for sla=at_risk.
        db.session.execute(sa.text("UPDATE service_requests SET response_risk_at = created_at + interval '384 minutes', "
                                   "resolution_risk_at = created_at + interval '32 hours'"))
        # A manager of offices 1-3 and facilities (u2), and an employee (u3).
        db.session.execute(sa.text("""UPDATE users SET role = 'manager', office_ids = '[1, 2, 3]',
                                      department_codes = '["FAC"]' WHERE login = 'u2'"""))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
        print(f"# list (staff): {STAFF_ROWS:,} requests loaded in {time.perf_counter() - started:.1f} s", flush=True)
        users = {}
        for login in ("u1", "u2", "u3"):
            users[login] = db.session.scalar(sa.select(User).where(User.login == login))
            db.session.expunge(users[login])
        db.session.rollback()

        def cleanup():
            db.session.rollback()
            db.session.expunge_all()

        def page(user, args, cursor=None):
            return list_requests(user, {"limit": PAGE, "cursor": cursor, **args})

        def cursor_at(user, args, depth):
            cursor = None
            for _ in range(depth):
                cursor = page(user, args, cursor)["next_cursor"]
            cleanup()
            return cursor

        admin = users["u1"]
        timings = {}
        for label, args in (("created", {}), ("sort=due", {"sort": "due"}), ("sla=breached", {"sla": "breached"})):
            deep = cursor_at(admin, args, STAFF_DEPTH)
            timings[label] = (median_ms(lambda a=args: page(admin, a), RUNS, warm_up=True, cleanup=cleanup),
                              median_ms(lambda a=args, c=deep: page(admin, a, c), RUNS, warm_up=True, cleanup=cleanup))
        base_first, base_deep = timings["created"]
        for label in ("sort=due", "sla=breached"):
            first, deep = timings[label]
            name = label.replace("sort=", "").replace("sla=", "sla-")
            report(f"list/{name}/first", first, "ms", base_first, first / base_first,
                   f"{label} first page {first:.2f} ms vs created order {base_first:.2f} ms; {STAFF_ROWS:,} rows, "
                   f"administrator, page of {PAGE}, median of {RUNS}; ratio = {label}/created")
            report(f"list/{name}/deep-{STAFF_DEPTH}", deep, "ms", base_deep, deep / base_deep,
                   f"{label} page {STAFF_DEPTH + 1} {deep:.2f} ms vs created order {base_deep:.2f} ms; same")

        now = utcnow()
        for who, login in (("manager (offices 1-3, FAC)", "u2"), ("employee", "u3")):
            for label, args in _staff_filters(now):
                with _Capture(db.engine) as cap:
                    page(users[login], args)
                cleanup()
                sql, params = cap.statements[0]
                print(f"--- EXPLAIN, {who}: {label}", flush=True)
                for line in _essentials(_explain(db, sql, params)):
                    print("    " + line, flush=True)
    print(f"# list (staff): done in {time.perf_counter() - started:.1f} s", flush=True)
