"""Shared helpers for the benchmarks: timing, one printed line per result, results.json."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from collections.abc import Callable

RESULTS: list[dict] = []
DEFAULT_RESULTS_PATH = Path(__file__).resolve().parent / "results.json"


def report(name: str, value: float, unit: str, baseline: float | None, ratio: float | None,
           note: str = "") -> dict:
    """Record one benchmark result (kept for write_results) and print it as an aligned line."""
    entry = {"name": name, "value": value, "unit": unit, "baseline": baseline, "ratio": ratio, "note": note}
    RESULTS.append(entry)
    line = f"{name:<26} {value:>12,.0f} {unit}"
    if baseline is not None:
        line += f"   baseline {baseline:>10,.0f} {unit}"
    if ratio is not None:
        line += f"   ratio {ratio:>7.2f}x"
    if note:
        line += f"   {note}"
    print(line, flush=True)
    return entry


def write_results(path: str | Path = DEFAULT_RESULTS_PATH) -> Path:
    """Write every reported result to a JSON file (bench/results.json by default) and return its path."""
    path = Path(path)
    path.write_text(json.dumps(RESULTS, indent=2) + "\n", encoding="utf-8")
    return path


def timeit(func: Callable[[], object], min_seconds: float = 0.5) -> float:
    """Return how many calls of ``func()`` per second run, timed over at least min_seconds."""
    func()  # warm-up: first-call costs (imports, caches) are not what we measure
    calls, elapsed, batch = 0, 0.0, 1
    while elapsed < min_seconds:
        start = time.perf_counter()
        for _ in range(batch):
            func()
        elapsed += time.perf_counter() - start
        calls += batch
        # Grow batches so the timer overhead stays small for fast functions.
        batch = min(batch * 2, 100_000)
    return calls / elapsed


def median_ms(func: Callable[[], object], runs: int = 3, warm_up: bool = False,
              cleanup: Callable[[], object] | None = None) -> float:
    """The median wall time of ``runs`` calls of ``func()``, in milliseconds (after one unmeasured call if
    ``warm_up``); ``cleanup()``, unmeasured, runs after each call (the warm-up too), e.g. to end a transaction."""
    import statistics

    def after():
        if cleanup is not None:
            cleanup()

    if warm_up:
        func()
        after()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        timings.append((time.perf_counter() - start) * 1000)
        after()
    return statistics.median(timings)


PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def pg_database(name: str) -> str:
    """Create the PostgreSQL database ``name`` on BENCH_PG_URL if missing; return its SQLAlchemy URL."""
    import sqlalchemy as sa

    engine = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": name}).first():
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return PG_SERVER.rsplit("/", 1)[0] + "/" + name


def loaded_mark(db, table) -> str | None:
    """The comment a bench left on ``table`` (a model's ``__table__``) when it loaded its rows, if the
    database is still under the current schema: at the migrations' head, with every column and
    index of ``table``; else None (the bench loads afresh). A database loaded under an older schema
    is reloaded rather than half-reused."""
    import sqlalchemy as sa
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    try:
        mark = db.session.scalar(sa.text(f"SELECT obj_description('{table.name}'::regclass, 'pg_class')"))
        revision = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns(table.name)}
        indexes = {i["name"] for i in sa.inspect(db.engine).get_indexes(table.name)}
    except (sa.exc.DBAPIError, sa.exc.NoSuchTableError):
        db.session.rollback()
        return None
    db.session.rollback()
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parent.parent / "migrations"))
    head = ScriptDirectory.from_config(config).get_current_head()
    if revision != head or not ({c.name for c in table.columns} <= columns
                                and {i.name for i in table.indexes} <= indexes):
        return None
    return mark


def migrated_app(url: str):
    """An app on ``url`` with an empty, freshly migrated schema."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from service_app import create_app
    from service_app.extensions import db

    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
    return app
