"""What a place already knows, shown before the form: a scanned tag (``GET /qr/{token}``), the
similar requests (``GET /requests/similar``) and the notices (``GET /notices``) all name the
same office for a room's tag, and show its active notices and the room's open requests."""
from tests.service_requests.test_qr_requests import rooms  # noqa: F401 (a fixture)
from tests.support.api import assert_error, move

LIFT = "The lift in block B is out"


def notice_at(client, world, office_id, **body):
    response = client.post(f"/api/v1/offices/{office_id}/notices", json={"title": LIFT, **body},
                           headers=world.admin.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def file_by_tag(client, world, token, title="AC is broken"):
    response = client.post("/api/v1/requests", json={"title": title, "category": "FAC-AC", "qr_token": token},
                           headers=world.employee.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_scanned_tag_shows_the_office_s_notices_and_the_room_s_open_requests(client, world, rooms):  # noqa: F811
    room, token = rooms["a305"]
    notice = notice_at(client, world, world.ala, room_id=room["id"])
    notice_at(client, world, world.ast)  # another office's: not shown
    here = file_by_tag(client, world, token)
    file_by_tag(client, world, rooms["a306"][1])  # the next room's: not shown
    done = file_by_tag(client, world, token, title="Printer jammed")
    move(client, world.employee, done["id"], "cancelled")  # not open any more

    answer = client.get(f"/api/v1/qr/{token}", headers=world.other_employee.headers).get_json()
    assert [n["id"] for n in answer["notices"]] == [notice["id"]]
    assert answer["notices"][0]["room"]["id"] == room["id"]
    assert [r["id"] for r in answer["open_requests"]] == [here["id"]]
    shown = answer["open_requests"][0]
    assert set(shown) == {"id", "number", "title", "status", "created_at", "followers_count", "following"}


def test_similar_and_notices_take_the_tag_as_the_place(client, world, rooms):  # noqa: F811
    room, token = rooms["t305"]  # an Almaty employee standing in an Astana room
    notice = notice_at(client, world, world.ast)
    there = file_by_tag(client, world, token)
    similar = client.get("/api/v1/requests/similar", query_string={"category": "FAC-AC", "qr_token": token},
                         headers=world.other_employee.headers).get_json()
    assert [r["id"] for r in similar["items"]] == [there["id"]]
    assert [n["id"] for n in similar["notices"]] == [notice["id"]]
    listed = client.get("/api/v1/notices", query_string={"qr_token": token}, headers=world.employee.headers)
    assert notice["id"] in [n["id"] for n in listed.get_json()["items"]]


def test_a_tag_that_names_nothing_or_contradicts_the_office_is_refused(client, world, rooms):  # noqa: F811
    _, token = rooms["t305"]
    for path, query in (("/requests/similar", {"category": "FAC-AC"}), ("/notices", {})):
        for bad in ("x" * 22, "not a tag", token[:-1]):
            assert_error(client.get(f"/api/v1{path}", query_string={**query, "qr_token": bad},
                                    headers=world.employee.headers), 404)
        assert_error(client.get(f"/api/v1{path}", query_string={**query, "qr_token": token, "office_id": world.ala},
                                headers=world.employee.headers), 422, "validation_error")


PLACE_LISTS = (("/requests/similar", {"category": "FAC-AC"}), ("/notices", {}))


def test_a_lone_coordinate_is_refused_naming_the_missing_one_and_the_document_says_so(client, world):
    """A point is ``lat`` and ``lon`` together: either alone is a 422 on the missing one, the same
    on both lists, whatever else names the place. OpenAPI cannot tie two query parameters
    together, so each one's description says it (a lone one used to look valid there)."""
    for path, query in PLACE_LISTS:
        for given, missing in (({"lat": 43.21}, "lon"), ({"lon": 76.91}, "lat"),
                               ({"lat": 43.21, "office_id": world.ala}, "lon")):
            error = assert_error(client.get(f"/api/v1{path}", query_string={**query, **given},
                                            headers=world.employee.headers), 422, "validation_error")
            assert error["details"] == {missing: ["give both lat and lon, or neither"]}, (path, error)
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, _ in PLACE_LISTS:
        parameters = {p["name"]: p for p in paths[f"/api/v1{path}"]["get"]["parameters"]}
        for name, other in (("lat", "lon"), ("lon", "lat")):
            assert not parameters[name].get("required")
            assert f"with `{other}`" in parameters[name].get("description", ""), (path, name)
