"""A deletion outbox for stored objects: a key written here is deleted from the
store by ``flask storage purge``, retried with backoff until the store confirms.

An upload writes its keys here *before* it stores any bytes, due after a grace
period longer than any request can run, and removes them in the same
transaction that commits the attachment row. So every way an upload can fail
(store down halfway, database down at commit, the worker killed, a duplicate
found under the lock) leaves rows that the purge acts on, and no request
spends its time budget on clean-up calls to a store that is already failing.

The purge holds no row lock while it calls the store: it reads due rows, ends
the transaction, deletes each object (deleting a missing object succeeds, so
two purges racing is harmless) and then removes the row.
"""
import logging
from datetime import timedelta

import sqlalchemy as sa

from service_app.database import utcnow
from service_app.extensions import db

from .models import StorageDeletion
from .storage import StorageUnavailable

log = logging.getLogger(__name__)
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 3600


def enqueue(keys, delay_seconds=0, now=None):
    """Add deletions for ``keys`` to the session (the caller commits); returns the rows."""
    due = (now or utcnow()) + timedelta(seconds=delay_seconds)
    rows = [StorageDeletion(key=key, due_at=due) for key in keys]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def cancel(ids, now=None):
    """Withdraw deletions that are not due yet; returns how many were withdrawn.

    Fewer than ``len(ids)`` means the grace period ran out and a purge may
    already have deleted the objects: the caller must not keep them.
    """
    result = db.session.execute(sa.delete(StorageDeletion).where(
        StorageDeletion.id.in_(ids), StorageDeletion.due_at > (now or utcnow())))
    return result.rowcount


def _backoff(attempts):
    return min(RETRY_BASE_SECONDS * 2 ** min(attempts, 16), RETRY_MAX_SECONDS)


def purge(store, limit=100, now=None):
    """Delete the due objects; returns ``(deleted, failed)``.

    Stops at the first store failure: the store is likely down and every
    further call would wait out its timeout too.
    """
    now = now or utcnow()
    due = db.session.execute(sa.select(StorageDeletion.id, StorageDeletion.key, StorageDeletion.attempts)
                             .where(StorageDeletion.due_at <= now)
                             .order_by(StorageDeletion.due_at, StorageDeletion.id).limit(limit)).all()
    db.session.commit()  # no transaction (and no lock) is held while the store is called
    deleted = 0
    for row_id, key, attempts in due:
        try:
            store.delete(key)
        except StorageUnavailable as exc:
            log.warning("could not delete object %s (attempt %d): %s", key, attempts + 1, exc)
            db.session.execute(sa.update(StorageDeletion).where(StorageDeletion.id == row_id).values(
                attempts=attempts + 1, last_error=str(exc)[:200],
                due_at=utcnow() + timedelta(seconds=_backoff(attempts))))
            db.session.commit()
            return deleted, 1
        db.session.execute(sa.delete(StorageDeletion).where(StorageDeletion.id == row_id))
        db.session.commit()
        deleted += 1
    return deleted, 0
