"""Push throughput: 10,000 outbox deliveries through the worker (claim, send,
record) to a local FCM stub, against the bare firebase-admin ``send_each`` loop
(``FcmSender.send`` of 100 at a time) over the same messages and the same stub in the same run.

Database: a throwaway SQLite file, or ``BENCH_DATABASE_URL`` (PostgreSQL).
The worker's sender has a connection pool sized for its
``PUSH_BATCHES_IN_FLIGHT``; the baseline's is the default, for one batch at a time.
"""
import os
import tempfile
import time
import uuid
from datetime import timedelta

import sqlalchemy as sa

from bench.common import migrated_app, report
from notifications import worker
from notifications.models import Delivery, Device, Notification
from service_app.auth.models import AuthSession
from service_app.database import utcnow
from service_app.extensions import db
from service_app.users.models import User
from tests.support.fcm import FcmStub, stub_sender

PUSHES = int(os.environ.get("BENCH_PUSHES", "10000"))


def _fill_outbox(app):
    """One user, 100 devices, 100 notifications: 10,000 due deliveries."""
    with app.app_context():
        user = User(login="bench", full_name="Bench", role="employee", password_hash="x")
        db.session.add(user)
        db.session.flush()
        session = AuthSession(id=str(uuid.uuid4()), user_id=user.id, refresh_jti=str(uuid.uuid4()),
                              expires_at=utcnow() + timedelta(days=1))  # devices receive while it lasts
        db.session.add(session)
        devices = [Device(user_id=user.id, token=f"bench-token-{i:04d}", platform="android", session_id=session.id)
                   for i in range(100)]
        db.session.add_all(devices)
        db.session.flush()
        now = utcnow()
        notes = [Notification(user_id=user.id, event="status_changed", title=f"Request SR-{i:06d}: in progress",
                              body="“The AC in room 305” is now in progress",
                              data={"number": f"SR-{i:06d}", "title": "The AC in room 305",
                                    "status": "in_progress"})
                 for i in range(PUSHES // 100)]
        db.session.add_all(notes)
        db.session.flush()
        db.session.execute(sa.insert(Delivery), [
            {"notification_id": n.id, "device_id": d.id, "token": d.token, "status": "pending", "attempts": 0,
             "next_attempt_at": now, "created_at": now} for n in notes for d in devices])
        db.session.commit()


def _worker_messages(app):
    """The pushes the worker will send, in its order, built by its own code (same payload, badge
    and all), for the bare loop to send too."""
    with app.app_context():
        rows = db.session.execute(sa.select(Delivery.id, Delivery.device_id, Delivery.token,
                                            Delivery.notification_id).order_by(Delivery.id)).all()
        messages = worker.prepare([worker.Claimed(r.id, "", 0, r.device_id, r.token, r.notification_id)
                                   for r in rows])
        db.session.rollback()
        return messages


def run():
    tmp = tempfile.TemporaryDirectory()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp.name}/push.db"
    app = migrated_app(url)
    app.config["PUSH_BATCH_SIZE"] = 100
    _fill_outbox(app)
    bare = _worker_messages(app)
    stub = FcmStub().start()
    try:
        app.extensions["push_sender"] = stub_sender(stub, concurrent_sends=app.config["PUSH_BATCHES_IN_FLIGHT"])
        start = time.perf_counter()
        with app.app_context():
            while worker.run_batches():  # what Worker.run does each round
                pass
        through_worker = PUSHES / (time.perf_counter() - start)
        assert len(stub.requests) == PUSHES, len(stub.requests)
        app.extensions["push_sender"].close()

        sender = stub_sender(stub)  # the bare loop's own sender, as any send_each caller would build it

        start = time.perf_counter()
        for i in range(0, len(bare), 100):
            sender.send(bare[i:i + 100])
        baseline = PUSHES / (time.perf_counter() - start)
        sender.close()
    finally:
        stub.stop()
        tmp.cleanup()
    dialect = "postgresql" if url.startswith("postgres") else "sqlite"
    report(f"push/worker/{dialect}", through_worker, "pushes/s", baseline, through_worker / baseline,
           f"{PUSHES} deliveries, batches of 100, bare send_each loop as baseline")
