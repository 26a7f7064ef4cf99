"""Searching 1,000,000 requests on PostgreSQL: the first page (20) of the request list with
``q``, as issued by the app (``service_requests.queries.list_requests`` as an administrator
who sees everything), against the same list with the search written as an unindexed
``ILIKE '%q%'`` over title and description (what ``q`` did before), in the same run.

Three queries: a typo (``кондиционр``, about 6 % of the requests mention the word; ILIKE finds
none of them, so it reads the whole table), a Russian inflected form (``кондиционеры``, the same
requests; ILIKE finds only those with that very form) and a rare word in another form
(``протечки``, 100 requests say ``протечка``). Prints the ``EXPLAIN (ANALYZE, BUFFERS)`` plan of
each search as the app issues it.

Uses the database ``santrade_bench_search`` (``BENCH_SEARCH_DATABASE``) on ``BENCH_PG_URL``
(default: the local server, trust auth). Loading takes a few minutes (the GIN indexes are built
after the rows), so a database loaded by an earlier run of this module with the same schema
and the same ``BENCH_SEARCH_ROWS`` (1000000) is reused; ``BENCH_SEARCH_RELOAD=1`` loads afresh.
"""
import os
import time

import sqlalchemy as sa

from bench.common import median_ms, migrated_app, pg_database, report
from bench.synthetic import REQUESTS, load_company

DATABASE = os.environ.get("BENCH_SEARCH_DATABASE", "santrade_bench_search")
ROWS = int(os.environ.get("BENCH_SEARCH_ROWS", "1000000"))
PAGE = 20
RUNS = 7
MARK = f"search bench: {ROWS} requests, data version 1"
SEARCH_INDEXES = ("search_text_russian", "search_text_trigrams", "search_internal_russian",
                  "search_internal_trigrams")

TIMES = "SELECT g, now() - (:n - g) * interval '30 seconds' AS t FROM generate_series(1, :n) g"

# Titles and descriptions built from the row number: Russian, Kazakh and English words in
# several forms; "кондиционер" in 1 of 17 subjects, "протечка" in 1 request of 10,000.
WORDING = """
UPDATE service_requests SET title = w.title, description = w.description,
  search_text = w.title || E'\\n' || w.description
FROM (
  SELECT id,
    (ARRAY['кондиционер', 'принтер', 'окно', 'дверь', 'свет', 'интернет', 'ноутбук', 'кран', 'лифт', 'розетка',
           'printer', 'laptop', 'projector', 'монитор', 'телефон', 'замок', 'сканер'])[1 + id % 17]
    || ' ' || (ARRAY['не работает', 'сломался', 'течет', 'шумит', 'не включается', 'істемейді', 'is broken',
                     'мигает', 'пахнет гарью', 'завис', 'does not start'])[1 + (id / 17) % 11]
    || ' ' || (ARRAY['в переговорной', 'на третьем этаже', 'в кабинете 305', 'үшінші қабатта', 'в серверной',
                     'on the second floor', 'в приемной', 'на складе'])[1 + (id / 187) % 8] AS title,
    'сотрудник ' || (ARRAY['айгерим', 'нурлан', 'ольга', 'данияр', 'мария', 'john'])[1 + id % 6]
    || ' сообщает: ' || (ARRAY['проблема повторяется', 'мәселе қайталанады', 'срочно нужна помощь',
                               'please help', 'с утра', 'после обновления', 'уже третий день'])[1 + (id / 7) % 7]
    || CASE WHEN id % 10000 = 4321 THEN ', протечка на потолке' ELSE '' END
    || ', инвентарный номер ' || (100000 + id % 90000) AS description
  FROM service_requests) w
WHERE service_requests.id = w.id
"""

SHOWN = ("Limit", "Sort", "Bitmap", "Recheck", "Filter", "Index Cond: (to_tsvector", "%>", "Rows Removed",
         "Heap Blocks", "on service_requests", "Execution Time")
QUERIES = (("typo", "кондиционр"), ("stemmed", "кондиционеры"), ("rare", "протечки"))


def _loaded(db):
    """Whether the database holds this module's rows under the current schema."""
    from service_requests.models import ServiceRequest

    try:
        mark = db.session.scalar(sa.text("SELECT obj_description('service_requests'::regclass, 'pg_class')"))
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("service_requests")}
        indexes = {i["name"] for i in sa.inspect(db.engine).get_indexes("service_requests")}
    except (sa.exc.DBAPIError, sa.exc.NoSuchTableError):
        db.session.rollback()
        return False
    db.session.rollback()
    wanted = {i.name for i in ServiceRequest.__table__.indexes}
    return mark == MARK and {c.name for c in ServiceRequest.__table__.columns} <= columns and wanted <= indexes


def _load(app, db):
    started = time.perf_counter()
    load_company(db.session, "administrator", "employee")
    # The search indexes as the migration made them (definition and statistics), dropped and built
    # again once the rows are in: far quicker than row by row.
    saved = db.session.execute(sa.text(
        "SELECT c.relname, pg_get_indexdef(c.oid), a.attstattarget FROM pg_class c "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = 1 WHERE c.relname = ANY(:names)"),
        {"names": [f"ix_service_requests_{name}" for name in SEARCH_INDEXES]}).all()
    assert len(saved) == len(SEARCH_INDEXES), saved
    for name, _, _ in saved:
        db.session.execute(sa.text(f"DROP INDEX {name}"))
    db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    db.session.execute(sa.text(REQUESTS.format(times=TIMES)), {"n": ROWS})
    db.session.execute(sa.text(WORDING))
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE service_requests"))
    with db.engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))
        for name, definition, statistics in saved:
            conn.execute(sa.text(definition))
            if statistics is not None and statistics >= 0:
                conn.execute(sa.text(f"ALTER INDEX {name} ALTER COLUMN 1 SET STATISTICS {statistics}"))
        conn.execute(sa.text(f"COMMENT ON TABLE service_requests IS '{MARK}'"))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE service_requests"))
    print(f"# search: {ROWS:,} requests loaded and indexed in {time.perf_counter() - started:.1f} s "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)", flush=True)


def run():
    from service_app import create_app
    from service_app.extensions import db
    from service_app.pagination import paginate
    from service_app.users.models import User
    from service_requests.access import visible_condition
    from service_requests.models import ServiceRequest
    from service_requests.queries import list_requests

    url = pg_database(DATABASE)
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        reuse = os.environ.get("BENCH_SEARCH_RELOAD") != "1" and _loaded(db)
    if reuse:
        print(f"# search: reusing the {ROWS:,} requests of {DATABASE}", flush=True)
    else:
        app = migrated_app(url)
    with app.app_context():
        if not reuse:
            _load(app, db)
        admin = db.session.scalar(sa.select(User).where(User.login == "u1"))
        db.session.expunge(admin)  # detached, fully loaded: the same user object for every call
        db.session.rollback()

        def searched(q):
            return [r.id for r in list_requests(admin, {"q": q, "limit": PAGE})["items"]]

        def ilike(q):
            # What q did before: the list's statement with an unindexed ILIKE over title and description.
            stmt = sa.select(ServiceRequest).where(visible_condition(admin), sa.or_(
                ServiceRequest.title.icontains(q, autoescape=True),
                ServiceRequest.description.icontains(q, autoescape=True)))
            return [r.id for r in paginate(db.session, stmt, ServiceRequest, PAGE, None)["items"]]

        def cleanup():
            db.session.rollback()
            db.session.expunge_all()

        for label, q in QUERIES:
            found, baseline_found = len(searched(q)), len(ilike(q))
            cleanup()
            value = median_ms(lambda q=q: searched(q), RUNS, warm_up=True, cleanup=cleanup)
            baseline = median_ms(lambda q=q: ilike(q), RUNS, warm_up=True, cleanup=cleanup)
            report(f"search/{label}/{ROWS}", value, "ms", baseline, value / baseline,
                   f"q={q}: first page {found} requests (ILIKE: {baseline_found}); "
                   "baseline = the list with an unindexed ILIKE over title, description")
        for label, q in QUERIES:
            _print_plan(db, f"{label}, q={q}", lambda q=q: searched(q), cleanup)


def _print_plan(db, title, func, cleanup):
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", capture)
    try:
        func()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", capture)
    cleanup()
    statement, parameters = statements[0]
    plan = db.session.connection().exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
    cleanup()
    print(f"--- EXPLAIN (ANALYZE, BUFFERS): {title} (the joins of the page's office, people and department left out)",
          flush=True)
    for (line,) in plan:
        if any(word in line for word in SHOWN):
            print("    " + line, flush=True)


if __name__ == "__main__":
    run()
