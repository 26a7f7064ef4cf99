"""Synthetic data for the PostgreSQL benchmarks, inserted by the database itself
(``generate_series``) so that a million requests load in seconds."""

# 20 offices, two departments with a category each, 50 users: user 1 has the
# role ``:first_role`` and an empty scope (sees everything), users 2..50 ``:other_role``.
COMPANY = """
INSERT INTO departments (code, name, is_active, created_at) VALUES ('FAC', '"Facilities"', true, now()),
  ('IT', '"IT"', true, now());
INSERT INTO categories (code, name, department_code, is_active, created_at)
  VALUES ('FAC-AC', '"AC"', 'FAC', true, now()), ('IT-PC', '"PC"', 'IT', true, now());
INSERT INTO offices (code, name, timezone, is_active, geofence, business_hours, holidays, special_hours,
                     created_at, updated_at)
  SELECT 'O' || g, 'Office ' || g, 'Asia/Almaty', true, '{}', '{}', '[]', '{}', now(), now()
  FROM generate_series(1, 20) g;
INSERT INTO users (login, full_name, role, office_ids, department_codes, language, is_active, password_hash,
                   password_changed_at, created_at, updated_at)
  SELECT 'u' || g, 'User ' || g, CASE WHEN g = 1 THEN :first_role ELSE :other_role END, '[]', '[]', 'en', true,
         'x', now(), now(), now() FROM generate_series(1, 50) g;
"""

# ``:n`` requests by users 2..50 across every status and priority; ``{times}`` is a
# subquery yielding (g, t), the row number and its creation time.
REQUESTS = """
INSERT INTO service_requests (title, description, category_code, department_code, priority, status, office_id,
  routed_by, author_id, assignee_id, created_at, updated_at, first_response_at, resolved_at, rating,
  response_due_at, resolution_due_at, response_breached, resolution_breached, paused_minutes,
  response_risk_notified, resolution_risk_notified, response_minutes, resolution_minutes, version)
SELECT 'Request ' || g, '', CASE WHEN g % 3 = 0 THEN 'IT-PC' ELSE 'FAC-AC' END,
  CASE WHEN g % 3 = 0 THEN 'IT' ELSE 'FAC' END,
  (ARRAY['low','normal','high','urgent'])[1 + g % 4],
  (ARRAY['new','in_progress','waiting','resolved','closed','closed','closed','rejected'])[1 + g % 8],
  1 + g % 20, 'geofence', 2 + g % 49, CASE WHEN g % 5 = 0 THEN NULL ELSE 2 + (g * 7) % 49 END,
  t, t, t + (g % 300) * interval '1 minute', CASE WHEN g % 8 IN (3,4,5,6) THEN t + (g % 3000) * interval '1 minute' END,
  CASE WHEN g % 8 IN (4,5) THEN 1 + g % 5 END,
  t + interval '8 hours', t + interval '40 hours', g % 11 = 0, g % 13 = 0, 0, false, false,
  g % 300, CASE WHEN g % 8 IN (3,4,5,6) THEN g % 3000 END, 1
FROM ({times}) s
"""


def load_company(session, first_role, other_role):
    """Insert the offices, departments, categories and users of COMPANY (one statement at a time:
    psycopg binds parameters per statement)."""
    import sqlalchemy as sa

    for statement in filter(str.strip, COMPANY.split(";")):
        session.execute(sa.text(statement), {"first_role": first_role, "other_role": other_role})
