from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service_app import changes
from service_app.auth.models import AuthSession
from service_app.database import UTCDateTime, one_of, utcnow
from service_app.extensions import db

from .messages import deep_link, render_or

PLATFORMS = ("android", "ios", "web")
DELIVERY_STATES = ("pending", "sending", "sent", "failed", "dropped")


def live_session(now):
    """SQL condition on ``AuthSession``: the session can still be used (not revoked, not expired)."""
    return sa.and_(AuthSession.revoked_at.is_(None), AuthSession.expires_at > now)


def receiving_device(device_id, now):
    """SQL condition: the device ``device_id`` (a column or value) exists and its session is live."""
    return (sa.select(Device.id).join(AuthSession, AuthSession.id == Device.session_id)
            .where(Device.id == device_id, live_session(now)).exists())


class Device(db.Model):
    """A phone (or browser) that receives pushes: its FCM token and what it runs.

    A registration belongs to the sign-in session that made it (``session_id``):
    the device receives pushes only while that session is live. When the
    session ends (logout, a stolen refresh token, password reset or change,
    deactivation, a password set by an administrator, expiry) the device goes
    silent, whatever ended it, until the app registers again after a new sign-in.
    A purged session leaves ``session_id`` NULL (ON DELETE SET NULL): silent too.
    """

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(sa.String(1024), unique=True)
    platform: Mapped[str] = mapped_column(sa.String(10))
    app_version: Mapped[str | None] = mapped_column(sa.String(50))
    os_version: Mapped[str | None] = mapped_column(sa.String(50))
    device_model: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    session_id: Mapped[str | None] = mapped_column(sa.ForeignKey("auth_sessions.id", ondelete="SET NULL"),
                                                   index=True)

    session = relationship(AuthSession)

    __table_args__ = (one_of("platform", PLATFORMS),)

    @property
    def receiving(self):
        """Whether pushes reach this device: its session is live."""
        session = self.session
        return session is not None and session.revoked_at is None and session.expires_at > utcnow()


class Notification(db.Model):
    """One entry of a person's feed.

    ``data`` holds the message parameters (``number``, ``title``, ``status``,
    and ``comment`` for a comment), so the feed and the push render the text
    in the reader's language when they are read or sent (``texts``).
    ``title`` and ``body`` keep the text as first rendered, in the language
    the recipient had then: the fallback for entries whose parameters are
    incomplete (written before the parameters were kept).
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(sa.String(32))
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_requests.id", ondelete="CASCADE"),
                                                   index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.String(1000))
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Many-to-one: the reader is usually in the session already (current_user), so no query.
    user = relationship("User")

    __table_args__ = (
        sa.Index("ix_notifications_user_created", "user_id", "created_at", "id"),
        # The unread count (each push's badge, per batch) and "read all" touch only unread rows.
        sa.Index("ix_notifications_user_unread", "user_id", postgresql_where=sa.text("read_at IS NULL"),
                 sqlite_where=sa.text("read_at IS NULL")),
    )

    def texts(self, language=None):
        """``(title, body)`` in ``language``, by default the recipient's current one."""
        if language is None:
            language = self.user.language if self.user is not None else None
        return render_or(self.event, language, self.data or {}, (self.title, self.body))

    @property
    def feed_title(self):
        return self.texts()[0]

    @property
    def feed_body(self):
        return self.texts()[1]

    @property
    def public_data(self):
        """What the API shows of the parameters: the request's number and status."""
        data = self.data or {}
        return {"number": data.get("number"), "status": data.get("status")}

    @property
    def deep_link(self):
        """Where the app opens on a tap: the request (or the office notice)."""
        return deep_link(self.request_id, self.data)


class Delivery(db.Model):
    """The outbox: one push of one notification to one device.

    Written in the transaction that caused the notification; the worker
    claims due rows (``claim_token``, ``claimed_until``), sends, and records
    the outcome. A claim whose lease ran out is claimed again, so a worker
    killed mid-send loses nothing.
    """

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(sa.ForeignKey("notifications.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[int | None] = mapped_column(sa.ForeignKey("devices.id", ondelete="SET NULL"), index=True)
    token: Mapped[str] = mapped_column(sa.String(1024))
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[str | None] = mapped_column(sa.String(200))
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    notification = relationship("Notification", lazy="joined", innerjoin=True)

    __table_args__ = (
        one_of("status", DELIVERY_STATES),
        sa.Index("ix_deliveries_due", "status", "next_attempt_at"),
    )


changes.track_notification_model(Notification)  # GET /sync: a new or read feed entry
