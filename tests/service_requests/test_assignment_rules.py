"""Auto-assignment (API.md, "Staff work"): rules per office and department, staff availability,
``round_robin`` and ``least_open`` at create, and the turn kept under a row lock."""
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from notifications.models import Notification
from service_app.database import utcnow
from service_app.extensions import db
from service_app.users.models import User
from service_requests.models import RequestEvent, ServiceRequest
from service_requests.staff.models import AssignmentPoolMember, AssignmentRule
from tests.support.api import assert_error
from tests.support.places import ALA_POINT


def rule_url(office_id, department="FAC"):
    return f"/api/v1/assignment-rules/{office_id}/{department}"


def put_rule(client, who, office_id, mode, pool, department="FAC"):
    return client.put(rule_url(office_id, department), json={"mode": mode, "pool": pool}, headers=who.headers)


def set_rule(client, world, mode, pool, office_id=None):
    response = put_rule(client, world.admin, office_id or world.ala, mode, [p.id for p in pool])
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def assignees(submit, count, **body):
    return [(submit(**body)["assignee"] or {}).get("id") for _ in range(count)]


def stored_rules(app):
    with app.app_context():
        rules = db.session.execute(sa.select(AssignmentRule.office_id, AssignmentRule.department_code,
                                             AssignmentRule.mode)).all()
        members = db.session.execute(sa.select(AssignmentPoolMember.user_id, AssignmentPoolMember.position)
                                     .order_by(AssignmentPoolMember.position)).all()
    return sorted(rules), list(members)


@pytest.fixture
def fourth(auth, world):
    """One more manager of Almaty (every department)."""
    return auth("manager", office_ids=[world.ala], full_name="Fourth")


# --- setting and reading rules ------------------------------------------------------------------

def test_an_administrator_sets_a_rule_and_staff_in_scope_read_it(client, world):
    body = set_rule(client, world, "round_robin", [world.manager_fac_ala, world.admin_ala])
    assert body == {"office_id": world.ala, "department": "FAC", "mode": "round_robin",
                    "pool": [{"id": world.manager_fac_ala.id, "full_name": "Test Person", "available": True},
                             {"id": world.admin_ala.id, "full_name": "Test Person", "available": True}]}
    for reader in (world.admin, world.admin_ala, world.manager_fac_ala):
        response = client.get("/api/v1/assignment-rules", headers=reader.headers)
        assert response.status_code == 200 and response.get_json() == {"items": [body]}
    # Staff whose office or department scope leaves the rule out do not see it.
    for outsider in (world.admin_ast, world.manager_it):
        assert client.get("/api/v1/assignment-rules", headers=outsider.headers).get_json() == {"items": []}


def test_a_second_put_replaces_the_rule(client, app, world):
    set_rule(client, world, "round_robin", [world.manager_fac_ala, world.admin_ala])
    body = set_rule(client, world, "least_open", [world.admin_ala])
    assert body["mode"] == "least_open" and [m["id"] for m in body["pool"]] == [world.admin_ala.id]
    assert stored_rules(app) == ([(world.ala, "FAC", "least_open")], [(world.admin_ala.id, 0)])


@pytest.mark.parametrize("who, status", [("employee", 403), ("manager_fac_ala", 403), ("manager_it", 403),
                                         ("admin_ast", 403), ("admin_ala", 200)])
def test_only_administrators_covering_the_office_and_department_set_rules(client, app, world, who, status):
    response = put_rule(client, getattr(world, who), world.ala, "round_robin", [world.manager_fac_ala.id])
    assert response.status_code == status, response.get_json()
    assert stored_rules(app)[0] == ([(world.ala, "FAC", "round_robin")] if status == 200 else [])


def test_employees_may_not_read_rules(client, world):
    assert_error(client.get("/api/v1/assignment-rules", headers=world.employee.headers), 403, "forbidden")


@pytest.mark.parametrize("case", ["out_of_office", "out_of_department", "employee", "inactive", "unknown",
                                  "duplicate", "empty", "bad_mode", "string_id"])
def test_a_bad_pool_is_refused_and_changes_nothing(client, app, world, make_user, case):
    before = set_rule(client, world, "round_robin", [world.manager_fac_ala])
    inactive = make_user("manager", is_active=False, full_name="Gone Manager")
    pools = {"out_of_office": [world.admin_ala.id, world.admin_ast.id], "out_of_department": [world.manager_it.id],
             "employee": [world.employee.id], "inactive": [inactive.id], "unknown": [999999],
             "duplicate": [world.admin_ala.id, world.admin_ala.id], "empty": [], "string_id": ["5"]}
    response = put_rule(client, world.admin, world.ala, "foo" if case == "bad_mode" else "least_open",
                        pools.get(case, [world.admin_ala.id]))
    error = assert_error(response, 422, "validation_error")
    if case == "out_of_office":
        assert error["message"] == (f"pool: user {world.admin_ast.id} (Test Person) is not active staff "
                                    "covering this office and department")
    if case == "inactive":
        assert "Gone Manager" in error["message"]
    assert set(error["details"]) == {"mode" if case == "bad_mode" else "pool"}
    assert client.get("/api/v1/assignment-rules", headers=world.admin.headers).get_json() == {"items": [before]}


@pytest.mark.parametrize("office, department", [(999999, "FAC"), (None, "NOPE"), (None, "bad code!")])
def test_an_unknown_office_or_department_is_404(client, app, world, office, department):
    response = client.put(rule_url(office or world.ala, department), json={"mode": "manual", "pool": []},
                          headers=world.admin.headers)
    assert_error(response, 404, "not_found")
    assert stored_rules(app) == ([], [])


def test_manual_keeps_its_pool_and_assigns_nothing(client, app, world, submit):
    body = set_rule(client, world, "manual", [world.manager_fac_ala])
    assert body["mode"] == "manual" and [m["id"] for m in body["pool"]] == [world.manager_fac_ala.id]
    created = submit()
    assert created["assignee"] is None
    with app.app_context():
        events = db.session.scalars(sa.select(RequestEvent.event).where(RequestEvent.request_id == created["id"]))
        assert list(events) == ["created", "routed"]


# --- round robin ----------------------------------------------------------------------------------

def test_round_robin_takes_the_pool_in_turn(client, app, world, submit, fourth):
    pool = [world.manager_fac_ala, world.admin_ala, fourth]
    set_rule(client, world, "round_robin", pool)
    ids = [p.id for p in pool]
    assert assignees(submit, 7) == ids + ids + ids[:1]
    # Other departments and offices are not the rule's.
    assert submit(category="IT-PC")["assignee"] is None
    assert submit(location={"lat": 51.13, "lon": 71.43})["assignee"] is None  # Astana


def test_an_auto_assignment_is_an_assigned_event_without_actor_and_notifies_the_assignee(client, app, world, submit):
    set_rule(client, world, "round_robin", [world.manager_fac_ala])
    created = submit()
    assert created["assignee"]["id"] == world.manager_fac_ala.id
    with app.app_context():
        event = db.session.scalar(sa.select(RequestEvent).where(RequestEvent.request_id == created["id"],
                                                                RequestEvent.event == "assigned"))
        assert event.actor_id is None
        assert event.data == {"assignee": {"id": world.manager_fac_ala.id, "full_name": "Test Person"},
                              "rule": "round_robin"}
        notified = db.session.scalars(sa.select(Notification.event).where(
            Notification.request_id == created["id"], Notification.user_id == world.manager_fac_ala.id)).all()
        assert sorted(notified) == ["assigned", "request_created"]
    read = client.get(f"/api/v1/requests/{created['id']}", headers=world.manager_fac_ala.headers)
    assert read.status_code == 200 and read.get_json()["assignee"]["id"] == world.manager_fac_ala.id


def test_unavailable_members_are_skipped_and_come_back_after_until(client, app, world, submit, fourth):
    pool = [world.manager_fac_ala, world.admin_ala, fourth]
    set_rule(client, world, "round_robin", pool)
    away = client.put("/api/v1/me/availability", json={"available": False}, headers=world.admin_ala.headers)
    assert away.status_code == 204
    rule = client.get("/api/v1/assignment-rules", headers=world.admin.headers).get_json()["items"][0]
    assert [m["available"] for m in rule["pool"]] == [True, False, True]
    assert client.get("/api/v1/me", headers=world.admin_ala.headers).get_json()["available"] is False
    assert assignees(submit, 3) == [world.manager_fac_ala.id, fourth.id, world.manager_fac_ala.id]

    until = (utcnow() + timedelta(hours=2)).isoformat()
    response = client.put("/api/v1/me/availability", json={"available": False, "until": until},
                          headers=fourth.headers)
    assert response.status_code == 204
    back = client.put("/api/v1/me/availability", json={"available": True}, headers=world.admin_ala.headers)
    assert back.status_code == 204
    assert assignees(submit, 2) == [world.admin_ala.id, world.manager_fac_ala.id]
    with app.app_context():  # the absence's end has come
        db.session.get(User, fourth.id).available_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert assignees(submit, 2) == [world.admin_ala.id, fourth.id]


def test_nobody_available_leaves_the_request_unassigned(client, world, submit):
    set_rule(client, world, "round_robin", [world.manager_fac_ala])
    client.put("/api/v1/me/availability", json={"available": False}, headers=world.manager_fac_ala.headers)
    assert submit()["assignee"] is None


def test_a_member_whose_scope_shrank_is_skipped_and_dropped_from_the_pool(client, app, world, submit, fourth):
    set_rule(client, world, "round_robin", [world.manager_fac_ala, fourth])
    with app.app_context():  # a change that bypassed the account API: skipped at create
        db.session.get(User, world.manager_fac_ala.id).department_codes = ["IT"]
        db.session.commit()
    assert assignees(submit, 2) == [fourth.id, fourth.id]
    # Through the account API the scope loss also takes them out of the pool.
    response = client.patch(f"/api/v1/users/{fourth.id}", json={"office_ids": [world.ast]},
                            headers=world.admin.headers)
    assert response.status_code == 200, response.get_json()
    rule = client.get("/api/v1/assignment-rules", headers=world.admin.headers).get_json()["items"][0]
    assert [m["id"] for m in rule["pool"]] == [world.manager_fac_ala.id]
    assert submit()["assignee"] is None


# --- least open -----------------------------------------------------------------------------------

def test_least_open_takes_the_fewest_open_then_the_longest_since_last_assigned(client, app, world, submit, fourth,
                                                                                etag_of):
    # manager_fac_ala holds two open requests, fourth one resolved one (final ones do not count).
    held = [submit()["id"] for _ in range(3)]
    for request_id, who in zip(held, (world.manager_fac_ala, world.manager_fac_ala, fourth), strict=True):
        response = client.patch(f"/api/v1/requests/{request_id}", json={"assignee_id": who.id},
                                headers={**world.admin.headers, "If-Match": etag_of(request_id)})
        assert response.status_code == 200, response.get_json()
    for status in ("in_progress", "rejected"):
        assert client.post(f"/api/v1/requests/{held[2]}/status", json={"status": status, "comment": "no"},
                           headers=fourth.headers).status_code == 200
    set_rule(client, world, "least_open", [world.manager_fac_ala, fourth])
    # fourth (0 open) twice; then 2 and 2: the tie goes to the one assigned longest ago by the rule
    # (manager_fac_ala, never); then fourth again (3 against 2), then a tie broken by last assignment.
    assert assignees(submit, 5) == [fourth.id, fourth.id, world.manager_fac_ala.id, fourth.id,
                                    world.manager_fac_ala.id]


def test_least_open_skips_the_unavailable(client, world, submit, fourth):
    set_rule(client, world, "least_open", [world.manager_fac_ala, fourth])
    client.put("/api/v1/me/availability", json={"available": False}, headers=world.manager_fac_ala.headers)
    assert assignees(submit, 3) == [fourth.id] * 3


# --- availability ---------------------------------------------------------------------------------

@pytest.mark.parametrize("body, field", [
    ({"available": True, "until": "2030-01-01T00:00:00Z"}, "until"),
    ({"available": False, "until": "2020-01-01T00:00:00Z"}, "until"),
    ({"available": "maybe"}, "available"), ({}, "available"), ({"available": False, "extra": 1}, "extra"),
])
def test_bad_availability_is_refused_and_changes_nothing(client, app, world, body, field):
    response = client.put("/api/v1/me/availability", json=body, headers=world.admin_ala.headers)
    error = assert_error(response, 422, "validation_error")
    assert field in error["details"]
    with app.app_context():
        user = db.session.get(User, world.admin_ala.id)
        assert (user.available, user.available_until) == (True, None)


def test_employees_have_no_availability(client, world):
    assert_error(client.put("/api/v1/me/availability", json={"available": False}, headers=world.employee.headers),
                 403, "forbidden")


def test_until_is_shown_and_cleared(client, world):
    until = "2099-01-01T09:00:00+00:00"
    client.put("/api/v1/me/availability", json={"available": False, "until": until}, headers=world.admin_ala.headers)
    me = client.get("/api/v1/me", headers=world.admin_ala.headers).get_json()
    assert (me["available"], me["available_until"]) == (False, until)
    client.put("/api/v1/me/availability", json={"available": True}, headers=world.admin_ala.headers)
    me = client.get("/api/v1/me", headers=world.admin_ala.headers).get_json()
    assert (me["available"], me["available_until"]) == (True, None)


# --- concurrency ----------------------------------------------------------------------------------

@pytest.mark.postgres_only
@pytest.mark.parametrize("mode", ["round_robin", "least_open"])
def test_concurrent_creates_never_share_a_turn(client, app, world, fourth, mode):
    pool = [world.manager_fac_ala, world.admin_ala, fourth, world.admin]
    set_rule(client, world, mode, pool)
    threads_count, per_thread = 8, 5
    barrier = threading.Barrier(threads_count)
    statuses = []

    def worker():
        own = app.test_client()
        barrier.wait()
        for _ in range(per_thread):
            response = own.post("/api/v1/requests", json={"title": "AC is broken", "category": "FAC-AC",
                                                          "location": ALA_POINT}, headers=world.employee.headers)
            statuses.append(response.status_code)

    threads = [threading.Thread(target=worker) for _ in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201] * threads_count * per_thread
    with app.app_context():
        order = db.session.scalars(sa.select(ServiceRequest.assignee_id).order_by(ServiceRequest.id)).all()
    ids = [p.id for p in pool]
    assert {i: order.count(i) for i in ids} == dict.fromkeys(ids, 10)
    if mode == "round_robin":
        # The turns were taken one after another: by request id, the pool's order, over and over.
        assert order == ids * 10


# --- the demo ---------------------------------------------------------------------------------------

def test_seed_demo_adds_one_round_robin_rule_for_the_headquarters_facilities(app, runner, client, login):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0 and "created assignment rule ALA-HQ/FAC" in first.output, first.output
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "exists  assignment rule ALA-HQ/FAC" in again.output
    headers = {"Authorization": f"Bearer {login('demo-admin', 'demo12345')['access_token']}"}
    rules = client.get("/api/v1/assignment-rules", headers=headers).get_json()["items"]
    assert [(r["department"], r["mode"], len(r["pool"])) for r in rules] == [("FAC", "round_robin", 2)]
    with app.app_context():
        logins = db.session.scalars(sa.select(User.login).join(AssignmentPoolMember, AssignmentPoolMember.user_id == User.id)
                                    .order_by(AssignmentPoolMember.position)).all()
    assert logins == ["demo-admin", "demo-manager"]
