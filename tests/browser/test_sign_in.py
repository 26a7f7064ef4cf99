"""The console's front door in a real browser: staff get in, employees are sent to the app, and a
sign-in forged by another site signs nobody in."""
import re
import urllib.request

from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in
from tests.support.api import DEMO_PASSWORD


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


ATTACKER_PAGE = """<!doctype html><html><body>
<form id="forged" method="post" action="{action}">
  <input name="login" value="{login}"><input name="password" value="{password}">
  <input name="next" value="/console/"><input name="csrf_token" value="{token}">
</form>
<script>document.getElementById("forged").submit();</script>
</body></html>"""


def _attackers_own_token(live_server):
    """What an attacker can get: a sign-in form of his own, with his own cookie (not the victim's)."""
    with urllib.request.urlopen(live_server.url + "/console/login") as answer:  # noqa: S310 - loopback
        found = re.search(r'name="csrf_token" value="([^"]*)"', answer.read().decode())
    return found.group(1) if found else ""


def test_a_sign_in_posted_from_another_site_signs_nobody_in(page, live_server, make_user):
    """Login CSRF: a page elsewhere auto-submits the console's sign-in form with the attacker's
    account; the victim's browser must not end up signed in to it. The normal sign-in still works."""
    make_user("manager", login="attacker", full_name="Mallory Attacker")
    make_user("administrator", login="victim", full_name="Victor Victim")
    page.goto("/console/login")  # the victim has opened the console before
    html = ATTACKER_PAGE.format(action=live_server.url + "/console/login", login="attacker",
                                password=DEMO_PASSWORD, token=_attackers_own_token(live_server))

    def attacker_site(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [html.encode()]

    with LiveServer(attacker_site) as elsewhere:
        assert elsewhere.url != live_server.url  # another origin (another port)
        with page.expect_response(lambda r: r.url == live_server.url + "/console/login"
                                  and r.request.method == "POST") as forged:
            page.goto(elsewhere.url + "/")
        assert forged.value.status in (400, 403)
    page.wait_for_load_state("networkidle")
    assert "Mallory Attacker" not in page.content()
    assert not [c for c in page.context.cookies() if c["name"] == "santrade_console"]
    page.goto("/console/requests")
    expect(page.get_by_test_id("login")).to_be_visible()  # not signed in: sent to the sign-in

    sign_in(page, "victim")
    assert "Victor Victim" in page.content()
    expect(page.get_by_test_id("sign-out")).to_be_visible()
