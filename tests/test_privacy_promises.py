"""One test per promise of the privacy policy (PRIVACY.md P1-P17); each fails if
the server stops keeping that promise."""
import io
import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from gunicorn.config import Config as GunicornConfig  # noqa: F401 - P8's access log is gunicorn's
from PIL import Image

from notifications import worker
from notifications.models import Device
from notifications.senders import LogSender, PushMessage
from service_app.auth.models import PasswordResetCode
from service_app.database import utcnow
from service_app.extensions import db
from service_app.users.models import User
from service_requests.models import Attachment, Comment, ServiceRequest
from service_requests.employees.models import NoticeFollow
from service_requests.photos.storage import S3Storage
from tests.support.api import DEMO_PASSWORD, bearer, move
from tests.support.places import NOWHERE
from tests.support.photos import gps_photo, upload


# A category form's free-text answer: what an author writes there is theirs as a description is.
NOTE_FORM = [{"key": "note", "type": "text", "label": "Note"}]


@pytest.fixture
def photo_store(app, tmp_path):
    app.config["STORAGE_LOCAL_ROOT"] = str(tmp_path / "photos")
    return tmp_path / "photos"


def test_p1_no_outsiders_no_sign_up_and_deactivation_ends_every_session(app, client, world):
    rules = [r.rule for r in app.url_map.iter_rules()]
    assert not [r for r in rules if re.search(r"regist|sign-?up|invite", r)]
    body = {"login": "outsider", "full_name": "X", "password": "long-enough-1", "role": "employee"}
    assert client.post("/api/v1/users", json=body).status_code == 401
    assert client.post("/api/v1/users", json=body, headers=world.employee.headers).status_code == 403
    client.patch(f"/api/v1/users/{world.employee.id}", json={"is_active": False}, headers=world.admin.headers)
    assert client.get("/api/v1/me", headers=world.employee.headers).status_code == 401
    assert client.post("/api/v1/auth/refresh", headers=bearer(world.employee.tokens["refresh_token"])).status_code == 401


def test_p2_accounts_hold_only_corporate_identity():
    columns = set(User.__table__.columns.keys())
    # ``available`` / ``available_until``: a staff member's work status for auto-assignment (away or
    # not, until when), never why.
    assert columns == {"id", "login", "full_name", "email", "phone", "role", "office_id", "office_ids",
                       "department_codes", "language", "is_active", "available", "available_until",
                       "password_hash", "password_changed_at", "created_at", "updated_at"}


def test_p3_sms_codes_random_hashed_short_lived_limited_single_use(app, client, make_user):
    sent = []
    app.extensions["sms_sender"] = type("S", (), {"send": lambda self, phone, text: sent.append(text)})()
    for i in range(2):
        make_user("employee", login=f"p3-{i}", phone=f"+7701000000{i}")
        assert client.post("/api/v1/auth/password-reset", json={"login": f"p3-{i}"}).status_code == 202
    assert client.post("/api/v1/auth/password-reset", json={"login": "nobody"}).status_code == 202
    codes = [re.search(r"\d{6}", text).group() for text in sent]
    with app.app_context():
        rows = db.session.scalars(sa.select(PasswordResetCode)).all()
        assert all(r.expires_at - r.created_at == timedelta(minutes=10) for r in rows)
        assert not any(code in r.code_hash for r in rows for code in codes)
    assert len(sent) == 2
    confirm = {"login": "p3-0", "code": codes[0], "new_password": "brand-new-pass-1"}
    assert client.post("/api/v1/auth/password-reset/confirm", json=confirm).status_code == 204
    assert client.post("/api/v1/auth/password-reset/confirm", json=confirm).status_code == 400
    wrong = {"login": "p3-1", "code": f"{(int(codes[1]) + 1) % 10**6:06d}", "new_password": "brand-new-pass-1"}
    for _ in range(5):
        client.post("/api/v1/auth/password-reset/confirm", json=wrong)
    assert client.post("/api/v1/auth/password-reset/confirm", json={**wrong, "code": codes[1]}).status_code == 400


def test_p3_sending_codes_is_rate_limited(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True, PASSWORD_RESET_LIMIT_PER_ACCOUNT="2 per hour")
    client = app.test_client()
    answers = [client.post("/api/v1/auth/password-reset", json={"login": "anyone"}).status_code for _ in range(3)]
    assert answers == [202, 202, 429]


def test_p4_internal_notes_are_for_staff_and_every_status_change_is_kept(client, world, submit):
    rid = submit()["id"]
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "vendor quote 5000", "internal": True},
                headers=world.admin.headers)
    for status in ("in_progress", "waiting", "in_progress", "resolved"):
        move(client, world.admin, rid, status)
    comments = client.get(f"/api/v1/requests/{rid}/comments", headers=world.employee.headers).get_json()["items"]
    assert "vendor quote" not in str(comments)
    events = client.get(f"/api/v1/requests/{rid}/events", headers=world.admin.headers).get_json()["items"]
    assert [e["data"]["to"] for e in events if e["event"] == "status_changed"] == [
        "in_progress", "waiting", "in_progress", "resolved"]


def test_p5_photos_only_for_those_who_may_see_the_request_and_signed_urls_expire(client, world, submit, photo_store):
    rid = submit()["id"]
    meta = upload(client, world.employee, rid, gps_photo()).get_json()
    assert client.get(meta["url"]).status_code == 401
    assert client.get(meta["url"], headers=world.other_employee.headers).status_code == 404
    assert client.get(meta["url"], headers=world.admin_ast.headers).status_code == 404
    assert client.get(meta["url"], headers=world.admin_ala.headers).status_code == 200
    url = S3Storage("photos", endpoint_url="http://127.0.0.1:9", access_key_id="k", secret_access_key="s",
                    url_expires_seconds=300).signed_url("requests/1/x.jpg")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url


def test_p6_routing_is_recorded(client, world, submit):
    assert submit()["routed_by"] == "geofence"
    assert submit(location=NOWHERE)["routed_by"] == "home_office"
    assert submit(office_id=world.ast)["routed_by"] == "manual"


def test_p7_only_an_approximate_location_is_kept_and_shown_to_the_author_alone(app, client, world, submit,
                                                                                 photo_store):
    rid = submit(location={"lat": 43.2123456, "lon": 76.9187654})["id"]
    with app.app_context():
        req = db.session.get(ServiceRequest, rid)
        assert (req.location_lat, req.location_lon) == (43.21, 76.92)
    assert client.get(f"/api/v1/requests/{rid}", headers=world.employee.headers).get_json()["location"] == {
        "lat": 43.21, "lon": 76.92}
    for staff in (world.admin, world.admin_ala, world.manager_fac_ala):
        assert "location" not in client.get(f"/api/v1/requests/{rid}", headers=staff.headers).get_json()
        assert "location" not in str(client.get("/api/v1/requests", headers=staff.headers).get_json())
        assert "43.21" not in client.get("/api/v1/reports/sla?format=csv", headers=staff.headers).get_data(as_text=True)
    meta = upload(client, world.employee, rid, gps_photo()).get_json()
    stored = client.get(meta["url"], headers=world.employee.headers).data
    assert not Image.open(io.BytesIO(stored)).getexif() and b"PhoneMaker" not in stored


def test_p7_a_request_filed_through_a_room_s_qr_tag_keeps_no_location(app, client, world):
    """The tag says where the request is, so no point is needed: one sent with it is not stored."""
    room = client.post(f"/api/v1/offices/{world.ala}/rooms", json={"code": "305", "name": "Room"},
                       headers=world.admin.headers).get_json()
    token = client.post(f"/api/v1/rooms/{room['id']}/qr-token", headers=world.admin.headers).get_json()["qr_token"]
    for location in (None, {"lat": 43.2123456, "lon": 76.9187654}):
        body = {"title": "AC is broken", "category": "FAC-AC", "qr_token": token,
                **({"location": location} if location else {})}
        answer = client.post("/api/v1/requests", json=body, headers=world.employee.headers).get_json()
        assert answer["routed_by"] == "qr" and "location" not in answer
        with app.app_context():
            req = db.session.get(ServiceRequest, answer["id"])
            assert (req.location_lat, req.location_lon, req.room_id) == (None, None, room["id"])


def test_p7_followers_see_neither_location_nor_photos_nor_who_wrote_it(client, world, submit, photo_store):
    rid = submit(location={"lat": 43.2123456, "lon": 76.9187654})["id"]
    meta = upload(client, world.employee, rid, gps_photo()).get_json()
    follower = world.other_employee
    assert client.post(f"/api/v1/requests/{rid}/follow", headers=follower.headers).status_code == 204
    body = client.get(f"/api/v1/requests/{rid}", headers=follower.headers).get_json()
    assert "location" not in body and body["attachments"] == [] and body["author"] is None
    assert "43.21" not in str(body) and "Aigerim" not in str(body)
    assert client.get(meta["url"], headers=follower.headers).status_code == 404
    assert client.get(meta["thumbnail_url"], headers=follower.headers).status_code == 404
    similar = client.get("/api/v1/requests/similar", query_string={"category": "FAC-AC", "office_id": world.ala},
                         headers=follower.headers).get_json()["items"]
    assert [s["id"] for s in similar] == [rid] and "Aigerim" not in str(similar) and "43.21" not in str(similar)


def test_p8_device_data_and_logs_without_secrets_or_coordinates(app, client, world, submit, capfd):
    client.post("/api/v1/devices", json={"token": "tok-p8", "platform": "ios", "os_version": "iOS 18",
                                         "app_version": "2.1"}, headers=world.employee.headers)
    with app.app_context():
        device = db.session.scalar(sa.select(Device))
        assert (device.platform, device.os_version, device.app_version, device.token) == ("ios", "iOS 18", "2.1", "tok-p8")
    login = client.post("/api/v1/auth/login", json={"login": world.employee.login, "password": DEMO_PASSWORD})
    client.post("/api/v1/auth/login", json={"login": world.employee.login, "password": "wrong-pass-123"})
    client.get("/api/v1/offices/route?lat=43.2123&lon=76.9187", headers=world.employee.headers)
    submit(location={"lat": 43.2123, "lon": 76.9187})
    logging.getLogger("p8").info("leak? token=%s lat=43.2123", login.get_json()["access_token"])
    out = capfd.readouterr().out
    for secret in (DEMO_PASSWORD, "wrong-pass-123", login.get_json()["access_token"],
                   login.get_json()["refresh_token"], "43.2123", "76.9187"):
        assert secret not in out
    with open("gunicorn.conf.py", encoding="utf-8") as fh:
        conf = fh.read()
    assert "%(U)s" in conf and "%(r)s" not in conf and "%(q)s" not in conf


def test_p9_no_payment_or_advertising_data(app):
    with app.app_context():
        names = {c.name.lower() for t in db.metadata.sorted_tables for c in t.columns}
    assert not [n for n in names if re.search(r"card|iban|payment|billing|advert|campaign|tracking", n)]


def test_p10_each_purpose_has_its_endpoint_and_nothing_else_is_collected(app):
    rules = {r.rule for r in app.url_map.iter_rules()}
    for purpose in ("/api/v1/auth/login", "/api/v1/requests", "/api/v1/offices/route", "/api/v1/notifications",
                    "/api/v1/reports/sla", "/api/v1/audit-log"):
        assert purpose in rules
    assert not [r for r in rules if re.search(r"analytic|track|telemetry|contacts|location-history", r)]


def test_p11_https_behind_the_proxy(make_app, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("JWT_SECRET_KEY", "j" * 40)
    client = make_app(ENV_NAME="production").test_client()
    plain = client.get("/api/v1/offices")
    assert plain.status_code == 308 and plain.headers["Location"].startswith("https://")
    proxied = client.get("/privacy", headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200
    assert proxied.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert proxied.headers["X-Content-Type-Options"] == "nosniff" and proxied.headers["X-Frame-Options"] == "DENY"
    assert client.get("/healthz").status_code == 200  # Render's health check speaks plain HTTP


def test_p12_short_tokens_rotation_revocation_roles_and_throttling(make_app, make_user):
    # No grace for a reused refresh token here: every reuse is theft (within the grace it is a race, test_auth).
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes", REFRESH_REUSE_GRACE_SECONDS=0)
    client = app.test_client()
    account = make_user("employee", login="p12")
    tokens = client.post("/api/v1/auth/login", json={"login": "p12", "password": DEMO_PASSWORD}).get_json()
    assert tokens["expires_in"] == 900
    assert client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"])).status_code == 200
    assert client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"])).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(tokens["access_token"])).status_code == 401  # the session ended
    tokens = client.post("/api/v1/auth/login", json={"login": "p12", "password": DEMO_PASSWORD}).get_json()
    assert client.get("/api/v1/users", headers=bearer(tokens["access_token"])).status_code == 403
    client.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"]))
    assert client.get("/api/v1/me", headers=bearer(tokens["access_token"])).status_code == 401
    for _ in range(3):
        client.post("/api/v1/auth/login", json={"login": "p12", "password": "guess-guess-1"})
    assert client.post("/api/v1/auth/login", json={"login": account.login, "password": DEMO_PASSWORD}).status_code == 429


def test_p13_push_and_storage_receive_only_what_they_need(app, client, world, submit, photo_store):
    client.post("/api/v1/devices", json={"token": "tok-p13", "platform": "ios"}, headers=world.employee.headers)
    rid = submit(location={"lat": 43.2123, "lon": 76.9187})["id"]
    move(client, world.admin, rid, "in_progress")
    pushed = []

    class Capture:
        def send(self, messages):
            pushed.extend(messages)
            return LogSender().send(messages)

    app.extensions["push_sender"] = Capture()
    with app.app_context():
        assert worker.run_once() == 1
    [push] = pushed
    assert set(push.data) == {"notification_id", "request_id", "number", "event", "status", "deep_link"}
    assert push.data["request_id"] == str(rid) and push.collapse_id == f"request-{rid}"
    assert "43.21" not in push.title + push.body and "AC is broken" in push.body
    meta = upload(client, world.employee, rid, gps_photo()).get_json()
    assert meta["content_type"].startswith("image/")
    assert sorted(p.suffix for p in photo_store.rglob("*") if p.is_file()) == [".jpg", ".jpg"]
    assert LogSender().send([PushMessage("tok", "t", "b", {"request_id": "1"})])[0].status == "sent"


def test_p14_staff_views_of_photos_and_accounts_are_audited(app, client, world, submit, photo_store):
    rid = submit()["id"]
    meta = upload(client, world.employee, rid, gps_photo()).get_json()
    client.get(meta["url"], headers=world.admin_ala.headers)
    client.get(f"/api/v1/users/{world.employee.id}", headers=world.admin.headers)
    log = client.get("/api/v1/audit-log", headers=world.admin.headers).get_json()["items"]
    assert [(e["actor_id"], e["action"], e["target_id"]) for e in log] == [
        (world.admin.id, "user.view", world.employee.id), (world.admin_ala.id, "attachment.view", meta["id"])]
    assert client.get("/api/v1/audit-log", headers=world.manager_it.headers).status_code == 403


def test_p15_retention_deletes_old_photos_and_anonymises_old_requests_and_accounts(app, client, world, submit,
                                                                                     photo_store, runner):
    client.patch("/api/v1/categories/FAC-AC", json={"fields": NOTE_FORM}, headers=world.admin.headers)
    rid = submit(description="My phone is +7 701 123 45 67", fields={"note": "Ask for Dana"})["id"]
    upload(client, world.employee, rid, gps_photo())
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "Call me at home"}, headers=world.employee.headers)
    move(client, world.employee, rid, "cancelled")
    client.patch(f"/api/v1/users/{world.other_employee.id}", json={"is_active": False}, headers=world.admin.headers)
    with app.app_context():
        db.session.get(ServiceRequest, rid).closed_at = utcnow() - timedelta(days=400)
        db.session.commit()
    result = runner.invoke(args=["retention", "run"])
    assert "photos deleted: 1" in result.output and "requests anonymised: 0" in result.output
    assert [p for p in photo_store.rglob("*") if p.is_file()] == []
    with app.app_context():
        db.session.get(ServiceRequest, rid).closed_at = utcnow() - timedelta(days=1900)
        db.session.get(User, world.other_employee.id).updated_at = utcnow() - timedelta(days=1900)
        db.session.commit()
    result = runner.invoke(args=["retention", "run"])
    assert "requests anonymised: 1" in result.output and "accounts anonymised: 1" in result.output
    with app.app_context():
        req = db.session.get(ServiceRequest, rid)
        assert req.title == "[removed]" and req.description == "" and req.location_lat is None
        assert req.author_id != world.employee.id and req.fields == {} and req.staff_fields == {}
        assert {c.body for c in db.session.scalars(sa.select(Comment))} == {"[removed]"}
        gone = db.session.get(User, world.other_employee.id)
        assert gone.login.startswith("deleted-") and gone.phone is None and gone.email is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0
    again = runner.invoke(args=["retention", "run"])
    assert "requests anonymised: 0" in again.output and "accounts anonymised: 0" in again.output


def test_p15_p16_followed_office_notices_are_listed_and_go_with_the_account(app, client, world, runner):
    """Whom a notice tells is personal data: the follower's export lists the follow, and an
    anonymised account follows nothing."""
    notice = client.post(f"/api/v1/offices/{world.ala}/notices", json={"title": "The lift is out"},
                         headers=world.admin.headers).get_json()
    for who in (world.employee, world.other_employee):
        assert client.post(f"/api/v1/notices/{notice['id']}/follow", headers=who.headers).status_code == 204
    assert [f["notice_id"] for f in all_my_data(client, world.other_employee.headers, 1)["followed_notices"]] == [
        notice["id"]]
    client.patch(f"/api/v1/users/{world.other_employee.id}", json={"is_active": False}, headers=world.admin.headers)
    with app.app_context():
        db.session.get(User, world.other_employee.id).updated_at = utcnow() - timedelta(days=1900)
        db.session.commit()
    assert "accounts anonymised: 1" in runner.invoke(args=["retention", "run"]).output
    with app.app_context():
        assert db.session.scalars(sa.select(NoticeFollow.user_id)).all() == [world.employee.id]


def all_my_data(client, headers, limit):
    """``GET /me/data`` with every section's cursors followed to the end: the whole export."""
    data = client.get(f"/api/v1/me/data?limit={limit}", headers=headers).get_json()
    for section, cursor in data.pop("next_cursors").items():
        while cursor:
            page = client.get(f"/api/v1/me/data/{section}?limit={limit}&cursor={cursor}", headers=headers).get_json()
            assert len(page["items"]) <= limit
            data[section] += page["items"]
            cursor = page["next_cursor"]
    return data


def test_p16_people_see_everything_held_about_them(client, world, submit, photo_store):
    client.post("/api/v1/devices", json={"token": "tok-p16", "platform": "android"}, headers=world.employee.headers)
    client.patch("/api/v1/categories/FAC-AC", json={"fields": NOTE_FORM}, headers=world.admin.headers)
    rid = submit(fields={"note": "by the window"})["id"]
    upload(client, world.employee, rid, gps_photo())
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "Room 305"}, headers=world.employee.headers)
    move(client, world.admin, rid, "in_progress")
    second = submit(title="Door is stuck")["id"]
    client.post(f"/api/v1/requests/{second}/comments", json={"body": "Door 12"}, headers=world.employee.headers)
    move(client, world.admin, second, "in_progress")
    # One item a page, so every section with more than one item is read through its cursors.
    data = all_my_data(client, world.employee.headers, limit=1)
    assert set(data) >= {"profile", "requests", "comments", "attachments", "devices", "notifications"}
    by_id = {r["id"]: r for r in data["requests"]}
    assert set(by_id) == {rid, second} and by_id[rid]["location"] == {"lat": 43.21, "lon": 76.91}
    assert by_id[rid]["fields"] == {"note": "by the window"} and by_id[second]["fields"] == {}
    assert {c["body"] for c in data["comments"]} == {"Room 305", "Door 12"}
    assert data["attachments"][0]["request_id"] == rid and data["devices"][0]["platform"] == "android"
    assert {n["request_id"] for n in data["notifications"]} == {rid, second}
    assert "Room 305" not in str(all_my_data(client, world.other_employee.headers, limit=1))


def test_p17_the_current_policy_is_published_in_three_languages(client, make_app, tmp_path):
    for language in ("ru", "kk", "en"):
        body = client.get("/privacy", headers={"Accept-Language": f"{language};q=1.0"}).get_json()
        assert body["language"] == language and body["version"] and body["date"] and len(body["text"]) > 200
    (tmp_path / "ru.md").write_text("---\nversion: 2.0\ndate: 2027-01-01\n---\nНовая редакция", encoding="utf-8")
    custom = make_app(PRIVACY_POLICY_DIR=str(tmp_path)).test_client().get("/privacy?lang=en").get_json()
    assert custom["version"] == "2.0" and custom["language"] == "ru"
