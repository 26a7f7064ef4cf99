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


def _users_count(app):
    from service_app.extensions import db
    from service_app.users.models import User
    with app.app_context():
        return db.session.query(User).count()


def test_a_bad_user_form_is_refused_and_creates_nothing(app, world):
    console = console_client(app, world.admin.login)
    token = csrf(console, "/console/users")
    before = _users_count(app)
    for form in ({"login": "x y!", "full_name": "Bad Login", "role": "employee", "password": "long-enough-pass-1"},
                 {"login": "newbie", "full_name": "", "role": "employee", "password": "long-enough-pass-1"},
                 {"login": "newbie", "full_name": "Nobody", "role": "king", "password": "long-enough-pass-1"},
                 {"login": "newbie", "full_name": "Nobody", "role": "employee", "password": "x"},
                 {"login": world.employee.login, "full_name": "Twin", "role": "employee",
                  "password": "long-enough-pass-1"}):
        response = console.post("/console/users", data={**form, "csrf_token": token, "language": "en"})
        assert 400 <= response.status_code < 500, (form, response.status_code)
        assert 'data-testid="error-message"' in response.get_data(as_text=True)
    assert _users_count(app) == before


def test_an_administrator_creates_an_account(app, client, world):
    console = console_client(app, world.admin.login)
    token = csrf(console, "/console/users")
    response = console.post("/console/users", data={
        "csrf_token": token, "login": "new.manager", "full_name": "New Manager", "role": "manager",
        "language": "kk", "password": DEMO_PASSWORD, "office_ids": [str(world.ala)], "department_codes": ["FAC"]})
    assert response.status_code == 303, response.get_data(as_text=True)
    found = client.get("/api/v1/users?q=new.manager", headers=world.admin.headers).get_json()["items"]
    assert [(u["role"], u["office_ids"], u["department_codes"], u["language"]) for u in found] == [
        ("manager", [world.ala], ["FAC"], "kk")]


def test_a_manager_cannot_manage_users(app, world):
    console = console_client(app, world.manager_it.login)
    token = csrf(console)
    before = _users_count(app)
    assert console.get("/console/users").status_code == 403
    response = console.post("/console/users", data={"csrf_token": token, "login": "sneaky", "full_name": "Sneaky",
                                                    "role": "administrator", "password": DEMO_PASSWORD})
    assert response.status_code == 403
    assert _users_count(app) == before


def test_an_office_administrator_may_not_create_staff(app, world):
    console = console_client(app, world.admin_ala.login)
    token = csrf(console, "/console/users")
    before = _users_count(app)
    response = console.post("/console/users", data={"csrf_token": token, "login": "boss2", "full_name": "Boss",
                                                    "role": "administrator", "password": DEMO_PASSWORD})
    assert response.status_code == 403
    assert _users_count(app) == before


def test_deactivating_a_user_ends_their_console_session(app, world):
    theirs = console_client(app, world.manager_it.login)
    assert theirs.get("/console/dashboard").status_code == 200
    admin = console_client(app, world.admin.login)
    token = csrf(admin, "/console/users")
    response = admin.post(f"/console/users/{world.manager_it.id}/active", data={"csrf_token": token,
                                                                                 "is_active": "false"})
    assert response.status_code == 303
    after = theirs.get("/console/dashboard")
    assert after.status_code == 303 and "/console/login" in after.headers["Location"]


def test_setting_a_password_ends_their_console_session(app, world):
    theirs = console_client(app, world.manager_it.login)
    admin = console_client(app, world.admin.login)
    token = csrf(admin, "/console/users")
    response = admin.post(f"/console/users/{world.manager_it.id}/password",
                          data={"csrf_token": token, "password": "another-horse-43"})
    assert response.status_code == 303
    after = theirs.get("/console/dashboard")
    assert after.status_code == 303 and "/console/login" in after.headers["Location"]
