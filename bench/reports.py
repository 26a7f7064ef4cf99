"""The SLA report over 100,000 and 1,000,000 synthetic requests on PostgreSQL,
against a plain ``count(*) ... group by office`` over the same rows in the
same run. Uses the database ``santrade_bench`` on ``BENCH_PG_URL`` (default:
the local server, trust auth), created if missing and emptied each run.
"""
import os
import statistics
import time
from datetime import date, timedelta

import sqlalchemy as sa

from bench.common import migrated_app, pg_database, report

SIZES = [int(n) for n in os.environ.get("BENCH_REPORT_SIZES", "100000,1000000").split(",")]


SEED = """
INSERT INTO departments (code, name, is_active, created_at) VALUES ('FAC', '"Facilities"', true, now()), ('IT', '"IT"', true, now());
INSERT INTO categories (code, name, department_code, is_active, created_at)
  VALUES ('FAC-AC', '"AC"', 'FAC', true, now()), ('IT-PC', '"PC"', 'IT', true, now());
INSERT INTO offices (code, name, timezone, is_active, geofence, business_hours, holidays, special_hours, created_at, updated_at)
  SELECT 'O' || g, 'Office ' || g, 'Asia/Almaty', true, '{}', '{}', '[]', '{}', now(), now() FROM generate_series(1, 20) g;
INSERT INTO users (login, full_name, role, office_ids, department_codes, language, is_active, password_hash,
                   password_changed_at, created_at, updated_at)
  SELECT 'u' || g, 'User ' || g, CASE WHEN g = 1 THEN 'manager' ELSE 'administrator' END, '[]', '[]', 'en', true, 'x',
         now(), now(), now() FROM generate_series(1, 50) g;
"""

REQUESTS = """
INSERT INTO service_requests (title, description, category_code, department_code, priority, status, office_id,
  routed_by, author_id, assignee_id, created_at, updated_at, first_response_at, resolved_at, rating,
  response_due_at, resolution_due_at, response_breached, resolution_breached, paused_minutes,
  response_risk_notified, resolution_risk_notified, response_minutes, resolution_minutes, version)
SELECT 'Request ' || g, '', CASE WHEN g % 3 = 0 THEN 'IT-PC' ELSE 'FAC-AC' END,
  CASE WHEN g % 3 = 0 THEN 'IT' ELSE 'FAC' END,
  (ARRAY['low','normal','high','urgent'])[1 + g % 4],
  (ARRAY['new','in_progress','waiting','resolved','closed','closed','closed','rejected'])[1 + g % 8],
  1 + g % 20, 'geofence', 1 + g % 50, CASE WHEN g % 5 = 0 THEN NULL ELSE 1 + (g * 7) % 50 END,
  t, t, t + (g % 300) * interval '1 minute', CASE WHEN g % 8 IN (3,4,5,6) THEN t + (g % 3000) * interval '1 minute' END,
  CASE WHEN g % 8 IN (4,5) THEN 1 + g % 5 END,
  t + interval '8 hours', t + interval '40 hours', g % 11 = 0, g % 13 = 0, 0, false, false,
  g % 300, CASE WHEN g % 8 IN (3,4,5,6) THEN g % 3000 END, 1
FROM (SELECT g, :start + (g % 360) * interval '1 day' + (g % 600) * interval '1 minute' AS t
      FROM generate_series(1, :n) g) s
"""


def _median_ms(func, runs=3):
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def run():
    from service_app.extensions import db
    from service_app.users.models import User
    from service_requests.reports import sla_report

    app = migrated_app(pg_database("santrade_bench"))
    start = date(2025, 11, 1)
    args = {"from": start, "to": start + timedelta(days=365), "group_by": "office"}
    with app.app_context():
        db.session.execute(sa.text(SEED))
        db.session.commit()
        manager = db.session.scalar(sa.select(User).where(User.login == "u1"))
        loaded = 0
        for size in SIZES:
            db.session.execute(sa.text(REQUESTS), {"n": size - loaded, "start": start})
            db.session.commit()
            loaded = size
            db.session.execute(sa.text("ANALYZE service_requests"))
            db.session.commit()
            baseline = _median_ms(lambda: db.session.execute(sa.text(
                "SELECT office_id, count(*) FROM service_requests WHERE created_at >= :a AND created_at < :b "
                "GROUP BY office_id"), {"a": start, "b": start + timedelta(days=366)}).all())
            value = _median_ms(lambda: sla_report(manager, dict(args)))
            totals = sla_report(manager, dict(args))["totals"]["total"]
            report(f"reports/sla/{size}", value, "ms", baseline, value / baseline,
                   f"{totals} requests in the year, 20 offices; baseline = count(*) group by office")
