"""Configuration from the environment; production refuses insecure secrets."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from service_app import create_app
from service_app.config import DEV_SECRET, ConfigError, environment, normalize_database_url
from service_app.extensions import db

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
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1


def test_production_redirect_is_not_needed_for_health(production_env):
    app = create_app()
    assert app.test_client().get("/healthz").status_code == 200


@pytest.mark.parametrize("service, choice, needed", [
    ("PUSH_SENDER", "fcm", "FIREBASE_CREDENTIALS"),
    ("STORAGE_BACKEND", "s3", "S3_BUCKET"),
])
def test_production_refuses_a_chosen_service_without_its_settings(production_env, monkeypatch, service, choice,
                                                                   needed):
    monkeypatch.setenv(service, choice)
    with pytest.raises(ConfigError, match=f"{needed} must be set when {service}={choice}"):
        create_app()
    monkeypatch.setenv(needed, "set")
    assert create_app().config[needed] == "set"


def test_production_defaults_give_way_to_the_environment(production_env, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "0")
    monkeypatch.setenv("FORCE_HTTPS", "false")
    config = create_app().config
    assert (config["TRUSTED_PROXIES"], config["FORCE_HTTPS"]) == (0, False)


def test_every_variable_is_read_with_its_type():
    settings = environment("development").read({
        "JWT_ACCESS_TOKEN_MINUTES": "5", "JWT_REFRESH_TOKEN_DAYS": "2", "FORCE_HTTPS": "yes", "LOG_LEVEL": "debug",
        "DATABASE_URL": "postgres://a@h/db", "ROUTING_MAX_DISTANCE_M": "10", "SMS_WEBHOOK_URL": "",
        "SMS_CODE_MAX_ATTEMPTS": "99"})
    assert settings["JWT_ACCESS_TOKEN_EXPIRES"] == timedelta(minutes=5)
    assert settings["JWT_REFRESH_TOKEN_EXPIRES"] == timedelta(days=2)
    assert settings["FORCE_HTTPS"] is True and settings["LOG_LEVEL"] == "DEBUG"
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://a@h/db"
    assert settings["ROUTING_MAX_DISTANCE_M"] == 10
    assert settings["SMS_WEBHOOK_URL"] is None  # empty is unset
    assert settings["SMS_CODE_MAX_ATTEMPTS"] == 5  # fixed in code: no variable sets it


def test_tests_hash_fast_and_read_their_own_database_whatever_the_shell_says():
    settings = environment("testing").read({"ARGON2_TIME_COST": "9", "DATABASE_URL": "postgres://real@prod/db"})
    assert (settings["ARGON2_TIME_COST"], settings["ARGON2_MEMORY_KIB"]) == (1, 1024)
    assert settings["SQLALCHEMY_DATABASE_URI"] is None
    settings = environment("testing").read({"TEST_DATABASE_URL": "postgresql://t@h/test"})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://t@h/test"


def test_defaults_are_not_shared_between_apps():
    first, second = environment("development").read({}), environment("development").read({})
    first["JWT_TOKEN_LOCATION"].append("cookies")
    assert second["JWT_TOKEN_LOCATION"] == ["headers"]


def test_an_empty_map_tile_url_means_no_tiles_not_the_default():
    """``MAP_TILE_URL=""`` turns the map's tiles off (README); unset, the default tile server."""
    assert environment("testing").read({"MAP_TILE_URL": ""})["MAP_TILE_URL"] == ""
    assert environment("testing").read({})["MAP_TILE_URL"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert environment("production").read({"MAP_TILE_URL": ""})["MAP_TILE_URL"] == ""
