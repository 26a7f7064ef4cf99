"""Requests filed through a room's QR tag: routed by the tag without any location, shown with
their room, filtered and reported by room, counted in the dashboard's hotspots per room, and
anonymised by retention like any other."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from service_app.database import utcnow
from service_app.extensions import db
from service_requests.models import RequestEvent, ServiceRequest
from tests.support.api import all_rows, assert_error, move
from tests.support.places import ALA_POINT, AST_POINT


@pytest.fixture
def rooms(client, world):
    """Two rooms of Almaty and one of Astana: ``{name: (room, token)}``."""
    made = {}
    for name, office, code in (("a305", world.ala, "305"), ("a306", world.ala, "306"), ("t305", world.ast, "305")):
        room = client.post(f"/api/v1/offices/{office}/rooms", json={"code": code, "name": {"kk": f"Бөлме {code}"}},
                           headers=world.admin.headers).get_json()
        token = client.post(f"/api/v1/rooms/{room['id']}/qr-token", headers=world.admin.headers).get_json()["qr_token"]
        made[name] = (room, token)
    return made


def room_ref(room):
    return {"id": room["id"], "code": room["code"], "name": room["name"]}


def test_a_request_filed_through_a_tag_is_routed_by_it_without_a_location(app, client, world, rooms):
    room, token = rooms["t305"]  # an Almaty employee standing in an Astana room
    body = {"title": "AC is broken", "category": "FAC-AC", "qr_token": token}
    response = client.post("/api/v1/requests", json=body, headers=world.employee.headers)
    assert response.status_code == 201, response.get_json()
    req = response.get_json()
    assert req["office"]["id"] == world.ast and req["routed_by"] == "qr"
    assert req["room"] == room_ref(room)
    assert "location" not in req
    events = client.get(f"/api/v1/requests/{req['id']}/events", headers=world.admin.headers).get_json()["items"]
    routed = next(e for e in events if e["event"] == "routed")
    assert routed["data"]["room"] == {"id": room["id"], "code": "305"} and routed["data"]["routed_by"] == "qr"
    for who in (world.employee, world.admin, world.admin_ast):
        assert client.get(f"/api/v1/requests/{req['id']}", headers=who.headers).get_json()["room"] == room_ref(room)


def test_a_location_sent_with_a_tag_is_not_stored(app, client, world, rooms):
    room, token = rooms["a305"]
    body = {"title": "AC is broken", "category": "FAC-AC", "qr_token": token, "location": AST_POINT}
    req = client.post("/api/v1/requests", json=body, headers=world.employee.headers).get_json()
    assert req["office"]["id"] == world.ala and "location" not in req  # the tag wins, the point is dropped
    with app.app_context():
        stored = db.session.get(ServiceRequest, req["id"])
        assert stored.location_lat is None and stored.location_lon is None and stored.room_id == room["id"]


def test_a_request_without_a_tag_has_no_room(client, world, submit):
    req = submit()
    assert req["room"] is None and req["routed_by"] != "qr"


def test_the_tag_s_own_office_may_be_named(client, world, rooms):
    _, token = rooms["a305"]
    body = {"title": "AC is broken", "category": "FAC-AC", "qr_token": token, "office_id": world.ala}
    assert client.post("/api/v1/requests", json=body, headers=world.employee.headers).status_code == 201


def test_a_tag_with_a_contradicting_office_is_422_and_writes_nothing(app, client, world, rooms):
    _, token = rooms["a305"]
    before = all_rows(app)
    body = {"title": "AC is broken", "category": "FAC-AC", "qr_token": token, "office_id": world.ast}
    error = assert_error(client.post("/api/v1/requests", json=body, headers=world.employee.headers),
                         422, "validation_error")
    assert list(error["details"]) == ["office_id"]
    assert all_rows(app) == before


@pytest.mark.parametrize("token", ["nope", "A" * 22, "x" * 200, ""])
def test_an_unknown_or_malformed_tag_writes_nothing(app, client, world, rooms, token):
    before = all_rows(app)
    body = {"title": "AC is broken", "category": "FAC-AC", "qr_token": token}
    response = client.post("/api/v1/requests", json=body, headers=world.employee.headers)
    assert response.status_code in (404, 422)
    assert response.status_code == (422 if token in ("", "x" * 200) else 404)
    assert all_rows(app) == before


def test_a_replaced_tag_no_longer_files_requests(app, client, world, rooms):
    room, token = rooms["a305"]
    client.post(f"/api/v1/rooms/{room['id']}/qr-token", headers=world.admin.headers)
    before = all_rows(app)
    body = {"title": "AC is broken", "category": "FAC-AC", "qr_token": token}
    assert_error(client.post("/api/v1/requests", json=body, headers=world.employee.headers), 404)
    assert all_rows(app) == before


def test_an_unknown_category_with_a_tag_is_still_422(client, world, rooms):
    body = {"title": "AC is broken", "category": "NOPE", "qr_token": rooms["a305"][1]}
    assert_error(client.post("/api/v1/requests", json=body, headers=world.employee.headers), 422)


def test_moving_a_request_to_another_office_leaves_its_room(client, world, rooms, etag_of):
    req = client.post("/api/v1/requests", json={"title": "AC is broken", "category": "FAC-AC",
                                                "qr_token": rooms["a305"][1]}, headers=world.employee.headers).get_json()
    moved = client.patch(f"/api/v1/requests/{req['id']}", json={"office_id": world.ast},
                         headers={**world.admin.headers, "If-Match": etag_of(req["id"])})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["room"] is None


def file_in(client, world, rooms, name, count, category="FAC-AC"):
    ids = []
    for _ in range(count):
        response = client.post("/api/v1/requests", json={"title": "AC is broken", "category": category,
                                                         "qr_token": rooms[name][1]}, headers=world.employee.headers)
        assert response.status_code == 201
        ids.append(response.get_json()["id"])
    return ids


def test_the_list_filters_by_room(client, world, rooms, submit):
    in_305 = file_in(client, world, rooms, "a305", 2)
    in_306 = file_in(client, world, rooms, "a306", 1)
    in_ast = file_in(client, world, rooms, "t305", 1)
    submit()

    def ids(query, who=world.admin):
        response = client.get(f"/api/v1/requests?{query}", headers=who.headers)
        assert response.status_code == 200, response.get_json()
        return sorted(i["id"] for i in response.get_json()["items"])

    a305, a306, t305 = (rooms[n][0]["id"] for n in ("a305", "a306", "t305"))
    assert ids(f"room_id={a305}") == sorted(in_305)
    assert ids(f"room_id={a305}&room_id={a306}") == sorted(in_305 + in_306)
    assert ids(f"room_id={t305}") == in_ast
    # The filter narrows the caller's own view: an Almaty administrator sees no Astana room's requests.
    assert ids(f"room_id={t305}", world.admin_ala) == []
    assert ids(f"room_id={a305}", world.other_employee) == []
    assert_error(client.get("/api/v1/requests?room_id=abc", headers=world.admin.headers), 422)


def test_the_sla_report_groups_by_room(client, world, rooms, submit):
    file_in(client, world, rooms, "a305", 2)
    file_in(client, world, rooms, "t305", 1)
    submit()
    response = client.get("/api/v1/reports/sla?group_by=room", headers=world.admin.headers)
    assert response.status_code == 200, response.get_json()
    groups = {g["key"]: (g["label"], g["total"]) for g in response.get_json()["groups"]}
    assert groups == {str(rooms["a305"][0]["id"]): ("ALA 305 Бөлме 305", 2),
                      str(rooms["t305"][0]["id"]): ("AST 305 Бөлме 305", 1), None: ("no room", 1)}
    scoped = client.get("/api/v1/reports/sla?group_by=room", headers=world.admin_ast.headers).get_json()
    assert {g["key"]: g["total"] for g in scoped["groups"]} == {str(rooms["t305"][0]["id"]): 1}
    csv = client.get("/api/v1/reports/sla.csv?group_by=room", headers=world.admin.headers)
    assert csv.status_code == 200 and "AST 305" in csv.get_data(as_text=True)


def test_hotspots_are_rooms_where_requests_have_rooms(app, client, world, rooms, submit):
    app.config["HOTSPOT_MIN"] = 3
    file_in(client, world, rooms, "a305", 2)
    file_in(client, world, rooms, "a305", 1, category="IT-PC")  # a room counts every category
    file_in(client, world, rooms, "a306", 2)  # below the minimum
    for _ in range(3):
        submit()  # without a room: office × category
    body = client.get("/api/v1/reports/dashboard", headers=world.admin.headers)
    assert body.status_code == 200, body.get_json()
    spots = body.get_json()["hotspots"]
    room = rooms["a305"][0]
    assert spots == [  # equal counts: by office, the office × category spots before its rooms
        {"office": {"id": world.ala, "name": "Almaty"}, "room": None,
         "category": {"code": "FAC-AC", "name": "AC"}, "count": 3},
        {"office": {"id": world.ala, "name": "Almaty"}, "room": room_ref(room), "category": None, "count": 3}]


def test_retention_anonymises_a_room_s_requests_like_others(app, client, world, rooms, runner):
    rid = file_in(client, world, rooms, "a305", 1)[0]
    move(client, world.employee, rid, "cancelled")
    with app.app_context():
        db.session.get(ServiceRequest, rid).closed_at = utcnow() - timedelta(days=1900)
        db.session.commit()
    result = runner.invoke(args=["retention", "run"])
    assert "requests anonymised: 1" in result.output
    with app.app_context():
        req = db.session.get(ServiceRequest, rid)
        assert req.title == "[removed]" and req.author_id != world.employee.id
        assert req.room_id == rooms["a305"][0]["id"]  # where, not who: a room is no personal data
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RequestEvent)
                                 .where(RequestEvent.request_id == rid, RequestEvent.actor_id == world.employee.id)) == 0
    assert ALA_POINT  # the places module is shared with the other request tests


def test_the_author_s_export_names_the_room(client, world, rooms):
    rid = file_in(client, world, rooms, "a305", 1)[0]
    data = client.get("/api/v1/me/data", headers=world.employee.headers).get_json()
    mine = next(r for r in data["requests"] if r["id"] == rid)
    assert mine["room"] == {"id": rooms["a305"][0]["id"], "code": "305"} and mine["location"] is None


def test_the_csv_names_the_room(client, world, rooms, submit):
    file_in(client, world, rooms, "a305", 1)
    submit()
    text = client.get("/api/v1/requests.csv", headers=world.admin.headers).get_data(as_text=True).lstrip("\ufeff")
    header, *rows = [line.split(",") for line in text.strip().splitlines()]
    column = header.index("Room")
    assert sorted(row[column] for row in rows) == ["", "305 Бөлме 305"]
