"""Load and faults end to end: many employees create requests at once, every
fifth call is retried with the same Idempotency-Key, and the notification
worker is stopped, crashes once after claiming, and is started again midway.
Exactly one request per logical create, and every push delivered once.

CI runs 200 creates; ``LOAD_CREATES=2000`` runs the full version.
"""
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from notifications import worker
from notifications.models import Delivery
from notifications.senders import PushOutcome
from service_app.database import utcnow
from service_app.extensions import db
from service_requests.models import ServiceRequest
from tests.support.places import ALA_POINT

pytestmark = pytest.mark.slow  # `make test` runs it, `make test-fast` leaves it out

CREATES = int(os.environ.get("LOAD_CREATES", "200"))
CLIENTS = 32


class CountingSender:
    """A push sender that remembers every push it was asked to send."""

    def __init__(self):
        self.sent, self.lock = [], threading.Lock()

    def send(self, messages):
        with self.lock:
            self.sent.extend((m.token, m.data["request_id"]) for m in messages)
        return [PushOutcome("sent", message_id=str(uuid.uuid4())) for _ in messages]


class CrashAfterClaim(Exception):
    """The worker process dies after claiming a batch, before sending it."""


def run_worker(app, stop, crash_once=None):
    with app.app_context():
        while not stop.is_set():
            try:
                if crash_once is not None and not crash_once.is_set():
                    claimed = worker.claim(50)
                    if claimed:
                        crash_once.set()
                        raise CrashAfterClaim
                    continue
                if not worker.run_once():
                    stop.wait(0.05)
            except CrashAfterClaim:
                db.session.remove()
                return  # the process is gone; its claimed rows stay leased
            finally:
                db.session.remove()


def test_concurrent_creates_with_retries_and_a_restarted_worker(make_app, auth, world):
    app = make_app(PUSH_LEASE_SECONDS=1, RATELIMIT_ENABLED=False)
    sender = CountingSender()
    app.extensions["push_sender"] = sender
    admin_client = app.test_client()
    admin_client.post("/api/v1/devices", json={"token": "admin-phone", "platform": "ios"}, headers=world.admin.headers)
    employees = [auth("employee", office_id=world.ala) for _ in range(CLIENTS)]
    payloads = [(employees[i % CLIENTS], str(uuid.uuid4()), i) for i in range(CREATES)]

    def create(job):
        employee, key, i = job
        client = app.test_client()
        body = {"title": f"Load request {i}", "category": "FAC-AC", "location": ALA_POINT}
        headers = {**employee.headers, "Idempotency-Key": key}
        answers = [client.post("/api/v1/requests", json=body, headers=headers)]
        if i % 5 == 0:  # the phone did not see the answer and retries
            answers.append(client.post("/api/v1/requests", json=body, headers=headers))
        return [(a.status_code, a.get_json().get("id")) for a in answers]

    stop_first, crashed = threading.Event(), threading.Event()
    first = threading.Thread(target=run_worker, args=(app, stop_first, crashed))
    first.start()
    with ThreadPoolExecutor(CLIENTS) as pool:
        halfway = CREATES // 2
        results = list(pool.map(create, payloads[:halfway]))
        first.join(timeout=30)  # it crashed after its first claim
        stop_second = threading.Event()
        second = threading.Thread(target=run_worker, args=(app, stop_second))
        second.start()
        results += list(pool.map(create, payloads[halfway:]))

    # Let the lease of the crashed worker's batch run out, then drain.
    with app.app_context():
        db.session.execute(sa.update(Delivery).where(Delivery.status == "sending")
                           .values(claimed_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    deadline = threading.Event()
    for _ in range(600):
        with app.app_context():
            pending = db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)
                                        .where(Delivery.status != "sent"))
        if not pending:
            break
        deadline.wait(0.05)
    stop_second.set()
    second.join(timeout=30)

    assert crashed.is_set()
    statuses = [status for answers in results for status, _ in answers]
    assert set(statuses) == {201}
    for answers in results:
        assert len({rid for _, rid in answers}) == 1  # a retry names the same request
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ServiceRequest)) == CREATES
        titles = db.session.scalars(sa.select(ServiceRequest.title)).all()
        assert len(set(titles)) == CREATES
        deliveries = db.session.execute(sa.select(Delivery.token, Delivery.status)
                                        .where(Delivery.token == "admin-phone")).all()
    assert len(deliveries) == CREATES and {s for _, s in deliveries} == {"sent"}
    pushed = [request_id for token, request_id in sender.sent if token == "admin-phone"]
    assert len(pushed) == CREATES and len(set(pushed)) == CREATES  # each delivered exactly once
