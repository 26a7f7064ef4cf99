"""Staff tools' tables: assignment rules and their pools, saved views, canned replies."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service_app.database import UTCDateTime, one_of, utcnow
from service_app.extensions import db
from service_app.users.models import User

ASSIGNMENT_MODES = ("manual", "round_robin", "least_open")
AUTO_MODES = ("round_robin", "least_open")


class AssignmentRule(db.Model):
    """How new requests of one office and department are assigned as they are created.

    ``manual`` assigns nothing (its pool is kept); ``round_robin`` takes the pool in turn,
    after ``last_user_id``; ``least_open`` the member with the fewest open requests. The row is
    locked while a create takes its turn, so concurrent creates never share one.
    """

    __tablename__ = "assignment_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id", ondelete="CASCADE"))
    department_code: Mapped[str] = mapped_column(sa.ForeignKey("departments.code", ondelete="CASCADE"))
    mode: Mapped[str] = mapped_column(sa.String(20))
    last_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    turns: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    members = relationship("AssignmentPoolMember", lazy="selectin", order_by="AssignmentPoolMember.position",
                           cascade="all, delete-orphan", back_populates="rule")

    __table_args__ = (
        sa.UniqueConstraint("office_id", "department_code", name="uq_assignment_rules_office_department"),
        one_of("mode", ASSIGNMENT_MODES),
    )


class AssignmentPoolMember(db.Model):
    """A staff member in a rule's pool, at ``position``; ``last_assigned_at`` breaks ``least_open`` ties."""

    __tablename__ = "assignment_pool_members"

    rule_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment_rules.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    position: Mapped[int] = mapped_column()
    last_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    rule = relationship("AssignmentRule", back_populates="members")
    user = relationship("User", lazy="joined", innerjoin=True)


class SavedView(db.Model):
    """A staff member's saved filters of the request list (API.md "Staff work").

    ``filters`` holds the list's query names and values as given (normalised: strings, keys in
    order); they are loaded through the list's own schema each time the view is read, so a view
    always shows its reader's own scope. ``shared`` views are shown to all staff.
    """

    __tablename__ = "saved_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    filters: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    sort: Mapped[str | None] = mapped_column(sa.String(32))
    shared: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner = relationship("User", lazy="joined", innerjoin=True)


class Reply(db.Model):
    """A canned reply: a text staff post on a request in one step, with optional actions.

    ``title`` and ``body`` are one string or ``{ru, kk, en}``; the body is posted in the
    language of the request's author, who reads it. ``actions`` may hold ``status``,
    ``priority`` and ``assign_to_me``. A ``shared`` reply is offered to all staff and
    managed by administrators; any other is its owner's own.
    """

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[dict | str] = mapped_column(sa.JSON)
    body: Mapped[dict | str] = mapped_column(sa.JSON)
    internal: Mapped[bool] = mapped_column(default=False)
    actions: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    shared: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner = relationship(User)

    @property
    def all_actions(self):
        """Every action named, ``None`` (``False``) for those the reply does not take."""
        actions = self.actions or {}
        return {"status": actions.get("status"), "priority": actions.get("priority"),
                "assign_to_me": bool(actions.get("assign_to_me"))}
