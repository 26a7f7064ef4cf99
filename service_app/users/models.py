from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, one_of, utcnow
from ..extensions import db
from ..vocabulary import DEFAULT_LANGUAGE, LANGUAGES, ROLES, STAFF_ROLES


_ACTIVE_STAFF = "is_active IS true AND role IN ('administrator', 'manager')"


class User(db.Model):
    """A staff member's account.

    Holds the corporate login, name, email and/or phone and nothing more
    personal (PRIVACY.md P2). ``office_ids`` and ``department_codes`` scope an
    administrator or manager; an empty list means every office / department.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    role: Mapped[str] = mapped_column(sa.String(20))
    office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offices.id"), index=True)
    office_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    department_codes: Mapped[list] = mapped_column(sa.JSON, default=list)
    language: Mapped[str] = mapped_column(sa.String(2), default=DEFAULT_LANGUAGE)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Staff availability for auto-assignment: ``available`` false with ``available_until`` set is
    # "away until then" (available again from that moment on), without it "away until changed".
    available: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    available_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        one_of("role", ROLES),
        one_of("language", LANGUAGES),
        sa.Index("ix_users_created_at_id", "created_at", "id"),
        # The staff a new request notifies (access.covers_condition) are read through it.
        sa.Index("ix_users_active_staff", "id", postgresql_where=sa.text(_ACTIVE_STAFF),
                 sqlite_where=sa.text(_ACTIVE_STAFF)),
    )

    @property
    def is_staff(self):
        return self.role in STAFF_ROLES

    def is_available(self, now):
        """Whether auto-assignment may choose this staff member at ``now``."""
        return self.available or (self.available_until is not None and self.available_until <= now)

    @property
    def is_company_wide(self):
        """An administrator with no office or department scope: manages what the company shares."""
        return self.role == "administrator" and not self.office_ids and not self.department_codes

    def __repr__(self):
        return f"<User {self.id} {self.login} {self.role}>"
