"""The catalogue's tables: request categories (their forms are ``Category.fields``, see ``service_requests.forms``)."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service_app.database import UTCDateTime, utcnow
from service_app.extensions import db


class Category(db.Model):
    """What a request is about; it belongs to the department responsible for it."""

    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[dict | str] = mapped_column(sa.JSON)
    department_code: Mapped[str | None] = mapped_column(sa.ForeignKey("departments.code"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Whether colleagues may find (``similar``, a room's tag) and follow its requests (PRIVACY.md P18):
    # an administrator's choice, made for shared things (an air conditioner), never for personal ones (HR).
    discoverable: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The category's form (service_requests.forms): the fields a request of it asks for.
    fields: Mapped[list] = mapped_column(sa.JSON, default=list, server_default=sa.text("'[]'"))
