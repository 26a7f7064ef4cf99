from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service_app.database import UTCDateTime, utcnow
from service_app.extensions import db
from service_app.vocabulary import DEFAULT_TIMEZONE

from .calendar import DEFAULT_HOURS


class Office(db.Model):
    """A place requests are routed to: a geofence (GeoJSON, lon/lat) and a business calendar."""

    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str | None] = mapped_column(sa.String(500))
    timezone: Mapped[str] = mapped_column(sa.String(64), default=DEFAULT_TIMEZONE)
    is_active: Mapped[bool] = mapped_column(default=True)
    geofence: Mapped[dict] = mapped_column(sa.JSON)
    business_hours: Mapped[dict] = mapped_column(sa.JSON, default=lambda: dict(DEFAULT_HOURS))
    holidays: Mapped[list] = mapped_column(sa.JSON, default=list)
    special_hours: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Department(db.Model):
    """A responsible unit (IT, facilities, HR, ...); ``name`` is a string or ``{ru, kk, en}``."""

    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[dict | str] = mapped_column(sa.JSON)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChangeCounter(db.Model):
    """A version number bumped in the same transaction as a change others cache.

    Worker processes compare it (one primary-key read) to know when to rebuild
    what they derived, such as the geofence router.
    """

    __tablename__ = "change_counters"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


class Room(db.Model):
    """A room of an office, with the QR tag printed on its door.

    ``name`` is a string or ``{ru, kk, en}`` (as department and category names). Only the
    current tag is stored: replacing it makes the old one unknown at once, so a tag torn off a
    door and scanned later answers 404 like one never issued.
    """

    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[dict | str] = mapped_column(sa.JSON)
    floor: Mapped[int | None] = mapped_column()
    qr_token: Mapped[str] = mapped_column(sa.String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    office = relationship("Office", lazy="joined", innerjoin=True)

    __table_args__ = (sa.UniqueConstraint("office_id", "code", name="uq_rooms_office_code"),)
