"""Searching 1,000,000 requests on PostgreSQL: the first page (20) of the request list with
``q``, as issued by the app (``service_requests.queries.list_requests``), in three parts.

``search/{typo,stemmed,rare}``: as an administrator who sees everything, against the same list
with the search written as an unindexed ``ILIKE '%q%'`` over title and description (what ``q``
did before), in the same run. A typo (``кондиционр``, about 6 % of the requests mention the word;
ILIKE finds none of them, so it reads the whole table), a Russian inflected form (``кондиционеры``,
the same requests; ILIKE finds only those with that very form) and a rare word in another form
(``протечки``, 100 requests say ``протечка``).

``search/hostile/<query>/<sort>``: the worst case, as a company-wide manager: each of ``HOSTILE``
(queries written to cost the most: two common words never together, a stem in every request, a
rare trigram...) in each order of the list (created, updated, due), against the first page of the
same order without ``q`` in the same run; ``search/hostile/worst`` is the slowest of them, which
must stay under 300 ms.

``search/large-docs/<query>``: the searches above, as the administrator, with 60 requests whose
public comments add up to 100,000 characters each (as 19 hours of commenting within the rate
limits can write; each document kept as the app keeps it, ``search.document``), against the same
requests without those comments (the fastest call of two passes each); ``search/large-docs/worst``
is the highest ratio, which must stay at most 1.5. The words those comments added to the search's
vocabulary are then forgotten as the retention run forgets them (its time is printed).

Prints the ``EXPLAIN (ANALYZE, BUFFERS)`` essentials of the statements each search sends.

Uses the database ``santrade_bench_search`` (``BENCH_SEARCH_DATABASE``) on ``BENCH_PG_URL``
(default: the local server, trust auth). Loading takes a few minutes (the GIN indexes are built
after the rows), so a database loaded by an earlier run of this module with the same schema
and the same ``BENCH_SEARCH_ROWS`` (1000000) is reused; ``BENCH_SEARCH_RELOAD=1`` loads afresh.
"""
import os
import time

import sqlalchemy as sa

from bench.common import loaded_mark, median_ms, migrated_app, pg_database, report
from bench.synthetic import REQUESTS, load_company

DATABASE = os.environ.get("BENCH_SEARCH_DATABASE", "santrade_bench_search")
ROWS = int(os.environ.get("BENCH_SEARCH_ROWS", "1000000"))
PAGE = 20
RUNS = 7
MARK = f"search bench: {ROWS} requests, data version 1"
SEARCH_INDEXES = ("search_vector", "search_internal_russian")
# The vocabulary of the loaded documents, as the trigger that keeps it would have written it (triggers are
# off while the rows load).
VOCABULARY = ("INSERT INTO search_words (word) SELECT DISTINCT w FROM service_requests, "
              "search_words_of(search_text || ' ' || search_internal) w ON CONFLICT (word) DO NOTHING")

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

SHOWN = ("duration:", "Limit", "Sort", "Bitmap", "Recheck", "Filter", "Index Cond", "Rows Removed", "Heap Blocks",
         "on service_requests", "on search_words", "Function Scan", "Execution Time")
QUERIES = (("typo", "кондиционр"), ("stemmed", "кондиционеры"), ("rare", "протечки"))
# Queries written to cost the most: two common words never in one request ("шумит" and "мигает" are
# each in 1 request of 11, never together), a stem in every request, a word none has whose trigrams are
# all common, a rare trigram, a typo of a word in every request, two words of every request as a phrase
# they never form, a word of every request without another of every request, ten three-letter words
# (each like many words of the vocabulary).
HOSTILE = (("apart", "шумит мигает"), ("everywhere", "сотрудник"), ("common-trigrams", "кондиционерщик"),
           ("rare-trigram", "фйщ"), ("common-typo", "сотруднк"), ("phrase", '"сообщает сотрудник"'),
           ("all-but", "сотрудник -сообщает"), ("ten-words", "шум миг раб сот соо про кон при ноу инт"))
SORTS = ("created", "updated", "due")
LIMIT_MS = 300
SLOW_MS = 1000
LARGE_COUNT = 60
LARGE_RUNS = 15
LARGE_CHARS = 100_000
LARGE_IDS = [1 + i * (ROWS // LARGE_COUNT) for i in range(LARGE_COUNT)]


def _loaded(db):
    """Whether the database holds this module's rows under the current schema (``common.loaded_mark``)."""
    from service_requests.models import ServiceRequest

    return loaded_mark(db, ServiceRequest.__table__) == MARK


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
    db.session.execute(sa.text(VOCABULARY))
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
        conn.execute(sa.text("ANALYZE search_words"))
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
        admin = _user(db, User, "u1")
        manager = _company_wide_manager(db, User)

        def searched(q, who=admin, sort="created"):
            return [r.id for r in list_requests(who, {"q": q, "limit": PAGE, "sort": sort})["items"]]

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
            value, found = _timed(lambda q=q: searched(q), cleanup, RUNS)
            baseline, baseline_found = _timed(lambda q=q: ilike(q), cleanup, RUNS)
            baseline_found = "cancelled by the statement timeout" if baseline_found is None else len(baseline_found)
            report(f"search/{label}/{ROWS}", value, "ms", baseline, value / baseline,
                   f"q={q}: first page {len(found)} requests (ILIKE: {baseline_found}); "
                   "baseline = the list with an unindexed ILIKE over title, description")
        for label, q in QUERIES:
            _print_plan(db, f"{label}, q={q}", lambda q=q: searched(q), cleanup)
        _hostile(db, manager, searched, cleanup)
        _large_documents(db, admin, searched, cleanup)


def _user(db, User, login):
    user = db.session.scalar(sa.select(User).where(User.login == login))
    db.session.expunge(user)  # detached, fully loaded: the same user object for every call
    db.session.rollback()
    return user


def _company_wide_manager(db, User):
    """A manager with an empty scope (every office, every department), added to a loaded database."""
    db.session.execute(sa.text(
        "INSERT INTO users (login, full_name, role, office_ids, department_codes, language, is_active, "
        "password_hash, password_changed_at, created_at, updated_at) VALUES ('manager', 'Manager', 'manager', "
        "'[]', '[]', 'en', true, 'x', now(), now(), now()) ON CONFLICT (login) DO NOTHING"))
    db.session.commit()
    return _user(db, User, "manager")


def _timed(func, cleanup, runs):
    """Median milliseconds of ``func`` (``runs`` calls after a warm-up), or of one call when that call
    takes over SLOW_MS; a statement cancelled by the app's DB_STATEMENT_TIMEOUT counts as its time to
    the cancellation. Returns (milliseconds, what the first call returned, or None when cancelled)."""
    started = time.perf_counter()
    try:
        result = func()
    except sa.exc.OperationalError:
        cleanup()
        return (time.perf_counter() - started) * 1000, None
    cleanup()
    first = (time.perf_counter() - started) * 1000
    if first > SLOW_MS:
        return first, result
    return median_ms(func, runs, cleanup=cleanup), result


def _best_ms(func, cleanup, runs):
    """The fastest of ``runs`` calls of ``func`` after a warm-up, in milliseconds: of two searches of a few
    milliseconds on a busy machine, what they cost rather than what else was running."""
    func()
    cleanup()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        timings.append((time.perf_counter() - started) * 1000)
        cleanup()
    return min(timings)


def _hostile(db, manager, searched, cleanup):
    """The worst case: each of HOSTILE in each sort as a company-wide manager, against the first page of
    the same sort without ``q`` in the same run; then the slowest of them all."""
    worst = None
    for sort in SORTS:
        plain, _ = _timed(lambda sort=sort: searched_plain(manager, sort), cleanup, RUNS)
        for label, q in HOSTILE:
            value, page = _timed(lambda q=q, sort=sort: searched(q, manager, sort), cleanup, RUNS)
            found = "cancelled by the statement timeout" if page is None else f"first page {len(page)} requests"
            entry = report(f"search/hostile/{label}/{sort}", value, "ms", plain, value / plain,
                           f"q={q}, sort={sort}, company-wide manager: {found}; baseline = the first page "
                           f"of sort={sort} without q")
            if worst is None or entry["value"] > worst["value"]:
                worst = entry
    report(f"search/hostile/worst/{ROWS}", worst["value"], "ms", worst["baseline"], worst["ratio"],
           f"the slowest of the above ({worst['name']}); must be under {LIMIT_MS} ms")
    for label, q in HOSTILE:
        _print_plan(db, f"hostile {label}, q={q}, sort=created", lambda q=q: searched(q, manager), cleanup)


def searched_plain(who, sort):
    from service_requests.queries import list_requests

    return [r.id for r in list_requests(who, {"limit": PAGE, "sort": sort})["items"]]


def _large_documents(db, admin, searched, cleanup):
    """Staff searches with LARGE_COUNT requests whose public comments add up to LARGE_CHARS characters each
    (each written as the app writes a request's document, ``search.document``), against the same searches
    without them, in the same run."""
    from service_requests import search

    rows = db.session.execute(sa.text("SELECT id, title, description FROM service_requests WHERE id = ANY(:ids)"),
                              {"ids": LARGE_IDS}).all()
    plain = {row.id: search.document(row.title, row.description) for row in rows}
    large = {row.id: search.document(row.title, row.description, *_comments(row.id)) for row in rows}
    db.session.rollback()
    labels = [label for label, _ in QUERIES + HOSTILE]
    absent, present = {}, {}
    words = []
    try:
        # Absent, present, absent, present: each side gets its best of two passes.
        for documents, into in ((plain, absent), (large, present), (plain, absent), (large, present)):
            _write_documents(db, documents, forget=words if documents is plain else ())
            if documents is large:
                words = search.words_of(LARGE_IDS)
                db.session.rollback()
            for label, q in QUERIES + HOSTILE:
                into.setdefault(label, []).append(_best_ms(lambda q=q: searched(q), cleanup, LARGE_RUNS))
    finally:
        _write_documents(db, plain, forget=words)
    worst = None
    for label in labels:
        without, with_ = min(absent[label]), min(present[label])
        entry = report(f"search/large-docs/{label}", with_, "ms", without, with_ / without,
                       f"{LARGE_COUNT} requests with {LARGE_CHARS:,} characters of comments each; "
                       "baseline = the same requests without them")
        if worst is None or entry["ratio"] > worst["ratio"]:
            worst = entry
    sizes = [len(text) for text in large.values()]
    report(f"search/large-docs/worst/{ROWS}", worst["value"], "ms", worst["baseline"], worst["ratio"],
           f"the highest ratio above ({worst['name']}); documents kept {min(sizes):,}..{max(sizes):,} "
           "characters; must be at most 1.5x")


def _comments(seed):
    """About LARGE_CHARS characters of public comments: many distinct made-up words (every trigram
    there is, as a conversation written to be costly would hold) among ordinary ones."""
    import random

    rnd = random.Random(seed)
    letters = "абвгдежзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі"
    ordinary = ["кондиционер", "не", "работает", "сотрудник", "спасибо", "мастер", "придет", "завтра", "шумит"]
    comments, size = [], 0
    while size < LARGE_CHARS:
        words = [rnd.choice(ordinary) if rnd.random() < 0.3 else
                 "".join(rnd.choice(letters) for _ in range(rnd.randint(4, 11))) for _ in range(rnd.randint(20, 150))]
        body = " ".join(words)[:2000]
        comments.append(body)
        size += len(body) + 1
    return comments


def _write_documents(db, documents, forget=()):
    """Write the documents (the database computes their vectors and adds their words to the vocabulary);
    with ``forget``, then drop those words no document holds any more, as the retention run does."""
    from service_app.db_timeouts import lift_for_maintenance
    from service_requests import search

    db.session.execute(sa.text("UPDATE service_requests SET search_text = :text WHERE id = :id"),
                       [{"id": rid, "text": text} for rid, text in documents.items()])
    if forget:
        lift_for_maintenance(db.session.connection())  # as the retention run does
        started = time.perf_counter()
        search.forget_words(forget)
        print(f"# search: {len(forget):,} words of the large documents looked up, those no document holds "
              f"forgotten, in {time.perf_counter() - started:.1f} s", flush=True)
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        lift_for_maintenance(conn)  # a vacuum of a million rows may outlast a request's statement timeout
        conn.execute(sa.text("VACUUM ANALYZE service_requests"))
        conn.execute(sa.text("VACUUM ANALYZE search_words"))


def _print_plan(db, title, func, cleanup):
    """The ``EXPLAIN (ANALYZE, BUFFERS)`` essentials of each statement ``func`` sends, and of the statements
    the database functions they call run (``search_matches``), as ``auto_explain`` logs them (a plain
    ``EXPLAIN`` when a statement would outlast the statement timeout)."""
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", capture)
    try:
        func()
    except sa.exc.OperationalError:
        pass
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", capture)
    cleanup()
    print(f"--- EXPLAIN (ANALYZE, BUFFERS): {title} (the joins of the page's office, people and department left out)",
          flush=True)
    for statement, parameters in statements:
        if "service_requests" not in statement and "search_" not in statement:
            continue
        print("    -- " + " ".join(statement.split())[:120], flush=True)
        try:
            plan = _logged_plans(db, statement, parameters)
        except sa.exc.OperationalError:
            cleanup()
            print("    (cancelled by the statement timeout: the plan without ANALYZE)", flush=True)
            plan = [row[0] for row in db.session.connection().exec_driver_sql("EXPLAIN " + statement, parameters)]
        cleanup()
        for line in plan:
            if any(word in line for word in SHOWN):
                print("    " + line, flush=True)


def _logged_plans(db, statement, parameters):
    """Run ``statement`` with ``auto_explain`` logging every plan to this client (nested ones included)."""
    connection = db.session.connection()
    raw = connection.connection.dbapi_connection
    notices = []

    def keep(diagnostic):
        notices.append(diagnostic.message_primary or "")

    raw.add_notice_handler(keep)
    try:
        connection.exec_driver_sql("LOAD 'auto_explain'")
        for setting in ("client_min_messages = log", "auto_explain.log_min_duration = 0",
                        "auto_explain.log_analyze = on", "auto_explain.log_buffers = on",
                        "auto_explain.log_nested_statements = on"):
            connection.exec_driver_sql(f"SET LOCAL {setting}")
        connection.exec_driver_sql(statement, parameters).all()
        connection.exec_driver_sql("SELECT 1").all()  # the last plan's notice may come with the next answer
    finally:
        raw.remove_notice_handler(keep)
    return [line for notice in notices if "Query Text: SELECT 1\n" not in notice for line in notice.splitlines()]


if __name__ == "__main__":
    run()
