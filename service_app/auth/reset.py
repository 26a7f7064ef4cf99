"""Password recovery with one-time SMS codes (PRIVACY.md P3).

A code is 6 random digits, stored as an HMAC keyed with ``SECRET_KEY`` (a
plain hash of a million possibilities is reversed in a second), valid for
``SMS_CODE_TTL_MINUTES``, for ``SMS_CODE_MAX_ATTEMPTS`` tries, once. Asking
again within ``SMS_RESEND_SECONDS`` sends nothing new; the answer is the same
202 whether or not the login exists.
"""
import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..catalogues import Domain
from ..database import utcnow
from ..errors import SMS_RETRY_SECONDS, ApiError, invalid, retry_after
from ..extensions import db
from ..users.models import User
from .models import PasswordResetCode
from .passwords import hash_password, password_problem
from .sms import SmsError, get_sms_sender
from .tokens import revoke_all_sessions

log = logging.getLogger(__name__)

TEXTS = Domain("accounts")


def sms_text(language, code):
    """The SMS carrying ``code``, in the account's ``language``."""
    return TEXTS.speaking(language).gettext("Santrade: your password reset code is {code}. Do not share it.", code=code)


def _code_hash(user_id, code):
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _active_user(login):
    return db.session.scalar(sa.select(User).where(User.login == login.strip().lower(),
                                                   User.is_active.is_(True)))


def request_code(login):
    """Send a code to the account's phone if there is one; silent otherwise."""
    user = _active_user(login)
    if user is None or not user.phone:
        return
    now = utcnow()
    latest = db.session.scalar(
        sa.select(PasswordResetCode).where(PasswordResetCode.user_id == user.id)
        .order_by(PasswordResetCode.created_at.desc()).limit(1))
    if latest is not None and now - latest.created_at < timedelta(
            seconds=current_app.config["SMS_RESEND_SECONDS"]):
        log.info("password reset code for user %s not re-sent: asked too soon", user.id)
        return
    code = f"{secrets.randbelow(10**6):06d}"
    # A new code supersedes every older one.
    db.session.execute(sa.update(PasswordResetCode)
                       .where(PasswordResetCode.user_id == user.id, PasswordResetCode.used_at.is_(None))
                       .values(used_at=now))
    db.session.add(PasswordResetCode(
        user_id=user.id, code_hash=_code_hash(user.id, code), created_at=now,
        expires_at=now + timedelta(minutes=current_app.config["SMS_CODE_TTL_MINUTES"])))
    db.session.flush()
    try:
        get_sms_sender().send(user.phone, sms_text(user.language, code))
    except SmsError as exc:
        db.session.rollback()
        log.error("SMS gateway failed for user %s: %s", user.id, exc)
        raise ApiError(503, "unavailable", "the SMS service is unavailable, retry later",
                       headers=retry_after(SMS_RETRY_SECONDS)) from exc
    db.session.commit()
    log.info("password reset code sent to user %s", user.id)


def confirm_code(login, code, new_password):
    """Set a new password with a valid code and revoke every token of the user.

    An unknown login, a login without a live code and a wrong code do the same
    work: one look-up of the code and one code hash (HMAC), so the time of the
    answer does not tell which logins exist. Only a right code goes on to hash
    the new password.
    """
    wrong_code = ApiError(400, "invalid_code", "the code is wrong, used or expired")
    user = _active_user(login)
    user_id = user.id if user is not None else 0  # no account has id 0: the look-up finds nothing
    now = utcnow()
    entry = db.session.scalar(
        sa.select(PasswordResetCode)
        .where(PasswordResetCode.user_id == user_id, PasswordResetCode.used_at.is_(None),
               PasswordResetCode.expires_at > now,
               PasswordResetCode.attempts < current_app.config["SMS_CODE_MAX_ATTEMPTS"])
        .order_by(PasswordResetCode.created_at.desc()).limit(1).with_for_update())
    digest = _code_hash(user_id, code)
    if entry is None:
        db.session.rollback()
        raise wrong_code
    if not hmac.compare_digest(entry.code_hash, digest):
        entry.attempts += 1
        db.session.commit()
        raise wrong_code
    problem = password_problem(new_password)
    if problem:
        db.session.rollback()
        raise invalid("new_password", problem)
    entry.used_at = now
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now
    revoke_all_sessions(user.id)
    db.session.commit()
    log.info("password reset by SMS code for user %s", user.id)
