"""Devices, the feed, and which events reach whom (API.md, Devices and notifications)."""
import pytest
import sqlalchemy as sa

from notifications.models import Delivery, Device, Notification
from service_app.extensions import db
from tests.support.places import AST_POINT


def register(client, who, token, platform="android", **extra):
    return client.post("/api/v1/devices", json={"token": token, "platform": platform, **extra}, headers=who.headers)


def feed(client, who, query=""):
    return client.get(f"/api/v1/notifications{query}", headers=who.headers).get_json()["items"]


def rows(app, model, **where):
    with app.app_context():
        stmt = sa.select(model)
        for field, value in where.items():
            stmt = stmt.where(getattr(model, field) == value)
        return db.session.scalars(stmt).all()


class TestDevices:
    def test_register_then_again_then_move_to_another_user(self, client, app, world):
        first = register(client, world.employee, "tok-1", app_version="1.4.0", os_version="Android 14",
                         device_model="Pixel 8")
        assert first.status_code == 201 and first.get_json()["device_model"] == "Pixel 8"
        assert "token" not in first.get_json()
        assert register(client, world.employee, "tok-1", app_version="1.5.0").status_code == 200
        assert register(client, world.other_employee, "tok-1", platform="ios").status_code == 200
        [device] = rows(app, Device)
        assert device.user_id == world.other_employee.id and device.app_version == "1.5.0" and device.platform == "ios"

    @pytest.mark.parametrize("body, field", [
        ({"token": "", "platform": "android"}, "token"),
        ({"token": "x" * 5000, "platform": "android"}, "token"),
        ({"token": "tok", "platform": "symbian"}, "platform"),
        ({"token": "tok"}, "platform"),
        ({"token": "токен", "platform": "ios"}, "token"),
        ({"token": 123, "platform": "ios"}, "token"),
        ({"token": "tok", "platform": "ios", "imei": "123"}, "imei"),
    ])
    def test_bad_device_bodies(self, client, app, world, body, field):
        response = client.post("/api/v1/devices", json=body, headers=world.employee.headers)
        assert response.status_code == 422 and field in response.get_json()["error"]["details"]
        assert rows(app, Device) == []

    def test_delete_only_your_own_token(self, client, app, world):
        register(client, world.employee, "tok-mine")
        assert client.delete("/api/v1/devices/tok-mine", headers=world.other_employee.headers).status_code == 204
        assert len(rows(app, Device)) == 1
        assert client.delete("/api/v1/devices/tok-mine", headers=world.employee.headers).status_code == 204
        assert rows(app, Device) == []


class TestWhoHearsWhat:
    def test_new_request_reaches_the_office_staff_but_not_others(self, client, app, world, submit):
        rid = submit()["id"]
        notified = {n.user_id for n in rows(app, Notification, event="request_created", request_id=rid)}
        assert notified == {world.admin.id, world.admin_ala.id, world.manager_fac_ala.id}

    def test_status_change_reaches_author_and_assignee_not_the_actor(self, client, app, world, submit, etag_of):
        rid = submit()["id"]
        client.patch(f"/api/v1/requests/{rid}", json={"assignee_id": world.admin_ala.id},
                     headers={**world.admin.headers, "If-Match": etag_of(rid)})
        client.post(f"/api/v1/requests/{rid}/status", json={"status": "in_progress"}, headers=world.admin_ala.headers)
        notified = {n.user_id for n in rows(app, Notification, event="status_changed", request_id=rid)}
        assert notified == {world.employee.id}
        client.post(f"/api/v1/requests/{rid}/status", json={"status": "resolved"}, headers=world.admin.headers)
        resolved = {n.user_id for n in rows(app, Notification, event="status_changed") if "resolved" in n.data["status"]}
        assert resolved == {world.employee.id, world.admin_ala.id}

    def test_assignment_reaches_the_assignee(self, client, app, world, submit, etag_of):
        rid = submit()["id"]
        client.patch(f"/api/v1/requests/{rid}", json={"assignee_id": world.manager_fac_ala.id},
                     headers={**world.admin.headers, "If-Match": etag_of(rid)})
        assert [n.user_id for n in rows(app, Notification, event="assigned")] == [world.manager_fac_ala.id]

    def test_comments(self, client, app, world, submit, etag_of):
        rid = submit()["id"]
        client.patch(f"/api/v1/requests/{rid}", json={"assignee_id": world.admin_ala.id},
                     headers={**world.admin.headers, "If-Match": etag_of(rid)})
        client.post(f"/api/v1/requests/{rid}/comments", json={"body": "Internal", "internal": True},
                    headers=world.admin.headers)
        assert rows(app, Notification, event="comment_added") == []
        client.post(f"/api/v1/requests/{rid}/comments", json={"body": "We come at 3 pm"}, headers=world.admin.headers)
        client.post(f"/api/v1/requests/{rid}/comments", json={"body": "Thank you"}, headers=world.employee.headers)
        got = sorted((n.user_id, n.body) for n in rows(app, Notification, event="comment_added"))
        assert got == sorted([(world.employee.id, "We come at 3 pm"), (world.admin_ala.id, "Thank you")])

    def test_a_status_change_with_a_comment_is_one_notification(self, client, app, world, submit):
        rid = submit()["id"]
        client.post(f"/api/v1/requests/{rid}/status", json={"status": "in_progress", "comment": "At 3 pm"},
                    headers=world.admin.headers)
        assert [n.event for n in rows(app, Notification, user_id=world.employee.id)] == ["status_changed"]

    def test_each_device_gets_one_outbox_row(self, client, app, world, submit):
        register(client, world.employee, "phone-a")
        register(client, world.employee, "tablet-b", platform="ios")
        rid = submit()["id"]
        client.post(f"/api/v1/requests/{rid}/status", json={"status": "in_progress"}, headers=world.admin.headers)
        [note] = rows(app, Notification, event="status_changed")
        assert sorted(d.token for d in rows(app, Delivery, notification_id=note.id)) == ["phone-a", "tablet-b"]

    @pytest.mark.parametrize("language, title", [
        ("ru", "Заявка SR-{:06d}: в работе"), ("kk", "SR-{:06d} өтінімі: орындалуда"),
        ("en", "Request SR-{:06d}: in progress")])
    def test_texts_in_the_recipients_language(self, client, world, submit, language, title):
        client.patch("/api/v1/me", json={"language": language}, headers=world.employee.headers)
        rid = submit()["id"]
        client.post(f"/api/v1/requests/{rid}/status", json={"status": "in_progress"}, headers=world.admin.headers)
        [note] = feed(client, world.employee)
        assert note["title"] == title.format(rid) and note["event"] == "status_changed" and note["request_id"] == rid
        assert "AC is broken" in note["body"]

    def test_a_rolled_back_change_leaves_no_notification(self, client, app, world, submit, monkeypatch):
        from service_requests.lifecycle import notify as request_notify

        register(client, world.employee, "phone-a")
        rid = submit()["id"]
        before = (len(rows(app, Notification)), len(rows(app, Delivery)))
        real_notify = request_notify.notify
        written = []

        def notify_then_lose_the_database(*args, **kwargs):
            real_notify(*args, **kwargs)  # the feed and outbox rows are in the session...
            written.append(True)
            raise sa.exc.OperationalError("INSERT", {}, Exception("connection lost"))  # ...and the change fails

        monkeypatch.setattr(request_notify, "notify", notify_then_lose_the_database)
        response = client.post(f"/api/v1/requests/{rid}/status", json={"status": "in_progress"},
                               headers=world.admin.headers)
        assert response.status_code == 503 and written
        assert (len(rows(app, Notification)), len(rows(app, Delivery))) == before
        assert client.get(f"/api/v1/requests/{rid}", headers=world.admin.headers).get_json()["status"] == "new"

    def test_refused_moves_notify_nobody(self, client, app, world, submit):
        rid = submit()["id"]
        before = len(rows(app, Notification))
        assert client.post(f"/api/v1/requests/{rid}/status", json={"status": "closed"},
                           headers=world.employee.headers).status_code == 409
        assert len(rows(app, Notification)) == before


class TestFeed:
    @pytest.fixture
    def three(self, client, world, submit):
        rid = submit()["id"]
        for status in ("in_progress", "waiting", "in_progress"):
            client.post(f"/api/v1/requests/{rid}/status", json={"status": status}, headers=world.admin.headers)
        return feed(client, world.employee)

    def test_newest_first_and_read_flags(self, client, world, three):
        assert len(three) == 3 and three[0]["id"] > three[1]["id"] > three[2]["id"]
        assert all(n["read_at"] is None for n in three)
        assert client.post(f"/api/v1/notifications/{three[1]['id']}/read", headers=world.employee.headers).status_code == 204
        assert [n["id"] for n in feed(client, world.employee, "?unread=true")] == [three[0]["id"], three[2]["id"]]
        assert [n["id"] for n in feed(client, world.employee, "?unread=false")] == [three[1]["id"]]
        assert client.post("/api/v1/notifications/read-all", headers=world.employee.headers).status_code == 204
        assert feed(client, world.employee, "?unread=true") == []

    def test_others_notifications_are_404(self, client, world, three):
        response = client.post(f"/api/v1/notifications/{three[0]['id']}/read", headers=world.other_employee.headers)
        assert response.status_code == 404
        assert feed(client, world.other_employee) == []

    def test_pages(self, client, world, three):
        page = client.get("/api/v1/notifications?limit=2", headers=world.employee.headers).get_json()
        rest = client.get(f"/api/v1/notifications?limit=2&cursor={page['next_cursor']}",
                          headers=world.employee.headers).get_json()
        assert [n["id"] for n in page["items"] + rest["items"]] == [n["id"] for n in three]
        assert rest["next_cursor"] is None


def test_my_data_includes_devices_and_notifications(client, world, submit):
    register(client, world.employee, "phone-a", os_version="iOS 18")
    rid = submit(location=AST_POINT)["id"]
    client.post(f"/api/v1/requests/{rid}/status", json={"status": "in_progress"}, headers=world.admin.headers)
    data = client.get("/api/v1/me/data", headers=world.employee.headers).get_json()
    assert data["devices"][0]["os_version"] == "iOS 18" and "token" not in data["devices"][0]
    assert data["notifications"][0]["request_id"] == rid


class TestFeedLanguage:
    """A feed entry's title and body are in the reader's language at the time it is read."""

    def test_the_feed_follows_a_change_of_language(self, client, world, submit):
        rid = submit()["id"]
        client.patch("/api/v1/me", json={"language": "ru"}, headers=world.employee.headers)
        client.post(f"/api/v1/requests/{rid}/status", json={"status": "in_progress"}, headers=world.admin.headers)
        number = f"SR-{rid:06d}"
        [note] = feed(client, world.employee)
        assert (note["title"], note["body"]) == (f"Заявка {number}: в работе", "«AC is broken» — статус: в работе")
        assert note["data"] == {"number": number, "status": "in_progress"}
        assert note["deep_link"] == f"santrade://requests/{rid}"
        client.patch("/api/v1/me", json={"language": "en"}, headers=world.employee.headers)
        [note] = feed(client, world.employee)
        assert (note["title"], note["body"]) == (f"Request {number}: in progress", "“AC is broken” is now in progress")
        client.patch("/api/v1/me", json={"language": "kk"}, headers=world.employee.headers)
        data = client.get("/api/v1/me/data", headers=world.employee.headers).get_json()
        assert data["notifications"][0]["title"] == f"{number} өтінімі: орындалуда"

    def test_a_comment_is_quoted_in_any_language(self, client, world, submit):
        rid = submit()["id"]
        client.post(f"/api/v1/requests/{rid}/comments", json={"body": "We come at 3 pm"}, headers=world.admin.headers)
        client.patch("/api/v1/me", json={"language": "en"}, headers=world.employee.headers)
        [note] = feed(client, world.employee)
        assert (note["title"], note["body"]) == (f"New comment on SR-{rid:06d}", "We come at 3 pm")
        assert note["data"] == {"number": f"SR-{rid:06d}", "status": "new"}

    def test_an_entry_without_its_parameters_shows_the_text_it_was_written_with(self, client, app, world, submit):
        rid = submit()["id"]
        with app.app_context():
            db.session.add(Notification(user_id=world.employee.id, event="status_changed", request_id=rid,
                                        title="Заявка старая", body="текст", data={}))
            db.session.commit()
        client.patch("/api/v1/me", json={"language": "en"}, headers=world.employee.headers)
        [note] = feed(client, world.employee)
        assert (note["title"], note["body"], note["data"]) == (
            "Заявка старая", "текст", {"number": None, "status": None})
        assert note["deep_link"] == f"santrade://requests/{rid}"

    def test_erasing_a_request_erases_its_entries_and_their_parameters(self, app, client, world, submit):
        from notifications.service import erase_request_notifications

        rid = submit()["id"]
        client.post(f"/api/v1/requests/{rid}/comments", json={"body": "secret detail"}, headers=world.admin.headers)
        with app.app_context():
            assert rows(app, Notification, request_id=rid)
            erase_request_notifications([rid])
            db.session.commit()
        assert rows(app, Notification, request_id=rid) == [] and feed(client, world.employee) == []
