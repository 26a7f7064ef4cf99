"""SLA targets, categories with their forms and assignment rules in a real browser: an
administrator changes them (checked through the API), a manager reads them; every page passes axe."""
import json

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot, sign_in


def test_an_administrator_sets_an_sla_target(page, client, world):
    sign_in(page, world.admin.login, path="/console/sla")
    assert_accessible(page)
    page.get_by_label("Response minutes for High", exact=True).fill("45")
    page.get_by_label("Resolution minutes for High", exact=True).fill("600")
    page.get_by_role("button", name="Save High", exact=True).click()
    expect(page.locator("#flash")).to_contain_text("Saved.")
    policies = client.get("/api/v1/sla-policies", headers=world.admin.headers).get_json()["items"]
    assert {"priority": "high", "category": None, "response_minutes": 45, "resolution_minutes": 600} in policies
    screenshot(page, "sla")


def test_an_administrator_edits_a_category_form(page, client, world):
    sign_in(page, world.admin.login, path="/console/categories")
    assert_accessible(page)
    page.get_by_role("link", name="FAC-AC").click()
    expect(page.get_by_test_id("category-form-json")).to_be_visible()
    assert_accessible(page)
    page.get_by_test_id("category-form-json").fill("[{broken")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("error-message")).to_contain_text("JSON")
    assert client.get("/api/v1/categories/FAC-AC", headers=world.admin.headers).get_json()["fields"] == []
    page.go_back()
    fields = [{"key": "room_temperature", "type": "number", "label": {"en": "Temperature", "ru": "Температура"}}]
    page.get_by_test_id("category-form-json").fill(json.dumps(fields))
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#flash")).to_contain_text("Saved.")
    saved = client.get("/api/v1/categories/FAC-AC", headers=world.admin.headers).get_json()["fields"]
    assert [f["key"] for f in saved] == ["room_temperature"]


def test_an_administrator_sets_an_assignment_rule(page, client, world):
    sign_in(page, world.admin.login, path="/console/assignment-rules")
    assert_accessible(page)
    page.get_by_label("Office", exact=True).select_option(str(world.ala))
    page.get_by_label("Department", exact=True).select_option("FAC")
    page.get_by_label("Mode", exact=True).select_option("round_robin")
    page.get_by_label("Pool", exact=True).select_option(str(world.manager_fac_ala.id))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("rule-row")).to_have_count(1)
    rules = client.get("/api/v1/assignment-rules", headers=world.admin.headers).get_json()["items"]
    assert [(r["mode"], [p["id"] for p in r["pool"]]) for r in rules] == [("round_robin", [world.manager_fac_ala.id])]
    assert_accessible(page)


def test_a_manager_reads_the_settings(page, client, world):
    client.put(f"/api/v1/assignment-rules/{world.ala}/FAC", json={"mode": "least_open",
                                                                  "pool": [world.manager_fac_ala.id]},
               headers=world.admin.headers)
    sign_in(page, world.manager_fac_ala.login, path="/console/sla")
    expect(page.get_by_test_id("sla-policies")).to_be_visible()
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    assert_accessible(page)
    page.goto("/console/categories")
    expect(page.get_by_test_id("category-row")).to_have_count(3)
    expect(page.get_by_test_id("category-create")).to_have_count(0)
    assert_accessible(page)
    page.goto("/console/categories/FAC-AC")
    assert_accessible(page)
    page.goto("/console/assignment-rules")
    expect(page.get_by_test_id("rule-row")).to_contain_text("Fewest open requests")
    assert_accessible(page)
