import hashlib
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service_app import changes
from service_app.database import UTCDateTime, one_of, utcnow
from offices.models import Department, Office, Room  # noqa: F401 (Room: the relationship's target)
from service_app.extensions import db
from service_app.users.models import User

PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("new", "in_progress", "waiting", "resolved", "closed", "rejected", "cancelled", "duplicate")
# ``duplicate``: merged into another request (``merging.merge``); no status move leads there or out.
FINAL_STATUSES = ("closed", "rejected", "cancelled", "duplicate")
OPEN_STATUSES = ("new", "in_progress", "waiting")


def _search_indexes():
    """PostgreSQL's indexes of the search documents (service_requests.search): the stored Russian
    text-search vector of ``search_text`` (the migration also keeps larger statistics of it), and
    that of ``search_internal``, computed in the index, over the requests that have internal notes
    (few); SQLite has none (its search is a LIKE)."""
    # Expressions (not the columns), as SQLite can reflect no such index: its comparison skips them.
    yield sa.Index("ix_service_requests_search_vector", sa.literal_column("search_vector").label("search_vector"),
                   postgresql_using="gin").ddl_if(dialect="postgresql")
    yield sa.Index("ix_service_requests_search_internal_russian",
                   sa.text("to_tsvector('russian'::regconfig, search_internal)"), postgresql_using="gin",
                   postgresql_where=sa.text("search_internal <> ''")).ddl_if(dialect="postgresql")


class PostgresComputed(sa.Computed):
    """A generated column on PostgreSQL, a plain (always null) one on SQLite: the expression is
    PostgreSQL's own (as migration ``0027`` makes it on each), so ``metadata.create_all`` on SQLite (a
    reports replica in the tests) must not write it."""

    inherit_cache = True


@compiles(PostgresComputed, "sqlite")
def _no_generation_on_sqlite(element, compiler, **kw):
    return ""


class ServiceRequest(db.Model):
    """An employee's request. ``version`` guards concurrent edits (the ETag).

    ``location_lat``/``location_lon`` hold only the coarsened point
    (LOCATION_PRECISION_DECIMALS); the precise one is used for routing and dropped.
    """

    __tablename__ = "service_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    category_code: Mapped[str] = mapped_column(sa.ForeignKey("categories.code"))
    department_code: Mapped[str | None] = mapped_column(sa.ForeignKey("departments.code"), active_history=True)
    priority: Mapped[str] = mapped_column(sa.String(10), default="normal")
    status: Mapped[str] = mapped_column(sa.String(20), default="new")
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), active_history=True)
    routed_by: Mapped[str] = mapped_column(sa.String(20))
    # The room of the QR tag the request was filed through (offices.models.Room), else None.
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rooms.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), active_history=True)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), active_history=True)
    location_lat: Mapped[float | None] = mapped_column(sa.Float)
    location_lon: Mapped[float | None] = mapped_column(sa.Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating: Mapped[int | None] = mapped_column()
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_breached: Mapped[bool] = mapped_column(default=False)
    resolution_breached: Mapped[bool] = mapped_column(default=False)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SLA bookkeeping (see sla.py): business minutes spent waiting, when 80% of
    # each target is reached, whether that warning went out, and the business
    # minutes it took to respond and to resolve (for the reports).
    paused_minutes: Mapped[float] = mapped_column(sa.Float, default=0.0)
    response_risk_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_risk_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_risk_notified: Mapped[bool] = mapped_column(default=False)
    resolution_risk_notified: Mapped[bool] = mapped_column(default=False)
    response_minutes: Mapped[float | None] = mapped_column(sa.Float)
    resolution_minutes: Mapped[float | None] = mapped_column(sa.Float)
    version: Mapped[int] = mapped_column(default=1)
    # The request this one was merged into (its status is then ``duplicate``).
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_requests.id", ondelete="SET NULL"))
    # What ``q`` searches (service_requests.search): normalised words of the title, description and
    # public comments, and of the internal notes. Not loaded with the request: only SQL reads them.
    search_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="", deferred=True)
    search_internal: Mapped[str] = mapped_column(sa.Text, default="", server_default="", deferred=True)
    # PostgreSQL: the Russian text-search vector of ``search_text``, stored (computed by the database at
    # each write of the document), so that no search computes it row by row. SQLite: always null.
    search_vector: Mapped[str | None] = mapped_column(
        TSVECTOR().with_variant(sa.Text(), "sqlite"),
        PostgresComputed("to_tsvector('russian'::regconfig, search_text)", persisted=True), deferred=True)
    # The answers to the category's form (service_requests.forms), ``{key: value}``: those the author
    # may see, and those of ``staff_only`` fields, which only staff responsible for the request see.
    fields: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default=sa.text("'{}'"))
    staff_fields: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default=sa.text("'{}'"))

    office = relationship("Office", lazy="joined", innerjoin=True)
    author = relationship("User", foreign_keys=[author_id], lazy="joined", innerjoin=True)
    assignee = relationship("User", foreign_keys=[assignee_id], lazy="joined")
    department = relationship("Department", lazy="joined")
    room = relationship("Room", lazy="joined")
    attachments = relationship("Attachment", lazy="selectin", order_by="Attachment.id",
                               back_populates="request")
    merged_into = relationship("ServiceRequest", remote_side="ServiceRequest.id", lazy="select")

    # eager_defaults off: an INSERT returns the id only, not the computed search_vector nobody reads.
    __mapper_args__ = {"version_id_col": version, "eager_defaults": False}
    __table_args__ = (
        one_of("priority", PRIORITIES),
        one_of("status", STATUSES),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
        sa.Index("ix_service_requests_created_at_id", "created_at", "id"),
        sa.Index("ix_service_requests_author_created", "author_id", "created_at", "id"),
        sa.Index("ix_service_requests_office_status", "office_id", "status"),
        sa.Index("ix_service_requests_office_created", "office_id", "created_at", "id"),
        sa.Index("ix_service_requests_status_resolution_due", "status", "resolution_due_at"),
        # The request list: "assigned to me / to nobody" newest first, "updated since" and sort=updated.
        sa.Index("ix_service_requests_assignee_created", "assignee_id", "created_at", "id"),
        sa.Index("ix_service_requests_updated_id", "updated_at", "id"),
        *_search_indexes(),
    )

    @property
    def number(self):
        return self.number_of(self.id)

    @staticmethod
    def number_of(request_id):
        return f"SR-{request_id:06d}"

    @property
    def etag_value(self):
        """The ETag of staff responsible for the request, without its quotes (as werkzeug's ``ETags``
        and ``set_etag`` take it): the version, and a digest of the staff-only answers when there are
        any, since those change without a new version (``forms.apply_changes``). Everyone else gets
        ``public_etag_value`` (``responses.etag_value``)."""
        if not self.staff_fields:
            return self.public_etag_value
        answers = json.dumps(self.staff_fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return f"{self.public_etag_value}.{hashlib.sha256(answers.encode()).hexdigest()[:12]}"

    @property
    def public_etag_value(self):
        """The ETag of the request as its author (and a follower) reads it: its version."""
        return f"v{self.version}"

    @property
    def is_final(self):
        return self.status in FINAL_STATUSES

    @property
    def sla(self):
        """The SLA clocks as the API shows them (``SlaSchema``)."""
        return {
            "response_due_at": self.response_due_at,
            "resolution_due_at": self.resolution_due_at,
            "response_breached": self.response_breached,
            "resolution_breached": self.resolution_breached,
            "paused": self.paused_at is not None,
        }


class SearchWord(db.Model):
    """A word of some request's search documents (``search``): a misspelt word of ``q`` is compared,
    by trigrams, with these words rather than with every document. PostgreSQL keeps them (a trigger
    adds the words of each document written, the retention run forgets those no document holds);
    SQLite's search does not use them."""

    __tablename__ = "search_words"

    word: Mapped[str] = mapped_column(sa.Text, primary_key=True)

    __table_args__ = (
        # An expression (not the column), as SQLite can reflect no such index: its comparison skips it.
        sa.Index("ix_search_words_trigrams", sa.literal_column("word").label("word"), postgresql_using="gin",
                 postgresql_ops={"word": "gin_trgm_ops"}, postgresql_with={"fastupdate": "off"})
        .ddl_if(dialect="postgresql"),
    )


class RequestFollower(db.Model):
    """An employee following a request they did not write (``following``): they read it without
    its location, photos or author, and hear of its status changes and public comments."""

    __tablename__ = "request_followers"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("service_requests.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("request_id", "user_id", name="uq_request_followers_request_user"),)


class RequestEvent(db.Model):
    """One line of a request's history; ``internal`` ones are for staff only."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("service_requests.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(sa.String(32))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    internal: Mapped[bool] = mapped_column(default=False)
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor = relationship("User", lazy="joined")

# The longest comment (or status move's reason) the API posts: a canned reply's too, once filled in.
COMMENT_CHARS = 5000


class Comment(db.Model):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("service_requests.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    # What followers read instead of ``body`` when the two differ (``history.follower_body``): a canned
    # reply's ``{author_name}`` filled with a neutral word. Null: the same as ``body``.
    follower_body: Mapped[str | None] = mapped_column(sa.Text)
    internal: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", lazy="joined", innerjoin=True)


class Attachment(db.Model):
    """A photo attached to a request; ``sha256`` is of the uploaded bytes (dedupe key)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("service_requests.id", ondelete="CASCADE"), index=True)
    uploader_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int] = mapped_column()
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(300))
    thumbnail_key: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request = relationship("ServiceRequest", back_populates="attachments")

    __table_args__ = (sa.UniqueConstraint("request_id", "sha256", name="uq_attachments_request_sha256"),)


class IdempotencyKey(db.Model):
    """A client's retry key for request creation, per user, with a hash of the body it came with."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(200))
    body_hash: Mapped[str] = mapped_column(sa.String(64))
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("service_requests.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)


class SlaPolicy(db.Model):
    """Targets in business minutes for a priority, optionally for one category only."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    priority: Mapped[str] = mapped_column(sa.String(10))
    category_code: Mapped[str | None] = mapped_column(sa.ForeignKey("categories.code", ondelete="CASCADE"))
    response_minutes: Mapped[int] = mapped_column()
    resolution_minutes: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("priority", "category_code", name="uq_sla_policies_priority_category"),
        # NULLs are distinct in the constraint above: this keeps one default per priority.
        sa.Index("uq_sla_policies_default_priority", "priority", unique=True,
                 postgresql_where=sa.text("category_code IS NULL"), sqlite_where=sa.text("category_code IS NULL")),
        sa.CheckConstraint("response_minutes > 0 AND resolution_minutes >= response_minutes", name="targets"),
        one_of("priority", PRIORITIES),
    )


# GET /sync: a change to a request, or to its comments, photos or history, is a change of the request;
# so is a new name of a person, office or department it shows. (The visibility columns above keep
# their old value when set unread, ``active_history``, so a move out of view is always known.)
changes.track_request_model(ServiceRequest)
for _part in (Comment, Attachment, RequestEvent):
    changes.track_request_part(_part)
changes.track_names(User, ("full_name",), lambda ids: sa.select(ServiceRequest.id).where(
    sa.or_(ServiceRequest.author_id.in_(ids), ServiceRequest.assignee_id.in_(ids))))
changes.track_names(Office, ("name", "code"), lambda ids: sa.select(ServiceRequest.id).where(
    ServiceRequest.office_id.in_(ids)))
changes.track_names(Department, ("name",), lambda codes: sa.select(ServiceRequest.id).where(
    ServiceRequest.department_code.in_(codes)))


class Never(sa.sql.expression.ColumnElement):
    """The stand-in deadline of a request with no open SLA clock: later than any real one.

    Written as a literal (not a parameter) so that the query's expression is the indexed one;
    on SQLite in the text form UTC timestamps are stored in.
    """

    type = UTCDateTime()
    _traverse_internals = []  # nothing varies: the statement cache keys it by its class alone
    inherit_cache = True
    VALUE = datetime(9999, 12, 31, tzinfo=UTC)


@compiles(Never)
def _never_sqlite(element, compiler, **kw):
    return "'9999-12-31 00:00:00.000000'"


@compiles(Never, "postgresql")
def _never_postgresql(element, compiler, **kw):
    return "'9999-12-31 00:00:00+00'"


def _literal(*values):
    return [sa.literal_column(f"'{value}'") for value in values]


def response_clock_open(c=ServiceRequest.__table__.c):
    """The response clock runs: a ``new`` request nobody answered yet (as the SLA sweep reads it)."""
    return sa.and_(c.status == _literal("new")[0], c.first_response_at.is_(None))


def resolution_clock_open(c=ServiceRequest.__table__.c):
    """The resolution clock runs: ``new`` or ``in_progress`` (``waiting`` pauses it, final ones stop it)."""
    return c.status.in_(_literal("new", "in_progress"))


def open_deadline(c=ServiceRequest.__table__.c):
    """SQL: the nearest deadline whose clock runs, or NULL (paused, resolved or final requests)."""
    return sa.case((sa.and_(response_clock_open(c), c.response_due_at < c.resolution_due_at), c.response_due_at),
                   (resolution_clock_open(c), c.resolution_due_at))


def due_key(c=ServiceRequest.__table__.c):
    """SQL: :func:`open_deadline`, :class:`Never` when there is none (the list's ``sort=due``, indexed)."""
    return sa.func.coalesce(open_deadline(c), Never(), type_=UTCDateTime())


# Autogenerate cannot compare an expression index with PostgreSQL's rewritten form of it, so the
# migration check leaves this one out; a test of the list checks that its query uses it instead.
sa.Index("ix_service_requests_due_id", due_key(), ServiceRequest.__table__.c.id)


