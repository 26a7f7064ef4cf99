"""Employees' tables: offices' notices and who follows them."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service_app.database import UTCDateTime, utcnow
from service_app.extensions import db


class Notice(db.Model):
    """An office's notice; ``title`` and ``body`` are strings or ``{ru, kk, en}``."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id", ondelete="CASCADE"))
    title: Mapped[dict | str] = mapped_column(sa.JSON)
    body: Mapped[dict | str | None] = mapped_column(sa.JSON)
    category_code: Mapped[str | None] = mapped_column(sa.ForeignKey("categories.code"))
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rooms.id", ondelete="SET NULL"), index=True)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.Index("ix_notices_office_created", "office_id", "created_at"),)

    def is_active(self, now=None):
        now = now or utcnow()
        return self.resolved_at is None and (self.until is None or self.until > now)


class NoticeFollow(db.Model):
    """One person following one notice (personal data: listed by ``/me/data``, erased with the account)."""

    __tablename__ = "notice_follows"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notices.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("notice_id", "user_id", name="uq_notice_follows_notice_user"),)
