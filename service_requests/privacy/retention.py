"""``flask retention run`` (PRIVACY.md P15): keep personal data only as long as
the company's rules say.

- Photos of requests final (closed, rejected, cancelled) for more than
  ``ATTACHMENT_RETENTION_DAYS`` are deleted from the database and their objects
  from storage (through the deletion outbox, so a store outage only delays them).
- Requests final for more than ``REQUEST_RETENTION_DAYS`` are anonymised: the
  wording, comments (their text for followers too), location and search words go (the search's
  vocabulary forgets the words no other request holds), and so do its followers (who would read
  the old author's name on the comments that were theirs); office, category, priority and
  timings stay, so reports over old periods still add up. Other packages erase what
  they hold about those requests at ``Hook.ERASE_REQUESTS`` (notifications:
  the feed entries).
- Accounts deactivated (last changed) more than ``REQUEST_RETENTION_DAYS`` ago
  are anonymised: name, login, email, phone and sessions go; other packages
  erase theirs at ``Hook.ERASE_ACCOUNTS`` (notifications: the devices; notices: the
  follows).
- Housekeeping: expired sessions, used reset codes, idempotency keys older
  than ``IDEMPOTENCY_KEY_HOURS`` and sync change-log rows older than
  ``SYNC_CURSOR_DAYS`` (plus a day) are deleted.

Idempotent: a second run finds nothing more to do.
"""
import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from service_app.auth.models import AuthSession, PasswordResetCode
from service_app.auth.passwords import hash_password
from service_app.auth.tokens import purge_expired_sessions
from service_app.changes import purge as purge_changes
from service_app.database import utcnow
from service_app.extensions import db
from service_app.plugins import Hook, hooks
from service_app.users.models import User

from service_requests import search
from service_requests.photos import outbox as storage_outbox
from service_requests.photos.attachments import get_storage
from service_requests.models import (FINAL_STATUSES, Attachment, Comment, IdempotencyKey, RequestEvent, RequestFollower,
                                     ServiceRequest)

log = logging.getLogger(__name__)
REMOVED = "[removed]"
# The API refuses logins starting with "_", so no real account can be mistaken for this one.
ANONYMOUS_LOGIN = "_anonymous"


def _final_before(days, now):
    return sa.and_(ServiceRequest.status.in_(FINAL_STATUSES), ServiceRequest.closed_at < now - timedelta(days=days))


def delete_old_photos(now):
    """Delete the rows and hand their objects to the deletion outbox (purged at the end of the run).

    No store call happens inside the transaction, and a store that is down
    delays only the bytes, which the outbox retries until they are gone.
    """
    cfg = current_app.config
    old = sa.select(ServiceRequest.id).where(_final_before(cfg["ATTACHMENT_RETENTION_DAYS"], now))
    deleted = 0
    for attachment in db.session.scalars(sa.select(Attachment).where(Attachment.request_id.in_(old))):
        storage_outbox.enqueue([attachment.storage_key, attachment.thumbnail_key])
        db.session.delete(attachment)
        deleted += 1
    db.session.commit()
    return deleted


def anonymous_author():
    user = db.session.scalar(sa.select(User).where(User.login == ANONYMOUS_LOGIN))
    if user is None:
        user = User(login=ANONYMOUS_LOGIN, full_name="—", role="employee", is_active=False,
                    password_hash=hash_password(secrets.token_urlsafe(32)))
        db.session.add(user)
        db.session.flush()
    return user


def anonymise_old_requests(now):
    cfg = current_app.config
    rows = db.session.scalars(sa.select(ServiceRequest).where(
        _final_before(cfg["REQUEST_RETENTION_DAYS"], now), ServiceRequest.title != REMOVED)).all()
    if not rows:
        return 0
    nobody = anonymous_author()
    ids = [r.id for r in rows]
    words = search.words_of(ids)
    for req in rows:
        req.title, req.description, req.author_id = REMOVED, "", nobody.id
        req.search_text = req.search_internal = ""  # the words searched go with the wording
        req.location_lat = req.location_lon = None
        req.fields, req.staff_fields = {}, {}  # the form's answers may hold free text about a person
    db.session.execute(sa.update(Comment).where(Comment.request_id.in_(ids)).values(body=REMOVED, follower_body=None))
    db.session.execute(sa.delete(RequestFollower).where(RequestFollower.request_id.in_(ids)))
    db.session.flush()
    search.forget_words(words)  # the search's vocabulary keeps no word that only these requests held
    for erase in hooks().get(Hook.ERASE_REQUESTS):
        erase(ids)
    db.session.execute(sa.update(RequestEvent).where(RequestEvent.request_id.in_(ids),
                                                     RequestEvent.actor_id.in_(
                                                         sa.select(User.id).where(User.role == "employee")))
                       .values(actor_id=nobody.id))
    db.session.commit()
    return len(rows)


def anonymise_old_accounts(now):
    cutoff = now - timedelta(days=current_app.config["REQUEST_RETENTION_DAYS"])
    rows = db.session.scalars(sa.select(User).where(User.is_active.is_(False), User.updated_at < cutoff,
                                                    ~User.login.startswith("deleted-"),
                                                    User.login != ANONYMOUS_LOGIN)).all()
    for user in rows:
        user.login, user.full_name = f"deleted-{user.id}", "Deleted user"
        user.email = user.phone = None
        user.password_hash = hash_password(secrets.token_urlsafe(32))
        db.session.execute(sa.delete(AuthSession).where(AuthSession.user_id == user.id))
        db.session.execute(sa.delete(PasswordResetCode).where(PasswordResetCode.user_id == user.id))
    for erase in hooks().get(Hook.ERASE_ACCOUNTS):
        erase([user.id for user in rows])
    db.session.commit()
    return len(rows)


def housekeeping(now):
    keys = db.session.execute(sa.delete(IdempotencyKey).where(
        IdempotencyKey.created_at < now - timedelta(hours=current_app.config["IDEMPOTENCY_KEY_HOURS"]))).rowcount
    sessions = purge_expired_sessions()
    codes = db.session.execute(sa.delete(PasswordResetCode).where(
        sa.or_(PasswordResetCode.used_at.is_not(None), PasswordResetCode.expires_at < now))).rowcount
    changes = purge_changes(now - timedelta(days=current_app.config["SYNC_CURSOR_DAYS"] + 1))
    db.session.commit()
    return keys + sessions + codes + changes


def run(now=None):
    now = now or utcnow()
    done = {"photos deleted": delete_old_photos(now), "requests anonymised": anonymise_old_requests(now),
            "accounts anonymised": anonymise_old_accounts(now), "expired records purged": housekeeping(now)}
    done["stored objects deleted"] = storage_outbox.purge(get_storage(), limit=10_000)[0]
    log.info("retention run: %s", ", ".join(f"{k} {v}" for k, v in done.items()))
    return done
