"""Accounts in a real browser: an administrator creates an account, then deactivates it."""
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.support.api import DEMO_PASSWORD


def test_an_administrator_creates_and_deactivates_a_user(page, client, world):
    sign_in(page, world.admin.login, path="/console/users")
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_test_id("user-login").fill("aliya")
    page.get_by_test_id("user-name").fill("Aliya Nurlanovna")
    page.get_by_test_id("user-role").select_option("employee")
    page.get_by_test_id("user-office").select_option(str(world.ala))
    page.get_by_test_id("user-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("user-submit").click()
    expect(page.get_by_role("heading", name="Aliya Nurlanovna (aliya)")).to_be_visible()
    expect(page.get_by_test_id("user-status")).to_have_text("Active")
    assert_accessible(page)

    found = client.get("/api/v1/users?q=aliya", headers=world.admin.headers).get_json()["items"]
    assert [(u["login"], u["role"], u["office_id"], u["is_active"]) for u in found] == [
        ("aliya", "employee", world.ala, True)]
    login = client.post("/api/v1/auth/login", json={"login": "aliya", "password": DEMO_PASSWORD})
    assert login.status_code == 200

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("user-deactivate").click()
    expect(page.get_by_test_id("user-status")).to_have_text("Deactivated")
    found = client.get("/api/v1/users?q=aliya", headers=world.admin.headers).get_json()["items"]
    assert found[0]["is_active"] is False
    assert client.post("/api/v1/auth/login", json={"login": "aliya", "password": DEMO_PASSWORD}).status_code != 200

    page.goto("/console/users?q=aliya")
    expect(page.get_by_test_id("user-row")).to_have_count(1)
    expect(page.get_by_test_id("user-row").get_by_test_id("user-status")).to_have_text("Deactivated")
    screenshot(page, "users")
