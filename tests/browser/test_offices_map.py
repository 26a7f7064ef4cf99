"""The offices map in a real browser: a company-wide administrator draws a new office's geofence
with Geoman and saves it; the API then routes a point inside it to the new office, and a click on
the map says the same. The rooms and notices pages are checked for accessibility too."""
import re

from playwright.sync_api import expect
from shapely.geometry import Point, Polygon

from tests.browser.conftest import LiveServer, assert_accessible, screenshot, sign_in
from tests.support.places import box

# Two small fences on a diagonal (north-west and south-east): the map fits them, so its
# south-west quarter is empty and the new office is drawn there.
NORTH_WEST = box(76.900, 43.245, 76.906, 43.250)
SOUTH_EAST = box(76.944, 43.200, 76.950, 43.205)
# The points clicked, as fractions of the map's width and height (a convex quadrilateral).
CLICKS = [(0.12, 0.70), (0.34, 0.68), (0.36, 0.90), (0.14, 0.92)]


def _offices(client, admin):
    for code, name, fence in (("NWO", "North-west office", NORTH_WEST), ("SEO", "South-east office", SOUTH_EAST)):
        response = client.post("/api/v1/offices", json={"code": code, "name": name, "geofence": fence},
                               headers=admin.headers)
        assert response.status_code == 201, response.get_json()


def _fit(values, targets):
    """Least-squares ``target = a + b * value``; returns (a, b, worst residual)."""
    n = len(values)
    mean_v, mean_t = sum(values) / n, sum(targets) / n
    b = (sum((v - mean_v) * (t - mean_t) for v, t in zip(values, targets, strict=True))
         / sum((v - mean_v) ** 2 for v in values))
    a = mean_t - b * mean_v
    return a, b, max(abs(a + b * v - t) for v, t in zip(values, targets, strict=True))


def test_an_administrator_draws_a_new_office_and_requests_route_to_it(page, app, client, auth):
    app.config["ROUTER_REFRESH_SECONDS"] = 0  # the router sees the new office at once
    admin = auth("administrator", full_name="Company Admin")
    _offices(client, admin)
    sign_in(page, admin.login, path="/console/offices")
    expect(page.get_by_test_id("geofence-map")).to_be_visible()
    expect(page.locator("#geofence-map path.leaflet-interactive")).to_have_count(2)
    assert_accessible(page)

    expect(page.locator(".leaflet-buttons-control-button")).to_have_attribute("aria-label", "Draw a polygon")
    page.locator(".leaflet-pm-icon-polygon").click()
    area = page.get_by_test_id("geofence-map").bounding_box()
    pixels = [(area["x"] + fx * area["width"], area["y"] + fy * area["height"]) for fx, fy in CLICKS]
    for x, y in pixels:
        page.mouse.click(x, y)
    page.mouse.click(*pixels[0])  # close the polygon on its first point
    expect(page.locator("#geofence-input")).to_have_value(re.compile('"Polygon"'))

    page.get_by_test_id("office-code").fill("NEW")
    page.get_by_test_id("office-name").fill("Drawn office")
    page.get_by_test_id("office-timezone").fill("Asia/Almaty")
    page.get_by_test_id("office-save").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#flash")).to_contain_text("Saved")

    offices = client.get("/api/v1/offices", headers=admin.headers).get_json()["items"]
    new = next(office for office in offices if office["code"] == "NEW")
    assert new["name"] == "Drawn office" and new["timezone"] == "Asia/Almaty"
    ring = new["geofence"]["coordinates"][0]
    assert len(ring) == len(CLICKS) + 1 and ring[0] == ring[-1]
    fence = Polygon(ring)
    centroid = fence.centroid
    answer = client.get(f"/api/v1/offices/route?lat={centroid.y}&lon={centroid.x}", headers=admin.headers)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["office"]["code"] == "NEW"
    assert answer.get_json()["matched_by"] == "geofence"

    # The saved fence is the clicked shape: at this scale longitude is linear in x and latitude in y,
    # so one straight line maps every clicked pixel to its vertex (whichever vertex Geoman starts at).
    lons, lats = [point[0] for point in ring[:-1]], [point[1] for point in ring[:-1]]
    xs_sorted = sorted(range(len(pixels)), key=lambda i: pixels[i][0])
    lons_sorted = sorted(range(len(lons)), key=lambda i: lons[i])
    xs = [pixels[i][0] for i in xs_sorted]
    ys = [pixels[i][1] for i in xs_sorted]
    matched_lons = [lons[i] for i in lons_sorted]
    matched_lats = [lats[i] for i in lons_sorted]
    a_lon, b_lon, miss_lon = _fit(xs, matched_lons)
    a_lat, b_lat, miss_lat = _fit(ys, matched_lats)
    assert b_lon > 0 > b_lat  # east is right, north is up
    pixel_size = abs(b_lon)
    assert miss_lon < 3 * pixel_size and miss_lat < 3 * abs(b_lat)
    # The centroid, in the map's pixels, lies inside the clicked area.
    centre_x, centre_y = (centroid.x - a_lon) / b_lon, (centroid.y - a_lat) / b_lat
    assert Polygon(pixels).contains(Point(centre_x, centre_y))

    # A click on the map (not drawing) tells where a request from there goes.
    page.goto("/console/offices")
    expect(page.locator("#geofence-map path.leaflet-interactive")).to_have_count(3)
    page.mouse.click(centre_x, centre_y)
    expect(page.get_by_test_id("route-status")).to_contain_text("Drawn office")
    far = (area["x"] + 0.85 * area["width"], area["y"] + 0.12 * area["height"])
    page.mouse.click(*far)
    expect(page.get_by_test_id("route-status")).not_to_contain_text("Drawn office")
    screenshot(page, "map")


def test_others_see_the_map_read_only(page, client, auth):
    admin = auth("administrator")
    _offices(client, admin)
    scoped = auth("administrator", office_ids=[1])
    sign_in(page, scoped.login, path="/console/offices")
    expect(page.locator("#geofence-map path.leaflet-interactive")).to_have_count(2)
    expect(page.get_by_test_id("office-save")).to_have_count(0)
    expect(page.locator(".leaflet-pm-icon-polygon")).to_have_count(0)
    assert_accessible(page)


def test_rooms_and_notices_pages(page, client, auth):
    admin = auth("administrator")
    _offices(client, admin)
    office_id = client.get("/api/v1/offices", headers=admin.headers).get_json()["items"][0]["id"]
    client.post(f"/api/v1/offices/{office_id}/rooms", json={"code": "A-101", "name": {"ru": "Зал", "en": "Hall"},
                                                           "floor": 1}, headers=admin.headers)
    sign_in(page, admin.login, path="/console/rooms")
    expect(page.get_by_test_id("room-row")).to_have_count(1)
    page.get_by_test_id("room-code").fill("B-2")
    page.get_by_test_id("room-name").fill("Kitchen")
    page.get_by_test_id("room-save").click()
    expect(page.get_by_test_id("room-row")).to_have_count(2)
    with page.expect_download() as download:
        page.get_by_test_id("qr-sheet").click()
    assert download.value.suggested_filename == "qr-NWO.pdf"
    assert_accessible(page)

    page.goto("/console/notices")
    page.get_by_test_id("notice-title").fill("The lift is out")
    page.get_by_test_id("notice-body").fill("Use the stairs in block B.")
    page.get_by_test_id("notice-room").select_option(label="A-101 · Hall")
    page.get_by_test_id("notice-save").click()
    expect(page.get_by_test_id("notice-row")).to_have_count(1)
    expect(page.get_by_test_id("notice-row")).to_contain_text("The lift is out")
    assert_accessible(page)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("notice-resolve").click()
    expect(page.get_by_test_id("notice-row")).to_have_count(0)
    notices = client.get(f"/api/v1/notices?office_id={office_id}", headers=admin.headers).get_json()["items"]
    assert notices == []


def test_an_administrator_moves_a_corner_of_an_office_fence(page, app, client, auth):
    app.config["ROUTER_REFRESH_SECONDS"] = 0
    admin = auth("administrator")
    _offices(client, admin)
    before = {o["code"]: o for o in client.get("/api/v1/offices", headers=admin.headers).get_json()["items"]}
    sign_in(page, admin.login, path=f"/console/offices?office={before['NWO']['id']}")
    corners = page.locator("#geofence-map .marker-icon:not(.marker-icon-middle)")
    expect(corners).to_have_count(4)
    corner = corners.first.bounding_box()
    x, y = corner["x"] + corner["width"] / 2, corner["y"] + corner["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 40, y + 60, steps=8)
    page.mouse.up()
    expect(page.locator("#fence-status")).to_contain_text("changed")
    page.get_by_test_id("office-save").click()
    expect(page.locator("#flash")).to_contain_text("Saved")
    after = client.get(f"/api/v1/offices/{before['NWO']['id']}", headers=admin.headers).get_json()
    assert after["geofence"] != before["NWO"]["geofence"]
    assert len(after["geofence"]["coordinates"][0]) == 5
    assert after["name"] == "North-west office"
    assert Polygon(after["geofence"]["coordinates"][0]).area != Polygon(before["NWO"]["geofence"]["coordinates"][0]).area


def test_an_empty_map_tile_url_loads_no_tiles(browser, make_app, make_user, monkeypatch):
    """``MAP_TILE_URL=""`` in the environment means no tile layer at all: the browser asks no tile
    server for anything (it once fell back to OpenStreetMap's)."""
    monkeypatch.setenv("MAP_TILE_URL", "")
    app = make_app(ROUTER_REFRESH_SECONDS=0)  # a fresh app, its settings read from this environment
    assert app.config["MAP_TILE_URL"] == ""
    admin = make_user("administrator")
    with LiveServer(app) as server:
        context = browser.new_context(base_url=server.url, locale="en-US")
        asked = []
        context.on("request", lambda request: asked.append(request.url))
        context.route(re.compile(r"^(?!http://127\.0\.0\.1:).*"), lambda route: route.abort())  # nothing leaves
        try:
            page = context.new_page()
            sign_in(page, admin.login, path="/console/offices")
            expect(page.get_by_test_id("geofence-map")).to_be_visible()
            page.wait_for_load_state("networkidle")
            assert page.locator("#geofence-map .leaflet-tile").count() == 0
        finally:
            context.close()
    assert asked and all(url.startswith(server.url) for url in asked), [u for u in asked if not u.startswith(server.url)]


HOSTILE_NAME = '<img src=x onerror="window.__xss=1">'


def test_an_office_name_is_shown_in_the_map_tooltip_as_text(page, client, auth):
    """Leaflet's tooltip takes HTML: an office's name goes in as text, so markup in it shows as
    itself and nothing runs (no element is made of it)."""
    admin = auth("administrator")
    made = client.post("/api/v1/offices", json={"code": "XSS", "name": HOSTILE_NAME, "geofence": NORTH_WEST},
                       headers=admin.headers)
    assert made.status_code == 201, made.get_json()
    sign_in(page, admin.login, path="/console/offices")
    fence = page.locator("#geofence-map path.leaflet-interactive")
    expect(fence).to_have_count(1)
    fence.hover()
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_have_text("XSS · " + HOSTILE_NAME)
    expect(tooltip.locator("img")).to_have_count(0)
    assert page.evaluate("() => window.__xss") is None
