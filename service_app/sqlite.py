"""SQLite needs foreign keys switched on for every connection."""
import sqlalchemy as sa


def enable_sqlite_foreign_keys(engine, durable=True):
    """Foreign keys on, a busy timeout, WAL; ``durable=False`` (tests) skips fsyncs."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        if not durable:
            cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()
