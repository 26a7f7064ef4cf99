"""The audit log: who looked at what, and when (PRIVACY.md P14)."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .database import UTCDateTime, utcnow
from .extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(sa.String(64))
    target_type: Mapped[str] = mapped_column(sa.String(32))
    target_id: Mapped[int | None] = mapped_column()
    # What a list or search view was asked for (it has no single target).
    details: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def record(actor, action, target_type, target_id, details=None):
    """Add an audit row to the current transaction (the caller commits)."""
    db.session.add(AuditEntry(actor_id=actor.id, action=action, target_type=target_type, target_id=target_id,
                              details=details))
