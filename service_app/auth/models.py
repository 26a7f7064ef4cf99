from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db


class AuthSession(db.Model):
    """One sign-in on one device: every access and refresh token carries its id.

    Revoking the session (logout, deactivation, password reset) stops both
    kinds of token at once. ``refresh_jti`` is the only refresh token that may
    be used next; ``previous_refresh_jti`` and ``rotated_at`` let the token it
    replaced, sent again within the grace period (a race), get the current pair
    instead of ending the session (see tokens.rotate_refresh).
    """

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    refresh_jti: Mapped[str] = mapped_column(sa.String(36))
    previous_refresh_jti: Mapped[str | None] = mapped_column(sa.String(36))
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasswordResetCode(db.Model):
    """A one-time SMS code, stored only as a keyed hash."""

    __tablename__ = "password_reset_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsoleSession(db.Model):
    """A staff console sign-in in a browser: the server-side half of its cookie.

    The cookie holds a random token; only its SHA-256 is stored. Each console session
    rides on an ``AuthSession``, so whatever ends a user's sessions (deactivation, a
    password reset or change, sign-out) ends the console's as well. ``csrf_token`` is
    the token every change must send back; ``last_seen_at`` drives the idle timeout.
    """

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    auth_session_id: Mapped[str] = mapped_column(
        sa.ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    language: Mapped[str | None] = mapped_column(sa.String(2))
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
