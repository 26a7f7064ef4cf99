"""The dashboard in a real browser: a manager sees the trend drawn by Chart.js, and a card opens
the queue filtered as the card counts; an administrator creates and deactivates an account."""
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.support.api import move
from tests.support.places import ALA_POINT

BLANK_CANVAS = """(canvas) => {
  const blank = document.createElement("canvas");
  blank.width = canvas.width; blank.height = canvas.height;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) { painted++; } }
  return {differs: canvas.toDataURL() !== blank.toDataURL(), painted: painted, width: canvas.width};
}"""


def _requests(client, world, count):
    ids = []
    for n in range(count):
        body = {"title": f"AC is broken {n}", "category": "FAC-AC", "location": ALA_POINT}
        response = client.post("/api/v1/requests", json=body, headers=world.employee.headers)
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    return ids


def _spread(app, ids, days_ago):
    """Move requests back in time (their creation day), so the trend and the previous period have data."""
    from datetime import timedelta

    from service_app.extensions import db
    from service_requests.models import ServiceRequest

    with app.app_context():
        for request_id, days in zip(ids, days_ago, strict=True):
            req = db.session.get(ServiceRequest, request_id)
            req.created_at = req.created_at - timedelta(days=days)
        db.session.commit()
        db.session.remove()


def test_a_manager_sees_the_chart_and_a_card_opens_the_queue(page, app, client, world):
    current = _requests(client, world, 3)
    earlier = _requests(client, world, 2)
    _spread(app, current + earlier, [2, 1, 0, 33, 40])
    for status in ("in_progress", "resolved"):
        assert move(client, world.admin, current[0], status).status_code == 200
    sign_in(page, world.manager_fac_ala.login, path="/console/dashboard")
    assert urlsplit(page.url).path == "/console/dashboard"
    chart = page.get_by_test_id("dashboard-chart")
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("role", "img")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('dashboard-chart'))")
    drawn = chart.evaluate(BLANK_CANVAS)
    assert drawn["width"] > 0 and drawn["differs"] and drawn["painted"] > 0, drawn
    assert_accessible(page)
    screenshot(page, "dashboard")

    card = page.locator('[data-testid="dashboard-card"][data-card="created"]')
    expect(card).to_have_attribute("data-value", "3")
    href = card.get_attribute("href")
    api = client.get("/api/v1/reports/dashboard", headers=world.manager_fac_ala.headers).get_json()
    drilldown = next(c["drilldown"] for c in api["cards"] if c["key"] == "created")
    card.click()
    page.wait_for_load_state("domcontentloaded")
    opened = urlsplit(page.url)
    assert opened.path == "/console/requests"
    assert parse_qs(opened.query) == parse_qs(drilldown) == parse_qs(urlsplit(href).query)
    listed = client.get("/api/v1/requests?" + drilldown, headers=world.manager_fac_ala.headers).get_json()
    assert len(listed["items"]) == 3
    if "console.queue" in app.view_functions:  # the queue page lists what the card counts
        expect(page.get_by_test_id("queue-row")).to_have_count(3)


def test_the_sla_table_switches_its_grouping(page, client, world):
    _requests(client, world, 2)
    sign_in(page, world.admin.login, path="/console/dashboard")
    page.get_by_label("Group by").select_option("category")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("domcontentloaded")
    assert parse_qs(urlsplit(page.url).query)["group_by"] == ["category"]
    expect(page.get_by_test_id("sla-table")).to_contain_text("AC")
    assert_accessible(page)
