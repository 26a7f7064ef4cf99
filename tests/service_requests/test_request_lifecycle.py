"""The whole life of a request through HTTP, and every refused move (API.md status machine)."""
from datetime import timedelta

import pytest

from offices.directory import bump_version
from offices.models import Office
from service_app.extensions import db
from service_requests.lifecycle.status import TRANSITIONS
from service_requests.models import ServiceRequest

from tests.support.api import move
from tests.support.places import ALA_POINT, AST_POINT, NOWHERE


def test_created_request_is_routed_numbered_and_coarsened(submit, world):
    req = submit(description="Room 305, since this morning", priority="high")
    assert req["number"] == f"SR-{req['id']:06d}"
    assert req["status"] == "new" and req["priority"] == "high" and req["version"] == 1
    assert req["office"]["code"] == "ALA" and req["routed_by"] == "geofence"
    assert req["department"]["code"] == "FAC" and req["category"] == "FAC-AC"
    assert req["author"] == {"id": world.employee.id, "full_name": "Aigerim"} and req["assignee"] is None
    assert req["location"] == {"lat": 43.21, "lon": 76.91}
    assert req["sla"]["paused"] is False and req["sla"]["response_due_at"].endswith("+00:00")


def test_routing_rules_on_create(submit, world):
    assert submit(location=AST_POINT)["office"]["code"] == "AST"
    explicit = submit(location=ALA_POINT, office_id=world.ast)
    assert explicit["office"]["code"] == "AST" and explicit["routed_by"] == "manual"
    home = submit(location=NOWHERE)
    assert home["office"]["code"] == "ALA" and home["routed_by"] == "home_office"
    no_location = submit(location=None)
    assert no_location["routed_by"] == "home_office" and "location" not in no_location


def test_office_required_without_home_office(client, world, auth):
    homeless = auth("employee")
    response = client.post("/api/v1/requests", json={"title": "Printer", "category": "IT-PC", "location": NOWHERE},
                           headers=homeless.headers)
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "office_required"


def test_whole_life_to_closed_with_rating(client, submit, world):
    req = submit()
    rid = req["id"]
    assert move(client, world.admin, rid, "in_progress").status_code == 200
    waiting = move(client, world.admin, rid, "waiting", comment="Which room exactly?")
    assert waiting.get_json()["status"] == "waiting" and waiting.get_json()["sla"]["paused"] is True
    # The author answering puts it back in progress automatically.
    assert client.post(f"/api/v1/requests/{rid}/comments", json={"body": "Room 305"},
                       headers=world.employee.headers).status_code == 201
    current = client.get(f"/api/v1/requests/{rid}", headers=world.employee.headers).get_json()
    assert current["status"] == "in_progress" and current["sla"]["paused"] is False
    resolved = move(client, world.admin, rid, "resolved", comment="Filter replaced").get_json()
    assert resolved["resolved_at"] is not None
    closed = move(client, world.employee, rid, "closed", rating=5, comment="Thanks!").get_json()
    assert closed["status"] == "closed" and closed["rating"] == 5 and closed["closed_at"] is not None
    events = client.get(f"/api/v1/requests/{rid}/events", headers=world.employee.headers).get_json()["items"]
    moves = [(e["data"]["from"], e["data"]["to"]) for e in events if e["event"] == "status_changed"]
    assert moves == [("new", "in_progress"), ("in_progress", "waiting"), ("waiting", "in_progress"),
                     ("in_progress", "resolved"), ("resolved", "closed")]
    assert [e for e in events if e["event"] == "status_changed"][2]["data"]["automatic"] is True
    assert events[0]["event"] == "created" and events[1]["event"] == "routed"
    assert all(e["actor"] for e in events)


def test_author_reopens_within_the_window_only(client, app, submit, world):
    rid = submit()["id"]
    move(client, world.admin, rid, "in_progress")
    move(client, world.admin, rid, "resolved")
    assert move(client, world.employee, rid, "in_progress").get_json()["status"] == "in_progress"
    move(client, world.admin, rid, "resolved")
    with app.app_context():
        req = db.session.get(ServiceRequest, rid)
        req.resolved_at -= timedelta(days=8)
        db.session.commit()
    late = move(client, world.employee, rid, "in_progress")
    assert late.status_code == 409 and late.get_json()["error"]["details"]["allowed"] == ["closed"]


def test_author_cancels_a_new_request(client, submit, world):
    rid = submit()["id"]
    assert move(client, world.employee, rid, "cancelled").get_json()["status"] == "cancelled"
    assert move(client, world.admin, rid, "in_progress").status_code == 409


def test_rejection_needs_a_comment(client, submit, world):
    rid = submit()["id"]
    response = move(client, world.admin, rid, "rejected")
    assert response.status_code == 422 and "comment" in response.get_json()["error"]["details"]
    assert move(client, world.admin, rid, "rejected", comment="Not our office").get_json()["status"] == "rejected"


# Every (from, to, role) not in the table is refused with the allowed moves listed.
STATES_PATH = {
    "new": [],
    "in_progress": [("admin", "in_progress")],
    "waiting": [("admin", "in_progress"), ("admin", "waiting")],
    "resolved": [("admin", "in_progress"), ("admin", "resolved")],
    "closed": [("admin", "in_progress"), ("admin", "resolved"), ("employee", "closed")],
    "rejected": [("admin", "rejected")],
    "cancelled": [("employee", "cancelled")],
}
ALL = ["new", "in_progress", "waiting", "resolved", "closed", "rejected", "cancelled"]


@pytest.mark.parametrize("start", ALL)
@pytest.mark.parametrize("role", ["employee", "admin", "other_employee", "admin_ast"])
def test_every_refused_transition(client, submit, world, start, role):
    rid = submit()["id"]
    for who, status in STATES_PATH[start]:
        body = {"comment": "because"} if status == "rejected" else {}
        assert move(client, getattr(world, who), rid, status, **body).status_code == 200
    who = "author" if role == "employee" else "staff" if role == "admin" else None
    for target in ALL:
        allowed = TRANSITIONS.get((start, target)) == who and who is not None
        if allowed:
            continue
        response = move(client, getattr(world, role), rid, target, comment="x")
        if role in ("other_employee", "admin_ast"):
            assert response.status_code == 404, (start, target)  # cannot even see it
        else:
            assert response.status_code == 409, (start, target, response.get_json())
            error = response.get_json()["error"]
            assert error["code"] == "invalid_transition"
            assert set(error["details"]["allowed"]) == {t for (f, t), w in TRANSITIONS.items()
                                                         if f == start and w == who}


def test_first_response_is_the_first_staff_comment_or_move(client, submit, world):
    rid = submit()["id"]
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "note", "internal": True}, headers=world.admin.headers)
    assert client.get(f"/api/v1/requests/{rid}", headers=world.admin.headers).get_json()["first_response_at"] is None
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "On it"}, headers=world.admin.headers)
    first = client.get(f"/api/v1/requests/{rid}", headers=world.admin.headers).get_json()["first_response_at"]
    assert first is not None
    move(client, world.admin, rid, "in_progress")
    assert client.get(f"/api/v1/requests/{rid}", headers=world.admin.headers).get_json()["first_response_at"] == first
    other = submit()["id"]
    assert move(client, world.admin, other, "in_progress").get_json()["first_response_at"] is not None


def test_internal_notes_hidden_from_employees(client, submit, world):
    rid = submit()["id"]
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "Secret vendor price", "internal": True},
                headers=world.admin.headers)
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "We are on it"}, headers=world.admin.headers)
    employee_view = client.get(f"/api/v1/requests/{rid}/comments", headers=world.employee.headers).get_json()["items"]
    assert [c["body"] for c in employee_view] == ["We are on it"]
    staff_view = client.get(f"/api/v1/requests/{rid}/comments", headers=world.admin.headers).get_json()["items"]
    assert [c["internal"] for c in staff_view] == [True, False]
    events = client.get(f"/api/v1/requests/{rid}/events", headers=world.employee.headers).get_json()["items"]
    assert all(not e["internal"] for e in events) and len(events) == 3
    response = client.post(f"/api/v1/requests/{rid}/comments", json={"body": "sneaky", "internal": True},
                           headers=world.employee.headers)
    assert response.status_code == 403


def test_comments_on_final_requests_are_refused(client, submit, world):
    rid = submit()["id"]
    move(client, world.employee, rid, "cancelled")
    response = client.post(f"/api/v1/requests/{rid}/comments", json={"body": "hello?"}, headers=world.employee.headers)
    assert response.status_code == 409


@pytest.mark.parametrize("body, field", [
    # An unknown or inactive category is named first, whatever is wrong with the office.
    ({"category": "NOPE", "office_id": 999999}, "category"),
    ({"category": "OLD", "location": NOWHERE}, "category"),
    ({"category": "NOPE", "location": {"lat": 76.91, "lon": 43.21}}, "category"),
    # Then an explicit office that is not there, before a bad point.
    ({"office_id": 999999, "location": {"lat": 76.91, "lon": 43.21}}, "office_id"),
    ({"office_id": 999999}, "office_id"),
    # Then the point itself (lat and lon swapped).
    ({"location": {"lat": 76.91, "lon": 43.21}}, "lat"),
])
def test_create_names_the_first_wrong_field(client, world, auth, body, field):
    homeless = auth("employee")
    payload = {"title": "AC is broken", "category": "FAC-AC", "location": ALA_POINT, **body}
    response = client.post("/api/v1/requests", json=payload, headers=homeless.headers)
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["error"]["details"]) == [field], response.get_json()


def test_create_with_an_inactive_office_named(app, client, world):
    with app.app_context():
        db.session.get(Office, world.ast).is_active = False
        bump_version()
        db.session.commit()
    response = client.post("/api/v1/requests", json={"title": "AC is broken", "category": "FAC-AC", "office_id": world.ast},
                           headers=world.employee.headers)
    assert response.status_code == 422 and list(response.get_json()["error"]["details"]) == ["office_id"]
