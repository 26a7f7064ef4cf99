"""Configuration from the environment.

Every variable is listed once in the README's table. Local runs and tests work
with the defaults; production (``APP_ENV=production``) refuses to start without
real secrets.
"""
import os
from datetime import timedelta

from .vocabulary import DEFAULT_TIMEZONE

DEV_SECRET = "dev-only-insecure-secret-change-me-0000000000"  # nosec B105  # the development value production refuses
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """The environment does not describe a safe configuration."""


def env_str(name, default=None):
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_int(name, default):
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {value!r}") from exc


def env_bool(name, default):
    value = env_str(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalize_database_url(url):
    """Return a SQLAlchemy URL, mapping Render's ``postgres://`` form to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Defaults for local runs: SQLite under ``instance/``, console SMS, log push."""

    ENV_NAME = "development"
    TESTING = False
    SECRET_KEY = DEV_SECRET
    JWT_SECRET_KEY = DEV_SECRET
    SQLALCHEMY_DATABASE_URI = None  # resolved in create_app (needs the instance path)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Every database wait ends well inside the worker timeout (gunicorn.conf.py): a hung
    # PostgreSQL answers 503 instead of holding the worker (see service_app/db_timeouts.py).
    DB_CONNECT_TIMEOUT = 5
    DB_STATEMENT_TIMEOUT = 10
    DB_IDLE_IN_TRANSACTION_TIMEOUT = 30
    DB_POOL_TIMEOUT = 5
    MAX_CONTENT_LENGTH = 11 * 1024 * 1024
    JSON_SORT_KEYS = False
    LOG_LEVEL = "INFO"
    TRUSTED_PROXIES = 0
    FORCE_HTTPS = False

    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=15)
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=30)
    JWT_TOKEN_LOCATION = ["headers"]
    JWT_ERROR_MESSAGE_KEY = "message"
    REFRESH_REUSE_GRACE_SECONDS = 30

    PASSWORD_MIN_LENGTH = 8
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_KIB = 65536

    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Flask-Limiter would put Retry-After on every answer of a limited route (200s and 503s
    # included); it is renamed here and the 429 handler sets the real Retry-After itself.
    RATELIMIT_HEADER_RETRY_AFTER = "X-RateLimit-Retry-After"
    RATELIMIT_ENABLED = True
    LOGIN_LIMIT_PER_ACCOUNT = "10 per 15 minutes"
    LOGIN_LIMIT_PER_IP = "50 per 15 minutes"
    PASSWORD_RESET_LIMIT_PER_IP = "10 per hour"  # nosec B105  # a rate limit
    PASSWORD_RESET_LIMIT_PER_ACCOUNT = "5 per hour"  # nosec B105  # a rate limit
    REQUEST_CREATE_LIMIT = "30 per hour"
    UPLOAD_LIMIT = "60 per hour"
    COMMENT_LIMIT = "60 per hour"

    SMS_SENDER = "console"
    SMS_WEBHOOK_URL = None
    SMS_WEBHOOK_TOKEN = None
    SMS_CODE_TTL_MINUTES = 10
    SMS_CODE_MAX_ATTEMPTS = 5
    SMS_RESEND_SECONDS = 60

    ROUTING_MAX_DISTANCE_M = 2000
    ROUTER_REFRESH_SECONDS = 2
    MAX_GEOFENCE_VERTICES = 1000
    MAX_GEOFENCE_EXTENT_KM = 500

    LOCATION_PRECISION_DECIMALS = 2
    REOPEN_DAYS = 7
    AUTO_CLOSE_DAYS = 3
    ATTACHMENT_RETENTION_DAYS = 365
    REQUEST_RETENTION_DAYS = 1825
    IDEMPOTENCY_KEY_HOURS = 48
    PRIVACY_POLICY_DIR = None  # default: the policy shipped in service_app/privacy
    REPORT_TIMEZONE = DEFAULT_TIMEZONE

    STORAGE_BACKEND = "local"
    STORAGE_LOCAL_ROOT = None  # default: instance/attachments
    S3_BUCKET = None
    S3_ENDPOINT_URL = None
    S3_PUBLIC_ENDPOINT_URL = None
    S3_REGION = "us-east-1"
    S3_ACCESS_KEY_ID = None
    S3_SECRET_ACCESS_KEY = None
    S3_ADDRESSING_STYLE = "path"
    S3_URL_EXPIRES_SECONDS = 300
    S3_CONNECT_TIMEOUT = 2
    S3_READ_TIMEOUT = 5
    STORAGE_PURGE_GRACE_SECONDS = 300
    ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    ATTACHMENT_MAX_PER_REQUEST = 10
    ATTACHMENT_MAX_PIXELS = 40_000_000
    ATTACHMENT_DECODE_TIMEOUT_SECONDS = 8
    ATTACHMENT_DECODE_MEMORY_MB = 256

    PUSH_SENDER = "log"
    FIREBASE_CREDENTIALS = None
    FCM_HTTP_TIMEOUT = 10
    PUSH_BATCH_SIZE = 100
    PUSH_MAX_ATTEMPTS = 8
    PUSH_RETRY_BASE_SECONDS = 15
    PUSH_RETRY_MAX_SECONDS = 3600
    PUSH_LEASE_SECONDS = 120
    PUSH_COALESCE_SECONDS = 60

    API_TITLE = "Santrade Service API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "/api/v1/docs/assets/"  # served by service_app.docs_assets

    @classmethod
    def from_env(cls):
        """Read the environment into a dict of settings for this config class."""
        settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        settings.update(
            SECRET_KEY=env_str("SECRET_KEY", cls.SECRET_KEY),
            JWT_SECRET_KEY=env_str("JWT_SECRET_KEY", cls.JWT_SECRET_KEY),
            LOG_LEVEL=env_str("LOG_LEVEL", cls.LOG_LEVEL).upper(),
            TRUSTED_PROXIES=env_int("TRUSTED_PROXIES", cls.TRUSTED_PROXIES),
            FORCE_HTTPS=env_bool("FORCE_HTTPS", cls.FORCE_HTTPS),
            MAX_CONTENT_LENGTH=env_int("MAX_CONTENT_LENGTH", cls.MAX_CONTENT_LENGTH),
            JWT_ACCESS_TOKEN_EXPIRES=timedelta(
                minutes=env_int("JWT_ACCESS_TOKEN_MINUTES", 15)),
            JWT_REFRESH_TOKEN_EXPIRES=timedelta(
                days=env_int("JWT_REFRESH_TOKEN_DAYS", 30)),
            PASSWORD_MIN_LENGTH=env_int("PASSWORD_MIN_LENGTH", cls.PASSWORD_MIN_LENGTH),
            ARGON2_TIME_COST=env_int("ARGON2_TIME_COST", cls.ARGON2_TIME_COST),
            ARGON2_MEMORY_KIB=env_int("ARGON2_MEMORY_KIB", cls.ARGON2_MEMORY_KIB),
            RATELIMIT_STORAGE_URI=env_str("RATELIMIT_STORAGE_URI", cls.RATELIMIT_STORAGE_URI),
            LOGIN_LIMIT_PER_ACCOUNT=env_str("LOGIN_LIMIT_PER_ACCOUNT", cls.LOGIN_LIMIT_PER_ACCOUNT),
            LOGIN_LIMIT_PER_IP=env_str("LOGIN_LIMIT_PER_IP", cls.LOGIN_LIMIT_PER_IP),
            PASSWORD_RESET_LIMIT_PER_IP=env_str(
                "PASSWORD_RESET_LIMIT_PER_IP", cls.PASSWORD_RESET_LIMIT_PER_IP),
            PASSWORD_RESET_LIMIT_PER_ACCOUNT=env_str(
                "PASSWORD_RESET_LIMIT_PER_ACCOUNT", cls.PASSWORD_RESET_LIMIT_PER_ACCOUNT),
            REQUEST_CREATE_LIMIT=env_str("REQUEST_CREATE_LIMIT", cls.REQUEST_CREATE_LIMIT),
            UPLOAD_LIMIT=env_str("UPLOAD_LIMIT", cls.UPLOAD_LIMIT),
            COMMENT_LIMIT=env_str("COMMENT_LIMIT", cls.COMMENT_LIMIT),
            SMS_SENDER=env_str("SMS_SENDER", cls.SMS_SENDER),
            SMS_WEBHOOK_URL=env_str("SMS_WEBHOOK_URL"),
            SMS_WEBHOOK_TOKEN=env_str("SMS_WEBHOOK_TOKEN"),
            SMS_CODE_TTL_MINUTES=env_int("SMS_CODE_TTL_MINUTES", cls.SMS_CODE_TTL_MINUTES),
            ROUTING_MAX_DISTANCE_M=env_int("ROUTING_MAX_DISTANCE_M", cls.ROUTING_MAX_DISTANCE_M),
            ROUTER_REFRESH_SECONDS=env_int("ROUTER_REFRESH_SECONDS", cls.ROUTER_REFRESH_SECONDS),
            MAX_GEOFENCE_VERTICES=env_int("MAX_GEOFENCE_VERTICES", cls.MAX_GEOFENCE_VERTICES),
            MAX_GEOFENCE_EXTENT_KM=env_int("MAX_GEOFENCE_EXTENT_KM", cls.MAX_GEOFENCE_EXTENT_KM),
            LOCATION_PRECISION_DECIMALS=env_int("LOCATION_PRECISION_DECIMALS", cls.LOCATION_PRECISION_DECIMALS),
            REOPEN_DAYS=env_int("REOPEN_DAYS", cls.REOPEN_DAYS),
            AUTO_CLOSE_DAYS=env_int("AUTO_CLOSE_DAYS", cls.AUTO_CLOSE_DAYS),
            REPORT_TIMEZONE=env_str("REPORT_TIMEZONE", cls.REPORT_TIMEZONE),
            ATTACHMENT_RETENTION_DAYS=env_int("ATTACHMENT_RETENTION_DAYS", cls.ATTACHMENT_RETENTION_DAYS),
            REQUEST_RETENTION_DAYS=env_int("REQUEST_RETENTION_DAYS", cls.REQUEST_RETENTION_DAYS),
            IDEMPOTENCY_KEY_HOURS=env_int("IDEMPOTENCY_KEY_HOURS", cls.IDEMPOTENCY_KEY_HOURS),
            PRIVACY_POLICY_DIR=env_str("PRIVACY_POLICY_DIR"),
            STORAGE_BACKEND=env_str("STORAGE_BACKEND", cls.STORAGE_BACKEND),
            STORAGE_LOCAL_ROOT=env_str("STORAGE_LOCAL_ROOT"),
            S3_BUCKET=env_str("S3_BUCKET"),
            S3_ENDPOINT_URL=env_str("S3_ENDPOINT_URL"),
            S3_PUBLIC_ENDPOINT_URL=env_str("S3_PUBLIC_ENDPOINT_URL"),
            S3_REGION=env_str("S3_REGION", cls.S3_REGION),
            S3_ACCESS_KEY_ID=env_str("S3_ACCESS_KEY_ID"),
            S3_SECRET_ACCESS_KEY=env_str("S3_SECRET_ACCESS_KEY"),
            S3_ADDRESSING_STYLE=env_str("S3_ADDRESSING_STYLE", cls.S3_ADDRESSING_STYLE),
            S3_URL_EXPIRES_SECONDS=env_int("S3_URL_EXPIRES_SECONDS", cls.S3_URL_EXPIRES_SECONDS),
            S3_CONNECT_TIMEOUT=env_int("S3_CONNECT_TIMEOUT", cls.S3_CONNECT_TIMEOUT),
            S3_READ_TIMEOUT=env_int("S3_READ_TIMEOUT", cls.S3_READ_TIMEOUT),
            STORAGE_PURGE_GRACE_SECONDS=env_int("STORAGE_PURGE_GRACE_SECONDS", cls.STORAGE_PURGE_GRACE_SECONDS),
            DB_CONNECT_TIMEOUT=env_int("DB_CONNECT_TIMEOUT", cls.DB_CONNECT_TIMEOUT),
            DB_STATEMENT_TIMEOUT=env_int("DB_STATEMENT_TIMEOUT", cls.DB_STATEMENT_TIMEOUT),
            DB_IDLE_IN_TRANSACTION_TIMEOUT=env_int(
                "DB_IDLE_IN_TRANSACTION_TIMEOUT", cls.DB_IDLE_IN_TRANSACTION_TIMEOUT),
            DB_POOL_TIMEOUT=env_int("DB_POOL_TIMEOUT", cls.DB_POOL_TIMEOUT),
            ATTACHMENT_MAX_BYTES=env_int("ATTACHMENT_MAX_BYTES", cls.ATTACHMENT_MAX_BYTES),
            ATTACHMENT_MAX_PER_REQUEST=env_int("ATTACHMENT_MAX_PER_REQUEST", cls.ATTACHMENT_MAX_PER_REQUEST),
            ATTACHMENT_MAX_PIXELS=env_int("ATTACHMENT_MAX_PIXELS", cls.ATTACHMENT_MAX_PIXELS),
            ATTACHMENT_DECODE_TIMEOUT_SECONDS=env_int("ATTACHMENT_DECODE_TIMEOUT_SECONDS",
                                                      cls.ATTACHMENT_DECODE_TIMEOUT_SECONDS),
            ATTACHMENT_DECODE_MEMORY_MB=env_int("ATTACHMENT_DECODE_MEMORY_MB", cls.ATTACHMENT_DECODE_MEMORY_MB),
            PUSH_SENDER=env_str("PUSH_SENDER", cls.PUSH_SENDER),
            FIREBASE_CREDENTIALS=env_str("FIREBASE_CREDENTIALS"),
            FCM_HTTP_TIMEOUT=env_int("FCM_HTTP_TIMEOUT", cls.FCM_HTTP_TIMEOUT),
            PUSH_BATCH_SIZE=env_int("PUSH_BATCH_SIZE", cls.PUSH_BATCH_SIZE),
            PUSH_MAX_ATTEMPTS=env_int("PUSH_MAX_ATTEMPTS", cls.PUSH_MAX_ATTEMPTS),
            PUSH_RETRY_BASE_SECONDS=env_int("PUSH_RETRY_BASE_SECONDS", cls.PUSH_RETRY_BASE_SECONDS),
            PUSH_RETRY_MAX_SECONDS=env_int("PUSH_RETRY_MAX_SECONDS", cls.PUSH_RETRY_MAX_SECONDS),
            PUSH_LEASE_SECONDS=env_int("PUSH_LEASE_SECONDS", cls.PUSH_LEASE_SECONDS),
            PUSH_COALESCE_SECONDS=env_int("PUSH_COALESCE_SECONDS", cls.PUSH_COALESCE_SECONDS),
            SMS_RESEND_SECONDS=env_int("SMS_RESEND_SECONDS", cls.SMS_RESEND_SECONDS),
        )
        url = env_str("DATABASE_URL")
        settings["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(url) if url else None
        return settings

    @classmethod
    def validate(cls, settings):
        """Raise ConfigError when the settings are unsafe for this environment."""


def engine_options(settings):
    """SQLAlchemy engine options for the final database URL.

    PostgreSQL gets a connect timeout and server-side statement and
    idle-in-transaction timeouts (0 turns one off); a thread waits at most
    ``DB_POOL_TIMEOUT`` for a pooled connection. SQLite takes none of these.
    """
    options = dict(settings.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if not (settings.get("SQLALCHEMY_DATABASE_URI") or "").startswith("postgresql"):
        return options
    server = (f"-c statement_timeout={settings['DB_STATEMENT_TIMEOUT'] * 1000} "
              f"-c idle_in_transaction_session_timeout={settings['DB_IDLE_IN_TRANSACTION_TIMEOUT'] * 1000}")
    connect_args = {"connect_timeout": settings["DB_CONNECT_TIMEOUT"], "options": server}
    options["connect_args"] = {**connect_args, **options.get("connect_args", {})}
    options.setdefault("pool_timeout", settings["DB_POOL_TIMEOUT"])
    return options


class TestConfig(Config):
    """Fast hashing, no rate limits unless a test turns them on, a throwaway database."""

    ENV_NAME = "testing"
    TESTING = True
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_KIB = 1024
    RATELIMIT_ENABLED = False

    @classmethod
    def from_env(cls):
        settings = super().from_env()
        settings["ARGON2_TIME_COST"] = cls.ARGON2_TIME_COST
        settings["ARGON2_MEMORY_KIB"] = cls.ARGON2_MEMORY_KIB
        url = env_str("TEST_DATABASE_URL")
        settings["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(url) if url else None
        return settings


class ProductionConfig(Config):
    """Render: PostgreSQL, one proxy hop, secrets required."""

    ENV_NAME = "production"
    TRUSTED_PROXIES = 1
    FORCE_HTTPS = True

    @classmethod
    def validate(cls, settings):
        for name in ("SECRET_KEY", "JWT_SECRET_KEY"):
            value = settings.get(name) or ""
            if value == DEV_SECRET or len(value) < MIN_SECRET_LENGTH:
                raise ConfigError(
                    f"{name} must be set to a random value of at least "
                    f"{MIN_SECRET_LENGTH} characters in production")
        if not settings.get("SQLALCHEMY_DATABASE_URI"):
            raise ConfigError("DATABASE_URL must be set in production")
        if settings.get("PUSH_SENDER") == "fcm" and not settings.get("FIREBASE_CREDENTIALS"):
            raise ConfigError("FIREBASE_CREDENTIALS must be set when PUSH_SENDER=fcm")
        if settings.get("STORAGE_BACKEND") == "s3" and not settings.get("S3_BUCKET"):
            raise ConfigError("S3_BUCKET must be set when STORAGE_BACKEND=s3")


CONFIGS = {"development": Config, "testing": TestConfig, "production": ProductionConfig}


def config_class(name=None):
    """The config class named by ``APP_ENV`` (default ``development``)."""
    name = name or env_str("APP_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError as exc:
        raise ConfigError(f"APP_ENV must be one of {sorted(CONFIGS)}, got {name!r}") from exc
