"""Fixtures shared by the suite: a migrated database (SQLite, or PostgreSQL when
``TEST_DATABASE_URL`` is set), the app, and helpers to make accounts and sign
them in. Every test starts from empty tables and an app as it was built.

One app per session. ``create_app`` costs 100-400 ms (the OpenAPI document
above all), so ``make_app()`` without settings, and the ``app`` fixture,
return one app built once per session (per pytest-xdist worker). After each
test it is put back as it was built (``tests/support/shared_app.py``;
``tests/test_shared_app.py`` holds it to that): its config, ``app.extensions`` (adapters
a test set, or built lazily, are dropped, so the next test builds its own; the
plug-in hooks, the office router's cache, the hashers), the request hooks and
error handlers a test added, the global extension objects (Flask-Limiter,
flask-smorest's ``Api``, JWT, ...) that another app bound while the test ran,
and the root logger. Its sessions and connections are closed, then the tables
are emptied. A test that adds URL rules or blueprints to it gets the app
replaced: the next test builds a new one. ``make_app(**settings)`` with
settings, or a second ``make_app()`` in one test, builds a fresh app (start-up
settings such as ``RATELIMIT_ENABLED`` are read only once, at start-up).

Accounts (``tests/support/accounts.py``). ``make_user`` creates an account
directly in the database (the demo password's Argon2 hash is computed once per
cost setting and reused). ``auth`` also signs it in the way the API's sign-in
does once the password checks out (``service_app.auth.tokens.start_session``: a
session row and a token pair, ``tokens`` in the login answer's shape), without
an HTTP round trip; ``world`` (``tests/company.py``) makes its offices and its
seven signed-in people in one transaction. The ``login`` fixture and the
sign-in tests sign in over HTTP for real.

Between tests the tables are emptied with ``DELETE`` (children first), not
``TRUNCATE``: ids go on from where they were on PostgreSQL (on SQLite they
start again at 1), so no test may assume an id. The PostgreSQL test database
runs with ``synchronous_commit=off`` (a crash may lose the last commits of a
database that is emptied after every test anyway).

With pytest-xdist (``make test``) each worker has a database of its own: a
SQLite file, or on PostgreSQL one named after the worker (``<database>_gw0``,
...), created next to the one ``TEST_DATABASE_URL`` names.

Error messages follow the caller's language, ``ru`` by default (API.md). The suite's
test client asks for English (``Accept-Language: en``) unless a test sends its own
header, and ``make_user``'s accounts have the language ``en`` unless a test gives
one, so tests read the messages as the code writes them; the tests of the languages
themselves (``tests/service_app/test_error_languages.py``) set theirs.
"""
import os

import flask
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from service_app import create_app
from service_app.config import normalize_database_url
from service_app.extensions import db
from tests.support.accounts import Account, add_user, sign_in
from tests.support.api import DEMO_PASSWORD
from tests.support.shared_app import SharedApp

pytest_plugins = ["tests.company"]


class EnglishClient(FlaskClient):
    """Flask's test client, sending ``Accept-Language: en`` unless a request sets its own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")


# Every app the suite builds (``create_app`` here, in helpers or in a test) uses it.
flask.Flask.test_client_class = EnglishClient

TEST_CONFIG = {"ENV_NAME": "testing"}
SHARED = SharedApp(lambda url: create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url}))


def _worker():
    """The pytest-xdist worker's name (``gw0``, ...), or None outside xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def _postgres_url(url):
    """The worker's own database next to ``url`` (created, empty), or ``url`` itself outside xdist."""
    url = sa.engine.make_url(normalize_database_url(url))
    worker = _worker()
    if worker:
        name = f"{url.database}_{worker}"
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = url.set(database=name)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
        # The test database only: commits do not wait for the disk (new connections take it).
        conn.execute(sa.text(f'ALTER DATABASE "{url.database}" SET synchronous_commit = off'))
    engine.dispose()
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = _postgres_url(url)
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()  # the suite runs on the migrated schema, so migrations are tested too
        db.engine.dispose()
    SHARED.use_database(url)
    return url


@pytest.fixture(scope="session")
def _cleaning_engine(database_url):
    """The fixtures' own engine for emptying tables: an app may point elsewhere or carry
    settings (a 1 ms statement timeout) unfit for it."""
    engine = sa.create_engine(database_url)
    yield engine
    engine.dispose()
    SHARED.close()


def _empty_all_tables(engine):
    tables = list(reversed(db.metadata.sorted_tables))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # One round trip; DELETE is much cheaper than TRUNCATE on tables this small.
            conn.exec_driver_sql("; ".join(f'DELETE FROM "{t.name}"' for t in tables))  # noqa: S608 - the models' tables
        else:
            for table in tables:
                conn.execute(table.delete())
            if _has_sqlite_sequence(conn):
                conn.execute(sa.text("DELETE FROM sqlite_sequence"))


def _has_sqlite_sequence(conn):
    return conn.execute(sa.text(
        "SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first() is not None


@pytest.fixture(autouse=True)
def _global_state_restored():
    """After any test (one may build apps with ``create_app`` itself), the objects every app binds
    (the limiter, the Api, JWT callbacks, logging) are the shared app's again."""
    yield
    SHARED.restore_globals()


@pytest.fixture
def make_app(database_url, _cleaning_engine):
    """Apps on the test database: the session's shared app for the first ``make_app()``
    of a test, a fresh one for extra settings (which override the test config) or a
    second ``make_app()``.

    After the test every fresh app's sessions and connections are closed, the shared
    app is put back as it was built, then the tables are emptied once.
    """
    fresh, used = [], []

    def factory(**settings):
        if not settings and not used:
            used.append(SHARED.app())
            return used[0]
        app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **settings})
        fresh.append(app)
        return app

    yield factory
    for app in fresh:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if used:
        SHARED.reset()
    SHARED.restore_globals()
    if fresh or used:
        _empty_all_tables(_cleaning_engine)


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def make_user(app):
    """Create an account directly in the database; returns an Account (signed in with ``signed_in=True``).

    ``make_user.add(...)`` adds one to the session of an app context the caller holds (no commit),
    for fixtures that make several at once; its logins come from the same counter."""
    counter = iter(range(1, 10_000))

    def add(role="employee", login=None, password=DEMO_PASSWORD, **fields):
        return add_user(login or f"{role}-{next(counter)}", role, password, **fields)

    def factory(role="employee", login=None, password=DEMO_PASSWORD, signed_in=False, **fields):
        with app.app_context():
            user = add(role, login, password, **fields)
            if signed_in:
                return sign_in([user])[0]
            db.session.commit()
            return Account(user.id, user.login)

    factory.add = add
    return factory


@pytest.fixture
def login(client):
    """Sign in over HTTP and return the token response (asserting success)."""

    def do(login_name, password=DEMO_PASSWORD):
        response = client.post("/api/v1/auth/login", json={"login": login_name, "password": password})
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return do


@pytest.fixture
def auth(make_user):
    """``auth(role, **fields)`` → a signed-in Account with ``tokens`` and ``headers`` to call the API.

    The session is opened directly, as the sign-in opens it once the password checks out
    (the sign-in itself is tested over HTTP: ``login``, ``tests/service_app/test_auth.py``)."""

    def do(role="employee", **fields):
        return make_user(role, signed_in=True, **fields)

    return do


def pytest_collection_modifyitems(config, items):
    if os.environ.get("TEST_DATABASE_URL"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set TEST_DATABASE_URL)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)
