"""Staff console sessions: a browser's sign-in, kept on the server.

The browser holds a random token in an HttpOnly cookie; the database holds its
SHA-256 (``ConsoleSession``), the CSRF token the pages must send back with every
change, the chosen language and when it was last used. Each console session rides
on an ``AuthSession``: ``revoke_all_sessions`` (deactivation, password reset or
change) and sign-out end it exactly as they end the app's tokens, with no second
list of what ends a session. A session ends too when it has been idle for
``CONSOLE_IDLE_MINUTES`` or is older than ``CONSOLE_SESSION_HOURS``.
"""
import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..database import utcnow
from ..extensions import db
from ..users.models import User
from .models import AuthSession, ConsoleSession
from .tokens import _new_id, revoke_session

# last_seen_at is written at most this often: reading a page is not a write each time.
TOUCH_EVERY = timedelta(seconds=60)


def _digest(token):
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def open_session(user, language=None):
    """Start a console session for ``user``; returns the cookie's token (caller commits)."""
    now = utcnow()
    auth = AuthSession(id=_new_id(), user_id=user.id, refresh_jti=_new_id(), created_at=now,
                       expires_at=now + timedelta(hours=current_app.config["CONSOLE_SESSION_HOURS"]))
    token = secrets.token_urlsafe(32)
    db.session.add(auth)
    db.session.flush()
    db.session.add(ConsoleSession(token_hash=_digest(token), auth_session_id=auth.id,
                                  csrf_token=secrets.token_urlsafe(32), language=language, last_seen_at=now))
    return token


class Signed:
    """A live console session: the account, its CSRF token and language, and the auth session's id."""

    def __init__(self, console, user, auth_session_id):
        self.console, self.user, self.auth_session_id = console, user, auth_session_id

    @property
    def csrf_token(self):
        return self.console.csrf_token

    @property
    def language(self):
        return self.console.language or self.user.language


def read_session(token):
    """The live session the cookie's ``token`` opens, or None (one query; touches ``last_seen_at``).

    None when the token is unknown, the auth session is revoked or expired, the account
    is inactive, or the session has been idle too long.
    """
    if not token or len(token) > 200:
        return None
    row = db.session.execute(
        sa.select(ConsoleSession, AuthSession.revoked_at, AuthSession.expires_at, User)
        .join(AuthSession, AuthSession.id == ConsoleSession.auth_session_id)
        .join(User, User.id == AuthSession.user_id)
        .where(ConsoleSession.token_hash == _digest(token))
    ).first()
    if row is None:
        return None
    console, revoked_at, expires_at, user = row
    now = utcnow()
    idle = timedelta(minutes=current_app.config["CONSOLE_IDLE_MINUTES"])
    if revoked_at is not None or expires_at <= now or not user.is_active or now - console.last_seen_at > idle:
        return None
    if now - console.last_seen_at > TOUCH_EVERY:
        console.last_seen_at = now
        db.session.commit()
    return Signed(console, user, console.auth_session_id)


def csrf_matches(signed, sent):
    """Whether the CSRF token sent with a change is the session's (constant-time)."""
    return bool(sent) and hmac.compare_digest(str(sent).encode("utf-8", "surrogatepass"),
                                              signed.csrf_token.encode())


def set_language(signed, language):
    signed.console.language = language
    db.session.commit()


def close_session(signed):
    """Sign out: this console session ends (and its auth session with it)."""
    revoke_session(signed.auth_session_id)
    db.session.execute(sa.delete(ConsoleSession).where(ConsoleSession.token_hash == signed.console.token_hash))
    db.session.commit()
