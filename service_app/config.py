"""Configuration: every setting declared once, in ``SETTINGS``.

A declaration gives the ``app.config`` key, its type (the parser of the
environment variable's text), its default written as that variable would be
(``""``: unset, None), and the variable's name when it differs from the key;
``FIXED`` holds what no variable sets. Reading the environment, the defaults,
what differs by ``APP_ENV`` (``ENVIRONMENTS``) and the production checks all
derive from it, and the deployment test holds the README's table and
render.yaml to it. Local runs and tests work with the defaults; production
refuses to start without real secrets.
"""
import copy
import json
import os
from dataclasses import dataclass, field
from datetime import timedelta

import orjson

from .app_versions import app_version
from .compression import SETTINGS as COMPRESSION
from .vocabulary import DEFAULT_TIMEZONE

DEV_SECRET = "dev-only-insecure-secret-change-me-0000000000"  # nosec B105  # the development value production refuses
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """The environment does not describe a safe configuration."""


def normalize_database_url(url):
    """Return a SQLAlchemy URL, mapping Render's ``postgres://`` form to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


# Types: each turns a variable's text into the value, or raises ValueError naming what it expected.
def text(value):
    return value


def integer(value):
    try:
        return int(value)
    except ValueError:
        raise ValueError("an integer") from None


def flag(value):
    return value.strip().lower() in {"1", "true", "yes", "on"}


def upper(value):
    return value.upper()


def minutes(value):
    return timedelta(minutes=integer(value))


def days(value):
    return timedelta(days=integer(value))


def database_url(value):
    return normalize_database_url(value)


@dataclass(frozen=True)
class Setting:
    """One ``app.config`` key read from the environment: ``parse`` is its type, ``default`` its text.

    ``secret``: a checked environment refuses the development value and anything short.
    ``blank``: a variable set to the empty text means empty (as ``MAP_TILE_URL=""``: no tiles),
    not the default; elsewhere an empty variable counts as unset.
    """

    key: str
    parse: object
    default: object
    variable: str = ""
    secret: bool = False
    blank: bool = False

    @property
    def env(self):
        """The environment variable that sets it."""
        return self.variable or self.key


# Set in code only, no variable changes them: Flask's and the extensions' own, and a few of ours.
FIXED = {
    "TESTING": False,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "JWT_TOKEN_LOCATION": ["headers"],
    "RATELIMIT_HEADERS_ENABLED": True,
    # Flask-Limiter would put Retry-After on every answer of a limited route (200s and 503s
    # included); it is renamed here and the 429 handler sets the real Retry-After itself.
    "RATELIMIT_HEADER_RETRY_AFTER": "X-RateLimit-Retry-After",
    "RATELIMIT_ENABLED": True,
    # A rate-limit store (Render Key Value) that is down never fails a call (API.md, Operations):
    # the limits are counted in each process's memory meanwhile, and the store is tried again now
    # and then; an error past that is logged, not raised (Flask-Limiter raises by default).
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "SMS_CODE_MAX_ATTEMPTS": 5,
    "API_TITLE": "Santrade Service API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs/assets/",  # served by service_app.docs_assets
    **COMPRESSION,  # flask-compress: br or gzip over 1 KB (service_app.compression)
}

SETTINGS = (
    Setting("ENV_NAME", text, "development", variable="APP_ENV"),
    # Unset: SQLite under the instance folder (create_app knows where that is).
    Setting("SQLALCHEMY_DATABASE_URI", database_url, "", variable="DATABASE_URL"),
    # Unset: reports read the primary; set: a read replica for reports, the dashboard and the CSV report.
    Setting("REPORTS_DATABASE_URL", database_url, ""),
    Setting("SECRET_KEY", text, DEV_SECRET, secret=True),
    Setting("JWT_SECRET_KEY", text, DEV_SECRET, secret=True),
    Setting("JWT_ACCESS_TOKEN_EXPIRES", minutes, "15", variable="JWT_ACCESS_TOKEN_MINUTES"),
    Setting("JWT_REFRESH_TOKEN_EXPIRES", days, "30", variable="JWT_REFRESH_TOKEN_DAYS"),
    Setting("REFRESH_REUSE_GRACE_SECONDS", integer, "30"),
    # Every database wait ends well inside the worker timeout (gunicorn.conf.py): a hung
    # PostgreSQL answers 503 instead of holding the worker (see service_app/db_timeouts.py).
    Setting("DB_CONNECT_TIMEOUT", integer, "5"),
    Setting("DB_STATEMENT_TIMEOUT", integer, "10"),
    Setting("DB_IDLE_IN_TRANSACTION_TIMEOUT", integer, "30"),
    Setting("DB_POOL_TIMEOUT", integer, "5"),
    Setting("MAX_CONTENT_LENGTH", integer, "11534336"),
    Setting("LOG_LEVEL", upper, "INFO"),
    Setting("TRUSTED_PROXIES", integer, "0"),
    Setting("FORCE_HTTPS", flag, "false"),
    Setting("PASSWORD_MIN_LENGTH", integer, "8"),
    Setting("ARGON2_TIME_COST", integer, "3"),
    Setting("ARGON2_MEMORY_KIB", integer, "65536"),
    Setting("RATELIMIT_STORAGE_URI", text, "memory://"),
    Setting("LOGIN_LIMIT_PER_ACCOUNT", text, "10 per 15 minutes"),
    Setting("LOGIN_LIMIT_PER_IP", text, "50 per 15 minutes"),
    Setting("PASSWORD_RESET_LIMIT_PER_IP", text, "10 per hour"),
    Setting("PASSWORD_RESET_LIMIT_PER_ACCOUNT", text, "5 per hour"),
    Setting("REQUEST_CREATE_LIMIT", text, "30 per hour"),
    Setting("UPLOAD_LIMIT", text, "60 per hour"),
    Setting("COMMENT_LIMIT", text, "60 per hour"),
    Setting("FOLLOW_LIMIT", text, "30 per hour"),
    Setting("SMS_SENDER", text, "console"),
    Setting("SMS_WEBHOOK_URL", text, ""),
    Setting("SMS_WEBHOOK_TOKEN", text, ""),
    Setting("SMS_WEBHOOK_TIMEOUT_SECONDS", integer, "10"),
    Setting("SMS_CODE_TTL_MINUTES", integer, "10"),
    Setting("SMS_RESEND_SECONDS", integer, "60"),
    Setting("ROUTING_MAX_DISTANCE_M", integer, "2000"),
    Setting("ROUTER_REFRESH_SECONDS", integer, "2"),
    Setting("MAX_GEOFENCE_VERTICES", integer, "1000"),
    Setting("MAX_GEOFENCE_EXTENT_KM", integer, "500"),
    Setting("LOCATION_PRECISION_DECIMALS", integer, "2"),
    Setting("REOPEN_DAYS", integer, "7"),
    Setting("SIMILAR_DAYS", integer, "14"),
    Setting("AUTO_CLOSE_DAYS", integer, "3"),
    Setting("ATTACHMENT_RETENTION_DAYS", integer, "365"),
    Setting("REQUEST_RETENTION_DAYS", integer, "1825"),
    Setting("IDEMPOTENCY_KEY_HOURS", integer, "48"),
    Setting("SYNC_CURSOR_DAYS", integer, "30"),
    Setting("PRIVACY_POLICY_DIR", text, ""),  # unset: the policy shipped in service_app/privacy
    Setting("REPORT_TIMEZONE", text, DEFAULT_TIMEZONE),
    Setting("HOTSPOT_MIN", integer, "3"),
    Setting("HOTSPOT_DAYS", integer, "30"),
    Setting("QR_BASE_URL", text, "https://service.santrade.kz"),
    Setting("QR_SHEET_MAX_ROOMS", integer, "200"),
    Setting("EXPORT_MAX_ROWS", integer, "100000"),
    Setting("CONSOLE_IDLE_MINUTES", integer, "30"),
    Setting("CONSOLE_SESSION_HOURS", integer, "12"),
    Setting("MAP_TILE_URL", text, "https://tile.openstreetmap.org/{z}/{x}/{y}.png", blank=True),  # "": no tiles
    Setting("MAP_TILE_ATTRIBUTION", text, "&copy; OpenStreetMap contributors"),
    Setting("STORAGE_BACKEND", text, "local"),
    Setting("STORAGE_LOCAL_ROOT", text, ""),  # unset: instance/attachments
    Setting("S3_BUCKET", text, ""),
    Setting("S3_ENDPOINT_URL", text, ""),
    Setting("S3_PUBLIC_ENDPOINT_URL", text, ""),
    Setting("S3_REGION", text, "us-east-1"),
    Setting("S3_ACCESS_KEY_ID", text, ""),
    Setting("S3_SECRET_ACCESS_KEY", text, ""),
    Setting("S3_ADDRESSING_STYLE", text, "path"),
    Setting("S3_URL_EXPIRES_SECONDS", integer, "300"),
    Setting("S3_CONNECT_TIMEOUT", integer, "2"),
    Setting("S3_READ_TIMEOUT", integer, "5"),
    Setting("STORAGE_PURGE_GRACE_SECONDS", integer, "300"),
    Setting("ATTACHMENT_MAX_BYTES", integer, "10485760"),
    Setting("ATTACHMENT_MAX_PER_REQUEST", integer, "10"),
    Setting("ATTACHMENT_MAX_PIXELS", integer, "40000000"),
    Setting("ATTACHMENT_DECODE_TIMEOUT_SECONDS", integer, "8"),
    Setting("ATTACHMENT_DECODE_MEMORY_MB", integer, "256"),
    Setting("ATTACHMENT_DECODE_CONCURRENCY", integer, "1"),
    Setting("PUSH_SENDER", text, "log"),
    Setting("FIREBASE_CREDENTIALS", text, ""),
    Setting("FCM_HTTP_TIMEOUT", integer, "10"),
    Setting("PUSH_BATCH_SIZE", integer, "100"),
    Setting("PUSH_BATCHES_IN_FLIGHT", integer, "2"),
    Setting("PUSH_MAX_ATTEMPTS", integer, "8"),
    Setting("PUSH_RETRY_BASE_SECONDS", integer, "15"),
    Setting("PUSH_RETRY_MAX_SECONDS", integer, "3600"),
    Setting("PUSH_LEASE_SECONDS", integer, "120"),
    Setting("PUSH_COALESCE_SECONDS", integer, "60"),
    # The apps' versions (service_app.app_versions): below the minimum → 426; GET /app-config tells both.
    Setting("MIN_APP_VERSION_ANDROID", app_version, "1.0.0"),
    Setting("MIN_APP_VERSION_IOS", app_version, "1.0.0"),
    Setting("LATEST_APP_VERSION_ANDROID", app_version, "1.0.0"),
    Setting("LATEST_APP_VERSION_IOS", app_version, "1.0.0"),
    Setting("SUPPORT_CONTACT", text, ""),
)
DECLARED = {setting.key: setting for setting in SETTINGS}


@dataclass(frozen=True)
class Environment:
    """What differs by ``APP_ENV``.

    ``defaults`` replace declared defaults, as text (the variable still wins);
    ``fixed`` values ignore the variable; ``variables`` read a key from another variable.
    ``checked`` refuses weak secrets, and a setting ``required`` is needed always
    (``True``) or while another has a value (``("PUSH_SENDER", "fcm")``).
    """

    name: str
    defaults: dict = field(default_factory=dict)
    fixed: dict = field(default_factory=dict)
    variables: dict = field(default_factory=dict)
    checked: bool = False
    required: dict = field(default_factory=dict)

    def variable(self, setting):
        return self.variables.get(setting.key, setting.env)

    def read(self, environ=None):
        """The settings of this environment, from ``environ`` (default: the process environment)."""
        environ = os.environ if environ is None else environ
        settings = {key: copy.deepcopy(self.fixed.get(key, value)) for key, value in FIXED.items()}
        for setting in SETTINGS:
            raw = environ.get(self.variable(setting))
            empty = setting.blank and raw == ""  # set, to nothing: a value of its own
            if not raw and not empty:
                raw = self.defaults.get(setting.key, setting.default)
            try:
                value = setting.parse(raw) if raw or empty else None
            except ValueError as exc:
                raise ConfigError(f"{self.variable(setting)} must be {exc}, got {raw!r}") from exc
            settings[setting.key] = copy.deepcopy(self.fixed.get(setting.key, value))
        settings["ENV_NAME"] = self.name  # also when chosen by create_app rather than APP_ENV
        return settings

    def check(self, settings):
        """Raise ConfigError when the settings are unsafe for this environment."""
        for setting in SETTINGS if self.checked else ():
            value = settings.get(setting.key)
            if setting.secret and (value == DEV_SECRET or len(value or "") < MIN_SECRET_LENGTH):
                raise ConfigError(f"{setting.env} must be set to a random value of at least "
                                  f"{MIN_SECRET_LENGTH} characters in {self.name}")
        for key, condition in self.required.items():
            if settings.get(key):
                continue
            if condition is True:
                raise ConfigError(f"{DECLARED[key].env} must be set in {self.name}")
            other, when = condition
            if settings.get(other) == when:
                raise ConfigError(f"{DECLARED[key].env} must be set when {DECLARED[other].env}={when}")


ENVIRONMENTS = {
    "development": Environment("development"),
    # Hashing stays fast whatever the shell exports, and the suite reads its own database
    # variable, so a shell holding a real DATABASE_URL never runs the tests against it.
    "testing": Environment("testing", fixed={"TESTING": True, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 1024,
                                             "RATELIMIT_ENABLED": False},
                           variables={"SQLALCHEMY_DATABASE_URI": "TEST_DATABASE_URL"}),
    # Render: PostgreSQL behind one proxy hop, secrets required.
    "production": Environment("production", defaults={"TRUSTED_PROXIES": "1", "FORCE_HTTPS": "true"}, checked=True,
                              required={"SQLALCHEMY_DATABASE_URI": True, "FIREBASE_CREDENTIALS": ("PUSH_SENDER", "fcm"),
                                        "S3_BUCKET": ("STORAGE_BACKEND", "s3")}),
}


def environment(name=None):
    """The environment named ``name``, else by ``APP_ENV`` (default ``development``)."""
    name = name or os.environ.get(DECLARED["ENV_NAME"].env) or DECLARED["ENV_NAME"].default
    try:
        return ENVIRONMENTS[name]
    except KeyError as exc:
        raise ConfigError(f"APP_ENV must be one of {sorted(ENVIRONMENTS)}, got {name!r}") from exc


def environment_variables():
    """Every environment variable the configuration reads."""
    return ({setting.env for setting in SETTINGS}
            | {v for env in ENVIRONMENTS.values() for v in env.variables.values()})


def engine_options(settings):
    """SQLAlchemy engine options for the final database URL.

    PostgreSQL gets a connect timeout and server-side statement and
    idle-in-transaction timeouts (0 turns one off); a thread waits at most
    ``DB_POOL_TIMEOUT`` for a pooled connection; JSON columns are parsed by orjson
    (:func:`json_loads`). SQLite takes none of these.
    """
    options = dict(settings.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if not (settings.get("SQLALCHEMY_DATABASE_URI") or "").startswith("postgresql"):
        return options
    server = (f"-c statement_timeout={settings['DB_STATEMENT_TIMEOUT'] * 1000} "
              f"-c idle_in_transaction_session_timeout={settings['DB_IDLE_IN_TRANSACTION_TIMEOUT'] * 1000}")
    connect_args = {"connect_timeout": settings["DB_CONNECT_TIMEOUT"], "options": server}
    options["connect_args"] = {**connect_args, **options.get("connect_args", {})}
    options.setdefault("pool_timeout", settings["DB_POOL_TIMEOUT"])
    options.setdefault("json_deserializer", json_loads)
    return options


def json_loads(data):
    """JSON columns as read from PostgreSQL, parsed by orjson (a list page reads about 150 of them);
    what orjson refuses (integers over 64 bits) is parsed by the standard library as before."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)
