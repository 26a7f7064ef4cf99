"""Fixtures shared by the suite: a migrated database (SQLite, or PostgreSQL when
``TEST_DATABASE_URL`` is set), a fresh app per test, and helpers to make
accounts and sign in. Every test starts from empty tables.

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
from tests.support.api import DEMO_PASSWORD, bearer

pytest_plugins = ["tests.company"]


class EnglishClient(FlaskClient):
    """Flask's test client, sending ``Accept-Language: en`` unless a request sets its own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")


# Every app the suite builds (``create_app`` here, in helpers or in a test) uses it.
flask.Flask.test_client_class = EnglishClient


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = normalize_database_url(url)
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()  # the suite runs on the migrated schema, so migrations are tested too
        db.engine.dispose()
    return url


def _empty_all_tables(engine):
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
            conn.execute(sa.text("DELETE FROM sqlite_sequence")) if _has_sqlite_sequence(conn) else None


def _has_sqlite_sequence(conn):
    return conn.execute(sa.text(
        "SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first() is not None


@pytest.fixture
def make_app(database_url):
    """Build apps on the test database; extra settings override the test config.

    After the test every app's sessions and connections are closed, then the
    tables are emptied once, through an engine of the fixture's own: an app may
    point elsewhere or carry settings (a 1 ms statement timeout) unfit for it.
    """
    apps = []

    def factory(**settings):
        app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url, **settings})
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if apps:
        engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
        try:
            _empty_all_tables(engine)
        finally:
            engine.dispose()


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


class Account:
    """A test account: its id, login, and (after signing in) tokens and headers."""

    def __init__(self, user_id, login_name):
        self.id, self.login = user_id, login_name
        self.tokens, self.headers = None, None


@pytest.fixture
def make_user(app):
    """Create an account directly in the database; returns an Account."""
    from service_app.auth.passwords import hash_password
    from service_app.users.models import User

    counter = iter(range(1, 10_000))

    def factory(role="employee", login=None, password=DEMO_PASSWORD, **fields):
        # Errors follow a signed-in user's language before Accept-Language: the suite's
        # accounts read English too, unless a test gives them a language.
        fields.setdefault("language", "en")
        with app.app_context():
            user = User(login=login or f"{role}-{next(counter)}",
                        full_name=fields.pop("full_name", "Test Person"),
                        role=role, password_hash=hash_password(password), **fields)
            db.session.add(user)
            db.session.commit()
            return Account(user.id, user.login)

    return factory


@pytest.fixture
def login(client):
    """Sign in and return the token response (asserting success)."""

    def do(login_name, password=DEMO_PASSWORD):
        response = client.post("/api/v1/auth/login", json={"login": login_name, "password": password})
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return do


@pytest.fixture
def auth(make_user, login):
    """``auth(role, **fields)`` → a signed-in Account with ``headers`` to call the API."""

    def do(role="employee", **fields):
        account = make_user(role, **fields)
        account.tokens = login(account.login)
        account.headers = bearer(account.tokens["access_token"])
        return account

    return do


def pytest_collection_modifyitems(config, items):
    if os.environ.get("TEST_DATABASE_URL"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set TEST_DATABASE_URL)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)
