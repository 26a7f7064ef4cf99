"""Hostile use of pushes through HTTP: a commenting spree cannot
flood a phone, and identical device registrations racing each other
never answer 409. FCM's Retry-After is driven through the
worker in tests/notifications/test_retry_after_and_leases.py."""
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from notifications.models import Delivery, Device, Notification
from service_app.extensions import db


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def pushes(app, user_id, request_id):
    """(event, token) of every outbox row for ``user_id`` about ``request_id``, oldest first."""
    with app.app_context():
        return db.session.execute(
            sa.select(Notification.event, Delivery.token)
            .join(Notification, Delivery.notification_id == Notification.id)
            .where(Notification.user_id == user_id, Notification.request_id == request_id)
            .order_by(Delivery.id)).all()


def age_outbox(app, seconds):
    """Pretend every queued push was queued ``seconds`` earlier."""
    with app.app_context():
        for delivery in db.session.scalars(sa.select(Delivery)):
            delivery.created_at -= timedelta(seconds=seconds)
        db.session.commit()


@pytest.fixture
def assigned(client, app, world, submit, etag_of):
    """The employee's request, assigned to the Almaty facilities manager, whose two phones are registered;
    the employee's phone too. The assignment's push is made older than the window."""
    for token in ("mgr-phone", "mgr-tablet"):
        client.post("/api/v1/devices", json={"token": token, "platform": "android"},
                    headers=world.manager_fac_ala.headers)
    client.post("/api/v1/devices", json={"token": "emp-phone", "platform": "ios"}, headers=world.employee.headers)
    rid = submit()["id"]
    age_outbox(app, 120)  # the manager, as office staff, was pushed the new request
    response = client.patch(f"/api/v1/requests/{rid}", json={"assignee_id": world.manager_fac_ala.id},
                            headers={**world.admin.headers, "If-Match": etag_of(rid)})
    assert response.status_code == 200
    assert pushes(app, world.manager_fac_ala.id, rid)[-2:] == [("assigned", "mgr-phone"), ("assigned", "mgr-tablet")]
    age_outbox(app, 120)
    return rid


def test_300_comments_in_a_minute_queue_one_push_per_recipient_and_the_feed_keeps_all(
        client, app, world, assigned):
    manager = world.manager_fac_ala.id
    before = pushes(app, manager, assigned)

    for i in range(300):
        response = client.post(f"/api/v1/requests/{assigned}/comments", json={"body": f"any news? #{i}"},
                               headers=world.employee.headers)
        assert response.status_code == 201, response.get_json()

    # The assignee's feed has every comment; their phones got one push each, for the first.
    assert count(app, Notification, Notification.user_id == manager, Notification.event == "comment_added") == 300
    new = pushes(app, manager, assigned)[len(before):]
    assert new == [("comment_added", "mgr-phone"), ("comment_added", "mgr-tablet")]
    with app.app_context():
        first = db.session.scalars(sa.select(Notification.body).join(Delivery).where(Delivery.token == "mgr-phone")
                                   .order_by(Delivery.id.desc()).limit(1)).one()
    assert "#0" in first


def test_coalescing_is_per_recipient_and_ends_with_the_window(client, app, world, assigned):
    manager, employee = world.manager_fac_ala.id, world.employee.id
    comment = lambda who, text: client.post(f"/api/v1/requests/{assigned}/comments",  # noqa: E731
                                            json={"body": text}, headers=who.headers)
    assert comment(world.employee, "first").status_code == 201
    assert comment(world.employee, "second").status_code == 201
    manager_before = len(pushes(app, manager, assigned))

    # The manager was pushed a moment ago; the employee was not: a status change by
    # another administrator is pushed to the employee only (both get it in the feed).
    moved = client.post(f"/api/v1/requests/{assigned}/status", json={"status": "in_progress"},
                        headers=world.admin.headers)
    assert moved.status_code == 200, moved.get_json()
    assert pushes(app, employee, assigned) == [("status_changed", "emp-phone")]
    assert len(pushes(app, manager, assigned)) == manager_before
    assert count(app, Notification, Notification.user_id == manager, Notification.event == "status_changed") == 1

    # A minute later the next comment is pushed again.
    age_outbox(app, 61)
    assert comment(world.employee, "third").status_code == 201
    assert pushes(app, manager, assigned)[manager_before:] == [("comment_added", "mgr-phone"),
                                                               ("comment_added", "mgr-tablet")]
    assert count(app, Notification, Notification.user_id == manager, Notification.event == "comment_added") == 3


def test_smaller_repeated_identical_device_registration_is_201_then_200_one_row(client, app, world):
    body = {"token": "same-token", "platform": "android", "app_version": "2.0"}
    codes = [client.post("/api/v1/devices", json=body, headers=world.employee.headers).status_code
             for _ in range(3)]
    assert codes == [201, 200, 200]
    assert count(app, Device) == 1


def race(app, calls):
    """Run each ``(headers, body)`` POST /devices in its own thread, released together."""
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def call(i, headers, body):
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/devices", json=body, headers=headers)
        answers[i] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=call, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


@pytest.mark.postgres_only
def test_smaller_concurrent_identical_device_registrations_never_409(app, world):
    body = {"token": "raced-token", "platform": "android"}
    answers = race(app, [(world.employee.headers, body)] * 12)

    codes = sorted(code for code, _ in answers)
    assert codes == [200] * 11 + [201], answers
    assert len({payload["id"] for _, payload in answers}) == 1
    assert count(app, Device) == 1


@pytest.mark.postgres_only
def test_smaller_concurrent_registrations_of_one_token_by_two_people_never_409(app, world):
    body = {"token": "shared-token", "platform": "ios"}
    answers = race(app, [(world.employee.headers, body), (world.other_employee.headers, body)] * 6)

    assert sorted(code for code, _ in answers) == [200] * 11 + [201], answers
    with app.app_context():
        [owner] = db.session.scalars(sa.select(Device.user_id)).all()
    assert owner in (world.employee.id, world.other_employee.id)
