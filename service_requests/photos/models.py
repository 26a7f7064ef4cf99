"""Photo storage's table: the deletion outbox (``outbox``)."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service_app.database import UTCDateTime, utcnow
from service_app.extensions import db


class StorageDeletion(db.Model):
    """An object key to delete from the store once ``due_at`` has passed."""

    __tablename__ = "storage_deletions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(300))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
