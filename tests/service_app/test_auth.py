"""Sign-in, refresh rotation, logout and revocation (API.md, Auth)."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_jwt_extended import create_access_token

from service_app.auth.models import AuthSession
from service_app.extensions import db
from service_app.users.models import User
from tests.support.api import DEMO_PASSWORD, bearer


def test_login_returns_token_pair_and_user(client, make_user):
    account = make_user("employee", login="aigerim", language="kk")
    response = client.post("/api/v1/auth/login", json={"login": "Aigerim ", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["user"]["id"] == account.id and body["user"]["language"] == "kk"
    assert "password" not in body["user"] and "password_hash" not in body["user"]
    assert client.get("/api/v1/me", headers=bearer(body["access_token"])).status_code == 200


def test_unknown_login_and_wrong_password_answer_alike(client, make_user):
    make_user("employee", login="known")
    wrong = client.post("/api/v1/auth/login", json={"login": "known", "password": "nope-nope-1"})
    unknown = client.post("/api/v1/auth/login", json={"login": "ghost", "password": "nope-nope-1"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["error"]["code"] == "invalid_credentials"


def test_deactivated_account_cannot_sign_in(client, make_user):
    make_user("employee", login="gone", is_active=False)
    response = client.post("/api/v1/auth/login", json={"login": "gone", "password": DEMO_PASSWORD})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_credentials"


def test_refresh_rotates_and_the_used_token_stops_working(client, app, auth):
    account = auth("employee")
    old_refresh = account.tokens["refresh_token"]
    first = client.post("/api/v1/auth/refresh", headers=bearer(old_refresh))
    assert first.status_code == 200
    pair = first.get_json()
    assert pair["refresh_token"] != old_refresh
    _age_rotation(app, old_refresh, minutes=5)
    again = client.post("/api/v1/auth/refresh", headers=bearer(old_refresh))
    assert again.status_code == 401
    assert again.get_json()["error"]["code"] == "session_revoked"


def test_a_race_within_the_grace_gets_the_current_pair_and_the_session_goes_on(client, app, auth):
    account = auth("employee")
    old_refresh = account.tokens["refresh_token"]
    winner = client.post("/api/v1/auth/refresh", headers=bearer(old_refresh))
    late = client.post("/api/v1/auth/refresh", headers=bearer(old_refresh))  # the racer, or a retry
    assert winner.status_code == late.status_code == 200
    won, raced = winner.get_json(), late.get_json()
    assert set(raced) == {"access_token", "refresh_token", "token_type", "expires_in"}
    # Both racers hold the session's one live refresh token (the same jti, nothing rotated again).
    assert _claims(app, won["refresh_token"])["jti"] == _claims(app, raced["refresh_token"])["jti"]
    for pair in (won, raced):
        assert client.get("/api/v1/me", headers=bearer(pair["access_token"])).status_code == 200
    # Whichever the phone kept refreshes next, and the session goes on.
    following = client.post("/api/v1/auth/refresh", headers=bearer(raced["refresh_token"]))
    assert following.status_code == 200
    assert client.get("/api/v1/me", headers=bearer(following.get_json()["access_token"])).status_code == 200
    # The winner's copy of that same token is now the previous one: within the grace, a race again.
    assert client.post("/api/v1/auth/refresh", headers=bearer(won["refresh_token"])).status_code == 200
    # Once the grace has passed, the first token is theft.
    _age_rotation(app, old_refresh, seconds=app.config["REFRESH_REUSE_GRACE_SECONDS"] + 1)
    stolen = client.post("/api/v1/auth/refresh", headers=bearer(old_refresh))
    assert stolen.status_code == 401 and stolen.get_json()["error"]["code"] == "session_revoked"


def test_a_replay_within_its_grace_gets_the_current_pair_even_after_a_second_rotation(client, app, auth):
    """API.md: a refresh token presented again within REFRESH_REUSE_GRACE_SECONDS of its swap gets a
    valid pair and the session goes on. The grace is each token's own: a retry of a lost answer
    that arrives once the phone has already refreshed again (a second rotation) used to end the
    session, because only the token swapped last was remembered."""
    account = auth("employee")
    first = account.tokens["refresh_token"]
    second = client.post("/api/v1/auth/refresh", headers=bearer(first))
    assert second.status_code == 200
    third = client.post("/api/v1/auth/refresh", headers=bearer(second.get_json()["refresh_token"]))
    assert third.status_code == 200

    late = client.post("/api/v1/auth/refresh", headers=bearer(first))  # the first token, seconds old

    assert late.status_code == 200, late.get_json()
    # It gets the session's one live refresh token (nothing rotated), and the session goes on.
    current = third.get_json()["refresh_token"]
    assert _claims(app, late.get_json()["refresh_token"])["jti"] == _claims(app, current)["jti"]
    assert client.get("/api/v1/me", headers=bearer(late.get_json()["access_token"])).status_code == 200
    assert client.post("/api/v1/auth/refresh", headers=bearer(current)).status_code == 200


def test_the_grace_runs_from_each_tokens_own_swap(client, app, auth):
    """A token swapped longer ago than the grace is theft, even when a later swap was just now."""
    account = auth("employee")
    first = account.tokens["refresh_token"]
    second = client.post("/api/v1/auth/refresh", headers=bearer(first)).get_json()["refresh_token"]
    _age_rotation(app, first, seconds=app.config["REFRESH_REUSE_GRACE_SECONDS"] + 1)
    assert client.post("/api/v1/auth/refresh", headers=bearer(second)).status_code == 200  # just now
    replay = client.post("/api/v1/auth/refresh", headers=bearer(first))
    assert replay.status_code == 401 and replay.get_json()["error"]["code"] == "session_revoked"


def test_reuse_of_an_old_refresh_token_revokes_the_session(client, app, auth, login):
    account = auth("employee")
    other_device = login(account.login)
    old_refresh = account.tokens["refresh_token"]
    pair = client.post("/api/v1/auth/refresh", headers=bearer(old_refresh)).get_json()
    _age_rotation(app, old_refresh, seconds=app.config["REFRESH_REUSE_GRACE_SECONDS"] + 1)
    replay = client.post("/api/v1/auth/refresh", headers=bearer(old_refresh))
    assert replay.status_code == 401 and replay.get_json()["error"]["code"] == "session_revoked"
    # Nothing of the session survives: its access tokens, old and new, and its current refresh token.
    for token in (pair["access_token"], account.tokens["access_token"]):
        revoked = client.get("/api/v1/me", headers=bearer(token))
        assert revoked.status_code == 401 and revoked.get_json()["error"]["code"] == "token_revoked"
    assert client.post("/api/v1/auth/refresh", headers=bearer(pair["refresh_token"])).status_code == 401
    # Another sign-in of the same account is another session: untouched.
    assert client.get("/api/v1/me", headers=bearer(other_device["access_token"])).status_code == 200


def test_the_grace_is_configured(client, make_app, auth):
    app = make_app(REFRESH_REUSE_GRACE_SECONDS=0)
    client = app.test_client()
    account = auth("employee")
    old_refresh = account.tokens["refresh_token"]
    assert client.post("/api/v1/auth/refresh", headers=bearer(old_refresh)).status_code == 200
    _age_rotation(app, old_refresh, seconds=1)
    assert client.post("/api/v1/auth/refresh", headers=bearer(old_refresh)).get_json()["error"]["code"] == \
        "session_revoked"


def _age_rotation(app, token, **ago):
    """Move the session's swaps so far into the past (as if ``ago`` had passed since)."""
    with app.app_context():
        session = db.session.get(AuthSession, _sid(app, token))
        session.rotated_at -= timedelta(**ago)
        session.retired_refresh_jtis = {jti: (datetime.fromisoformat(swapped) - timedelta(**ago)).isoformat()
                                        for jti, swapped in session.retired_refresh_jtis.items()}
        db.session.commit()


def _claims(app, token):
    from flask_jwt_extended import decode_token

    with app.app_context():
        return decode_token(token)


def _sid(app, token):
    from flask_jwt_extended import decode_token

    with app.app_context():
        return decode_token(token)["sid"]


def test_refresh_token_is_refused_on_an_access_route(client, auth):
    account = auth("employee")
    response = client.get("/api/v1/me", headers=bearer(account.tokens["refresh_token"]))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"


def test_access_token_is_refused_for_refresh(client, auth):
    account = auth("employee")
    response = client.post("/api/v1/auth/refresh", headers=account.headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"


@pytest.mark.parametrize("token, code", [
    (None, "unauthorized"),
    ("garbage", "invalid_token"),
    ("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "invalid_token"),
])
def test_missing_or_malformed_token_gets_its_own_code(client, token, code):
    headers = bearer(token) if token else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == code


def test_tampered_token_is_invalid(client, auth):
    account = auth("administrator")
    header, payload, signature = account.tokens["access_token"].split(".")
    tampered = ".".join([header, payload, ("A" if signature[0] != "A" else "B") + signature[1:]])
    response = client.get("/api/v1/me", headers=bearer(tampered))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"


def test_expired_token_says_so(client, app, auth):
    account = auth("employee")
    with app.app_context():
        token = create_access_token(identity=str(account.id), expires_delta=timedelta(seconds=-5),
                                    additional_claims={"sid": _sid(app, account.tokens["refresh_token"])})
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "token_expired"


def test_token_signed_with_another_key_is_invalid(client, make_app, auth):
    account = auth("employee")
    other = make_app(JWT_SECRET_KEY="another-secret-key-of-enough-length-123456")
    with other.app_context():
        forged = create_access_token(identity=str(account.id), additional_claims={"sid": "x"})
    response = client.get("/api/v1/me", headers=bearer(forged))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"


def test_logout_revokes_access_and_refresh_tokens(client, auth):
    account = auth("employee")
    assert client.post("/api/v1/auth/logout", headers=account.headers).status_code == 204
    me = client.get("/api/v1/me", headers=account.headers)
    assert me.status_code == 401 and me.get_json()["error"]["code"] == "token_revoked"
    refreshed = client.post("/api/v1/auth/refresh", headers=bearer(account.tokens["refresh_token"]))
    assert refreshed.status_code == 401 and refreshed.get_json()["error"]["code"] == "token_revoked"


def test_logout_ends_only_that_session(client, auth, login):
    account = auth("employee")
    other_device = login(account.login)
    client.post("/api/v1/auth/logout", headers=account.headers)
    assert client.get("/api/v1/me", headers=bearer(other_device["access_token"])).status_code == 200


def test_deactivation_revokes_every_token_at_once(client, auth, login):
    admin = auth("administrator")
    employee = auth("employee")
    phone2 = login(employee.login)
    response = client.patch(f"/api/v1/users/{employee.id}", json={"is_active": False}, headers=admin.headers)
    assert response.status_code == 200 and response.get_json()["is_active"] is False
    for token in (employee.tokens["access_token"], phone2["access_token"]):
        assert client.get("/api/v1/me", headers=bearer(token)).get_json()["error"]["code"] == "token_revoked"
    for token in (employee.tokens["refresh_token"], phone2["refresh_token"]):
        assert client.post("/api/v1/auth/refresh", headers=bearer(token)).status_code == 401


def test_the_session_and_its_account_are_read_in_one_statement(client, app, auth):
    account = auth("employee")
    with app.app_context():
        engine = db.engine
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()).lower())

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get("/api/v1/notifications", headers=account.headers).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    auth_reads = [s for s in statements if "auth_sessions" in s or "from users" in s]
    assert len(auth_reads) == 1, statements
    assert "join users" in auth_reads[0]


def test_an_account_deactivated_behind_the_api_is_refused_at_once(client, app, auth):
    account = auth("employee")
    assert client.get("/api/v1/me", headers=account.headers).status_code == 200
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == account.id).values(is_active=False))
        db.session.commit()
    response = client.get("/api/v1/me", headers=account.headers)
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "token_revoked"


def test_password_change_keeps_this_device_and_signs_out_others(client, auth, login):
    account = auth("employee")
    other = login(account.login)
    response = client.post("/api/v1/me/password", headers=account.headers,
                           json={"current_password": DEMO_PASSWORD, "new_password": "a-brand-new-pass"})
    assert response.status_code == 204
    assert client.get("/api/v1/me", headers=account.headers).status_code == 200
    assert client.get("/api/v1/me", headers=bearer(other["access_token"])).status_code == 401
    assert client.post("/api/v1/auth/login", json={"login": account.login, "password": DEMO_PASSWORD}).status_code == 401
    login(account.login, "a-brand-new-pass")


@pytest.mark.parametrize("body, field", [
    ({"current_password": "wrong-password", "new_password": "a-brand-new-pass"}, "current_password"),
    ({"current_password": DEMO_PASSWORD, "new_password": "short"}, "new_password"),
    ({"current_password": DEMO_PASSWORD}, "new_password"),
])
def test_password_change_refusals_change_nothing(client, auth, login, body, field):
    account = auth("employee")
    response = client.post("/api/v1/me/password", headers=account.headers, json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]
    login(account.login, DEMO_PASSWORD)


class TestThrottling:
    @pytest.fixture
    def app(self, make_app):
        return make_app(RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes",
                        LOGIN_LIMIT_PER_IP="5 per 15 minutes")

    def test_failed_logins_are_throttled_per_account_and_address(self, client, make_user):
        make_user("employee", login="target")
        for _ in range(3):
            failed = client.post("/api/v1/auth/login", json={"login": "target", "password": "bad-guess-1"})
            assert failed.status_code == 401
            assert "Retry-After" not in failed.headers  # only 429 and 503 carry it
        blocked = client.post("/api/v1/auth/login", json={"login": "target", "password": DEMO_PASSWORD})
        assert blocked.status_code == 429
        assert blocked.get_json()["error"]["code"] == "rate_limited"
        assert int(blocked.headers["Retry-After"]) > 0
        # Another account from the same address is not blocked yet.
        make_user("employee", login="bystander")
        accepted = client.post("/api/v1/auth/login", json={"login": "bystander", "password": DEMO_PASSWORD})
        assert accepted.status_code == 200
        assert "Retry-After" not in accepted.headers

    def test_failed_logins_are_throttled_per_address(self, client, make_user):
        for i in range(5):
            client.post("/api/v1/auth/login", json={"login": f"guess{i}", "password": "bad-guess-1"})
        make_user("employee", login="real")
        blocked = client.post("/api/v1/auth/login", json={"login": "real", "password": DEMO_PASSWORD})
        assert blocked.status_code == 429
        other_ip = client.post("/api/v1/auth/login", json={"login": "real", "password": DEMO_PASSWORD},
                               environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert other_ip.status_code == 200

    def test_successful_logins_do_not_count(self, client, make_user):
        make_user("employee", login="daily")
        for _ in range(6):
            assert client.post("/api/v1/auth/login", json={"login": "daily", "password": DEMO_PASSWORD}).status_code == 200


def test_login_throttle_is_shared_by_every_instance_through_redis(make_app, make_user):
    """With RATELIMIT_STORAGE_URI on Redis (Render Key Value), two web instances count together."""
    import socket
    import uuid

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
                "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}", "LOGIN_LIMIT_PER_ACCOUNT": "2 per 15 minutes"}
    first, second = make_app(**settings).test_client(), make_app(**settings).test_client()
    make_user("employee", login="shared")
    bad = {"login": "shared", "password": "bad-guess-1"}
    assert first.post("/api/v1/auth/login", json=bad).status_code == 401
    assert second.post("/api/v1/auth/login", json=bad).status_code == 401
    assert first.post("/api/v1/auth/login", json={"login": "shared", "password": DEMO_PASSWORD}).status_code == 429
