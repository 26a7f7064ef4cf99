"""Console sessions: who gets in, what ends a session, CSRF, throttling, cookies, language."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from service_app.auth.models import AuthSession, ConsoleSession
from service_app.extensions import db
from service_app.users.models import User
from tests.console.support import CSRF, LOGIN_COOKIE, console_post_login, console_sign_in, csrf_of, login_token
from tests.support.api import DEMO_PASSWORD


def signed_in(client):
    """Whether the client's console session is live: the front door answers a page, not the sign-in."""
    response = client.get("/console/", follow_redirects=True)
    return "sign-out" in response.get_data(as_text=True)


def test_without_a_session_a_page_sends_to_the_sign_in(client):
    response = client.get("/console/")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/console/login?next=/console/")


def test_an_htmx_call_without_a_session_gets_hx_redirect(client):
    response = client.get("/console/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/console/login")


def test_an_administrator_and_a_manager_get_in(client, make_user):
    for role in ("administrator", "manager"):
        account = make_user(role)
        console_sign_in(client, account.login)
        assert signed_in(client)
        client.delete_cookie("santrade_console", path="/console")


def test_an_employee_is_told_to_use_the_app_and_gets_no_session(app, client, make_user):
    employee = make_user("employee", language="ru")
    response = console_post_login(client, {"login": employee.login, "password": DEMO_PASSWORD})
    assert response.status_code == 403
    assert "приложением Santrade Service" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsoleSession)) == 0


def test_a_wrong_password_is_refused_without_saying_which_part(client, make_user):
    account = make_user("administrator")
    wrong = console_post_login(client, {"login": account.login, "password": "not-it-at-all"})
    unknown = console_post_login(client, {"login": "nobody", "password": "not-it-at-all"})
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong login or password" in wrong.get_data(as_text=True)
    assert not signed_in(client)


@pytest.mark.parametrize("form", [{}, {"login": "x"}, {"password": "y"}, {"login": "x" * 65, "password": "y"},
                                  {"login": "a\x00", "password": "b"}])
def test_a_malformed_sign_in_is_a_401_page(client, form):
    response = console_post_login(client, form)
    assert response.status_code == 401
    assert response.mimetype == "text/html"


def _no_session_was_opened(app, response):
    assert "santrade_console=" not in response.headers.get("Set-Cookie", "")
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(ConsoleSession)) == 0


@pytest.mark.parametrize("forged", ["none", "empty", "another_browsers", "without_its_cookie"])
def test_a_sign_in_without_its_own_pre_session_token_signs_nobody_in(app, client, make_user, forged):
    """Login CSRF: another site posting the sign-in form with the attacker's account must not sign
    the victim's browser in. The token is bound to this browser's pre-session cookie."""
    account = make_user("administrator")
    form = {"login": account.login, "password": DEMO_PASSWORD}
    if forged == "empty":
        form["csrf_token"] = ""
    elif forged == "another_browsers":  # the attacker's own form and cookie; the victim has a cookie of its own
        form["csrf_token"] = login_token(app.test_client())
        login_token(client)
    elif forged == "without_its_cookie":
        form["csrf_token"] = login_token(client)
        client.delete_cookie(LOGIN_COOKIE, path="/console/login")
    response = client.post("/console/login", data=form)
    assert response.status_code == 403 and response.mimetype == "text/html"
    assert _no_session_was_opened(app, response)
    assert not signed_in(client)


def test_the_sign_in_form_carries_a_token_bound_to_an_httponly_pre_session_cookie(client, make_user):
    page = client.get("/console/login")
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith(LOGIN_COOKIE + "=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Path=/console/login" in cookie
    token = login_token(client)
    assert token and token not in cookie
    again = client.get("/console/login")  # a second tab: the same cookie, a form that works with it
    assert "Set-Cookie" not in again.headers and login_token(client) == token
    account = make_user("administrator")
    signed = client.post("/console/login", data={"login": account.login, "password": DEMO_PASSWORD,
                                                  "csrf_token": token})
    assert signed.status_code == 303


def test_the_cookie_is_httponly_samesite_lax_and_scoped_to_the_console(client, make_user):
    account = make_user("administrator")
    response = console_post_login(client, {"login": account.login, "password": DEMO_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain HTTP on the developer's machine


def test_the_cookie_is_secure_where_https_is_forced(make_app, make_user):
    app = make_app(FORCE_HTTPS=True)
    client = app.test_client()
    account = make_user("administrator")
    form = client.get("https://localhost/console/login")
    assert "Secure" in form.headers["Set-Cookie"]  # the pre-session cookie too
    token = CSRF.search(form.get_data(as_text=True)).group(1)
    response = client.post("https://localhost/console/login",
                           data={"login": account.login, "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]


def test_only_a_hash_of_the_cookie_is_stored(app, client, make_user):
    account = make_user("administrator")
    response = console_post_login(client, {"login": account.login, "password": DEMO_PASSWORD})
    token = response.headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]
    with app.app_context():
        row = db.session.scalar(sa.select(ConsoleSession))
        assert token not in (row.token_hash, row.csrf_token) and len(row.token_hash) == 64


def test_a_change_without_the_csrf_token_is_refused_and_changes_nothing(app, client, make_user):
    account = make_user("administrator", language="en")
    csrf = console_sign_in(client, account.login)
    refused = client.post("/console/language", data={"language": "kk"})
    wrong = client.post("/console/language", data={"language": "kk", "csrf_token": csrf + "x"})
    assert refused.status_code == wrong.status_code == 403
    assert "This form has expired" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(ConsoleSession.language)) is None
    # With the token (field or header) the same change goes through.
    assert client.post("/console/language", data={"language": "kk", "csrf_token": csrf}).status_code == 303
    assert "Шығу" in client.get("/console/", follow_redirects=True).get_data(as_text=True)
    assert client.post("/console/language", data={"language": "ru"},
                       headers={"X-CSRF-Token": csrf}).status_code == 303


def test_sign_out_ends_the_session_and_its_auth_session(app, client, make_user):
    account = make_user("administrator")
    csrf = console_sign_in(client, account.login)
    assert client.post("/console/logout", data={"csrf_token": csrf}).status_code == 303
    assert not signed_in(client)
    with app.app_context():
        assert db.session.scalar(sa.select(AuthSession.revoked_at)) is not None


def test_deactivation_through_the_api_ends_console_sessions(app, client, make_user, auth):
    admin = auth("administrator")
    account = make_user("manager")
    console = app.test_client()
    console_sign_in(console, account.login)
    assert signed_in(console)
    assert client.patch(f"/api/v1/users/{account.id}", json={"is_active": False},
                        headers=admin.headers).status_code == 200
    assert not signed_in(console)


def test_a_password_set_by_an_administrator_ends_console_sessions(app, client, make_user, auth):
    admin = auth("administrator")
    account = make_user("manager")
    console = app.test_client()
    console_sign_in(console, account.login)
    assert client.patch(f"/api/v1/users/{account.id}", json={"password": "brand-new-pass-9"},
                        headers=admin.headers).status_code == 200
    assert not signed_in(console)


def test_a_password_reset_by_sms_ends_console_sessions(app, client, make_user):
    from service_app.auth.sms import EXTENSION
    from tests.service_app.test_password_reset import CapturingSms

    sms = app.extensions[EXTENSION] = CapturingSms()
    account = make_user("administrator", phone="+77011234567")
    console = app.test_client()
    console_sign_in(console, account.login)
    client.post("/api/v1/auth/password-reset", json={"login": account.login})
    confirmed = client.post("/api/v1/auth/password-reset/confirm",
                            json={"login": account.login, "code": sms.last_code, "new_password": "brand-new-pass-9"})
    assert confirmed.status_code == 204
    assert not signed_in(console)


def test_an_account_turned_employee_is_signed_out(app, client, make_user):
    account = make_user("manager")
    console_sign_in(client, account.login)
    with app.app_context():
        db.session.get(User, account.id).role = "employee"
        db.session.commit()
    assert not signed_in(client)


def _age(app, **moved):
    with app.app_context():
        for row in db.session.scalars(sa.select(ConsoleSession)):
            row.last_seen_at -= moved.get("idle", timedelta(0))
        for row in db.session.scalars(sa.select(AuthSession)):
            row.expires_at -= moved.get("expires", timedelta(0))
        db.session.commit()


def test_an_idle_session_ends(make_app, make_user):
    app = make_app(CONSOLE_IDLE_MINUTES=30)
    client = app.test_client()
    console_sign_in(client, make_user("administrator").login)
    _age(app, idle=timedelta(minutes=29))
    assert signed_in(client)  # used again: the idle clock starts over
    _age(app, idle=timedelta(minutes=31))
    assert not signed_in(client)


def test_a_session_ends_after_its_hours_however_busy(make_app, make_user):
    app = make_app(CONSOLE_SESSION_HOURS=12)
    client = app.test_client()
    console_sign_in(client, make_user("administrator").login)
    with app.app_context():
        auth_session = db.session.scalar(sa.select(AuthSession))
        assert auth_session.expires_at - auth_session.created_at == timedelta(hours=12)
    _age(app, expires=timedelta(hours=12, seconds=1))
    assert not signed_in(client)


class TestThrottling:
    @pytest.fixture
    def app(self, make_app):
        return make_app(RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes",
                        LOGIN_LIMIT_PER_IP="5 per 15 minutes")

    def test_failed_sign_ins_are_throttled_as_the_api_login(self, client, make_user):
        account = make_user("administrator", login="target")
        for _ in range(3):
            assert console_post_login(client, {"login": "target", "password": "bad-guess-1"}).status_code == 401
        blocked = console_post_login(client, {"login": "target", "password": DEMO_PASSWORD})
        assert blocked.status_code == 429
        assert "Too many attempts" in blocked.get_data(as_text=True)
        assert not signed_in(client)
        make_user("administrator", login="bystander")
        assert console_post_login(client, {"login": "bystander", "password": DEMO_PASSWORD}).status_code == 303
        assert account


    def test_failures_through_the_api_count_against_the_console_sign_in(self, client, make_user):
        """One bucket per login and address, whichever door: the limit is the documented number of
        guesses, not twice it."""
        make_user("administrator", login="target")
        for _ in range(3):
            assert client.post("/api/v1/auth/login", json={"login": "target", "password": "bad-guess-1"}).status_code == 401
        blocked = console_post_login(client, {"login": "target", "password": DEMO_PASSWORD})
        assert blocked.status_code == 429
        assert not signed_in(client)

    def test_failures_through_the_console_count_against_the_api_sign_in(self, client, make_user):
        make_user("administrator", login="target")
        for _ in range(3):
            assert console_post_login(client, {"login": "target", "password": "bad-guess-1"}).status_code == 401
        blocked = client.post("/api/v1/auth/login", json={"login": "target", "password": DEMO_PASSWORD})
        assert blocked.status_code == 429

    def test_one_address_has_one_bucket_of_failures_whichever_door(self, client, make_user):
        make_user("administrator", login="bystander")
        for guess in range(5):  # five logins, one failure each: the account buckets stay open
            assert client.post("/api/v1/auth/login", json={"login": f"guess-{guess}", "password": "bad-guess-1"}
                               ).status_code == 401
        blocked = console_post_login(client, {"login": "bystander", "password": DEMO_PASSWORD})
        assert blocked.status_code == 429


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/api/v1/me", "/console\\@evil"])
def test_after_sign_in_only_console_pages_are_destinations(client, make_user, target):
    account = make_user("administrator")
    response = console_post_login(client, {"login": account.login, "password": DEMO_PASSWORD, "next": target})
    assert response.headers["Location"] == "/console/"


def test_after_sign_in_the_page_asked_for_opens(client, make_user):
    account = make_user("administrator")
    response = console_post_login(client, {"login": account.login, "password": DEMO_PASSWORD,
                                                   "next": "/console/?x=1"})
    assert response.headers["Location"] == "/console/?x=1"


def test_console_pages_have_a_csp_without_inline_script_and_are_not_cached(client, make_user):
    console_sign_in(client, make_user("administrator").login)
    response = client.get("/console/", follow_redirects=True)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert response.headers["Cache-Control"] == "no-store"


def test_the_language_is_the_users_and_can_be_switched(client, make_user):
    account = make_user("manager", language="kk")
    console_sign_in(client, account.login)
    page = client.get("/console/", follow_redirects=True).get_data(as_text=True)
    assert 'lang="kk"' in page
    client.post("/console/language", data={"language": "xx", "csrf_token": csrf_of(client)})
    assert 'lang="kk"' in client.get("/console/", follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize("settings, allowed", [
    ({"MAP_TILE_URL": "https://{s}.tiles.example.kz/{z}/{x}/{y}.png"}, ["https://*.tiles.example.kz"]),
    ({"MAP_TILE_URL": ""}, []),
    ({"STORAGE_BACKEND": "s3", "S3_BUCKET": "b", "S3_ENDPOINT_URL": "http://127.0.0.1:9000",
      "S3_PUBLIC_ENDPOINT_URL": "https://files.example.kz"}, ["https://files.example.kz"]),
    ({"STORAGE_BACKEND": "s3", "S3_BUCKET": "b"}, ["https://*.amazonaws.com"]),
])
def test_console_images_may_come_from_the_tile_server_and_the_photo_store_only(make_app, settings, allowed):
    from service_app.security import console_policy

    app = make_app(**settings)
    img = next(part for part in console_policy(app).split("; ") if part.startswith("img-src"))
    assert img.split()[1:] == ["'self'", "data:", "blob:",
                               *([] if "MAP_TILE_URL" in settings else ["https://tile.openstreetmap.org"]), *allowed]


@pytest.mark.parametrize("target", ["/console/\r\nSet-Cookie: x=1", "/console/\n", "/console/\x7f", "/console/\t"])
def test_a_next_with_control_characters_is_a_400_page_and_nothing_is_stored(app, client, make_user, target):
    """A CR or LF cannot be in a redirect's address: the sign-in was committed and then answered 500."""
    account = make_user("administrator")
    with app.app_context():
        sessions_before = db.session.scalar(sa.select(sa.func.count()).select_from(AuthSession))
    response = console_post_login(client, {"login": account.login, "password": DEMO_PASSWORD,
                                                   "next": target})
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "santrade_console" not in response.headers.get("Set-Cookie", "")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuthSession)) == sessions_before
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsoleSession)) == 0
    assert client.get("/console/login", query_string={"next": target}).status_code == 400
    token = console_sign_in(client, account.login)
    with app.app_context():
        language_before = db.session.scalar(sa.select(ConsoleSession.language))
    chosen = "kk" if language_before != "kk" else "ru"
    refused = client.post("/console/language", data={"language": chosen, "next": target, "csrf_token": token})
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(ConsoleSession.language)) == language_before
