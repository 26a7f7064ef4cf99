"""The delivery worker: claims due outbox rows, pushes them, records outcomes.

Claiming marks rows ``sending`` with a lease (``PUSH_LEASE_SECONDS``); a
worker killed before recording leaves rows whose lease expires and that are
claimed again (at least once, never lost). On PostgreSQL candidates are
picked with ``FOR UPDATE SKIP LOCKED``, so several workers run side by side
without sending a delivery twice; on SQLite one worker runs.

Two rules keep a slow batch from being sent twice: the lease is never shorter
than the longest one ``send`` can block (``lease_seconds``), and ``record``
writes only rows still claimed under this batch's claim token, so a worker
whose lease ran out cannot overwrite what another worker recorded. The worker
never sleeps on FCM's ``Retry-After``: the row is scheduled for then.

A due row whose device no longer receives (its sign-in session ended, or the
device is gone) is dropped when claimed, so nothing queued before a logout,
password reset or deactivation reaches the phone afterwards; so is a claimed
row whose notification was deleted before its batch was prepared. The text is
rendered when sent, in the recipient's language then, and the badge is their
unread count then: one query per batch.
"""
import logging
import math
import random
import signal
import threading
import uuid
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from flask import current_app

from service_app.database import utcnow
from service_app.extensions import db
from service_app.users.models import User

from .messages import deep_link, render_or
from .models import Delivery, Device, Notification, receiving_device
from .senders import PushMessage, get_push_sender

log = logging.getLogger(__name__)


def retry_delay(attempts, retry_after=None, rng=random):
    """Seconds before the next try: exponential from PUSH_RETRY_BASE_SECONDS, capped,
    with up to 25% jitter so a recovered FCM is not hit by every row at once;
    never sooner than the server's Retry-After."""
    cfg = current_app.config
    base = min(cfg["PUSH_RETRY_MAX_SECONDS"], cfg["PUSH_RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0))
    delay = base * (1 + 0.25 * rng.random())
    return max(delay, retry_after or 0)


LEASE_MARGIN_SECONDS = 30  # database round trips and the token endpoint's own retries


def lease_seconds(limit):
    """How long a claim of ``limit`` deliveries is held: ``PUSH_LEASE_SECONDS``, or
    longer when the sender can block longer than that on one batch."""
    configured = current_app.config["PUSH_LEASE_SECONDS"]
    bound = getattr(get_push_sender(), "max_blocking_seconds", None)
    blocking = bound(limit) if bound is not None else 0
    if not blocking:
        return configured
    return max(configured, math.ceil(blocking) + LEASE_MARGIN_SECONDS)


class Claimed(NamedTuple):
    """A claimed delivery: what sending and ``record`` need, kept outside the session."""

    id: int
    claim_token: str
    attempts: int
    device_id: int | None
    token: str = ""
    notification_id: int | None = None
    claimed_until: datetime | None = None


def claim(limit):
    """Take up to ``limit`` due deliveries for this worker; returns them as ``Claimed``, by id.

    Every row of one claim carries the same fresh ``claim_token``. Due rows
    whose device no longer receives are marked ``dropped`` instead."""
    while True:
        now = utcnow()
        due = sa.or_(sa.and_(Delivery.status == "pending", Delivery.next_attempt_at <= now),
                     sa.and_(Delivery.status == "sending", Delivery.claimed_until < now))
        # The first ``limit`` due rows by (next_attempt_at, id): taken from the first ``limit``
        # of each kind of due row, so each query walks ix_deliveries_due in order (one query
        # over the OR would gather and sort every due row on every claim).
        picked = []
        for kind in (sa.and_(Delivery.status == "pending", Delivery.next_attempt_at <= now),
                     sa.and_(Delivery.status == "sending", Delivery.claimed_until < now)):
            pick = (sa.select(Delivery.id, Delivery.next_attempt_at,
                              receiving_device(Delivery.device_id, now).label("receiving"))
                    .where(kind).order_by(Delivery.next_attempt_at, Delivery.id).limit(limit))
            if db.engine.dialect.name == "postgresql":
                pick = pick.with_for_update(skip_locked=True, of=Delivery)
            picked.extend(db.session.execute(pick).all())
        picked = sorted(picked, key=lambda row: (row.next_attempt_at, row.id))[:limit]
        if not picked:
            db.session.rollback()
            return []
        silent = [row.id for row in picked if not row.receiving]
        ids = [row.id for row in picked if row.receiving]
        if silent:
            db.session.execute(sa.update(Delivery).where(Delivery.id.in_(silent), due)
                               .values(status="dropped", claim_token=None, claimed_until=None,
                                       last_error="the device no longer receives: its sign-in ended or it was removed")
                               .execution_options(synchronize_session=False))
        if not ids:
            db.session.commit()
            continue  # a page of silent rows: look further
        lease = now + timedelta(seconds=lease_seconds(limit))
        token = str(uuid.uuid4())
        # The condition is repeated so that a row another worker claimed meanwhile is not taken.
        taken = db.session.execute(
            sa.update(Delivery).where(Delivery.id.in_(ids), due)
            .values(status="sending", claim_token=token, claimed_until=lease, attempts=Delivery.attempts + 1)
            .returning(Delivery.id, Delivery.attempts, Delivery.device_id, Delivery.token,
                       Delivery.notification_id)
            .execution_options(synchronize_session=False)).all()
        db.session.commit()
        return sorted(Claimed(row.id, token, row.attempts, row.device_id, row.token, row.notification_id, lease)
                      for row in taken)


def _message(delivery, note):
    """The push of one delivery (API.md, "Devices and push"), rendered for its recipient.

    ``note`` is a row of ``prepare``'s query: the notification's columns, and the
    recipient's ``language`` and ``unread`` count now.
    """
    params = note.data or {}
    title, body = render_or(note.event, note.language, params, (note.title, note.body))
    request_id = "" if note.request_id is None else str(note.request_id)
    data = {
        "notification_id": str(note.id),
        "request_id": request_id,
        "number": str(params.get("number") or ""),
        "event": note.event,
        "status": str(params.get("status") or ""),
        "deep_link": deep_link(note.request_id, params) or "",
    }
    group = f"request-{note.request_id}" if note.request_id is not None else None
    return PushMessage(token=delivery.token, title=title, body=body, data=data,
                       collapse_id=group, badge=note.unread)


def record(deliveries, outcomes):
    """Store each outcome; prune devices FCM says are gone.

    Each row is updated only while it is still ``sending`` under the claim
    token it was claimed with: if its lease ran out and another worker claimed
    it, that worker's result stands and this one is dropped (and logged).
    Returns how many outcomes were stored. The rows still held are read (and
    locked, on PostgreSQL) in one query, then written with one executemany per
    kind of outcome.
    """
    now = utcnow()
    max_attempts = current_app.config["PUSH_MAX_ATTEMPTS"]
    deliveries = list(deliveries)
    if not deliveries:
        return 0
    held = sa.select(Delivery.id, Delivery.claim_token).where(
        Delivery.id.in_([d.id for d in deliveries]), Delivery.status == "sending")
    if db.engine.dialect.name == "postgresql":
        held = held.with_for_update()
    holders = dict(db.session.execute(held).all())
    table = Delivery.__table__
    groups = {}  # status -> parameter rows of one executemany
    dropped_devices = set()
    stored = 0
    for delivery, outcome in zip(deliveries, outcomes, strict=True):
        if holders.get(delivery.id) != delivery.claim_token:
            log.warning("push delivery %s was claimed again before its outcome (%s) was recorded; "
                        "keeping the newer claim's", delivery.id, outcome.status)
            continue
        row = {"b_id": delivery.id, "b_token": delivery.claim_token,
               "last_error": (outcome.error or "")[:500] or None}
        if outcome.status == "sent":
            status = "sent"
            row.update(sent_at=now, message_id=outcome.message_id)
        elif outcome.status == "retry" and delivery.attempts < max_attempts:
            status = "pending"
            row["next_attempt_at"] = now + timedelta(seconds=retry_delay(delivery.attempts, outcome.retry_after))
        elif outcome.status == "drop_device":
            status = "dropped"
        else:
            status = "failed"
        groups.setdefault(status, []).append(row)
        stored += 1
        if status == "dropped" and delivery.device_id is not None:
            dropped_devices.add(delivery.device_id)
        elif status == "failed":
            log.warning("push delivery %s failed after %s attempts: %s", delivery.id, delivery.attempts,
                        row["last_error"])
    for status, rows in groups.items():
        columns = {name: sa.bindparam(name) for name in rows[0] if not name.startswith("b_")}
        db.session.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"), table.c.status == "sending",
                   table.c.claim_token == sa.bindparam("b_token"))
            .values(status=status, claim_token=None, claimed_until=None, **columns),  # nosec B105  # releases the claim
            rows)
    if dropped_devices:
        db.session.execute(sa.update(Delivery).where(Delivery.device_id.in_(dropped_devices),
                                                     Delivery.status == "pending").values(status="dropped")
                           .execution_options(synchronize_session=False))
        db.session.execute(sa.delete(Device).where(Device.id.in_(dropped_devices))
                           .execution_options(synchronize_session=False))
        log.info("removed %s devices whose push tokens are no longer registered", len(dropped_devices))
    db.session.commit()
    return stored


def prepare(claimed):
    """The push of each claimed delivery, in order, from one query of the batch's
    notifications with their recipients' language and unread count."""
    return _prepare(claimed)[1]


def _prepare(claimed):
    """``(the deliveries still to send, their pushes)``: a delivery whose notification was
    deleted after it was claimed (an account's deletion, the retention purge) is finished
    as ``dropped`` instead, if its row is still there."""
    unread_of = aliased(Notification)
    unread = (sa.select(sa.func.count(unread_of.id))
              .where(unread_of.user_id == Notification.user_id, unread_of.read_at.is_(None))
              .correlate(Notification).scalar_subquery())
    notes = {row.id: row for row in db.session.execute(
        sa.select(Notification.id, Notification.event, Notification.title, Notification.body,
                  Notification.data, Notification.request_id, User.language, unread.label("unread"))
        .outerjoin(User, User.id == Notification.user_id)
        .where(Notification.id.in_({d.notification_id for d in claimed})))}
    kept = [delivery for delivery in claimed if delivery.notification_id in notes]
    gone = [delivery for delivery in claimed if delivery.notification_id not in notes]
    if gone:
        table = Delivery.__table__
        db.session.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"), table.c.status == "sending",
                   table.c.claim_token == sa.bindparam("b_token"))
            .values(status="dropped", claim_token=None, claimed_until=None,  # nosec B105  # releases the claim
                    last_error="its notification was deleted"),
            [{"b_id": delivery.id, "b_token": delivery.claim_token} for delivery in gone])
        log.info("dropped %s claimed deliveries whose notification was deleted", len(gone))
    return kept, [_message(delivery, notes[delivery.notification_id]) for delivery in kept]


def _claim_batch(limit):
    """A claimed batch and its pushes; a batch may come back empty while rows are still due
    (every one's notification was deleted)."""
    claimed = claim(limit)
    if not claimed:
        return [], [], False
    claimed, messages = _prepare(claimed)
    db.session.commit()  # no transaction stays open while FCM is called
    return claimed, messages, True


def run_once(limit=None):
    """Claim, send and record one batch; returns how many deliveries it handled.

    No transaction stays open while FCM is called: a batch may block longer
    than PostgreSQL's ``idle_in_transaction_session_timeout``, which would end
    the session and lose every outcome (and send the batch again).
    """
    claimed, messages, _ = _claim_batch(limit or current_app.config["PUSH_BATCH_SIZE"])
    if not claimed:
        return 0
    record(claimed, get_push_sender().send(messages))
    return len(claimed)


def run_batches(max_batches=None, stop=None):
    """Claim, send and record batches until none is due; returns how many deliveries were handled.

    Up to ``PUSH_BATCHES_IN_FLIGHT`` batches are sent at once, each from its own
    thread (``send_each`` threads each message of a batch in turn); this thread
    keeps the database work: it claims the next batch while others are in
    flight and records each as it comes back. Every batch is claimed just
    before it is sent, so its lease covers only its own send. A send that
    raises leaves its batch leased (claimed again when the lease runs out);
    the error is raised once the other batches are recorded.

    A claim or a record that raises (the database went away) stops the
    claiming; the batches in flight are still waited for and each recorded in
    a fresh transaction (a batch whose record fails again stays leased, as
    does the one whose record raised first if it fails once more), so what
    was pushed is not pushed again; then that first error is raised.
    """
    limit = current_app.config["PUSH_BATCH_SIZE"]
    in_flight = max(1, current_app.config.get("PUSH_BATCHES_IN_FLIGHT", 1))
    sender = get_push_sender()
    handled = batches = 0
    failure = None  # the first send's error
    broken = None  # the first claim's or record's error
    unrecorded = []  # the batch whose record raised first, with its outcomes: tried again at the end
    flying = {}

    def stored(claimed, outcomes):
        """Record one batch after the database failed once: False (logged) if it fails again."""
        try:
            record(claimed, outcomes)
        except Exception:  # noqa: BLE001 - the batch stays leased; the first error is raised below
            db.session.rollback()
            log.exception("could not record a batch of %s push deliveries; they stay leased", len(claimed))
            return False
        return True

    with ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="push-send") as pool:
        due = True
        while True:
            while (due and failure is None and broken is None and len(flying) < in_flight
                   and (max_batches is None or batches < max_batches)
                   and (stop is None or not stop.is_set())):
                try:
                    claimed, messages, due = _claim_batch(limit)
                except Exception as error:  # noqa: BLE001 - raised below, after the batches in flight are recorded
                    broken = error
                    db.session.rollback()
                    break
                if claimed:
                    batches += 1
                    flying[pool.submit(sender.send, messages)] = claimed
            if not flying:
                break
            done, _ = wait(flying, return_when=FIRST_COMPLETED)
            for future in done:
                claimed = flying.pop(future)
                try:
                    outcomes = future.result()
                except Exception as error:  # noqa: BLE001 - raised below, after the others are recorded
                    failure = failure or error
                    continue
                if broken is not None:
                    if stored(claimed, outcomes):
                        handled += len(claimed)
                    continue
                try:
                    record(claimed, outcomes)
                except Exception as error:  # noqa: BLE001 - raised below, after the batches in flight are recorded
                    broken = error
                    db.session.rollback()
                    unrecorded.append((claimed, outcomes))
                    continue
                handled += len(claimed)
    for claimed, outcomes in unrecorded:
        if stored(claimed, outcomes):
            handled += len(claimed)
    if broken is not None:
        raise broken
    if failure is not None:
        raise failure
    return handled


class Worker:
    """Runs batches until stopped; SIGTERM and SIGINT finish the batches in flight, then stop.

    ``max_batches`` (tests) bounds the rounds: each round sends every due batch.
    """

    def __init__(self, poll_seconds=1.0):
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()

    def install_signal_handlers(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stopping.set())

    def run(self, max_batches=None):
        batches = 0
        log.info("notification worker started")
        configured = current_app.config["PUSH_LEASE_SECONDS"]
        lease = lease_seconds(current_app.config["PUSH_BATCH_SIZE"])
        if lease > configured:
            log.warning("PUSH_LEASE_SECONDS=%s is shorter than one batch of PUSH_BATCH_SIZE can block "
                        "(FCM_HTTP_TIMEOUT and retries); claims are held %s s instead", configured, lease)
        while not self.stopping.is_set() and (max_batches is None or batches < max_batches):
            try:
                handled = run_batches(stop=self.stopping)
            except sa.exc.OperationalError:
                db.session.rollback()
                log.exception("database unavailable; retrying shortly")
                handled = 0
            finally:
                db.session.remove()
            batches += 1
            if not handled:
                self.stopping.wait(self.poll_seconds)
        log.info("notification worker stopped")


