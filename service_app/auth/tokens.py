"""JWT sessions: issue, rotate, revoke.

Every token carries ``sid`` (its AuthSession). A refresh token may be used
once: rotation moves ``refresh_jti`` forward atomically, so of two parallel
refreshes exactly one wins. A swapped refresh token presented again within
``REFRESH_REUSE_GRACE_SECONDS`` of its own swap (a phone that lost the answer,
or two calls racing) gets a fresh access token and the session's *current*
refresh token (re-signed, same ``jti``): nothing rotates, so the session keeps
exactly one live refresh token and both racers end up holding it. The grace is
each token's: a retry that arrives after the phone has already refreshed again
(a second rotation) is still a race, not theft. Any other reuse is treated as
theft: 401 ``session_revoked`` and the whole session ends.

``init_app`` holds every flask-jwt-extended callback: which tokens are revoked,
which user a token stands for, and the envelope answers for refused tokens.
"""
import logging
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g
from flask_jwt_extended import create_access_token, create_refresh_token

from .. import i18n
from ..database import utcnow
from ..errors import ApiError, error_response
from ..extensions import db, jwt
from ..users.models import User
from .models import AuthSession


log = logging.getLogger(__name__)
TOKEN_TYPE = "Bearer"  # noqa: S105  # nosec B105  # the authorization scheme's name, not a secret


def _new_id():
    return str(uuid.uuid4())


def _token_pair(user, session_id, refresh_jti):
    claims = {"sid": session_id}
    access = create_access_token(identity=str(user.id), additional_claims=claims)
    refresh = create_refresh_token(identity=str(user.id), additional_claims={**claims, "jti": refresh_jti})
    return access, refresh


def token_response(access, refresh, user=None):
    body = {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": TOKEN_TYPE,
        "expires_in": int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds()),
    }
    if user is not None:
        body["user"] = user
    return body


def start_session(user):
    """Open a new session for ``user`` and return ``(access, refresh)`` (caller commits)."""
    session_id, refresh_jti = _new_id(), _new_id()
    db.session.add(AuthSession(
        id=session_id, user_id=user.id, refresh_jti=refresh_jti,
        expires_at=utcnow() + current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]))
    return _token_pair(user, session_id, refresh_jti)


# The most swapped refresh tokens a session remembers within the grace (a client refreshing in
# a loop cannot grow the row; an older one sent again is then treated as theft).
MAX_RETIRED_REFRESH = 10


def rotate_refresh(user, payload):
    """Swap a refresh token for a new pair; the presented one stops working.

    One swapped within the grace period gets the current pair instead (see the module docstring).
    """
    session_id, old_jti, new_jti = payload["sid"], payload["jti"], _new_id()
    now = utcnow()
    session = db.session.get(AuthSession, session_id)
    if session is None or session.refresh_jti != old_jti or session.revoked_at is not None:
        return _reused_refresh(user, session_id, old_jti, now)
    retired = {**_within_grace(session.retired_refresh_jtis, now), old_jti: now.isoformat()}
    newest = sorted(retired.items(), key=lambda item: item[1], reverse=True)[:MAX_RETIRED_REFRESH]
    # The read above is not a lock: the condition on ``refresh_jti`` is what lets one of two
    # parallel swaps of the same token win (the other updates nothing and is a race).
    result = db.session.execute(
        sa.update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.refresh_jti == old_jti,
               AuthSession.revoked_at.is_(None))
        .values(refresh_jti=new_jti, retired_refresh_jtis=dict(newest), previous_refresh_jti=old_jti, rotated_at=now,
                expires_at=now + current_app.config["JWT_REFRESH_TOKEN_EXPIRES"])
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return _reused_refresh(user, session_id, old_jti, now)
    db.session.commit()
    return _token_pair(user, session_id, new_jti)


def _within_grace(retired, now):
    """The swapped refresh tokens of ``retired`` (``{jti: ISO time}``) still within the grace."""
    grace = timedelta(seconds=current_app.config["REFRESH_REUSE_GRACE_SECONDS"])
    kept = {}
    for jti, swapped in (retired or {}).items():
        try:
            if now - datetime.fromisoformat(swapped) <= grace:
                kept[jti] = swapped
        except (TypeError, ValueError):
            continue  # not a time we wrote: forget it
    return kept


def _reused_refresh(user, session_id, jti, now):
    """A refresh token that is no longer the session's: a race within its grace, else theft."""
    db.session.rollback()
    session = db.session.get(AuthSession, session_id)
    if session is None or session.revoked_at is not None:
        raise ApiError(401, "token_revoked", "the session has ended")
    if jti in _within_grace(session.retired_refresh_jtis, now):
        db.session.commit()
        return _token_pair(user, session_id, session.refresh_jti)
    session.revoked_at = now
    db.session.commit()
    log.warning("a used refresh token came back after the grace period: a session of user %s ended", user.id)
    raise ApiError(401, "session_revoked", "this refresh token was already used; the session has ended, sign in again")


def revoke_session(session_id):
    """Stop every token of one session (caller commits)."""
    db.session.execute(
        sa.update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow()))


def revoke_all_sessions(user_id, except_session=None):
    """Stop every token of a user, optionally keeping the caller's own session (caller commits)."""
    stmt = (sa.update(AuthSession)
            .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow()))
    if except_session:
        stmt = stmt.where(AuthSession.id != except_session)
    db.session.execute(stmt)


def purge_expired_sessions():
    """Delete sessions whose refresh token can no longer be used; returns the count."""
    result = db.session.execute(sa.delete(AuthSession).where(AuthSession.expires_at < utcnow()))
    db.session.commit()
    return result.rowcount


def init_app(app):
    @jwt.token_in_blocklist_loader
    def _is_revoked(header, payload):
        # One round trip for the session and its account: flask-jwt-extended asks
        # this before ``_load_user``, which takes the account read here. Both are
        # read from the database on every call, so a sign-out, a deactivation, a
        # password reset or a detected refresh theft holds at once.
        # A session only vouches for the account it was opened for: a token
        # pairing someone else's live ``sid`` with this ``sub`` is refused.
        g.pop("_token_account", None)
        row = db.session.execute(
            sa.select(AuthSession.user_id, AuthSession.revoked_at, User)
            .join(User, User.id == AuthSession.user_id)
            .where(AuthSession.id == str(payload.get("sid", "")))
        ).first()
        if row is None or row.revoked_at is not None or str(row.user_id) != str(payload.get("sub")):
            return True
        g._token_account = row.User
        return False

    @jwt.user_lookup_loader
    def _load_user(header, payload):
        user = g.pop("_token_account", None)  # read with the session by _is_revoked
        try:
            if user is None or user.id != int(payload["sub"]):
                user = db.session.get(User, int(payload["sub"]))
        except (TypeError, ValueError):
            return None
        if user is None or not user.is_active:
            return None
        i18n.remember_user_language(user)  # an error answer later must not read it from the database
        return user

    jwt.unauthorized_loader(_refusal("unauthorized", "a bearer token is required"))
    jwt.invalid_token_loader(_invalid_token)
    jwt.expired_token_loader(_refusal("token_expired", "the token has expired"))
    jwt.revoked_token_loader(_refusal("token_revoked", "the token has been revoked"))
    jwt.user_lookup_error_loader(_refusal("token_revoked", "the account behind this token is not active"))
    jwt.needs_fresh_token_loader(_refusal("invalid_token", "a fresh token is required"))


def _invalid_token(reason):
    return error_response(401, "invalid_token", f"the token is not valid: {reason}")


def _refusal(code, message):
    """A flask-jwt-extended error callback answering 401 ``code`` in the envelope."""

    def callback(*_reason_or_header_and_payload):
        return error_response(401, code, message)

    return callback
