"""Rooms of an office through the API: who may list and change them, codes unique per office,
rooms with requests kept, and QR tags replaced."""
import pytest

from tests.support.api import all_rows, assert_error

ROOM = {"code": "305", "name": {"kk": "Өндіріс бөлімі", "ru": "Производственный отдел"}, "floor": 3}


@pytest.fixture
def room(client, world):
    response = client.post(f"/api/v1/offices/{world.ala}/rooms", json=ROOM, headers=world.admin.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_an_administrator_adds_a_room_and_anyone_lists_it(client, world, room):
    assert room == {"id": room["id"], "office_id": world.ala, "code": "305", "name": ROOM["name"], "floor": 3}
    for who in (world.employee, world.manager_it, world.admin_ast):
        listed = client.get(f"/api/v1/offices/{world.ala}/rooms", headers=who.headers)
        assert listed.status_code == 200
        assert listed.get_json()["items"] == [room]
    assert client.get(f"/api/v1/offices/{world.ast}/rooms", headers=world.employee.headers).get_json()["items"] == []
    assert_error(client.get("/api/v1/offices/999999/rooms", headers=world.employee.headers), 404)


def test_rooms_are_listed_by_floor_then_code(client, world):
    for code, floor in (("B", 2), ("A", 2), ("C", None), ("Z", 1)):
        body = {"code": code, "name": "Room", **({"floor": floor} if floor is not None else {})}
        assert client.post(f"/api/v1/offices/{world.ala}/rooms", json=body,
                           headers=world.admin.headers).status_code == 201
    items = client.get(f"/api/v1/offices/{world.ala}/rooms", headers=world.employee.headers).get_json()["items"]
    assert [i["code"] for i in items] == ["Z", "A", "B", "C"]


@pytest.mark.parametrize("who", ["employee", "manager_it", "admin_ala"])
def test_only_company_wide_administrators_change_rooms(app, client, world, room, who):
    headers = getattr(world, who).headers
    before = all_rows(app)
    assert_error(client.post(f"/api/v1/offices/{world.ala}/rooms", json={**ROOM, "code": "306"}, headers=headers), 403)
    assert_error(client.patch(f"/api/v1/rooms/{room['id']}", json={"name": "x"}, headers=headers), 403)
    assert_error(client.delete(f"/api/v1/rooms/{room['id']}", headers=headers), 403)
    assert_error(client.post(f"/api/v1/rooms/{room['id']}/qr-token", headers=headers), 403)
    assert_error(client.get(f"/api/v1/rooms/{room['id']}/qr.png", headers=headers), 403)
    assert_error(client.get(f"/api/v1/offices/{world.ala}/qr-sheet.pdf", headers=headers), 403)
    assert all_rows(app) == before


def test_a_room_code_is_unique_per_office(app, client, world, room):
    before = all_rows(app)
    error = assert_error(client.post(f"/api/v1/offices/{world.ala}/rooms", json={**ROOM, "code": "305"},
                                     headers=world.admin.headers), 409, "conflict")
    assert error["details"] == {"code": ["already used in this office"]}
    # Codes are kept upper-case, so a differently cased code is the same one.
    lower = {"code": "b1", "name": "Parking"}
    assert client.post(f"/api/v1/offices/{world.ala}/rooms", json=lower, headers=world.admin.headers).status_code == 201
    assert_error(client.post(f"/api/v1/offices/{world.ala}/rooms", json={**lower, "code": "B1"},
                             headers=world.admin.headers), 409)
    # Another office may use the same code.
    other = client.post(f"/api/v1/offices/{world.ast}/rooms", json=ROOM, headers=world.admin.headers)
    assert other.status_code == 201
    # Renaming onto a used code is refused as well, and changes nothing.
    before = all_rows(app)
    assert_error(client.patch(f"/api/v1/rooms/{room['id']}", json={"code": "b1", "name": "New"},
                              headers=world.admin.headers), 409)
    assert all_rows(app) == before


def test_an_administrator_edits_and_deletes_a_room(client, world, room):
    edited = client.patch(f"/api/v1/rooms/{room['id']}", json={"name": "Зал", "floor": None, "code": "305a"},
                          headers=world.admin.headers)
    assert edited.status_code == 200
    assert edited.get_json() == {**room, "name": {"ru": "Зал", "kk": "Зал", "en": "Зал"}, "floor": None,
                                 "code": "305A"}
    assert client.delete(f"/api/v1/rooms/{room['id']}", headers=world.admin.headers).status_code == 204
    assert client.get(f"/api/v1/offices/{world.ala}/rooms", headers=world.admin.headers).get_json()["items"] == []
    assert_error(client.delete(f"/api/v1/rooms/{room['id']}", headers=world.admin.headers), 404)
    assert_error(client.patch(f"/api/v1/rooms/{room['id']}", json={"name": "x"}, headers=world.admin.headers), 404)


@pytest.mark.parametrize("body", [{}, {"code": "has space", "name": "x"}, {"code": "A", "name": ""},
                                  {"code": "A", "name": {"de": "Raum"}}, {"code": "A", "name": "x", "floor": "3"},
                                  {"code": "A", "name": "x", "floor": 10**9}, {"code": "A"}])
def test_a_bad_room_body_is_422_and_writes_nothing(app, client, world, body):
    before = all_rows(app)
    assert_error(client.post(f"/api/v1/offices/{world.ala}/rooms", json=body, headers=world.admin.headers),
                 422, "validation_error")
    assert all_rows(app) == before


def test_a_room_with_requests_is_not_deleted(app, client, world, room, submit):
    token = client.post(f"/api/v1/rooms/{room['id']}/qr-token", headers=world.admin.headers).get_json()["qr_token"]
    submit(qr_token=token, location=None)
    before = all_rows(app)
    error = assert_error(client.delete(f"/api/v1/rooms/{room['id']}", headers=world.admin.headers), 409, "conflict")
    assert "1 request" in error["message"]
    assert all_rows(app) == before
    ru = client.delete(f"/api/v1/rooms/{room['id']}", headers={**world.admin.headers, "Accept-Language": "ru"})
    assert ru.status_code == 409


def test_replacing_the_tag_retires_the_old_one_at_once(client, world, room):
    first = client.post(f"/api/v1/rooms/{room['id']}/qr-token", headers=world.admin.headers)
    assert first.status_code == 200
    old = first.get_json()["qr_token"]
    assert len(old) == 22
    assert client.get(f"/api/v1/qr/{old}", headers=world.employee.headers).status_code == 200
    new = client.post(f"/api/v1/rooms/{room['id']}/qr-token", headers=world.admin.headers).get_json()["qr_token"]
    assert new != old
    assert_error(client.get(f"/api/v1/qr/{old}", headers=world.employee.headers), 404, "not_found")
    assert client.get(f"/api/v1/qr/{new}", headers=world.employee.headers).get_json()["room"]["id"] == room["id"]
    assert_error(client.post("/api/v1/rooms/999999/qr-token", headers=world.admin.headers), 404)


def test_deleting_an_office_takes_its_rooms_along(app, client, world, room):
    assert client.delete(f"/api/v1/offices/{world.ala}", headers=world.admin.headers).status_code == 409  # its people
    response = client.post("/api/v1/offices", json={"code": "TMP", "name": "Temporary",
                                                    "geofence": {"type": "Polygon", "coordinates": [[
                                                        [10, 10], [10.01, 10], [10.01, 10.01], [10, 10]]]}},
                           headers=world.admin.headers)
    office = response.get_json()["id"]
    tmp_room = client.post(f"/api/v1/offices/{office}/rooms", json={"code": "1", "name": "One"},
                           headers=world.admin.headers).get_json()
    assert client.delete(f"/api/v1/offices/{office}", headers=world.admin.headers).status_code == 204
    assert_error(client.patch(f"/api/v1/rooms/{tmp_room['id']}", json={"name": "x"}, headers=world.admin.headers), 404)
    assert client.get(f"/api/v1/offices/{world.ala}/rooms", headers=world.admin.headers).get_json()["items"] == [room]
