"""The declarative base every model uses, the UTC timestamp type, and the small helpers
models and services share (CHECK constraints from a tuple, load-or-404)."""
from contextlib import contextmanager
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import DeclarativeBase, Session

from .errors import ApiError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def dialect_insert(session):
    """The INSERT construct of ``session``'s database (PostgreSQL's or SQLite's): both have
    ``on_conflict_do_nothing`` / ``on_conflict_do_update``, which the generic one lacks."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def utcnow():
    """The current instant, timezone-aware UTC (use as a callable default)."""
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as UTC and always returned timezone-aware.

    PostgreSQL keeps the offset (``timestamptz``); SQLite drops it, so values
    are normalised to UTC on the way in and tagged UTC on the way out.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def one_of(column, values):
    """A CHECK constraint ``column IN (values)`` named after the column (``ck_<table>_<column>``).

    Built from the same tuple the schemas validate with, so the two cannot disagree.
    """
    listed = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=column)


def get_or_404(model, key, message):
    """The ``model`` row with primary key ``key``, or a 404 ``not_found`` saying ``message``."""
    # The app's session, reached without importing ``extensions`` (which imports this module).
    row = current_app.extensions["sqlalchemy"].session.get(model, key)
    if row is None:
        raise ApiError(404, "not_found", message)
    return row


def assign(obj, data):
    """Set each field of ``data`` (already validated by a schema) on ``obj``; returns ``obj``.

    The caller commits: services own their transaction.
    """
    for field, value in data.items():
        setattr(obj, field, value)
    return obj


REPORTS_ENGINE = "reports_engine"


def use_reports_engine(app, engine):
    """Make reports read from ``engine`` (``REPORTS_DATABASE_URL``: a read replica).

    Web instances stay stateless either way: the replica is only another connection pool.
    On PostgreSQL its transactions are ``READ ONLY``, so a report can never write there.
    """
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(postgresql_readonly=True)
    app.extensions[REPORTS_ENGINE] = engine


@contextmanager
def reports_session():
    """The session reports read through: the app's own (the primary database) unless
    ``REPORTS_DATABASE_URL`` names a replica, then a short read-only session on it."""
    engine = current_app.extensions.get(REPORTS_ENGINE)
    if engine is None:
        yield current_app.extensions["sqlalchemy"].session
        return
    with Session(engine, autoflush=False) as session:
        try:
            yield session
        finally:
            session.rollback()
