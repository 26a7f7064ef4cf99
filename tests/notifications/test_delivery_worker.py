"""The outbox worker driving firebase-admin's real messaging code against a
local FCM stub: bodies, error mapping, pruning, retries, crashes, two workers."""
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.support.fcm import fcm_error
from notifications import worker
from notifications.models import Delivery, Device, Notification
from notifications.senders import PushOutcome
from service_app.database import utcnow
from service_app.extensions import db


@pytest.fixture
def queued(client, app, world, submit):
    """Three devices of the employee and one status change: three due deliveries."""
    for token in ("tok-a", "tok-b", "tok-c"):
        client.post("/api/v1/devices", json={"token": token, "platform": "android"}, headers=world.employee.headers)
    client.patch("/api/v1/me", json={"language": "en"}, headers=world.employee.headers)
    rid = submit()["id"]
    client.post(f"/api/v1/requests/{rid}/status", json={"status": "in_progress"}, headers=world.admin.headers)
    return rid


@pytest.fixture
def fcm_app(app, fcm_sender):
    app.extensions["push_sender"] = fcm_sender
    return app


def deliveries(app):
    with app.app_context():
        return {d.token: (d.status, d.attempts) for d in db.session.scalars(sa.select(Delivery))}


def run(app, **kwargs):
    with app.app_context():
        return worker.run_once(**kwargs)


def make_due(app):
    """Pretend the retry time has come."""
    with app.app_context():
        db.session.execute(sa.update(Delivery).where(Delivery.status == "pending")
                           .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def expected_push(token, rid, note_id, *, title, body, status, event="status_changed", unread=1):
    """The FCM v1 ``message`` of one push, as API.md ("Devices and push") and the README document it."""
    return {"message": {
        "token": token,
        "notification": {"title": title, "body": body},
        "data": {"notification_id": str(note_id), "request_id": str(rid), "number": f"SR-{rid:06d}",
                 "event": event, "status": status, "deep_link": f"santrade://requests/{rid}"},
        "android": {"priority": "high", "collapse_key": f"request-{rid}",
                    "notification": {"channel_id": "requests", "sound": "default", "tag": f"request-{rid}",
                                     "notification_count": unread}},
        "apns": {"headers": {"apns-priority": "10"},
                 "payload": {"aps": {"sound": "default", "badge": unread, "thread-id": f"request-{rid}"}}},
    }}


def test_exact_fcm_v1_bodies(fcm_app, fcm_stub, queued):
    assert run(fcm_app) == 3
    assert deliveries(fcm_app) == {t: ("sent", 1) for t in ("tok-a", "tok-b", "tok-c")}
    with fcm_app.app_context():
        note_id = db.session.scalar(sa.select(Notification.id).where(Notification.event == "status_changed"))
    number = f"SR-{queued:06d}"
    for token in ("tok-a", "tok-b", "tok-c"):
        # The body the SDK sent, parsed by the stub, equals the documented payload (and nothing more).
        assert fcm_stub.requests_for(token)[0].body == expected_push(
            token, queued, note_id, title=f"Request {number}: in progress",
            body="“AC is broken” is now in progress", status="in_progress")
    assert run(fcm_app) == 0  # nothing left: no second send
    assert len(fcm_stub.requests) == 3


def test_the_push_is_rendered_when_sent_and_the_badge_counts_unread_then(client, fcm_app, fcm_stub, world, queued):
    """Texts in the language the recipient has when the push goes out; badge = their unread count then."""
    fcm_app.config["PUSH_COALESCE_SECONDS"] = 0
    client.post(f"/api/v1/requests/{queued}/status", json={"status": "waiting"}, headers=world.admin.headers)
    client.patch("/api/v1/me", json={"language": "kk"}, headers=world.employee.headers)
    feed = client.get("/api/v1/notifications", headers=world.employee.headers).get_json()["items"]
    assert [n["data"]["status"] for n in feed] == ["waiting", "in_progress"]
    assert run(fcm_app) == 6
    number = f"SR-{queued:06d}"
    # send_each sends each message in a thread of its own: the stub sees them in any order.
    first, second = sorted(fcm_stub.requests_for("tok-a"), key=lambda r: int(r.body["message"]["data"]["notification_id"]))
    assert first.body == expected_push("tok-a", queued, feed[1]["id"], title=f"{number} өтінімі: орындалуда",
                                       body="«AC is broken» — мәртебесі: орындалуда", status="in_progress",
                                       unread=2)
    assert second.body["message"]["data"]["notification_id"] == str(feed[0]["id"])
    assert second.body["message"]["notification"]["title"] == f"{number} өтінімі: сіздің жауабыңызды күтуде"

    client.post("/api/v1/notifications/read-all", headers=world.employee.headers)
    client.post(f"/api/v1/requests/{queued}/status", json={"status": "in_progress"}, headers=world.admin.headers)
    assert run(fcm_app) == 3
    assert [r.body["message"]["apns"]["payload"]["aps"]["badge"] for r in fcm_stub.requests[6:]] == [1, 1, 1]
    assert [r.body["message"]["android"]["notification"]["notification_count"]
            for r in fcm_stub.requests[6:]] == [1, 1, 1]


@pytest.mark.parametrize("error, status, device_kept", [
    ("UNREGISTERED", "dropped", False),
    ("SENDER_ID_MISMATCH", "dropped", False),
    ("INVALID_TOKEN", "dropped", False),
    ("INVALID_ARGUMENT", "failed", True),
    ("THIRD_PARTY_AUTH_ERROR", "failed", True),
    ("UNAVAILABLE", "pending", True),
    ("INTERNAL", "pending", True),
    ("QUOTA_EXCEEDED", "pending", True),
])
def test_error_mapping(fcm_app, fcm_stub, queued, retry_sleeps, error, status, device_kept):
    fcm_stub.responder = lambda body: fcm_error(error) if body["message"]["token"] == "tok-b" else None
    run(fcm_app)
    state = deliveries(fcm_app)
    assert state["tok-b"][0] == status and state["tok-a"] == ("sent", 1)
    with fcm_app.app_context():
        tokens = set(db.session.scalars(sa.select(Device.token)))
    assert ("tok-b" in tokens) == device_kept


def test_pruned_device_loses_its_other_queued_pushes(fcm_app, fcm_stub, client, world, queued, retry_sleeps):
    fcm_app.config["PUSH_COALESCE_SECONDS"] = 0  # two pushes about one request, a second apart
    client.post(f"/api/v1/requests/{queued}/status", json={"status": "waiting"}, headers=world.admin.headers)
    fcm_stub.responder = lambda body: fcm_error("UNREGISTERED") if body["message"]["token"] == "tok-b" else None
    run(fcm_app, limit=3)  # only the first notification's three pushes
    with fcm_app.app_context():
        states = db.session.execute(sa.select(Delivery.token, Delivery.status)).all()
    assert sorted(s for t, s in states if t == "tok-b") == ["dropped", "dropped"]


def test_retry_schedule_is_exponential_with_jitter_then_failed(app):
    app.config.update(PUSH_RETRY_BASE_SECONDS=15, PUSH_RETRY_MAX_SECONDS=3600)
    with app.app_context():
        low, high = random.Random(), random.Random()
        low.random = lambda: 0.0
        high.random = lambda: 0.999999
        assert [worker.retry_delay(n, rng=low) for n in range(1, 10)] == [15, 30, 60, 120, 240, 480, 960, 1920, 3600]
        assert worker.retry_delay(1, rng=high) == pytest.approx(15 * 1.25, rel=1e-3)
        assert worker.retry_delay(1, retry_after=90, rng=low) == 90


def test_transient_failures_retry_until_the_limit(fcm_app, fcm_stub, queued, retry_sleeps):
    fcm_app.config["PUSH_MAX_ATTEMPTS"] = 3
    fcm_stub.responder = lambda body: fcm_error("UNAVAILABLE")
    for _ in range(3):
        run(fcm_app)
        make_due(fcm_app)
    assert set(deliveries(fcm_app).values()) == {("failed", 3)}


def test_outage_then_recovery_delivers_each_push_exactly_once(fcm_app, fcm_stub, queued, retry_sleeps):
    fcm_stub.responder = lambda body: fcm_error("UNAVAILABLE")
    run(fcm_app)
    with fcm_app.app_context():
        pending = db.session.scalars(sa.select(Delivery)).all()
        assert all(d.status == "pending" and d.next_attempt_at > utcnow() for d in pending)
    assert run(fcm_app) == 0  # not due yet
    fcm_stub.responder = None
    make_due(fcm_app)
    run(fcm_app)
    assert set(deliveries(fcm_app).values()) == {("sent", 2)}
    successes = [r for r in fcm_stub.requests if r.body["message"]["token"] in ("tok-a", "tok-b", "tok-c")]
    assert len(successes) - 3 * 2 == 3  # 2 tries each in the outage (one immediate retry), then one 200 each


def test_worker_killed_between_claim_and_record_loses_nothing(fcm_app, fcm_stub, queued):
    with fcm_app.app_context():
        claimed = worker.claim(10)
        assert len(claimed) == 3
        assert worker.claim(10) == []  # leased: another worker does not take them
        db.session.remove()
    # The process dies here. Once the lease has run out the rows are claimed again.
    with fcm_app.app_context():
        db.session.execute(sa.update(Delivery).values(claimed_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert run(fcm_app) == 3
    assert set(deliveries(fcm_app).values()) == {("sent", 2)}
    assert len(fcm_stub.requests) == 3


def test_log_sender_is_the_default(app, queued, caplog):
    caplog.set_level("INFO", logger="notifications.senders")
    assert run(app) == 3
    assert set(deliveries(app).values()) == {("sent", 1)}
    assert "Request SR-" in caplog.text and "tok-a" not in caplog.text


@pytest.mark.postgres_only
def test_two_workers_never_send_a_delivery_twice(make_app, app, client, world, submit, make_fcm_sender, fcm_stub):
    app.config["PUSH_COALESCE_SECONDS"] = 0  # four pushes about one request to each device
    for i in range(20):
        client.post("/api/v1/devices", json={"token": f"tok-{i}", "platform": "android"},
                    headers=world.employee.headers)
    rid = submit()["id"]
    for status in ("in_progress", "waiting", "in_progress", "resolved"):
        client.post(f"/api/v1/requests/{rid}/status", json={"status": status}, headers=world.admin.headers)
    fcm_stub.responder = lambda body: time.sleep(0.01)  # let the workers overlap
    apps = [make_app(PUSH_BATCH_SIZE=7), make_app(PUSH_BATCH_SIZE=7)]
    for a in apps:
        a.extensions["push_sender"] = make_fcm_sender()

    def drain(a):
        with a.app_context():
            while worker.run_once():
                db.session.remove()

    threads = [threading.Thread(target=drain, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 20 devices x 4 status changes; each delivery claimed once and sent once.
    assert len(fcm_stub.requests) == 80
    assert all(len(fcm_stub.requests_for(f"tok-{i}")) == 4 for i in range(20))
    with apps[0].app_context():
        states = db.session.execute(sa.select(Delivery.status, Delivery.attempts)).all()
    assert len(states) == 80 and set(states) == {("sent", 1)}


def test_feed_and_outbox_written_even_without_devices(app, world, submit):
    submit()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 3
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 0


def test_worker_process_stops_gracefully_on_sigterm(database_url, app, world, queued, tmp_path):
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": database_url, "FLASK_APP": "wsgi",
           "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "flask", "notifications", "worker", "--poll", "0.2"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    try:
        for line in proc.stdout:
            if "push to device" in line:
                break
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=30)[0]
    finally:
        proc.kill()
    assert proc.returncode == 0, output
    assert "notification worker stopped" in output
    assert set(deliveries(app).values()) == {("sent", 1)}


def test_third_party_auth_error_is_recorded_failed_after_one_attempt_and_never_resent(fcm_app, fcm_stub, queued):
    fcm_stub.responder = lambda body: fcm_error("THIRD_PARTY_AUTH_ERROR") if body["message"]["token"] == "tok-b" else None
    run(fcm_app)
    asked = len(fcm_stub.requests_for("tok-b"))
    make_due(fcm_app)

    assert run(fcm_app) == 0
    assert deliveries(fcm_app) == {"tok-a": ("sent", 1), "tok-b": ("failed", 1), "tok-c": ("sent", 1)}
    assert asked >= 1 and len(fcm_stub.requests_for("tok-b")) == asked


def test_no_database_transaction_is_open_while_fcm_is_called(app, queued):
    """A batch may block past idle_in_transaction_session_timeout: the session must hold nothing while it sends."""
    seen = []

    class WatchingSender:
        def send(self, messages):
            seen.append(db.session().in_transaction())
            return [PushOutcome(status="sent", message_id=f"m{i}") for i, _ in enumerate(messages)]

    app.extensions["push_sender"] = WatchingSender()
    assert run(app) == 3
    assert seen == [False]
    assert set(deliveries(app).values()) == {("sent", 1)}


class GatedSender:
    """Holds every send until ``release_at`` sends are in flight (or 5 s); one chosen batch raises."""

    def __init__(self, fail_token=None, release_at=1):
        self.fail_token = fail_token
        self.release_at = release_at
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.in_flight = self.most_in_flight = 0
        self.batches = []

    def send(self, messages):
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.batches.append([m.token for m in messages])
            if self.in_flight >= self.release_at:
                self.release.set()
        try:
            self.release.wait(5)
            if any(m.token == self.fail_token for m in messages):
                raise RuntimeError("transport broke")
            return [PushOutcome("sent", message_id=f"id-{m.token}") for m in messages]
        finally:
            with self.lock:
                self.in_flight -= 1


def test_run_batches_sends_several_batches_at_once_and_records_each(app, queued):
    sender = GatedSender(release_at=3)  # one batch at a time would wait out the 5 s, then fail below
    app.extensions["push_sender"] = sender
    app.config.update(PUSH_BATCH_SIZE=1, PUSH_BATCHES_IN_FLIGHT=3)
    with app.app_context():
        assert worker.run_batches() == 3
    assert sender.most_in_flight == 3 and sorted(sender.batches) == [["tok-a"], ["tok-b"], ["tok-c"]]
    assert set(deliveries(app).values()) == {("sent", 1)}
    with app.app_context():
        assert worker.run_batches() == 0  # nothing due: no batch is sent


def test_run_batches_records_the_others_when_one_send_raises(app, queued):
    sender = GatedSender(fail_token="tok-b", release_at=3)  # all three in flight before any returns
    app.extensions["push_sender"] = sender
    app.config.update(PUSH_BATCH_SIZE=1, PUSH_BATCHES_IN_FLIGHT=3)
    with app.app_context(), pytest.raises(RuntimeError, match="transport broke"):
        worker.run_batches()
    state = deliveries(app)
    assert state["tok-a"] == ("sent", 1) and state["tok-c"] == ("sent", 1)
    with app.app_context():  # the failed batch stays leased: claimed again once the lease runs out
        row = db.session.scalars(sa.select(Delivery).where(Delivery.token == "tok-b")).one()
        assert (row.status, row.claim_token is not None, row.claimed_until > utcnow()) == ("sending", True, True)


def test_run_batches_stops_claiming_when_asked(app, queued):
    sender = GatedSender()
    app.extensions["push_sender"] = sender
    app.config.update(PUSH_BATCH_SIZE=1, PUSH_BATCHES_IN_FLIGHT=1)
    with app.app_context():
        assert worker.run_batches(max_batches=2) == 2
        stop = threading.Event()
        stop.set()
        assert worker.run_batches(stop=stop) == 0
        assert worker.run_batches() == 1


class HeldSender:
    """Returns the batch of ``first`` at once and holds every other until ``release`` is set (or 5 s)."""

    def __init__(self, first="tok-a"):
        self.first = first
        self.release = threading.Event()

    def send(self, messages):
        if not any(m.token == self.first for m in messages):
            self.release.wait(5)
        return [PushOutcome("sent", message_id=f"id-{m.token}") for m in messages]


def database_blip():
    return sa.exc.OperationalError("UPDATE deliveries ...", {}, Exception("server closed the connection"))


def test_run_batches_records_the_batches_in_flight_when_a_record_raises(app, queued, monkeypatch):
    sender = HeldSender()
    app.extensions["push_sender"] = sender
    app.config.update(PUSH_BATCH_SIZE=1, PUSH_BATCHES_IN_FLIGHT=3)
    real_record, calls = worker.record, []

    def record(claimed, outcomes):
        calls.append([d.token for d in claimed])
        if len(calls) == 1:  # tok-a's batch came back while tok-b's and tok-c's are still in flight
            sender.release.set()
            raise database_blip()
        return real_record(claimed, outcomes)

    monkeypatch.setattr(worker, "record", record)
    with app.app_context(), pytest.raises(sa.exc.OperationalError):
        worker.run_batches()
    assert calls[0] == ["tok-a"] and sorted(calls[1:3]) == [["tok-b"], ["tok-c"]]
    # The batches in flight are recorded, not left leased to be pushed again; tok-a's is tried again.
    assert deliveries(app) == {t: ("sent", 1) for t in ("tok-a", "tok-b", "tok-c")}


def test_run_batches_records_the_batch_in_flight_when_a_claim_raises(app, queued, monkeypatch):
    sender = HeldSender()
    app.extensions["push_sender"] = sender
    app.config.update(PUSH_BATCH_SIZE=1, PUSH_BATCHES_IN_FLIGHT=3)
    real_claim, claims = worker.claim, []

    def claim(limit):
        claims.append(limit)
        if len(claims) == 2:  # tok-a's batch is in flight
            sender.release.set()
            raise database_blip()
        return real_claim(limit)

    monkeypatch.setattr(worker, "claim", claim)
    with app.app_context(), pytest.raises(sa.exc.OperationalError):
        worker.run_batches()
    assert len(claims) == 2  # no claim after the error
    assert deliveries(app) == {"tok-a": ("sent", 1), "tok-b": ("pending", 0), "tok-c": ("pending", 0)}


def test_a_delivery_whose_notification_was_deleted_after_its_claim_is_not_sent(app, client, world, queued, submit,
                                                                             monkeypatch):
    sender = GatedSender()
    app.extensions["push_sender"] = sender
    other = submit()["id"]
    client.post(f"/api/v1/requests/{other}/status", json={"status": "in_progress"}, headers=world.admin.headers)
    real_claim = worker.claim

    def claim(limit):
        claimed = real_claim(limit)
        # Between the claim's commit and the batch's query: an account deletion or the retention purge.
        db.session.execute(sa.delete(Notification).where(Notification.request_id == queued))
        db.session.commit()
        return claimed

    monkeypatch.setattr(worker, "claim", claim)
    with app.app_context():
        assert worker.run_once(limit=10) == 3  # no KeyError: the other notification's three are sent
        rows = db.session.execute(sa.select(Delivery.status, Notification.request_id)
                                  .join(Notification, Notification.id == Delivery.notification_id)).all()
    assert sorted(rows) == [("sent", other)] * 3
    assert sorted(sender.batches) == [["tok-a", "tok-b", "tok-c"]]
    monkeypatch.setattr(worker, "claim", real_claim)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)
                                 .where(Delivery.status == "sending")) == 0
        assert worker.run_batches() == 0  # nothing left leased or due


def test_a_batch_whose_notifications_were_all_deleted_does_not_stop_run_batches(app, queued, monkeypatch):
    sender = GatedSender()
    app.extensions["push_sender"] = sender
    real_claim = worker.claim

    def claim(limit):
        claimed = real_claim(limit)
        db.session.execute(sa.delete(Notification).where(Notification.request_id == queued))
        db.session.commit()
        return claimed

    monkeypatch.setattr(worker, "claim", claim)
    with app.app_context():
        assert worker.run_batches() == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 0
    assert sender.batches == []
