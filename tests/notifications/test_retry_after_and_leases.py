"""FCM rate limiting meets the outbox: a burst of 429 with
``Retry-After: 40`` must not hold a batch inside firebase-admin, must not make
two workers send a push twice, and a worker whose lease ran out must not
overwrite the outcome another worker recorded.

The worker's clock is frozen (``worker.utcnow``), so schedules are compared
exactly and nothing depends on how fast this machine is.
"""
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.support.fcm import fcm_error
from notifications import worker
from notifications.models import Delivery, Device, Notification
from notifications.senders import TIMEOUTS_PER_CHUNK, PushOutcome
from service_app.auth.models import AuthSession
from service_app.database import utcnow
from service_app.extensions import db

DEVICES, NOTES = 35, 10  # 350 deliveries
BURST = 60  # the first 60 sends are refused with 429


@pytest.fixture
def clock(monkeypatch):
    """The worker's "now", moved by hand."""
    now = [utcnow()]
    monkeypatch.setattr(worker, "utcnow", lambda: now[0])
    return now


@pytest.fixture
def outbox(app, world, clock):
    """350 due deliveries: 10 notifications to each of 35 devices of the employee (signed in)."""
    with app.app_context():
        session_id = db.session.scalar(sa.select(AuthSession.id).where(AuthSession.user_id == world.employee.id))
        devices = [Device(user_id=world.employee.id, token=f"tok-{i:02d}", platform="android",
                          session_id=session_id) for i in range(DEVICES)]
        notes = [Notification(user_id=world.employee.id, event="comment_added", title=f"note {n}",
                              body="b", data={"event": "comment_added"}) for n in range(NOTES)]
        db.session.add_all(devices + notes)
        db.session.flush()
        db.session.add_all([Delivery(notification_id=note.id, device_id=device.id, token=device.token,
                                     next_attempt_at=clock[0], created_at=clock[0])
                            for note in notes for device in devices])
        db.session.commit()


class Burst:
    """Responder for the stub: 429 ``Retry-After: 40`` for the first ``BURST`` sends, then
    success; remembers which (token, title) FCM accepted."""

    def __init__(self):
        self.lock, self.calls, self.accepted = threading.Lock(), 0, []

    def __call__(self, body):
        message = body["message"]
        with self.lock:
            self.calls += 1
            if self.calls <= BURST:
                return fcm_error("QUOTA_EXCEEDED", retry_after="40")
            self.accepted.append((message["token"], message["notification"]["title"]))
        return None


def drain_with_two_workers(apps, parallel):
    def drain(a):
        with a.app_context():
            while worker.run_once():
                db.session.remove()

    if not parallel:  # SQLite: one writer at a time, so one worker after the other
        for a in apps:
            drain(a)
        return
    threads = [threading.Thread(target=drain, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def rows(app):
    with app.app_context():
        return db.session.execute(sa.select(Delivery.status, Delivery.attempts, Delivery.next_attempt_at)).all()


def test_retry_after_burst_with_two_workers_sends_every_push_once_and_holds_none(
        make_app, database_url, make_fcm_sender, fcm_stub, outbox, clock, retry_sleeps):
    burst = Burst()
    fcm_stub.responder = burst
    apps = [make_app(PUSH_BATCH_SIZE=50), make_app(PUSH_BATCH_SIZE=50)]
    for a in apps:
        a.extensions["push_sender"] = make_fcm_sender()
    parallel = database_url.startswith("postgresql")
    start = clock[0]

    drain_with_two_workers(apps, parallel)

    # Nobody waited inside the SDK and nothing was retried there: 350 sends, one each.
    assert retry_sleeps == []
    assert len(fcm_stub.requests) == DEVICES * NOTES
    state = rows(apps[0])
    refused = [r for r in state if r.status == "pending"]
    assert len(refused) == BURST
    # ... the wait went to the outbox: due exactly Retry-After after the answer.
    assert {(r.attempts, r.next_attempt_at) for r in refused} == {(1, start + timedelta(seconds=40))}
    assert sum(r.status == "sent" for r in state) == DEVICES * NOTES - BURST

    clock[0] = start + timedelta(seconds=39)
    drain_with_two_workers(apps, parallel)
    assert len(fcm_stub.requests) == DEVICES * NOTES  # not due yet

    clock[0] = start + timedelta(seconds=40)
    drain_with_two_workers(apps, parallel)

    expected = {(f"tok-{i:02d}", f"note {n}") for i in range(DEVICES) for n in range(NOTES)}
    assert len(burst.accepted) == len(expected) and set(burst.accepted) == expected  # every push once
    assert {(r.status, r.attempts) for r in rows(apps[0])} == {("sent", 1), ("sent", 2)}


def test_a_worker_whose_lease_ran_out_records_nothing(app, outbox, clock):
    app.config["PUSH_LEASE_SECONDS"] = 120
    with app.app_context():  # worker A claims, then blocks past its lease
        a_claim = worker.claim(3)
        ids = [d.id for d in a_claim]
        with app.app_context():  # worker B, after the lease ran out
            clock[0] += timedelta(seconds=121)
            b_claim = worker.claim(3)
            assert [d.id for d in b_claim] == ids
            b_token = b_claim[0].claim_token

        # A comes back while B is still sending: A's outcome is not stored.
        assert worker.record(a_claim, [PushOutcome("failed", error="A's late answer")] * 3) == 0
        with app.app_context():
            state = db.session.execute(sa.select(Delivery.status, Delivery.claim_token, Delivery.last_error)
                                       .where(Delivery.id.in_(ids))).all()
            assert set(state) == {("sending", b_token, None)}
            assert worker.record(b_claim, [PushOutcome("sent", message_id=f"b-{i}") for i in range(3)]) == 3

        # A comes back after B recorded: still nothing of A's.
        assert worker.record(a_claim, [PushOutcome("drop_device", error="A")] * 3) == 0
        state = db.session.execute(sa.select(Delivery.status, Delivery.message_id, Delivery.attempts)
                                   .where(Delivery.id.in_(ids)).order_by(Delivery.id)).all()
        assert state == [("sent", f"b-{i}", 2) for i in range(3)]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Device)) == DEVICES


def test_a_claim_is_held_longer_than_one_batch_can_block(app, make_fcm_sender, outbox, clock):
    sender = make_fcm_sender(http_timeout=10, chunk_size=100)
    app.extensions["push_sender"] = sender
    app.config["PUSH_LEASE_SECONDS"] = 120
    assert sender.max_blocking_seconds(150) == 2 * TIMEOUTS_PER_CHUNK * 10
    with app.app_context():
        claimed = worker.claim(150)
        assert len(claimed) == 150
        held = {d.claimed_until - clock[0] for d in claimed}
    assert held == {timedelta(seconds=sender.max_blocking_seconds(150) + worker.LEASE_MARGIN_SECONDS)}
    # A short lease still applies when the sender cannot block (the log sender).
    app.extensions.pop("push_sender")
    app.config["PUSH_SENDER"] = "log"
    with app.app_context():
        clock[0] += timedelta(seconds=1)
        [delivery] = worker.claim(1)
        assert delivery.claimed_until - clock[0] == timedelta(seconds=120)


def test_worker_start_says_when_the_configured_lease_is_too_short(app, make_fcm_sender, caplog):
    app.extensions["push_sender"] = make_fcm_sender(http_timeout=10)
    app.config.update(PUSH_LEASE_SECONDS=120, PUSH_BATCH_SIZE=100)
    caplog.set_level("WARNING", logger="notifications.worker")
    with app.app_context():
        worker.Worker(poll_seconds=0).run(max_batches=1)
    assert "PUSH_LEASE_SECONDS=120 is shorter" in caplog.text and "held 210 s" in caplog.text

    caplog.clear()
    app.config["PUSH_LEASE_SECONDS"] = 600
    with app.app_context():
        worker.Worker(poll_seconds=0).run(max_batches=1)
    assert "is shorter" not in caplog.text
