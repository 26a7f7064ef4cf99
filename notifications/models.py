from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service_app import changes
from service_app.database import UTCDateTime, one_of, utcnow
from service_app.extensions import db

PLATFORMS = ("android", "ios", "web")
DELIVERY_STATES = ("pending", "sending", "sent", "failed", "dropped")


class Device(db.Model):
    """A phone (or browser) that receives pushes: its FCM token and what it runs."""

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

    __table_args__ = (one_of("platform", PLATFORMS),)


class Notification(db.Model):
    """One entry of a person's feed, already in their language."""

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

    __table_args__ = (sa.Index("ix_notifications_user_created", "user_id", "created_at", "id"),)


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
