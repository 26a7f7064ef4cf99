"""Offices, departments, categories and the routing preview through HTTP."""
import pytest

from tests.support.api import bearer
from tests.support.places import box


ALMATY = box(76.90, 43.20, 76.92, 43.22)            # about 1.6 x 2.2 km
ALMATY_INNER = box(76.905, 43.205, 76.910, 43.210)  # nested inside ALMATY
ASTANA = box(71.42, 51.12, 71.44, 51.14)


@pytest.fixture
def admin(auth):
    return auth("administrator")


@pytest.fixture
def create_office(client, admin):
    def do(code, geofence, **fields):
        response = client.post("/api/v1/offices", json={"code": code, "name": f"Office {code}",
                                                        "geofence": geofence, **fields}, headers=admin.headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return do


def test_created_office_has_defaults(create_office):
    office = create_office("ala-1", ALMATY)
    assert office["code"] == "ALA-1" and office["timezone"] == "Asia/Almaty" and office["is_active"] is True
    assert office["business_hours"]["mon"] == [["09:00", "18:00"]] and "sat" not in office["business_hours"]
    assert office["holidays"] == [] and office["geofence"]["type"] == "Polygon"


@pytest.mark.parametrize("role, status", [("employee", 403), ("manager", 403)])
def test_only_administrators_change_offices(client, auth, create_office, role, status):
    office = create_office("ALA", ALMATY)
    caller = auth(role)
    assert client.post("/api/v1/offices", json={"code": "X", "name": "X", "geofence": ASTANA},
                       headers=caller.headers).status_code == status
    assert client.patch(f"/api/v1/offices/{office['id']}", json={"name": "Y"}, headers=caller.headers).status_code == status
    assert client.delete(f"/api/v1/offices/{office['id']}", headers=caller.headers).status_code == status
    assert client.get(f"/api/v1/offices/{office['id']}", headers=caller.headers).get_json()["name"] == "Office ALA"


def test_everyone_lists_active_offices_administrators_see_all(client, auth, admin, create_office):
    create_office("ALA", ALMATY)
    closed = create_office("AST", ASTANA)
    client.patch(f"/api/v1/offices/{closed['id']}", json={"is_active": False}, headers=admin.headers)
    employee = auth("employee")
    assert [o["code"] for o in client.get("/api/v1/offices", headers=employee.headers).get_json()["items"]] == ["ALA"]
    listing = client.get("/api/v1/offices", headers=admin.headers).get_json()
    assert [o["code"] for o in listing["items"]] == ["ALA", "AST"] and listing["next_cursor"] is None
    assert client.get("/api/v1/offices").status_code == 401


@pytest.mark.parametrize("geofence, reason", [
    ({"type": "Point", "coordinates": [76.9, 43.2]}, "Polygon or MultiPolygon, got Point"),
    ({"type": "LineString", "coordinates": [[76.9, 43.2], [76.91, 43.21]]}, "got LineString"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "Self-intersection"),
    ({"type": "Polygon", "coordinates": [[[76.9, 43.2], [76.91, 43.2], [76.91, 43.21], [76.9, 43.21]]]}, "closed"),
    (box(76.9, 95.0, 76.91, 95.1), "latitude"),
    (box(190.0, 43.2, 190.1, 43.3), "longitude"),
    (box(60.0, 40.0, 70.0, 50.0), "km across"),
    ({"type": "Polygon", "coordinates": []}, ""),
    ({"type": "Polygon", "coordinates": [[[76.9, 43.2], [76.91, 43.2], [76.92, 43.2], [76.9, 43.2]]]}, "zero area"),
    ({"type": "Polygon", "coordinates": "nope"}, "array"),
])
def test_invalid_geofence_is_refused_with_its_reason(client, admin, geofence, reason):
    response = client.post("/api/v1/offices", json={"code": "BAD", "name": "Bad", "geofence": geofence},
                           headers=admin.headers)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_geometry" and reason in error["message"]
    assert client.get("/api/v1/offices", headers=admin.headers).get_json()["items"] == []


def test_geofence_with_too_many_vertices(make_app, auth):
    app = make_app(MAX_GEOFENCE_VERTICES=10)
    client = app.test_client()
    import math

    ring = [[76.9 + 0.01 * math.cos(i / 20 * 2 * math.pi), 43.2 + 0.01 * math.sin(i / 20 * 2 * math.pi)]
            for i in range(20)]
    admin = auth("administrator")
    response = client.post("/api/v1/offices", json={"code": "ROUND", "name": "Round",
                                                    "geofence": {"type": "Polygon", "coordinates": [ring + [ring[0]]]}},
                           headers=admin.headers)
    assert response.status_code == 422 and "vertices" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("field, value", [
    ("timezone", "Mars/Olympus"),
    ("timezone", ""),
    ("business_hours", {"mon": [["22:00", "06:00"], ["07:00", "08:00"]]}),
    ("special_hours", {"2026-13-40": []}),
    ("special_hours", {"2026-03-07": [["9", "18"]]}),
    ("special_hours", ["2026-03-07"]),
    ("business_hours", {"monday": [["09:00", "18:00"]]}),
    ("business_hours", {"mon": [["9am", "6pm"]]}),
    ("business_hours", {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}),
    ("holidays", ["2026-13-01"]),
    ("holidays", [20260101]),
    ("code", "has space"),
    ("name", ""),
])
def test_invalid_office_fields(client, admin, field, value):
    body = {"code": "OK", "name": "Fine", "geofence": ALMATY, field: value}
    response = client.post("/api/v1/offices", json=body, headers=admin.headers)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]


def test_calendar_fields_are_kept(create_office):
    office = create_office("ALA", ALMATY, timezone="Asia/Qyzylorda",
                           business_hours={"mon": [["09:00", "13:00"], ["14:00", "18:00"]], "sat": [["10:00", "14:00"]]},
                           holidays=["2026-12-16", "2026-03-22", "2026-12-16"],
                           special_hours={"2026-03-07": [["10:00", "15:00"]], "2026-12-31": []})
    assert office["timezone"] == "Asia/Qyzylorda"
    assert office["business_hours"]["mon"] == [["09:00", "13:00"], ["14:00", "18:00"]]
    assert office["holidays"] == ["2026-03-22", "2026-12-16"]
    assert office["special_hours"] == {"2026-03-07": [["10:00", "15:00"]], "2026-12-31": []}


def test_night_shift_hours_are_accepted(create_office):
    office = create_office("NIGHT", ALMATY, business_hours={"fri": [["09:00", "13:00"], ["22:00", "06:00"]]})
    assert office["business_hours"]["fri"][1] == ["22:00", "06:00"]


def test_duplicate_office_code_is_a_conflict(client, admin, create_office):
    create_office("ALA", ALMATY)
    response = client.post("/api/v1/offices", json={"code": "ala", "name": "Again", "geofence": ASTANA},
                           headers=admin.headers)
    assert response.status_code == 409


def test_office_that_is_a_home_office_cannot_be_deleted(client, admin, create_office, make_user):
    used = create_office("ALA", ALMATY)
    unused = create_office("AST", ASTANA)
    make_user("employee", office_id=used["id"])
    response = client.delete(f"/api/v1/offices/{used['id']}", headers=admin.headers)
    assert response.status_code == 409 and "is_active" in response.get_json()["error"]["message"]
    assert client.delete(f"/api/v1/offices/{unused['id']}", headers=admin.headers).status_code == 204
    assert client.get(f"/api/v1/offices/{unused['id']}", headers=admin.headers).status_code == 404


class TestRoutingPreview:
    @pytest.fixture
    def offices(self, create_office):
        return {"outer": create_office("ALA", ALMATY), "inner": create_office("ALA-IN", ALMATY_INNER),
                "astana": create_office("AST", ASTANA)}

    def preview(self, client, headers, query):
        return client.get(f"/api/v1/offices/route?{query}", headers=headers)

    def test_nested_office_wins_inside_it(self, client, auth, offices):
        body = self.preview(client, auth("employee").headers, "lat=43.207&lon=76.907").get_json()
        assert body["office"]["code"] == "ALA-IN" and body["matched_by"] == "geofence" and body["distance_m"] == 0

    def test_outer_office_around_the_nested_one(self, client, auth, offices):
        body = self.preview(client, auth("employee").headers, "lat=43.215&lon=76.915").get_json()
        assert body["office"]["code"] == "ALA" and body["matched_by"] == "geofence"

    def test_nearest_office_within_two_km_with_metres(self, client, auth, offices):
        # 0.01 deg of latitude north of the Astana box is about 1,113 m.
        body = self.preview(client, auth("employee").headers, "lat=51.15&lon=71.43").get_json()
        assert body["office"]["code"] == "AST" and body["matched_by"] == "nearest"
        assert 1100 < body["distance_m"] < 1125

    def test_far_away_falls_back_to_home_office(self, client, auth, offices):
        employee = auth("employee", office_id=offices["astana"]["id"])
        body = self.preview(client, employee.headers, "lat=47.0&lon=60.0").get_json()
        assert body["office"]["code"] == "AST" and body["matched_by"] == "home_office"

    def test_far_away_without_home_office_is_null(self, client, auth, offices):
        body = self.preview(client, auth("employee").headers, "lat=47.0&lon=60.0").get_json()
        assert body == {"office": None, "matched_by": None, "distance_m": None}

    def test_inactive_office_is_not_routed_to(self, client, admin, auth, offices):
        client.patch(f"/api/v1/offices/{offices['inner']['id']}", json={"is_active": False}, headers=admin.headers)
        body = self.preview(client, auth("employee").headers, "lat=43.207&lon=76.907").get_json()
        assert body["office"]["code"] == "ALA"

    @pytest.mark.parametrize("query, field", [
        ("lat=91&lon=76.9", "lat"), ("lat=43.2&lon=181", "lon"), ("lat=nan&lon=76.9", "lat"),
        ("lat=abc&lon=76.9", "lat"), ("lon=76.9", "lat"), ("lat=43.2", "lon"), ("lat=inf&lon=1", "lat"),
    ])
    def test_bad_points_are_422(self, client, auth, offices, query, field):
        response = self.preview(client, auth("employee").headers, query)
        assert response.status_code == 422
        assert field in response.get_json()["error"]["details"]

    def test_swapped_coordinates_are_reported(self, client, auth, offices):
        response = self.preview(client, auth("employee").headers, "lat=76.907&lon=43.207")
        assert response.status_code == 422
        assert "swapped" in response.get_json()["error"]["message"]


def test_office_edit_reaches_another_app_instance_without_restart(make_app, client, admin, create_office, auth):
    """Two app objects on one database stand for two worker processes."""
    office = create_office("ALA", ALMATY)
    other = make_app(ROUTER_REFRESH_SECONDS=0).test_client()
    employee = auth("employee")
    route = lambda: other.get("/api/v1/offices/route?lat=43.21&lon=76.91", headers=employee.headers).get_json()  # noqa: E731
    assert route()["office"]["code"] == "ALA"
    moved = client.patch(f"/api/v1/offices/{office['id']}", json={"geofence": ASTANA}, headers=admin.headers)
    assert moved.status_code == 200
    assert route()["office"] is None


def test_router_is_not_rebuilt_while_nothing_changes(make_app, create_office, auth, monkeypatch):
    from offices import directory

    create_office("ALA", ALMATY)
    builds = []
    original = directory._build
    monkeypatch.setattr(directory, "_build", lambda *a: builds.append(1) or original(*a))
    other = make_app(ROUTER_REFRESH_SECONDS=0).test_client()
    employee = auth("employee")
    for _ in range(5):
        other.get("/api/v1/offices/route?lat=43.21&lon=76.91", headers=employee.headers)
    assert len(builds) == 1


def test_user_references_must_exist(client, admin, create_office):
    office = create_office("ALA", ALMATY)
    base = {"login": "scoped", "full_name": "S", "password": "long-enough-1", "role": "manager"}
    for change, field in (({"office_id": 999}, "office_id"), ({"office_ids": [office["id"], 998]}, "office_ids"),
                          ({"department_codes": ["NOPE"]}, "department_codes")):
        response = client.post("/api/v1/users", json={**base, **change}, headers=admin.headers)
        assert response.status_code == 422 and field in response.get_json()["error"]["details"], change
    client.post("/api/v1/departments", json={"code": "it", "name": "IT"}, headers=admin.headers)
    ok = client.post("/api/v1/users", json={**base, "office_id": office["id"], "office_ids": [office["id"]],
                                            "department_codes": ["it"]}, headers=admin.headers)
    assert ok.status_code == 201 and ok.get_json()["department_codes"] == ["IT"]


class TestDepartmentsAndCategories:
    def test_create_list_and_rename(self, client, admin, auth):
        assert client.post("/api/v1/departments", json={"code": "fac", "name": {"ru": "АХО", "en": "Facilities"}},
                           headers=admin.headers).status_code == 201
        created = client.post("/api/v1/categories", json={"code": "ac", "name": "Кондиционер", "department": "FAC"},
                              headers=admin.headers)
        assert created.status_code == 201
        # A name sent as one string is answered as that name in every language (one type for the apps).
        assert created.get_json() == {"code": "AC", "name": {"ru": "Кондиционер", "kk": "Кондиционер", "en": "Кондиционер"},
                                      "department": "FAC", "is_active": True, "fields": [], "discoverable": False}
        employee = auth("employee")
        assert client.get("/api/v1/categories", headers=employee.headers).get_json()["items"][0]["code"] == "AC"
        assert client.get("/api/v1/departments", headers=employee.headers).get_json()["items"][0]["name"]["en"] == "Facilities"
        renamed = client.patch("/api/v1/categories/ac", json={"name": {"kk": "Кондиционер"}, "is_active": False},
                               headers=admin.headers)
        assert renamed.status_code == 200 and renamed.get_json()["is_active"] is False
        assert client.patch("/api/v1/departments/FAC", json={"name": "АХО"}, headers=admin.headers).status_code == 200

    @pytest.mark.parametrize("body, field", [
        ({"code": "X", "name": {"de": "Klima"}}, "name"),
        ({"code": "X", "name": {}}, "name"),
        ({"code": "X", "name": ""}, "name"),
        ({"code": "X", "name": 5}, "name"),
        ({"code": "X", "name": "Ok", "department": "NOPE"}, "department"),
        ({"code": "bad code", "name": "Ok"}, "code"),
        ({"name": "Ok"}, "code"),
    ])
    def test_invalid_category(self, client, admin, body, field):
        response = client.post("/api/v1/categories", json=body, headers=admin.headers)
        assert response.status_code == 422 and field in response.get_json()["error"]["details"]

    def test_roles_and_missing(self, client, auth, admin):
        employee = auth("manager")
        assert client.post("/api/v1/categories", json={"code": "X", "name": "X"}, headers=employee.headers).status_code == 403
        assert client.post("/api/v1/departments", json={"code": "X", "name": "X"}, headers=employee.headers).status_code == 403
        assert client.patch("/api/v1/categories/NOPE", json={"name": "X"}, headers=admin.headers).status_code == 404
        assert client.get("/api/v1/departments/NOPE", headers=admin.headers).status_code == 404
        client.post("/api/v1/departments", json={"code": "IT", "name": "IT"}, headers=admin.headers)
        assert client.post("/api/v1/departments", json={"code": "it", "name": "IT"}, headers=admin.headers).status_code == 409


def test_seed_demo_offices_route_real_places(runner, client, login):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    headers = bearer(login("demo-employee", "demo12345")["access_token"])
    expect = {(43.2201, 76.9302): "ALA-4B", (43.2215, 76.9275): "ALA-HQ",
              (51.1282, 71.4303): "AST", (42.3166, 69.5962): "CIT"}
    for (lat, lon), code in expect.items():
        body = client.get(f"/api/v1/offices/route?lat={lat}&lon={lon}", headers=headers).get_json()
        assert body["office"]["code"] == code and body["matched_by"] == "geofence"
    assert runner.invoke(args=["users", "create", "--login", "ast.worker", "--password", "long-enough-1",
                               "--role", "employee", "--office", "ast"]).exit_code == 0
    assert runner.invoke(args=["users", "create", "--login", "x.worker", "--password", "long-enough-1",
                               "--role", "employee", "--office", "NOPE"]).exit_code != 0


def test_office_with_requests_cannot_be_deleted_and_the_409_counts_them(client, world, submit, make_user):
    for _ in range(2):
        submit(location={"lat": 51.13, "lon": 71.43})  # inside Astana, whose office is nobody's home
    response = client.delete(f"/api/v1/offices/{world.ast}", headers=world.admin.headers)
    assert response.status_code == 409
    assert response.get_json()["error"] == {
        "code": "conflict", "details": None,
        "message": "the office has 2 requests; deactivate it with is_active: false instead"}
    make_user("employee", office_id=world.ast)
    response = client.delete(f"/api/v1/offices/{world.ast}", headers=world.admin.headers)
    assert response.get_json()["error"]["message"] == (
        "the office has 2 requests and 1 account; deactivate it with is_active: false instead")
    assert client.get(f"/api/v1/offices/{world.ast}", headers=world.admin.headers).status_code == 200
