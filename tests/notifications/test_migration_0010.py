"""Migration 0010 on data: existing devices are bound to their user's likeliest live session
(or none), feed entries get their message parameters back-filled; and it downgrades."""
import json

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from notifications.models import Device, Notification
from service_app.auth.models import AuthSession
from service_app.extensions import db
from tests.support.api import move


def test_0010_binds_devices_and_back_fills_parameters(app, client, login, world, submit, etag_of):
    rid = submit()["id"]
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "We come at 3 pm"}, headers=world.admin.headers)
    move(client, world.admin, rid, "in_progress")
    client.patch(f"/api/v1/requests/{rid}", json={"assignee_id": world.admin_ala.id},
                 headers={**world.admin.headers, "If-Match": etag_of(rid)})
    client.post("/api/v1/devices", json={"token": "phone", "platform": "android"}, headers=world.employee.headers)
    login(world.employee.login)  # a later sign-in elsewhere, which registered nothing
    client.post("/api/v1/devices", json={"token": "tab", "platform": "ios"}, headers=world.other_employee.headers)
    client.post("/api/v1/auth/logout", headers=world.other_employee.headers)
    with app.app_context():
        phone_session = db.session.scalar(sa.select(Device.session_id).where(Device.token == "phone"))
        latest = db.session.scalar(sa.select(AuthSession.id).where(AuthSession.user_id == world.employee.id)
                                   .order_by(AuthSession.created_at.desc()).limit(1))
        assert phone_session != latest

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        downgrade(revision="0009_vocabulary_checks")
        old = {row.event: row.data for row in db.session.execute(
            sa.text("SELECT event, data FROM notifications WHERE user_id = :user"), {"user": world.employee.id})}
        db.session.remove()
        upgrade()
        db.session.remove()
        db.engine.dispose()

    assert {event: _json(data) for event, data in old.items()} == {
        "comment_added": {"request_id": str(rid), "event": "comment_added", "status": "new"},
        "status_changed": {"request_id": str(rid), "event": "status_changed", "status": "in_progress"}}
    with app.app_context():
        devices = dict(db.session.execute(sa.select(Device.token, Device.session_id)).all())
        assert devices == {"phone": phone_session, "tab": None}
        params = {(n.user_id, n.event): n.data for n in db.session.scalars(sa.select(Notification))}
    number = f"SR-{rid:06d}"
    assert params[(world.employee.id, "comment_added")] == {
        "number": number, "title": "AC is broken", "status": "new", "comment": "We come at 3 pm"}
    assert params[(world.employee.id, "status_changed")] == {
        "number": number, "title": "AC is broken", "status": "in_progress"}
    assert params[(world.admin_ala.id, "assigned")] == {"number": number, "title": "AC is broken",
                                                        "status": "in_progress"}
    assert params[(world.admin_ala.id, "request_created")] == {"number": number, "title": "AC is broken",
                                                               "status": "new"}
    client.patch("/api/v1/me", json={"language": "en"}, headers=world.employee.headers)
    titles = [n["title"] for n in client.get("/api/v1/notifications", headers=world.employee.headers).get_json()["items"]]
    assert titles == [f"Request {number}: in progress", f"New comment on {number}"]


def _json(value):
    return json.loads(value) if isinstance(value, str) else value
