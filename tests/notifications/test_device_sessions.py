"""A device registration belongs to the sign-in session that made it (API.md, "Devices and push").

When that session ends, however it ends, the device gets no more pushes (not
even those queued before) and ``/me/data`` shows it as not receiving; it
receives again once registered again after a new sign-in.
"""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from notifications import worker
from notifications.models import Delivery, Device
from notifications.senders import LogSender
from service_app.auth.models import AuthSession
from service_app.auth.tokens import purge_expired_sessions
from service_app.database import utcnow
from service_app.extensions import db
from tests.support.api import DEMO_PASSWORD, bearer, move

NEW_PASSWORD = "fresh-password-77"


class Capture:
    """A push sender that records what it is asked to send (and sends it to the log)."""

    def __init__(self):
        self.tokens = []

    def send(self, messages):
        self.tokens.extend(m.token for m in messages)
        return LogSender().send(messages)


@pytest.fixture
def pushes(app):
    """``pushes()`` runs the worker until the outbox is empty; returns the tokens it pushed to."""
    sender = Capture()
    app.extensions["push_sender"] = sender

    def drain():
        sender.tokens.clear()
        with app.app_context():
            while worker.run_once():
                db.session.remove()
        return sorted(sender.tokens)

    return drain


class Teller:
    """``tell.file(who)`` files a request as ``who`` (signed in); then each ``tell(who)`` has an
    administrator move it (in progress, waiting, in progress, ...), so ``who`` is notified,
    signed in or not. Pushes are not coalesced here."""

    def __init__(self, client, world, submit):
        self.client, self.world, self.submit, self.requests = client, world, submit, {}

    def file(self, who):
        self.requests[who.id] = [self.submit(who=who)["id"], "new"]

    def __call__(self, who):
        entry = self.requests[who.id]
        entry[1] = "waiting" if entry[1] == "in_progress" else "in_progress"
        assert move(self.client, self.world.admin, entry[0], entry[1]).status_code == 200


@pytest.fixture
def tell(app, client, world, submit):
    app.config["PUSH_COALESCE_SECONDS"] = 0
    teller = Teller(client, world, submit)
    teller.file(world.employee)
    return teller


def register(client, headers, token, platform="android"):
    response = client.post("/api/v1/devices", json={"token": token, "platform": platform}, headers=headers)
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def receiving(client, headers):
    """``{device id: receiving}`` from the caller's personal-data export."""
    return {d["id"]: d["receiving"] for d in client.get("/api/v1/me/data", headers=headers).get_json()["devices"]}


def sign_in(login, who, password=DEMO_PASSWORD):
    who.tokens = login(who.login, password)
    who.headers = bearer(who.tokens["access_token"])
    return who.headers


def test_a_device_is_silent_after_logout_and_receives_again_after_signing_in_and_registering(
        client, login, world, tell, pushes):
    device = register(client, world.employee.headers, "phone")
    assert device["receiving"] is True
    tell(world.employee)
    assert pushes() == ["phone"]

    tell(world.employee)  # queued while signed in ...
    assert client.post("/api/v1/auth/logout", headers=world.employee.headers).status_code == 204
    assert pushes() == []  # ... and not sent after the logout
    tell(world.employee)
    assert pushes() == []

    sign_in(login, world.employee)
    assert receiving(client, world.employee.headers) == {device["id"]: False}  # signing in is not enough
    tell(world.employee)
    assert pushes() == []
    assert register(client, world.employee.headers, "phone")["receiving"] is True
    assert receiving(client, world.employee.headers) == {device["id"]: True}
    tell(world.employee)
    assert pushes() == ["phone"]


def test_pushes_queued_before_the_session_ended_are_dropped(app, client, world, tell, pushes):
    register(client, world.employee.headers, "phone")
    tell(world.employee)
    client.post("/api/v1/auth/logout", headers=world.employee.headers)
    assert pushes() == []
    with app.app_context():
        [(status, error)] = db.session.execute(sa.select(Delivery.status, Delivery.last_error)).all()
    assert status == "dropped" and "sign-in ended" in error


def test_a_password_reset_by_sms_code_silences_every_device(app, client, auth, login, world, tell, pushes):
    sent = []
    app.extensions["sms_sender"] = type("Sms", (), {"send": lambda self, phone, text: sent.append(text)})()
    person = auth("employee", office_id=world.ala, phone="+77011234567", language="en")
    tell.file(person)
    first = register(client, person.headers, "phone")
    second_session = login(person.login)
    register(client, bearer(second_session["access_token"]), "tablet")
    tell(person)
    assert pushes() == ["phone", "tablet"]

    assert client.post("/api/v1/auth/password-reset", json={"login": person.login}).status_code == 202
    code = "".join(ch for ch in sent[-1] if ch.isdigit())[-6:]
    assert client.post("/api/v1/auth/password-reset/confirm", json={
        "login": person.login, "code": code, "new_password": NEW_PASSWORD}).status_code == 204
    tell(person)
    assert pushes() == []

    headers = sign_in(login, person, NEW_PASSWORD)
    assert set(receiving(client, headers).values()) == {False}
    assert register(client, headers, "phone")["id"] == first["id"]
    tell(person)
    assert pushes() == ["phone"]


def test_deactivation_silences_the_device_until_reactivated_signed_in_and_registered(client, login, world, tell,
                                                                                     pushes):
    register(client, world.employee.headers, "phone")
    tell(world.employee)  # queued before the deactivation
    client.patch(f"/api/v1/users/{world.employee.id}", json={"is_active": False}, headers=world.admin.headers)
    assert pushes() == []
    client.patch(f"/api/v1/users/{world.employee.id}", json={"is_active": True}, headers=world.admin.headers)
    headers = sign_in(login, world.employee)
    tell(world.employee)
    assert pushes() == []
    register(client, headers, "phone")
    tell(world.employee)
    assert pushes() == ["phone"]


def test_a_password_set_by_an_administrator_silences_the_device(client, login, world, tell, pushes):
    register(client, world.employee.headers, "phone")
    client.patch(f"/api/v1/users/{world.employee.id}", json={"password": NEW_PASSWORD}, headers=world.admin.headers)
    tell(world.employee)
    assert pushes() == []
    headers = sign_in(login, world.employee, NEW_PASSWORD)
    register(client, headers, "phone")
    tell(world.employee)
    assert pushes() == ["phone"]


def test_changing_ones_own_password_silences_the_other_sessions_devices_only(client, login, world, tell, pushes):
    register(client, world.employee.headers, "old-phone")
    other = bearer(login(world.employee.login)["access_token"])
    register(client, other, "new-phone")
    response = client.post("/api/v1/me/password", json={"current_password": DEMO_PASSWORD,
                                                        "new_password": NEW_PASSWORD}, headers=other)
    assert response.status_code == 204
    tell(world.employee)
    assert pushes() == ["new-phone"]
    assert sorted(receiving(client, other).values()) == [False, True]


def test_a_stolen_refresh_token_silences_the_device(app, client, world, tell, pushes):
    app.config["REFRESH_REUSE_GRACE_SECONDS"] = 0
    register(client, world.employee.headers, "phone")
    stolen = bearer(world.employee.tokens["refresh_token"])
    assert client.post("/api/v1/auth/refresh", headers=stolen).status_code == 200
    assert client.post("/api/v1/auth/refresh", headers=stolen).status_code == 401  # reuse: the session ends
    tell(world.employee)
    assert pushes() == []


def test_an_expired_and_then_purged_session_silences_the_device(app, client, world, tell, pushes):
    register(client, world.employee.headers, "phone")
    tell(world.employee)
    with app.app_context():
        db.session.execute(sa.update(AuthSession).where(AuthSession.user_id == world.employee.id)
                           .values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert pushes() == []
    tell(world.employee)
    assert pushes() == []
    with app.app_context():
        assert purge_expired_sessions() >= 1
        device = db.session.scalar(sa.select(Device))
        assert device.session_id is None and not device.receiving


def test_a_token_registered_by_another_user_moves_with_their_session(app, client, login, world, tell, pushes):
    tell.file(world.other_employee)
    register(client, world.employee.headers, "shared-phone")
    tell(world.employee)  # queued for the employee, not yet sent
    client.post("/api/v1/auth/logout", headers=world.employee.headers)
    headers = sign_in(login, world.other_employee)
    assert register(client, headers, "shared-phone")["receiving"] is True
    assert pushes() == []  # the employee's push stays behind
    with app.app_context():
        [device] = db.session.scalars(sa.select(Device)).all()
        assert device.user_id == world.other_employee.id
    tell(world.other_employee)
    assert pushes() == ["shared-phone"]
    sign_in(login, world.employee)
    tell(world.employee)
    assert pushes() == []
    assert receiving(client, world.employee.headers) == {}


def test_registering_again_in_the_same_session_keeps_what_is_queued(client, world, tell, pushes):
    register(client, world.employee.headers, "phone")
    tell(world.employee)
    register(client, world.employee.headers, "phone")  # every app start registers
    assert pushes() == ["phone"]


def test_a_deleted_device_gets_nothing_more(client, world, tell, pushes):
    register(client, world.employee.headers, "phone")
    tell(world.employee)
    assert client.delete("/api/v1/devices/phone", headers=world.employee.headers).status_code == 204
    assert pushes() == []
