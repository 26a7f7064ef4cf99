"""The SLA report over 100,000 and 1,000,000 synthetic requests on PostgreSQL,
and the dashboard at the largest size (goal: under 1.5 s), each against a plain
``count(*) ... group by office`` over the same rows in the same run. Uses the database ``santrade_bench`` on ``BENCH_PG_URL`` (default:
the local server, trust auth), created if missing and emptied each run.
"""
import os
from datetime import date, timedelta

import sqlalchemy as sa

from bench.common import median_ms, migrated_app, pg_database, report
from bench.synthetic import REQUESTS, load_company

SIZES = [int(n) for n in os.environ.get("BENCH_REPORT_SIZES", "100000,1000000").split(",")]


TIMES = ("SELECT g, :start + (g % 360) * interval '1 day' + (g % 600) * interval '1 minute' AS t "
         "FROM generate_series(1, :n) g")



def run():
    from service_app.extensions import db
    from service_app.users.models import User
    from service_requests.reports.reports import dashboard_report, sla_report

    app = migrated_app(pg_database("santrade_bench"))
    start = date(2025, 11, 1)
    args = {"from": start, "to": start + timedelta(days=365), "group_by": "office"}
    with app.app_context():
        load_company(db.session, "manager", "administrator")
        db.session.commit()
        manager = db.session.scalar(sa.select(User).where(User.login == "u1"))
        loaded = 0
        for size in SIZES:
            db.session.execute(sa.text(REQUESTS.format(times=TIMES)), {"n": size - loaded, "start": start})
            db.session.commit()
            loaded = size
            db.session.execute(sa.text("ANALYZE service_requests"))
            db.session.commit()
            baseline = median_ms(lambda: db.session.execute(sa.text(
                "SELECT office_id, count(*) FROM service_requests WHERE created_at >= :a AND created_at < :b "
                "GROUP BY office_id"), {"a": start, "b": start + timedelta(days=366)}).all())
            value = median_ms(lambda: sla_report(manager, dict(args)))
            totals = sla_report(manager, dict(args))["totals"]["total"]
            report(f"reports/sla/{size}", value, "ms", baseline, value / baseline,
                   f"{totals} requests in the year, 20 offices; baseline = count(*) group by office")
            db.session.rollback()
        period = {"from": args["from"], "to": args["to"]}
        value = median_ms(lambda: (dashboard_report(manager, dict(period)), db.session.rollback()))
        created = dashboard_report(manager, dict(period))["cards"][0]["value"]
        report(f"reports/dashboard/{loaded}", value, "ms", baseline, value / baseline,
               f"{created} requests in the year (and its previous year); goal < 1,500 ms; "
               "baseline = count(*) group by office")
        if os.environ.get("BENCH_REPORT_TENTHS", "1") == "1":
            tenths(db, manager, args, period, loaded, start)


def tenths(db, manager, args, period, loaded, start):
    """The same rows with minutes in tenths spread over the targets' range, as real business
    minutes are: many distinct values (the synthetic ones are whole and repeat)."""
    from service_requests.reports.reports import dashboard_report, sla_report

    db.session.execute(sa.text(
        "UPDATE service_requests SET response_minutes = round((random() * 480)::numeric, 1), "
        "resolution_minutes = CASE WHEN resolution_minutes IS NOT NULL "
        "THEN round((random() * 4800)::numeric, 1) END"))
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE service_requests"))
    baseline = median_ms(lambda: db.session.execute(sa.text(
        "SELECT office_id, count(*) FROM service_requests WHERE created_at >= :a AND created_at < :b "
        "GROUP BY office_id"), {"a": start, "b": start + timedelta(days=366)}).all())
    value = median_ms(lambda: (sla_report(manager, dict(args)), db.session.rollback()))
    report(f"reports/sla/{loaded}/tenths", value, "ms", baseline, value / baseline,
           "minutes in tenths (many distinct values); baseline = count(*) group by office")
    value = median_ms(lambda: (dashboard_report(manager, dict(period)), db.session.rollback()))
    report(f"reports/dashboard/{loaded}/tenths", value, "ms", baseline, value / baseline,
           "minutes in tenths; goal < 1,500 ms; baseline = count(*) group by office")
