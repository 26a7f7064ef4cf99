"""One create (POST /requests) costs the same SQL statements whether 1 or 50 staff are notified.

The count is taken through HTTP, as the app calls it: a signed-in employee, a JSON body
with a location inside an office's geofence, an Idempotency-Key header. Every staff
member in scope still gets a feed entry and an outbox row for each of their devices.
"""
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from notifications.models import Delivery, Device, Notification
from offices.directory import bump_version
from offices.models import Department, Office
from service_app.auth.models import AuthSession
from service_app.database import utcnow
from service_app.extensions import db
from service_app.users.models import User
from service_requests.models import RequestEvent
from service_requests.catalogue.models import Category
from tests.support.places import ALA_POINT, box

# The statements of one create (the last line counts them):
#   auth: the sign-in session with its user                                      1
#   the category, its department, the SLA policies that may apply, the
#   office chosen by the geofence and whether an auto-assigning rule applies
#   (none here), in one query                                                    1
#   INSERT the request                                                           1
#   INSERT the Idempotency-Key, ON CONFLICT DO NOTHING (a retry's key is there)  1
#   INSERT the two history rows                                                  1
#   INSERT ... SELECT the feed rows of the staff in scope (RETURNING their ids)  1
#   INSERT ... SELECT the outbox rows from those staff's live devices            1
#   INSERT the sync-log rows of the request and the feed (at commit)             1
STATEMENTS_PER_CREATE = 8


@pytest.fixture
def office(app):
    with app.app_context():
        ala = Office(code="ALA", name="Almaty", geofence=box(76.90, 43.20, 76.92, 43.22))
        ast = Office(code="AST", name="Astana", geofence=box(71.42, 51.12, 71.44, 51.14))
        db.session.add_all([ala, ast, Department(code="FAC", name="Facilities"), Department(code="IT", name="IT")])
        db.session.flush()
        db.session.add(Category(code="FAC-AC", name="AC", department_code="FAC"))
        bump_version()
        db.session.commit()
        return ala.id, ast.id


def _staff_with_devices(app, make_user, count, **scope):
    """``count`` staff members with ``scope``, each with a phone whose sign-in session is live."""
    ids = []
    for n in range(count):
        ids.append(make_user("administrator" if n % 2 else "manager", **scope).id)
    with app.app_context():
        now = utcnow()
        for user_id in ids:
            session_id = str(uuid.uuid4())
            db.session.add(AuthSession(id=session_id, user_id=user_id, refresh_jti=str(uuid.uuid4()),
                                       expires_at=now + timedelta(days=1)))
            db.session.flush()
            db.session.add(Device(token=f"token-{user_id}", user_id=user_id, platform="android",
                                  session_id=session_id, created_at=now, last_seen_at=now))
        db.session.commit()
    return ids


def _count_create(app, client, headers):
    statements = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    body = {"title": "AC is broken", "category": "FAC-AC", "location": ALA_POINT}
    # A first create warms the per-process caches (the router), as any worker's first call does.
    assert client.post("/api/v1/requests", json=body,
                       headers={**headers, "Idempotency-Key": str(uuid.uuid4())}).status_code == 201
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.post("/api/v1/requests", json=body, headers={**headers, "Idempotency-Key": str(uuid.uuid4())})
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 201, response.get_json()
    return response.get_json(), statements


@pytest.mark.parametrize("staff_count", [1, 50])
def test_one_create_costs_the_same_statements_whatever_the_staff(app, client, auth, make_user, office, staff_count):
    ala, ast = office
    employee = auth("employee", office_id=ala)
    in_scope = (_staff_with_devices(app, make_user, staff_count - staff_count // 2, office_ids=[ala])
                + _staff_with_devices(app, make_user, staff_count // 2, office_ids=[ala], department_codes=["FAC"]))
    # Staff who must not hear of it: another office, another department, an account switched off.
    out_of_scope = (_staff_with_devices(app, make_user, 1, office_ids=[ast])
                    + _staff_with_devices(app, make_user, 1, department_codes=["IT"])
                    + _staff_with_devices(app, make_user, 1, office_ids=[ala], is_active=False))

    created, statements = _count_create(app, client, employee.headers)

    assert len(statements) == STATEMENTS_PER_CREATE, "\n".join(statements)
    with app.app_context():
        notified = db.session.execute(sa.select(Notification.user_id, Notification.event)
                                      .where(Notification.request_id == created["id"])).all()
        assert sorted(notified) == sorted((user_id, "request_created") for user_id in in_scope)
        queued = db.session.execute(sa.select(Notification.user_id, Delivery.token)
                                    .join(Delivery, Delivery.notification_id == Notification.id)
                                    .where(Notification.request_id == created["id"])).all()
        assert sorted(queued) == sorted((user_id, f"token-{user_id}") for user_id in in_scope)
        assert not {user_id for user_id, _ in notified} & set(out_of_scope)
        events = db.session.scalars(sa.select(RequestEvent.event).where(RequestEvent.request_id == created["id"])
                                    .order_by(RequestEvent.id)).all()
        assert events == ["created", "routed"]
        assert db.session.get(User, employee.id) is not None
    assert created["office"]["code"] == "ALA" and created["department"]["code"] == "FAC"
    assert created["attachments"] == [] and created["number"] == f"SR-{created['id']:06d}"


# With an auto-assigning rule for the office and department (the reference-data query above tells),
# the create also takes its turn; a ``manual`` rule costs nothing more:
#   the 8 above, plus
#   SELECT the rule FOR UPDATE (its row stays locked until the commit)                1
#   SELECT its pool members with their accounts, in turn order                        1
#   UPDATE the rule's turn, UPDATE the member's last assignment                       2
#   INSERT the ``assigned`` history row                                               1
#   the assignee's notification: is a push already queued for them in this request,
#   their live devices, INSERT the feed row                                           3
STATEMENTS_PER_CREATE_WITH_RULE = STATEMENTS_PER_CREATE + 8


@pytest.mark.parametrize("mode", ["manual", "round_robin"])
def test_a_rule_costs_statements_only_when_it_assigns(app, client, auth, make_user, office, mode):
    ala, _ = office
    employee = auth("employee", office_id=ala)
    admin = auth("administrator")
    staff = _staff_with_devices(app, make_user, 2, office_ids=[ala])
    response = client.put(f"/api/v1/assignment-rules/{ala}/FAC", json={"mode": mode, "pool": staff},
                          headers=admin.headers)
    assert response.status_code == 200, response.get_json()

    created, statements = _count_create(app, client, employee.headers)

    if mode == "manual":
        assert len(statements) == STATEMENTS_PER_CREATE, "\n".join(statements)
        assert created["assignee"] is None
    else:
        assert len(statements) == STATEMENTS_PER_CREATE_WITH_RULE, "\n".join(statements)
        assert created["assignee"]["id"] == staff[1]  # the warm-up create took the first turn
