"""The dashboard and the administration pages with Flask's test client: input goes through the
API's schemas and services (bad input: a 4xx page, nothing changed), the API's role rules hold,
and a deactivated account's console session ends."""
import re

from tests.support.api import DEMO_PASSWORD
from tests.support.places import ALA_POINT


def console_client(app, login):
    client = app.test_client()
    response = client.post("/console/login", data={"login": login, "password": DEMO_PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


def csrf(client, path="/console/dashboard"):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_the_dashboard_shows_cards_linking_to_the_queue(app, client, world):
    for _ in range(2):
        client.post("/api/v1/requests", json={"title": "AC is broken", "category": "FAC-AC", "location": ALA_POINT},
                    headers=world.employee.headers)
    console = console_client(app, world.manager_fac_ala.login)
    response = console.get("/console/dashboard")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert 'data-testid="dashboard-chart"' in html
    assert re.search(r'href="/console/requests\?created_from=[^"]+"[^>]*data-card="created" data-value="2"', html)
