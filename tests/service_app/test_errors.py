"""One error envelope from every source (API.md, Errors), and request ids."""
import pytest
from flask import abort
import sqlalchemy as sa

from service_app.extensions import db
from service_app.users.models import User


def assert_envelope(response, status, code):
    assert response.status_code == status
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert set(error) == {"code", "message", "details"}
    return error


def test_malformed_json(client, auth):
    response = client.post("/api/v1/users", data="{not json", content_type="application/json",
                           headers=auth("administrator").headers)
    assert_envelope(response, 400, "invalid_json")


def test_body_that_is_not_an_object(client, auth):
    response = client.post("/api/v1/users", json=[1, 2], headers=auth("administrator").headers)
    assert_envelope(response, 422, "validation_error")


def test_validation_error_names_the_field(client):
    response = client.post("/api/v1/auth/login", json={"login": "x", "password": 5})
    error = assert_envelope(response, 422, "validation_error")
    assert error["details"] == {"password": ["Not a valid string."]}
    assert error["message"] == "password: Not a valid string."


def test_unknown_path_and_method(client):
    assert_envelope(client.get("/api/v1/nothing-here"), 404, "not_found")
    response = client.delete("/api/v1/auth/login")
    assert_envelope(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def test_body_over_the_limit(make_app):
    client = make_app(MAX_CONTENT_LENGTH=1024).test_client()
    response = client.post("/api/v1/auth/login", json={"login": "x" * 2000, "password": "y"})
    assert_envelope(response, 413, "payload_too_large")


def test_jwt_errors_use_the_envelope(client):
    assert_envelope(client.get("/api/v1/me"), 401, "unauthorized")
    assert_envelope(client.get("/api/v1/me", headers={"Authorization": "Bearer x.y.z"}), 401, "invalid_token")
    assert_envelope(client.get("/api/v1/me", headers={"Authorization": "Basic abc"}), 401, "unauthorized")


def test_forbidden(client, auth):
    assert_envelope(client.get("/api/v1/users", headers=auth("employee").headers), 403, "forbidden")


@pytest.fixture
def crashing_app(make_app):
    """An app with views that fail the ways real code can."""
    app = make_app()

    @app.post("/_test/duplicate")
    def duplicate():
        for _ in range(2):
            db.session.add(User(login="twin", full_name="T", role="employee", password_hash="x"))
        db.session.commit()

    @app.get("/_test/crash")
    def crash():
        raise RuntimeError("secret internal detail /etc/passwd")

    @app.get("/_test/db-down")
    def db_down():
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    return app


def test_integrity_error_is_a_conflict_and_writes_nothing(crashing_app):
    response = crashing_app.test_client().post("/_test/duplicate")
    assert_envelope(response, 409, "conflict")
    with crashing_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_unexpected_error_is_a_500_without_internals(crashing_app):
    response = crashing_app.test_client().get("/_test/crash")
    error = assert_envelope(response, 500, "internal_error")
    assert "secret" not in response.get_data(as_text=True)
    assert error["details"] is None


def test_database_down_is_503(crashing_app):
    response = crashing_app.test_client().get("/_test/db-down")
    assert_envelope(response, 503, "unavailable")
    assert response.headers["Retry-After"]


def test_request_id_is_generated_and_echoed(client):
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    unsafe = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"}).headers["X-Request-ID"]
    assert unsafe != "bad id\twith spaces" and len(unsafe) == 32
    assert client.get("/api/v1/nope", headers={"X-Request-ID": "r-404"}).headers["X-Request-ID"] == "r-404"


def test_every_log_line_names_its_request(client, capfd):
    client.post("/api/v1/auth/login", json={"login": "ghost", "password": "whatever-1"},
                headers={"X-Request-ID": "trace-me-42"})
    out = capfd.readouterr().out
    lines = [line for line in out.splitlines() if "failed sign-in" in line]
    assert lines and all("[trace-me-42]" in line for line in lines)
    assert "whatever-1" not in out


def test_ids_beyond_a_database_integer_are_refused_not_crashed(client, auth):
    """Found by the contract test on PostgreSQL: 2297301799 used to reach the database (500)."""
    admin = auth("administrator")
    assert client.get("/api/v1/users/99999999999", headers=admin.headers).status_code == 404
    assert client.get("/api/v1/requests/2147483648", headers=admin.headers).status_code == 404
    response = client.patch(f"/api/v1/users/{admin.id}", json={"office_ids": [2297301799]}, headers=admin.headers)
    assert response.status_code == 422 and "office_ids" in response.get_json()["error"]["details"]
    assert client.get("/api/v1/users?office_id=99999999999", headers=admin.headers).status_code == 422


def test_a_value_the_database_refuses_is_a_422(make_app):
    app = make_app()

    @app.get("/_test/data-error")
    def data_error():
        raise sa.exc.DataError("INSERT", {}, Exception("integer out of range"))

    assert_envelope(app.test_client().get("/_test/data-error"), 422, "validation_error")


def test_rate_limited_answer_says_when_the_breached_limit_resets(make_app):
    """Retry-After is the limiter's own reset time (a day away here), not the 60 s fallback."""
    client = make_app(RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_ACCOUNT="1 per day").test_client()
    guess = {"login": "nobody-here", "password": "bad-guess-1"}
    assert client.post("/api/v1/auth/login", json=guess).status_code == 401
    blocked = client.post("/api/v1/auth/login", json=guess)
    error = assert_envelope(blocked, 429, "rate_limited")
    assert error["message"] == "too many attempts, retry later (1 per 1 day)"
    assert 3600 < int(blocked.headers["Retry-After"]) <= 86400 + 1  # whole seconds, rounded up


def test_a_429_from_elsewhere_says_retry_in_a_minute(make_app):
    app = make_app()

    @app.get("/_test/busy")
    def busy():
        abort(429)

    response = app.test_client().get("/_test/busy")
    assert_envelope(response, 429, "rate_limited")
    assert response.headers["Retry-After"] == "60"


def test_refused_tokens_name_the_reason(client, app, auth):
    signed_out = auth("employee")
    assert client.post("/api/v1/auth/logout", headers=signed_out.headers).status_code == 204
    deactivated = auth("employee")
    with app.app_context():
        db.session.get(User, deactivated.id).is_active = False
        db.session.commit()
    answers = {
        "missing": client.get("/api/v1/me"),
        "revoked": client.get("/api/v1/me", headers=signed_out.headers),
        "inactive": client.get("/api/v1/me", headers=deactivated.headers),
        "access token used to refresh": client.post("/api/v1/auth/refresh", headers=deactivated.headers),
    }
    assert {case: (r.status_code, r.get_json()["error"]["code"], r.get_json()["error"]["message"])
            for case, r in answers.items()} == {
        "missing": (401, "unauthorized", "a bearer token is required"),
        "revoked": (401, "token_revoked", "the token has been revoked"),
        "inactive": (401, "token_revoked", "the account behind this token is not active"),
        "access token used to refresh": (401, "invalid_token", "the token is not valid: Only refresh tokens are allowed"),
    }
