from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db


class AuthSession(db.Model):
    """One sign-in on one device: every access and refresh token carries its id.

    Revoking the session (logout, deactivation, password reset) stops both
    kinds of token at once. ``refresh_jti`` is the only refresh token that may
    be used next. ``retired_refresh_jtis`` maps the refresh tokens it replaced
    within the last ``REFRESH_REUSE_GRACE_SECONDS`` to when each was swapped
    (ISO 8601): one sent again within its own grace (a race, a retry of a lost
    answer, even after a later swap) gets the current pair instead of ending the
    session (see tokens.rotate_refresh). ``rotated_at`` is the last swap.
    """

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    refresh_jti: Mapped[str] = mapped_column(sa.String(36))
    retired_refresh_jtis: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default=sa.text("'{}'"))
    # The token swapped last: what the release before ``retired_refresh_jtis`` reads, still written
    # so its instances keep honouring the grace while a deploy replaces them (never read here).
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
