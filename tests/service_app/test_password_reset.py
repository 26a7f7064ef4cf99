"""Password recovery by SMS code (API.md; PRIVACY.md P3)."""
import json
import socket
import threading
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sqlalchemy as sa

from service_app.auth import reset
from service_app.auth.models import PasswordResetCode
from service_app.auth.sms import EXTENSION, SmsError, get_sms_sender
from service_app.extensions import db
from tests.support.api import DEMO_PASSWORD, bearer

NEW_PASSWORD = "fresh-password-77"


class CapturingSms:
    def __init__(self):
        self.sent = []

    def send(self, phone, text):
        self.sent.append((phone, text))

    @property
    def last_code(self):
        return "".join(ch for ch in self.sent[-1][1] if ch.isdigit())[-6:]


@pytest.fixture
def sms(app):
    sender = CapturingSms()
    app.extensions[EXTENSION] = sender
    return sender


@pytest.fixture
def person(make_user):
    return make_user("employee", login="forgetful", phone="+77011234567", language="en")


def ask(client, login="forgetful"):
    return client.post("/api/v1/auth/password-reset", json={"login": login})


def confirm(client, code, login="forgetful", new_password=NEW_PASSWORD):
    return client.post("/api/v1/auth/password-reset/confirm",
                       json={"login": login, "code": code, "new_password": new_password})


def test_same_answer_whether_or_not_the_login_exists(client, sms, person):
    known, unknown = ask(client), ask(client, "nobody-here")
    assert known.status_code == unknown.status_code == 202
    assert known.data == unknown.data
    assert len(sms.sent) == 1 and sms.sent[0][0] == "+77011234567"


def test_code_is_six_digits_and_stored_only_as_a_hash(app, client, sms, person):
    ask(client)
    code = sms.last_code
    assert len(code) == 6 and code.isdigit()
    with app.app_context():
        row = db.session.scalar(sa.select(PasswordResetCode))
        assert code not in row.code_hash and len(row.code_hash) == 64
        assert row.expires_at - row.created_at == timedelta(minutes=10)


def test_valid_code_sets_the_password_and_revokes_every_session(client, sms, person, login):
    session = login("forgetful")
    ask(client)
    assert confirm(client, sms.last_code).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(session["access_token"])).status_code == 401
    assert client.post("/api/v1/auth/refresh", headers=bearer(session["refresh_token"])).status_code == 401
    login("forgetful", NEW_PASSWORD)


def test_code_works_once(client, sms, person):
    ask(client)
    code = sms.last_code
    assert confirm(client, code).status_code == 204
    again = confirm(client, code, new_password="another-pass-99")
    assert again.status_code == 400 and again.get_json()["error"]["code"] == "invalid_code"


def test_five_wrong_tries_burn_the_code(client, sms, person, login):
    ask(client)
    code = sms.last_code
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert confirm(client, wrong).status_code == 400
    assert confirm(client, code).status_code == 400
    login("forgetful", DEMO_PASSWORD)


def test_expired_code_is_refused(app, client, sms, person, login):
    ask(client)
    with app.app_context():
        row = db.session.scalar(sa.select(PasswordResetCode))
        row.expires_at -= timedelta(minutes=11)
        db.session.commit()
    response = confirm(client, sms.last_code)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_code"
    login("forgetful", DEMO_PASSWORD)


def test_asking_again_at_once_sends_nothing_new(client, sms, person):
    ask(client)
    ask(client)
    assert len(sms.sent) == 1


def test_a_new_code_replaces_the_old_one(app, client, sms, person, monkeypatch):
    codes = iter([111111, 222222])
    monkeypatch.setattr(reset.secrets, "randbelow", lambda n: next(codes))
    ask(client)
    with app.app_context():
        row = db.session.scalar(sa.select(PasswordResetCode))
        row.created_at -= timedelta(minutes=2)
        db.session.commit()
    ask(client)
    assert len(sms.sent) == 2 and sms.last_code == "222222"
    assert confirm(client, "111111").status_code == 400
    assert confirm(client, "222222").status_code == 204


@pytest.mark.parametrize("language, text", [
    ("ru", "Santrade: код для смены пароля 004217. Никому его не сообщайте."),
    ("kk", "Santrade: құпиясөзді өзгерту коды 004217. Ешкімге айтпаңыз."),
    ("en", "Santrade: your password reset code is 004217. Do not share it."),
])
def test_the_sms_is_in_the_accounts_language(client, sms, make_user, monkeypatch, language, text):
    """The text comes from the catalogues (the ``accounts`` domain), word for word as it was."""
    make_user("employee", login=f"reader-{language}", phone="+77011234500", language=language)
    monkeypatch.setattr(reset.secrets, "randbelow", lambda n: 4217)
    ask(client, f"reader-{language}")
    assert sms.sent == [("+77011234500", text)]


def test_unknown_login_or_no_phone_gets_invalid_code(client, sms, make_user):
    make_user("employee", login="nophone")
    ask(client, "nophone")
    assert sms.sent == []
    assert confirm(client, "123456", login="nophone").status_code == 400
    assert confirm(client, "123456", login="nobody").status_code == 400


def test_weak_new_password_is_refused_without_using_the_code(client, sms, person):
    ask(client)
    response = confirm(client, sms.last_code, new_password="short")
    assert response.status_code == 422
    assert "new_password" in response.get_json()["error"]["details"]
    assert confirm(client, sms.last_code).status_code == 204


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", 123456, None])
def test_malformed_code_is_a_validation_error(client, code):
    response = client.post("/api/v1/auth/password-reset/confirm",
                           json={"login": "x", "code": code, "new_password": NEW_PASSWORD})
    assert response.status_code == 422
    assert "code" in response.get_json()["error"]["details"]


def count_codes(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(PasswordResetCode))


def test_sms_gateway_down_gives_503_and_keeps_no_code(app, client, person):
    class Down:
        def send(self, phone, text):
            raise SmsError("connection refused")

    app.extensions[EXTENSION] = Down()
    response = ask(client)
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "unavailable"
    assert count_codes(app) == 0


@contextmanager
def gateway(status):
    """An SMS gateway on loopback answering every POST with status; yields (url, received)."""
    received = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append((self.headers["Authorization"],
                             json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/sms", received
    finally:
        server.shutdown()
        server.server_close()


def test_webhook_sender_posts_to_the_gateway(app, client, person):
    """The real webhook adapter, built from config, talks HTTP to a gateway on loopback."""
    with gateway(200) as (url, received):
        app.config.update(SMS_SENDER="webhook", SMS_WEBHOOK_TOKEN="t0k", SMS_WEBHOOK_URL=url)
        assert ask(client).status_code == 202
    assert received[0][0] == "Bearer t0k"
    assert received[0][1]["to"] == "+77011234567" and "password reset code" in received[0][1]["text"]


@pytest.mark.parametrize("status", [500, 302, 401])
def test_webhook_gateway_refusal_gives_503_and_keeps_no_code(app, client, person, status):
    with gateway(status) as (url, received):
        app.config.update(SMS_SENDER="webhook", SMS_WEBHOOK_URL=url)
        response = ask(client)
    assert len(received) == 1  # tried once, a redirect not followed
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "unavailable"
    assert count_codes(app) == 0


def test_webhook_gateway_that_never_answers_times_out_as_configured(app, client, person, caplog):
    with socket.socket() as sock:  # the kernel completes the handshake; nobody ever replies
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        app.config.update(SMS_SENDER="webhook", SMS_WEBHOOK_TIMEOUT_SECONDS=0.2,
                          SMS_WEBHOOK_URL=f"http://127.0.0.1:{sock.getsockname()[1]}/sms?key=gateway-secret")
        response = ask(client)
    assert response.status_code == 503 and count_codes(app) == 0
    assert "ReadTimeout" in caplog.text and "gateway-secret" not in caplog.text
    with app.app_context():
        assert get_sms_sender().timeout == 0.2



def test_webhook_gateway_down_gives_503_and_logs_no_url(app, client, person, caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the request: connection refused
    app.config.update(SMS_SENDER="webhook", SMS_WEBHOOK_URL=f"http://127.0.0.1:{port}/sms?key=gateway-secret")
    assert ask(client).status_code == 503 and count_codes(app) == 0
    assert "ConnectionError" in caplog.text and "gateway-secret" not in caplog.text

class TestSendingIsRateLimited:
    @pytest.fixture
    def app(self, make_app):
        return make_app(RATELIMIT_ENABLED=True, PASSWORD_RESET_LIMIT_PER_IP="3 per hour",
                        PASSWORD_RESET_LIMIT_PER_ACCOUNT="2 per hour")

    def test_per_account(self, client, sms, person):
        assert [ask(client).status_code for _ in range(3)] == [202, 202, 429]

    def test_per_address(self, client, sms):
        codes = [ask(client, f"someone{i}").status_code for i in range(4)]
        assert codes == [202, 202, 202, 429]
        response = ask(client, "someone9")
        assert response.headers["Retry-After"]
