"""A client-side deadline on every PostgreSQL round trip.

``statement_timeout`` is enforced by the server, so a server that does not
run at all (stopped, swapped out, a dead network path that still accepts TCP)
never answers and a worker would wait forever. psycopg can bound each wait on
the socket; a connection whose wait ran out is closed (its protocol state is
unknown), SQLAlchemy sees a disconnect, drops the pool, and the request ends in
503 through the ``OperationalError`` handler.

The client deadline is the statement timeout plus a margin, so a live server
cancels a slow statement itself first (a cleaner error, the connection kept).
Connecting is bounded separately by ``connect_timeout``.
"""
import psycopg
from psycopg import errors as pg_errors
from sqlalchemy import event

MARGIN_SECONDS = 2


class DeadlineConnection(psycopg.Connection):
    """A psycopg connection whose every wait for the server ends within ``round_trip_timeout``."""

    round_trip_timeout = None

    def wait(self, gen, *args, **kwargs):
        if len(args) < 2 and kwargs.get("timeout") is None and self.round_trip_timeout:
            kwargs["timeout"] = self.round_trip_timeout
        try:
            return super().wait(gen, *args, **kwargs)
        except pg_errors._WaitTimeout:  # noqa: SLF001 - psycopg's own timeout type for wait()
            self.pgconn.finish()
            raise psycopg.OperationalError(
                f"the database did not answer within {kwargs.get('timeout')} s; connection closed") from None


def install_round_trip_deadline(engine, statement_timeout):
    """Make ``engine`` open ``DeadlineConnection``s (PostgreSQL through psycopg only)."""
    if engine.dialect.driver != "psycopg" or not statement_timeout:
        return
    deadline = statement_timeout + MARGIN_SECONDS

    @event.listens_for(engine, "do_connect")
    def _connect(dialect, connection_record, cargs, cparams):
        connection = DeadlineConnection.connect(*cargs, **cparams)
        connection.round_trip_timeout = deadline
        return connection


def lift_for_maintenance(connection):
    """Lift the statement and idle-in-transaction timeouts and the client deadline on ``connection``.

    For maintenance jobs (migrations, retention) whose statements may rightly
    run for minutes over a large table; request handling keeps every bound.
    ``connection`` is a SQLAlchemy ``Connection``; SQLite needs nothing.
    """
    if connection.dialect.name != "postgresql":
        return
    connection.exec_driver_sql("SET statement_timeout = 0")
    connection.exec_driver_sql("SET idle_in_transaction_session_timeout = 0")
    raw = connection.connection.dbapi_connection
    if isinstance(raw, DeadlineConnection):
        raw.round_trip_timeout = None
