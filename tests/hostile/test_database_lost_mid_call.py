"""The database going away in the middle of a call (issue: PostgreSQL dying under load
answered 500 without ``Retry-After``, and apps retry only 503).

Wherever the connection is lost (before the first query, between two queries, at the
commit, or while the error is being answered) the answer is the JSON 503
``unavailable`` with ``Retry-After``, and the call is all or nothing: lost before its
commit it wrote nothing; lost after it (while the answer is read back) its change is
whole, never half. The error answer itself never reads the database: its language is
the one the signed-in user had when the call loaded them (else ``Accept-Language``).

On PostgreSQL the loss is real: at the chosen point every connection the app opened is
terminated (``pg_terminate_backend``) and new ones are refused, as when the server
dies. On SQLite a statement that fails like a lost connection stands in for it.
"""
import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy import event

from service_app.extensions import db
from tests.support.api import all_rows
from tests.support.places import ALA_POINT


class Outage:
    """PostgreSQL going away at one point of a call: before its ``at``-th round trip (a
    statement or a COMMIT, counted from 1; 0: before the call starts), every connection
    the app's engine opened is terminated from outside and new connections are refused.
    ``at=None`` only counts the points (``points``) of a call that succeeds."""

    def __init__(self, engine, url, at=None):
        self.engine, self.at, self.points, self.dead = engine, at, [], False
        self.admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
        self.backends = set()

    def __enter__(self):
        self.engine.dispose()  # every connection of the call is opened under watch
        event.listen(self.engine, "connect", self._connected)
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)
        self.dead = self.at == 0
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "connect", self._connected)
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)
        self.admin.dispose()
        self.engine.dispose()

    def _connected(self, dbapi_connection, record):
        if self.dead:
            dbapi_connection.close()
            raise psycopg.OperationalError("connection refused: the server is down")
        self.backends.add(dbapi_connection.info.backend_pid)

    def _point(self, name):
        if self.dead:
            return
        self.points.append(name)
        if len(self.points) == self.at:
            with self.admin.connect() as admin:
                for pid in self.backends:
                    admin.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
            self.dead = True

    def _statement(self, conn, cursor, statement, *args):
        self._point(statement.split(None, 1)[0])

    def _commit(self, conn):
        self._point("COMMIT")


def changes(before, after):
    """``{table: (rows gone, rows new)}`` between two ``all_rows``; a changed row counts in both."""
    shape = {}
    for table in before:
        old, new = set(before[table]), set(after[table])
        if old != new:
            shape[table] = (len(old - new), len(new - old))
    return shape


def assert_unavailable(response, language):
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == "unavailable" and set(error) == {"code", "message", "details"}
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Content-Language"] == language


def the_calls(client, world, rid):
    """Calls that write (and one that only reads), each able to run again with a change of its own."""
    employee, admin = world.employee.headers, world.admin.headers
    return {
        "comment": lambda n: client.post(f"/api/v1/requests/{rid}/comments", json={"body": f"Still broken ({n})"},
                                         headers=employee),
        "create": lambda n: client.post("/api/v1/requests", headers=employee,
                                        json={"title": f"Door is stuck ({n})", "category": "FAC-AC",
                                              "location": ALA_POINT}),
        "profile": lambda n: client.patch("/api/v1/me", json={"email": f"aigerim{n}@example.com"}, headers=employee),
        "bulk": lambda n: client.post("/api/v1/requests/bulk", headers=admin,
                                      json={"ids": [rid], "action": "comment", "body": f"On it ({n})"}),
        "read": lambda n: client.get(f"/api/v1/requests/{rid}", headers=employee),
    }


@pytest.mark.postgres_only
@pytest.mark.parametrize("name", ["comment", "create", "profile", "bulk", "read"])
def test_the_database_lost_at_any_point_of_a_call_is_503_json_with_retry_after_and_all_or_nothing(
        name, app, client, world, submit, database_url):
    rid = submit()["id"]
    with app.app_context():
        db.session.execute(sa.update(db.metadata.tables["users"]).values(language="kk"))
        db.session.commit()
        engine = db.engine
    call = the_calls(client, world, rid)[name]
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: what escapes is gunicorn's 500

    assert call(-1).status_code in (200, 201)  # a first comment, say, is a first response: done once
    before = all_rows(app)
    with Outage(engine, database_url) as probe:
        assert call(0).status_code in (200, 201)
    whole = changes(before, all_rows(app))
    assert ("COMMIT" in probe.points) == (whole != {}) == (name != "read")

    for at in range(len(probe.points) + 1):
        before = all_rows(app)
        with Outage(engine, database_url, at=at) as outage:
            response = call(at + 1)
        assert outage.dead, f"the call ended before point {at}"
        # The first point reads the token's session and account: from then on the user is known.
        assert_unavailable(response, "kk" if at > 1 else "en")
        done = changes(before, all_rows(app))
        if "COMMIT" not in outage.points[:-1]:  # lost before its commit was sent (or at it)
            assert done == {}, f"lost at point {at} ({outage.points[-1] if at else 'before the call'})"
        else:  # lost while the answer was read back
            assert done == whole, f"lost at point {at}, after the commit"


class LostConnection:
    """Every statement from the ``at``-th on fails as on a connection the server closed
    (any database); ``attempts`` counts the statements tried once it was lost."""

    def __init__(self, engine, at):
        self.engine, self.at, self.seen, self.attempts = engine, at, 0, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._statement)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._statement)

    def _statement(self, conn, cursor, statement, parameters, *args):
        self.seen += 1
        if self.seen >= self.at:
            self.attempts += 1
            raise sa.exc.OperationalError(statement, parameters,
                                          Exception("server closed the connection unexpectedly"))


def test_the_error_answer_never_reads_the_database_and_keeps_the_users_language(app, client, auth, submit, world):
    """The 503 used to read the user's language again (a rollback expires it) from the
    database that had just gone: that second failure escaped as a 500."""
    rid = submit()["id"]
    account = auth("administrator", language="kk")
    with app.app_context():
        engine = db.engine
    # The first statement reads the token's session and account; the second (the request) fails.
    with LostConnection(engine, at=2) as lost:
        response = client.get(f"/api/v1/requests/{rid}", headers={**account.headers, "Accept-Language": "en"})
    assert_unavailable(response, "kk")
    assert response.get_json()["error"]["message"] == "дерекқор қолжетімсіз, кейінірек қайталаңыз"
    assert lost.attempts == 1  # the view's statement; the answer tried none


def test_an_error_answer_for_a_path_no_view_serves_reads_nothing(app, client, auth):
    """Without a view nothing loaded the token's user: ``Accept-Language`` decides, and the
    error answer does not verify the token against the database to find a language."""
    account = auth("employee", language="kk")
    with app.app_context():
        engine = db.engine
    with LostConnection(engine, at=1) as lost:
        response = client.get("/api/v1/nothing-here", headers={**account.headers, "Accept-Language": "en"})
    assert response.status_code == 404 and response.headers["Content-Language"] == "en"
    assert lost.attempts == 0


class _Refused(Exception):
    """Stands for any error whose own handler reads the database."""


def test_the_connection_lost_inside_another_error_handler_still_answers_503(make_app, world, monkeypatch):
    """An error handler that itself reaches the lost database: Flask hands the failure on as a 500
    (``InternalServerError`` with it as ``original_exception``); the answer is still the 503."""
    from service_requests.lifecycle import comments

    def refuse(*args, **kwargs):
        raise _Refused()

    def handler_that_reads(error):
        with LostConnection(db.engine, at=1):  # the connection is lost just as the handler reads
            db.session.execute(sa.text("SELECT 1"))
        return {"never": "answered"}, 409

    app = make_app(PROPAGATE_EXCEPTIONS=False)  # as in production; a fresh app takes a new handler
    app.register_error_handler(_Refused, handler_that_reads)
    client = app.test_client()
    created = client.post("/api/v1/requests", json={"title": "AC is broken", "category": "FAC-AC",
                                                    "location": ALA_POINT}, headers=world.employee.headers)
    assert created.status_code == 201, created.get_json()
    monkeypatch.setattr(comments, "post_comment", refuse)
    response = client.post(f"/api/v1/requests/{created.get_json()['id']}/comments",
                           json={"body": "Still broken"}, headers=world.employee.headers)
    assert_unavailable(response, "en")
