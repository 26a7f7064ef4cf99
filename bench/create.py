"""SQL statements of one create (POST /api/v1/requests) on PostgreSQL, with 50 staff in the
office to notify, against the same create with 1 staff member in the same run: the count must
not grow with the staff (goal: at most 8). Each staff member has a phone with a live session,
so every one of them gets a feed row and an outbox row.

The call goes through HTTP as the app makes it (the Flask test client, a signed-in employee,
a point inside the office's geofence, an ``Idempotency-Key``), after one warm-up create.
Database ``santrade_bench_create`` on ``BENCH_PG_URL``'s server, emptied each run.
``tests/service_requests/test_create_statement_count.py`` pins the same count on both databases.
"""
import uuid
from datetime import timedelta

import sqlalchemy as sa

from bench.common import migrated_app, pg_database, report

PASSWORD = "bench-password-1"  # noqa: S105  # nosec B105  # a throwaway account of the bench database
GOAL = 8


def _world(app):
    from notifications.models import Device
    from offices.directory import bump_version
    from offices.models import Department, Office
    from service_app.auth.models import AuthSession
    from service_app.auth.passwords import hash_password
    from service_app.database import utcnow
    from service_app.extensions import db
    from service_app.users.models import User
    from service_requests.catalogue.models import Category
    from tests.support.places import box

    with app.app_context():
        office = Office(code="ALA", name="Almaty", geofence=box(76.90, 43.20, 76.92, 43.22))
        db.session.add_all([office, Department(code="FAC", name="Facilities")])
        db.session.flush()
        db.session.add(Category(code="FAC-AC", name="AC", department_code="FAC"))
        db.session.add(User(login="bench-employee", full_name="Bench Employee", role="employee",
                            password_hash=hash_password(PASSWORD), office_id=office.id, language="en"))
        bump_version()
        db.session.commit()
        office_id, password_hash = office.id, hash_password(PASSWORD)

    def add_staff(count, start):
        with app.app_context():
            now = utcnow()
            for n in range(start, start + count):
                user = User(login=f"bench-staff-{n}", full_name=f"Staff {n}", password_hash=password_hash,
                            role="administrator" if n % 2 else "manager", office_ids=[office_id], language="ru")
                db.session.add(user)
                db.session.flush()
                session_id = str(uuid.uuid4())
                db.session.add(AuthSession(id=session_id, user_id=user.id, refresh_jti=str(uuid.uuid4()),
                                           expires_at=now + timedelta(days=1)))
                db.session.flush()
                db.session.add(Device(token=f"bench-token-{n}", user_id=user.id, platform="android",
                                      session_id=session_id, created_at=now, last_seen_at=now))
            db.session.commit()

    return add_staff


def _statements_of_one_create(app, client, headers):
    from service_app.extensions import db
    from tests.support.places import ALA_POINT

    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    body = {"title": "AC is broken", "category": "FAC-AC", "location": ALA_POINT}
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.post("/api/v1/requests", json=body, headers={**headers, "Idempotency-Key": str(uuid.uuid4())})
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    if response.status_code != 201:
        raise RuntimeError(f"create failed: {response.status_code} {response.get_json()}")
    return len(statements)


def run():
    from tests.support.places import ALA_POINT

    app = migrated_app(pg_database("santrade_bench_create"))
    add_staff = _world(app)
    client = app.test_client()
    token = client.post("/api/v1/auth/login", json={"login": "bench-employee", "password": PASSWORD}).get_json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    warm = client.post("/api/v1/requests", json={"title": "Warm-up", "category": "FAC-AC", "location": ALA_POINT},
                       headers={**headers, "Idempotency-Key": str(uuid.uuid4())})
    if warm.status_code != 201:
        raise RuntimeError(f"warm-up create failed: {warm.status_code} {warm.get_json()}")
    add_staff(1, 0)
    one = _statements_of_one_create(app, client, headers)
    add_staff(49, 1)
    fifty = _statements_of_one_create(app, client, headers)
    report("create/statements/50-staff", fifty, "statements", one, fifty / one,
           f"one create through HTTP on PostgreSQL with 50 staff to notify; baseline: with 1; goal <= {GOAL}")
