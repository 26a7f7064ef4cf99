"""The dashboard and the administration pages with Flask's test client: input goes through the
API's schemas and services (bad input: a 4xx page, nothing changed), the API's role rules hold,
and a deactivated account's console session ends."""
import re

from tests.console.support import csrf_of as csrf
from tests.console.support import signed_in_client
from tests.support.api import DEMO_PASSWORD, all_rows
from tests.support.places import ALA_POINT


def console_client(app, login):
    return signed_in_client(app, login)[0]


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
    before = all_rows(app)
    for form in ({"login": "x y!", "full_name": "Bad Login", "role": "employee", "password": "long-enough-pass-1"},
                 {"login": "newbie", "full_name": "", "role": "employee", "password": "long-enough-pass-1"},
                 {"login": "newbie", "full_name": "Nobody", "role": "king", "password": "long-enough-pass-1"},
                 {"login": "newbie", "full_name": "Nobody", "role": "employee", "password": "x"},
                 {"login": world.employee.login, "full_name": "Twin", "role": "employee",
                  "password": "long-enough-pass-1"}):
        response = console.post("/console/users", data={**form, "csrf_token": token, "language": "en"})
        assert 400 <= response.status_code < 500, (form, response.status_code)
        assert 'data-testid="error-message"' in response.get_data(as_text=True)
    assert all_rows(app) == before


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


def _policies(client, world):
    return client.get("/api/v1/sla-policies", headers=world.admin.headers).get_json()["items"]


def test_bad_sla_minutes_are_refused_and_change_nothing(app, client, world):
    console = console_client(app, world.admin.login)
    token = csrf(console, "/console/sla")
    before = all_rows(app)
    for form in ({"priority": "high", "response_minutes": "0", "resolution_minutes": "60"},
                 {"priority": "high", "response_minutes": "abc", "resolution_minutes": "60"},
                 {"priority": "high", "response_minutes": "", "resolution_minutes": "60"},
                 {"priority": "high", "response_minutes": "90", "resolution_minutes": "60"},
                 {"priority": "urgentest", "response_minutes": "30", "resolution_minutes": "60"},
                 {"priority": "high", "category": "NOPE", "response_minutes": "30", "resolution_minutes": "60"}):
        response = console.post("/console/sla", data={**form, "csrf_token": token})
        assert 400 <= response.status_code < 500, (form, response.status_code)
    assert all_rows(app) == before


def test_an_administrator_sets_an_sla_target(app, client, world):
    console = console_client(app, world.admin.login)
    token = csrf(console, "/console/sla")
    response = console.post("/console/sla", data={"csrf_token": token, "priority": "high", "category": "FAC-AC",
                                                  "response_minutes": "45", "resolution_minutes": "600"})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert {"priority": "high", "category": "FAC-AC", "response_minutes": 45,
            "resolution_minutes": 600} in _policies(client, world)


def test_managers_and_office_administrators_read_the_targets_only(app, client, world):
    before = _policies(client, world)
    for who in (world.manager_it, world.admin_ala):
        console = console_client(app, who.login)
        page = console.get("/console/sla")
        assert page.status_code == 200 and 'name="response_minutes"' not in page.get_data(as_text=True)
        token = csrf(console, "/console/sla")
        response = console.post("/console/sla", data={"csrf_token": token, "priority": "high",
                                                      "response_minutes": "45", "resolution_minutes": "600"})
        assert response.status_code == 403
    assert _policies(client, world) == before


def _category(client, world, code):
    return client.get(f"/api/v1/categories/{code}", headers=world.admin.headers).get_json()


FORM = [{"key": "room_temperature", "type": "number", "label": {"en": "Temperature", "ru": "Температура"},
         "required": True}]


def test_a_bad_form_definition_is_refused_and_changes_nothing(app, client, world):
    console = console_client(app, world.admin.login)
    token = csrf(console, "/console/categories")
    before = all_rows(app)
    base = {"csrf_token": token, "name_en": "AC", "department": "FAC", "is_active": "on"}
    for fields in ("[{not json", '{"key": "x"}', '[{"key": "Bad Key!", "type": "text", "label": "X"}]',
                   '[{"key": "a", "type": "colour", "label": "X"}]',
                   '[{"key": "a", "type": "text", "label": "X"}, {"key": "a", "type": "text", "label": "Y"}]'):
        response = console.post("/console/categories/FAC-AC", data={**base, "fields": fields})
        assert 400 <= response.status_code < 500, (fields, response.status_code)
        assert 'data-testid="error-message"' in response.get_data(as_text=True)
    response = console.post("/console/categories/FAC-AC", data={**base, "name_en": "", "fields": "[]"})
    assert response.status_code == 422
    assert all_rows(app) == before


def test_an_administrator_edits_a_category_and_its_form(app, client, world):
    import json
    console = console_client(app, world.admin.login)
    token = csrf(console, "/console/categories")
    response = console.post("/console/categories/FAC-AC", data={
        "csrf_token": token, "name_en": "Air conditioning", "name_ru": "Кондиционер", "name_kk": "Кондиционер",
        "department": "IT", "is_active": "on", "fields": json.dumps(FORM)})
    assert response.status_code == 303, response.get_data(as_text=True)
    category = _category(client, world, "FAC-AC")
    assert category["name"] == {"en": "Air conditioning", "ru": "Кондиционер", "kk": "Кондиционер"}
    assert category["department"] == "IT"
    assert [f["key"] for f in category["fields"]] == ["room_temperature"]
    response = console.post("/console/categories", data={
        "csrf_token": token, "code": "FAC-DOOR", "name_en": "Doors", "department": "FAC", "fields": "[]"})
    assert response.status_code == 303
    assert _category(client, world, "FAC-DOOR")["is_active"] is False
    page = console.get("/console/categories/FAC-AC").get_data(as_text=True)
    assert "room_temperature" in page


def test_a_manager_cannot_change_categories(app, client, world):
    console = console_client(app, world.manager_it.login)
    token = csrf(console, "/console/categories")
    before = _category(client, world, "FAC-AC")
    response = console.post("/console/categories/FAC-AC", data={"csrf_token": token, "name_en": "Hacked",
                                                                 "fields": "[]"})
    assert response.status_code == 403
    assert _category(client, world, "FAC-AC") == before


def test_an_administrator_makes_a_category_discoverable_and_back(app, client, world):
    console = console_client(app, world.admin.login)
    token = csrf(console, "/console/categories")
    base = {"csrf_token": token, "name_en": "PC", "department": "IT", "is_active": "on", "fields": "[]"}
    assert _category(client, world, "IT-PC")["discoverable"] is False
    assert 'data-testid="category-discoverable"' in console.get("/console/categories/IT-PC").get_data(as_text=True)
    assert console.post("/console/categories/IT-PC", data={**base, "discoverable": "on"}).status_code == 303
    assert _category(client, world, "IT-PC")["discoverable"] is True
    page = console.get("/console/categories/IT-PC").get_data(as_text=True)
    assert re.search(r'id="cat-discoverable"[^>]* checked', page)
    assert console.post("/console/categories/IT-PC", data=base).status_code == 303  # unchecked
    assert _category(client, world, "IT-PC")["discoverable"] is False
    assert console.post("/console/categories", data={**base, "code": "FAC-LIFT", "name_en": "Lift",
                                                     "discoverable": "on"}).status_code == 303
    assert _category(client, world, "FAC-LIFT")["discoverable"] is True
    # A manager cannot.
    manager = console_client(app, world.manager_it.login)
    response = manager.post("/console/categories/IT-PC", data={**base, "csrf_token": csrf(manager, "/console/categories"),
                                                               "discoverable": "on"})
    assert response.status_code == 403
    assert _category(client, world, "IT-PC")["discoverable"] is False


def _rules(client, world):
    return client.get("/api/v1/assignment-rules", headers=world.admin.headers).get_json()["items"]


def test_assignment_rules_are_set_checked_and_removed(app, client, world):
    console = console_client(app, world.admin.login)
    token = csrf(console, "/console/assignment-rules")
    bad = console.post("/console/assignment-rules", data={"csrf_token": token, "office_id": str(world.ala),
                                                          "department": "FAC", "mode": "round_robin"})
    assert bad.status_code == 422
    bad = console.post("/console/assignment-rules", data={"csrf_token": token, "office_id": str(world.ala),
                                                          "department": "FAC", "mode": "round_robin",
                                                          "pool": [str(world.manager_it.id)]})
    assert bad.status_code == 422  # the IT manager does not cover FAC
    assert _rules(client, world) == []
    ok = console.post("/console/assignment-rules", data={"csrf_token": token, "office_id": str(world.ala),
                                                         "department": "FAC", "mode": "round_robin",
                                                         "pool": [str(world.manager_fac_ala.id)]})
    assert ok.status_code == 303
    assert [(r["mode"], [p["id"] for p in r["pool"]]) for r in _rules(client, world)] == [
        ("round_robin", [world.manager_fac_ala.id])]
    page = console.get("/console/assignment-rules").get_data(as_text=True)
    assert 'data-testid="rule-row"' in page
    manager = console_client(app, world.manager_fac_ala.login)
    assert manager.get("/console/assignment-rules").status_code == 200
    mtoken = csrf(manager, "/console/assignment-rules")
    assert manager.post("/console/assignment-rules/remove", data={
        "csrf_token": mtoken, "office_id": str(world.ala), "department": "FAC"}).status_code == 403
    gone = console.post("/console/assignment-rules/remove", data={"csrf_token": token, "office_id": str(world.ala),
                                                                  "department": "FAC"})
    assert gone.status_code == 303
    assert [(r["mode"], r["pool"]) for r in _rules(client, world)] == [("manual", [])]
    assert 'data-testid="rule-row"' not in console.get("/console/assignment-rules").get_data(as_text=True)


def test_csv_downloads_answer_what_the_api_answers(app, client, world):
    client.post("/api/v1/requests", json={"title": "AC is broken", "category": "FAC-AC", "location": ALA_POINT},
                headers=world.employee.headers)
    console = console_client(app, world.admin.login)
    sla = console.get("/console/dashboard/sla.csv?group_by=category")
    api = client.get("/api/v1/reports/sla.csv?group_by=category", headers=world.admin.headers)
    assert sla.status_code == 200 and sla.mimetype == "text/csv"
    assert sla.get_data() == api.get_data()
    assert sla.headers["Content-Disposition"] == api.headers["Content-Disposition"]
    rows = console.get("/console/dashboard/requests.csv?status=new")
    assert rows.status_code == 200
    body = rows.get_data()  # streamed: read before the next request
    api_rows = client.get("/api/v1/requests.csv?status=new", headers=world.admin.headers).get_data()
    assert body == api_rows and b"AC is broken" in body
    assert console.get("/console/dashboard/sla.csv?group_by=nope").status_code == 422
    assert console.get("/console/dashboard?from=2026-13-01").status_code == 422


def test_the_pages_read_in_every_language(app, client, world):
    client.post("/api/v1/requests", json={"title": "AC is broken", "category": "FAC-AC", "location": ALA_POINT},
                headers=world.employee.headers)
    console = console_client(app, world.admin.login)
    for language in ("ru", "kk", "en"):
        token = csrf(console)
        console.post("/console/language", data={"csrf_token": token, "language": language})
        for path in ("/console/dashboard", "/console/dashboard?group_by=assignee", "/console/users",
                     f"/console/users/{world.manager_it.id}", "/console/sla", "/console/categories",
                     "/console/categories/FAC-AC", "/console/assignment-rules"):
            response = console.get(path)
            assert response.status_code == 200, (language, path)
            assert f'<html lang="{language}">' in response.get_data(as_text=True)


def test_the_scope_is_set_by_company_wide_administrators_only(app, client, world):
    office_admin = console_client(app, world.admin_ala.login)
    token = csrf(office_admin)
    before = all_rows(app)
    refused = office_admin.post(f"/console/users/{world.manager_it.id}/scope", data={
        "csrf_token": token, "office_ids": [str(world.ast)], "department_codes": ["IT"]})
    assert refused.status_code == 403
    assert all_rows(app) == before
    admin = console_client(app, world.admin.login)
    token = csrf(admin)
    done = admin.post(f"/console/users/{world.manager_it.id}/scope", data={
        "csrf_token": token, "office_ids": [str(world.ast)], "department_codes": ["IT", "FAC"]})
    assert done.status_code == 303
    user = client.get(f"/api/v1/users/{world.manager_it.id}", headers=world.admin.headers).get_json()
    assert (user["office_ids"], sorted(user["department_codes"])) == ([world.ast], ["FAC", "IT"])
