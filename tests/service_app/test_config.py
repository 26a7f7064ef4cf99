"""Configuration from the environment; production refuses insecure secrets."""
import pytest

from service_app import create_app
from service_app.config import DEV_SECRET, ConfigError, normalize_database_url

STRONG = "s" * 48


@pytest.fixture
def production_env(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.internal:5432/santrade")
    monkeypatch.setenv("SECRET_KEY", STRONG)
    monkeypatch.setenv("JWT_SECRET_KEY", STRONG + "j")


def test_production_starts_with_real_secrets(production_env):
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.internal:5432/santrade"
    assert app.config["TRUSTED_PROXIES"] == 1


@pytest.mark.parametrize("name", ["SECRET_KEY", "JWT_SECRET_KEY"])
@pytest.mark.parametrize("value", [None, "", "short-secret", DEV_SECRET])
def test_production_refuses_missing_or_weak_secrets(production_env, monkeypatch, name, value):
    if value is None:
        monkeypatch.delenv(name)
    else:
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        create_app()


def test_production_refuses_to_run_without_a_database_url(production_env, monkeypatch):
    monkeypatch.delenv("DATABASE_URL")
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        create_app()


def test_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("APP_ENV", "staging-ish")
    with pytest.raises(ConfigError, match="APP_ENV"):
        create_app()


def test_integer_settings_are_checked(monkeypatch):
    monkeypatch.setenv("JWT_ACCESS_TOKEN_MINUTES", "fifteen")
    with pytest.raises(ConfigError, match="JWT_ACCESS_TOKEN_MINUTES"):
        create_app()


@pytest.mark.parametrize("url, expected", [
    ("postgres://a@h/db", "postgresql+psycopg://a@h/db"),
    ("postgresql://a@h/db", "postgresql+psycopg://a@h/db"),
    ("postgresql+psycopg://a@h/db", "postgresql+psycopg://a@h/db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_urls_are_normalised(url, expected):
    assert normalize_database_url(url) == expected


def test_development_defaults_to_sqlite_under_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("APP_ENV", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/santrade.db")


def test_sqlite_enforces_foreign_keys(app):
    import sqlalchemy as sa

    from service_app.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1


def test_production_redirect_is_not_needed_for_health(production_env):
    app = create_app()
    assert app.test_client().get("/healthz").status_code == 200
