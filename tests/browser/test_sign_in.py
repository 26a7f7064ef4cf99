"""The console's front door in a real browser: staff get in, employees are sent to the app."""
from tests.browser.conftest import assert_accessible, sign_in


def test_an_administrator_signs_in_and_out(page, make_user):
    make_user("administrator", login="boss", full_name="Dana Admin")
    sign_in(page, "boss")
    assert "Dana Admin" in page.content()
    assert_accessible(page)
    page.get_by_test_id("sign-out").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("login").is_visible()


def test_the_sign_in_page_is_accessible(page):
    page.goto("/console/login")
    assert_accessible(page)


def test_an_employee_is_told_to_use_the_app(page, make_user):
    make_user("employee", login="worker")
    sign_in(page, "worker")
    assert "use the Santrade Service app" in page.content()
    assert page.get_by_test_id("login").is_visible()
