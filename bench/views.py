"""Saved views' counts over 1,000,000 requests on PostgreSQL: ``GET /views/counts`` for one
caller with 10 views of varied filters (``service_requests.staff.views.view_counts``: one statement,
each count capped at 1,000), against a plain ``SELECT count(*) FROM service_requests`` in the
same run. Measured for the administrator who sees everything and for a manager scoped to three
offices of twenty; each view's own capped count is printed too, with its time alone.

Uses the database ``santrade_bench_views`` (``BENCH_VIEWS_DATABASE``) on ``BENCH_PG_URL``
(default: the local server, trust auth), created if missing and emptied each run;
``BENCH_VIEWS_REUSE=1`` keeps rows a previous run loaded when there are ``BENCH_VIEWS_ROWS``
(1000000) of them.
"""
import os
import time
from datetime import date

import sqlalchemy as sa

from bench.common import median_ms, migrated_app, pg_database, report
from bench.synthetic import REQUESTS, load_company

DATABASE = os.environ.get("BENCH_VIEWS_DATABASE", "santrade_bench_views")
ROWS = int(os.environ.get("BENCH_VIEWS_ROWS", "1000000"))
REUSE = os.environ.get("BENCH_VIEWS_REUSE") == "1"
RUNS = 5

TIMES = ("SELECT g, :start + (g % 360) * interval '1 day' + (g % 600) * interval '1 minute' AS t "
         "FROM generate_series(1, :n) g")

# Ten views a desk keeps: broad ones that reach the cap at once, narrow ones that do not. In the
# synthetic rows every new request has priority low, so "New urgent" is empty: the worst case, a
# count that reads every candidate row. "Title search" goes through the list's search indexes; the
# synthetic rows carry no search document, so it counts none here (bench/search measures search).
VIEWS = [
    ("Everything", {}),
    ("Open", {"status": ["new", "in_progress", "waiting"]}),
    ("New urgent", {"status": "new", "priority": "urgent"}),
    ("Office 3, waiting", {"office_id": "3", "status": "waiting"}),
    ("Office 1, new, by user 2", {"office_id": "1", "status": "new", "author_id": "2"}),
    ("Assigned to user 9, waiting", {"assignee_id": "9", "status": "waiting"}),
    ("IT, not resolved", {"category": "IT-PC", "resolved": "false"}),
    ("Created in a week", {"created_from": "2026-06-01T00:00:00Z", "created_to": "2026-06-08T00:00:00Z"}),
    ("Office 5, urgent, in progress", {"office_id": "5", "priority": "urgent", "status": "in_progress"}),
    ("Title search", {"q": "request 99999"}),
]


def _reusable(url):
    """Whether the database already holds ROWS requests and the saved views table."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.text("SELECT count(*) FROM service_requests")) == ROWS and conn.scalar(
                sa.text("SELECT to_regclass('saved_views') IS NOT NULL"))
    except sa.exc.DBAPIError:
        return False
    finally:
        engine.dispose()


def _load(db, start):
    load_company(db.session, "administrator", "manager")
    db.session.commit()
    db.session.execute(sa.text(REQUESTS.format(times=TIMES)), {"n": ROWS, "start": start})
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE service_requests"))


def run():
    from service_app import create_app
    from service_app.extensions import db
    from service_app.users.models import User
    from service_requests.staff.models import SavedView
    from service_requests.staff.views import capped_count, load_args, view_counts
    from service_requests.queries import select_requests

    url = pg_database(DATABASE)
    reuse = REUSE and _reusable(url)
    app = (create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
           if reuse else migrated_app(url))
    with app.app_context():
        if not reuse:
            started = time.perf_counter()
            _load(db, date(2025, 11, 1))
            print(f"  loaded {ROWS:,} requests in {time.perf_counter() - started:.0f} s", flush=True)
        admin = db.session.scalar(sa.select(User).where(User.login == "u1"))
        manager = db.session.scalar(sa.select(User).where(User.login == "u2"))
        manager.office_ids = [1, 2, 3]
        db.session.execute(sa.delete(SavedView))
        for name, filters in VIEWS:
            db.session.add(SavedView(owner=admin, name=name, filters=filters, shared=True))
        db.session.commit()
        views = list(db.session.scalars(sa.select(SavedView).order_by(SavedView.id)))

        baseline = median_ms(lambda: db.session.execute(sa.text("SELECT count(*) FROM service_requests")).scalar(),
                             runs=RUNS, warm_up=True)
        for label, user in (("admin", admin), ("manager", manager)):
            value = median_ms(lambda user=user: (view_counts(user), db.session.rollback()), runs=RUNS, warm_up=True)
            counts = view_counts(user)["items"]
            db.session.rollback()
            capped = sum(item["capped"] for item in counts)
            report(f"views/counts/{label}/{ROWS}", value, "ms", baseline, value / baseline,
                   f"{len(counts)} views, {capped} capped at 1,000; baseline = SELECT count(*) FROM service_requests")
            for view, item in zip(views, counts, strict=True):
                alone = median_ms(lambda view=view, user=user: db.session.execute(sa.select(capped_count(
                    select_requests(user, load_args(view.filters, view.sort))))).scalar(), runs=3, warm_up=True)
                print(f"    {label:<8} {view.name:<32} {item['count']:>5}{'+' if item['capped'] else ' '}"
                      f" {alone:>8.1f} ms", flush=True)
            db.session.rollback()
