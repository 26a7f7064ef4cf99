"""The console's offices map, rooms and notices pages through Flask's test client: they change
what the API's services change, refuse what the API refuses, and a refusal changes nothing."""
import json
import re

import pytest

from tests.console.support import signed_in_client
from tests.support.api import all_rows
from tests.support.places import ALA_POINT, NOWHERE, box

NEW_FENCE = box(76.96, 43.20, 76.98, 43.22)
BOWTIE = {"type": "Polygon", "coordinates": [[[76.96, 43.20], [76.98, 43.22], [76.98, 43.20],
                                              [76.96, 43.22], [76.96, 43.20]]]}


def console(app, account):
    """A test client signed in to the console as ``account``; returns (client, csrf token)."""
    return signed_in_client(app, account.login)


def offices(client, world):
    return {o["code"]: o for o in client.get("/api/v1/offices", headers=world.admin.headers).get_json()["items"]}


def new_office(token, fence=NEW_FENCE, **fields):
    return {"csrf_token": token, "code": "NEW", "name": "New office", "timezone": "Asia/Almaty",
            "geofence": fence if isinstance(fence, str) else json.dumps(fence), **fields}


# --- the offices map ------------------------------------------------------------------------

def test_the_map_lists_every_office_and_its_fence(app, world):
    browser, _ = console(app, world.admin)
    page = browser.get("/console/offices")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'data-testid="geofence-map"' in text and 'data-testid="office-save"' in text
    config = json.loads(re.search(r'<script type="application/json" id="map-config">(.*?)</script>', text, re.S).group(1))
    assert {o["code"] for o in config["offices"]} == {"ALA", "AST"}
    assert config["editable"] is True and config["tileUrl"] == app.config["MAP_TILE_URL"]
    assert all(o["geofence"]["type"] == "Polygon" for o in config["offices"])


def test_a_company_wide_administrator_creates_and_moves_an_office(app, client, world):
    app.config["ROUTER_REFRESH_SECONDS"] = 0  # the router sees each change at once
    browser, token = console(app, world.admin)
    response = browser.post("/console/offices", data=new_office(token, address="Abay 1"))
    assert response.status_code == 303
    created = offices(client, world)["NEW"]
    assert created["name"] == "New office" and created["address"] == "Abay 1"
    route = client.get("/api/v1/offices/route?lat=43.21&lon=76.97", headers=world.admin.headers).get_json()
    assert route["office"]["code"] == "NEW"

    moved = box(76.99, 43.20, 77.01, 43.22)
    feature = {"type": "Feature", "properties": {}, "geometry": moved}  # as Leaflet's toGeoJSON gives it
    response = browser.post("/console/offices", data={"csrf_token": token, "office_id": created["id"], "code": "NEW",
                                                      "name": "New office", "timezone": "Asia/Almaty",
                                                      "is_active": "on", "geofence": json.dumps(feature)})
    assert response.status_code == 303
    route = client.get("/api/v1/offices/route?lat=43.21&lon=77.0", headers=world.admin.headers).get_json()
    assert route["office"]["code"] == "NEW" and route["matched_by"] == "geofence"


@pytest.mark.parametrize("fence", [BOWTIE, "{not json", '"a string"', json.dumps({"type": "Point", "coordinates": [1, 2]})])
def test_a_bad_polygon_is_refused_and_creates_nothing(app, world, fence):
    browser, token = console(app, world.admin)
    before = all_rows(app)
    response = browser.post("/console/offices", data=new_office(token, fence=fence))
    assert 400 <= response.status_code < 500
    assert 'data-testid="office-errors"' in response.get_data(as_text=True)
    assert all_rows(app) == before


def test_a_bad_fence_for_an_existing_office_changes_nothing(app, client, world):
    browser, token = console(app, world.admin)
    before = offices(client, world)["ALA"]
    response = browser.post("/console/offices", data={"csrf_token": token, "office_id": world.ala, "code": "ALA",
                                                      "name": "Almaty", "timezone": "Asia/Almaty", "is_active": "on",
                                                      "geofence": json.dumps(BOWTIE)})
    assert response.status_code == 422
    assert offices(client, world)["ALA"] == before


def test_missing_fields_are_refused(app, world):
    browser, token = console(app, world.admin)
    before = all_rows(app)
    for data in (new_office(token, code=""), new_office(token, name=""), new_office(token, fence=""),
                 new_office(token, timezone="Mars/Olympus")):
        response = browser.post("/console/offices", data=data)
        assert response.status_code == 422, data
    assert all_rows(app) == before


@pytest.mark.parametrize("who", ["admin_ala", "manager_it", "manager_fac_ala"])
def test_only_company_wide_administrators_save_fences(app, client, world, who):
    browser, token = console(app, getattr(world, who))
    page = browser.get("/console/offices").get_data(as_text=True)
    assert 'data-testid="office-save"' not in page and '"editable": false' in page
    before = all_rows(app)
    assert browser.post("/console/offices", data=new_office(token)).status_code == 403
    response = browser.post("/console/offices", data={"csrf_token": token, "office_id": world.ala, "code": "ALA",
                                                      "name": "Almaty", "geofence": json.dumps(NEW_FENCE)})
    assert response.status_code == 403
    assert all_rows(app) == before


def test_a_change_without_the_csrf_token_is_refused(app, world):
    browser, _ = console(app, world.admin)
    before = all_rows(app)
    assert browser.post("/console/offices", data=new_office("")).status_code == 403
    assert all_rows(app) == before


def test_the_routing_preview_answers_the_office_or_no_office(app, world):
    browser, _ = console(app, world.manager_it)
    inside = browser.get(f"/console/offices/route?lat={ALA_POINT['lat']}&lon={ALA_POINT['lon']}")
    assert inside.status_code == 200 and inside.get_json()["office"]["code"] == "ALA"
    assert "Almaty" in inside.get_json()["text"]
    nowhere = browser.get(f"/console/offices/route?lat={NOWHERE['lat']}&lon={NOWHERE['lon']}")
    assert nowhere.status_code == 200 and nowhere.get_json() == {"office": None, "text": "no office"}
    assert browser.get("/console/offices/route?lat=abc&lon=1").status_code == 422
    assert browser.get("/console/offices/route?lat=95&lon=76.9").status_code == 422


# --- rooms and QR codes -----------------------------------------------------------------------

def test_rooms_are_added_and_their_qr_codes_downloaded(app, client, world):
    browser, token = console(app, world.admin)
    response = browser.post("/console/rooms", data={"csrf_token": token, "office_id": world.ala, "code": "b-204",
                                                    "name": "Meeting room", "floor": "2"})
    assert response.status_code == 303
    listed = client.get(f"/api/v1/offices/{world.ala}/rooms", headers=world.admin.headers).get_json()["items"]
    assert [(r["code"], r["floor"]) for r in listed] == [("B-204", 2)]
    page = browser.get(f"/console/rooms?office={world.ala}").get_data(as_text=True)
    assert "B-204" in page and "Meeting room" in page

    png = browser.get(f"/console/rooms/{listed[0]['id']}/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    pdf = browser.get(f"/console/rooms/sheet/{world.ala}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    assert browser.get("/console/rooms/999/qr.png").status_code == 404


def test_an_office_with_more_rooms_than_a_sheet_holds_offers_the_sheet_in_parts(app, client, world):
    """Over ``QR_SHEET_MAX_ROOMS`` the rooms page links one sheet per part (with its first and last
    room), and the whole sheet is refused (422) as the API refuses it."""
    app.config["QR_SHEET_MAX_ROOMS"] = 2
    for code in ("A1", "A2", "B1", "B2", "C1"):
        client.post(f"/api/v1/offices/{world.ala}/rooms", json={"code": code, "name": "Room"},
                    headers=world.admin.headers)
    browser, _ = console(app, world.admin)
    page = browser.get(f"/console/rooms?office={world.ala}").get_data(as_text=True)
    links = re.findall(r'<a class="button" href="([^"]+)" data-testid="qr-sheet-part" download>([^<]+)</a>', page)
    assert [href for href, _ in links] == [f"/console/rooms/sheet/{world.ala}.pdf?part={n}" for n in (1, 2, 3)]
    assert "A1" in links[0][1] and "A2" in links[0][1] and "C1" in links[2][1]
    assert 'data-testid="qr-sheet"' not in page
    for href, _ in links:
        pdf = browser.get(href)
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    whole = browser.get(f"/console/rooms/sheet/{world.ala}.pdf")
    assert whole.status_code == 422 and "too many rooms for one sheet: 5 (at most 2)" in whole.get_data(as_text=True)
    assert browser.get(f"/console/rooms/sheet/{world.ala}.pdf?part=4").status_code == 422
    assert browser.get(f"/console/rooms/sheet/{world.ala}.pdf?part=x").status_code == 422


def test_bad_rooms_are_refused_and_change_nothing(app, client, world):
    browser, token = console(app, world.admin)
    browser.post("/console/rooms", data={"csrf_token": token, "office_id": world.ala, "code": "A1", "name": "Hall"})
    before = all_rows(app)
    for data in ({"code": "", "name": "X"}, {"code": "A2", "name": ""}, {"code": "A3", "name": "X", "floor": "two"},
                 {"code": "A1", "name": "Again"}):
        response = browser.post("/console/rooms", data={"csrf_token": token, "office_id": world.ala, **data})
        assert 400 <= response.status_code < 500, data
        assert 'data-testid="room-errors"' in response.get_data(as_text=True)
    assert browser.post("/console/rooms", data={"csrf_token": token, "office_id": 999, "code": "Z",
                                                "name": "Z"}).status_code == 404
    assert all_rows(app) == before


@pytest.mark.parametrize("who", ["admin_ala", "manager_it"])
def test_only_company_wide_administrators_add_rooms_and_download_codes(app, client, world, who):
    room = client.post(f"/api/v1/offices/{world.ala}/rooms", json={"code": "R1", "name": "Room"},
                       headers=world.admin.headers).get_json()
    browser, token = console(app, getattr(world, who))
    page = browser.get(f"/console/rooms?office={world.ala}")
    assert page.status_code == 200 and "R1" in page.get_data(as_text=True)
    assert "qr.png" not in page.get_data(as_text=True)
    before = all_rows(app)
    assert browser.post("/console/rooms", data={"csrf_token": token, "office_id": world.ala, "code": "R2",
                                                "name": "Other"}).status_code == 403
    assert browser.get(f"/console/rooms/{room['id']}/qr.png").status_code == 403
    assert browser.get(f"/console/rooms/sheet/{world.ala}.pdf").status_code == 403
    assert all_rows(app) == before


# --- notices ----------------------------------------------------------------------------------

def notices_of(client, world, office_id):
    return client.get(f"/api/v1/notices?office_id={office_id}", headers=world.admin.headers).get_json()["items"]


def test_an_office_administrator_posts_and_resolves_a_notice(app, client, world):
    room = client.post(f"/api/v1/offices/{world.ala}/rooms", json={"code": "R1", "name": "Room"},
                       headers=world.admin.headers).get_json()
    browser, token = console(app, world.admin_ala)
    response = browser.post("/console/notices", data={
        "csrf_token": token, "office_id": world.ala, "title": "The lift is out", "body": "Block B, until noon",
        "category": "FAC-AC", "room_id": str(room["id"]), "until": "2099-01-01T12:00"})
    assert response.status_code == 303
    [notice] = notices_of(client, world, world.ala)
    assert notice["title"]["en"] == "The lift is out" and notice["category"] == "FAC-AC"
    assert notice["room"]["id"] == room["id"]
    assert notice["until"].startswith("2099-01-01T07:00")  # noon in Almaty (UTC+5)
    page = browser.get(f"/console/notices?office={world.ala}").get_data(as_text=True)
    assert "The lift is out" in page and 'data-testid="notice-resolve"' in page

    assert browser.post(f"/console/notices/{notice['id']}/resolve", data={"csrf_token": token}).status_code == 303
    assert notices_of(client, world, world.ala) == []


def test_bad_notices_are_refused_and_change_nothing(app, client, world):
    other_room = client.post(f"/api/v1/offices/{world.ast}/rooms", json={"code": "R9", "name": "Far"},
                             headers=world.admin.headers).get_json()
    browser, token = console(app, world.admin)
    before = all_rows(app)
    for data in ({"title": "x"}, {"title": "Fine title", "until": "2000-01-01T00:00"},
                 {"title": "Fine title", "until": "soon"}, {"title": "Fine title", "category": "OLD"},
                 {"title": "Fine title", "room_id": str(other_room["id"])}):
        response = browser.post("/console/notices", data={"csrf_token": token, "office_id": world.ala, **data})
        assert 400 <= response.status_code < 500, data
        assert 'data-testid="notice-errors"' in response.get_data(as_text=True), data
    assert all_rows(app) == before


@pytest.mark.parametrize("who", ["admin_ast", "manager_fac_ala"])
def test_others_neither_post_nor_resolve_notices(app, client, world, who):
    notice = client.post(f"/api/v1/offices/{world.ala}/notices", json={"title": "Water is off"},
                         headers=world.admin.headers).get_json()
    browser, token = console(app, getattr(world, who))
    page = browser.get(f"/console/notices?office={world.ala}").get_data(as_text=True)
    assert "Water is off" in page and 'data-testid="notice-save"' not in page
    before = all_rows(app)
    assert browser.post("/console/notices", data={"csrf_token": token, "office_id": world.ala,
                                                  "title": "Mine"}).status_code == 403
    assert browser.post(f"/console/notices/{notice['id']}/resolve", data={"csrf_token": token}).status_code == 403
    assert all_rows(app) == before


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_pages_speak_the_readers_language(app, make_user, world, language):
    account = make_user("administrator", language=language)
    browser, _ = console(app, account)
    expected = {"ru": ("Офисы на карте", "Помещения и QR-коды", "Объявления офисов"),
                "kk": ("Кеңселер картада", "Бөлмелер және QR кодтары", "Кеңселер хабарландырулары")}[language]
    for path, title in zip(("/console/offices", "/console/rooms", "/console/notices"), expected, strict=True):
        page = browser.get(path)
        assert page.status_code == 200 and title in page.get_data(as_text=True), path
