"""Santrade Service: the backend of the employees' service-request app."""
import os

import sqlalchemy as sa
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import config as config_module
from .api import JSONProvider
from .extensions import api, compress, db, jwt, limiter, migrate
from .observability import configure_logging
from .vocabulary import MAX_ID


def create_app(test_config=None, env=None):
    """Build the application; read it top to bottom as the table of contents."""
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = IdConverter
    load_config(app, test_config, env)
    app.json = JSONProvider(app)
    app.json.sort_keys = False
    app.json.ensure_ascii = False  # UTF-8 as it is: "Кондиционер", not "\u041a..."
    configure_logging(app)
    load_texts()
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


class IdConverter(IntegerConverter):
    """``<int:...>`` in our paths: 1 to ``MAX_ID`` (a PostgreSQL integer), else the route does not match (404).

    ASCII digits only: werkzeug's ``\\d+`` takes any Unicode digit, so ``/requests/١`` or
    ``/attachments/１`` (fullwidth) would read, change or delete row 1.
    """

    regex = r"[0-9]+"

    def __init__(self, url_map, fixed_digits=0, min=1, max=MAX_ID, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def load_texts():
    """Read the texts' catalogues (``service_app.catalogues``) once per process, before any request."""
    from . import catalogues, i18n

    catalogues.load_all()
    i18n.load()


def load_config(app, test_config, env):
    environment = config_module.environment(env or (test_config or {}).get("ENV_NAME"))
    settings = environment.read()
    settings.update(test_config or {})
    environment.check(settings)
    if not settings.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        settings["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "santrade.db")
    settings["SQLALCHEMY_ENGINE_OPTIONS"] = config_module.engine_options(settings)
    app.config.from_mapping(settings)
    if settings["TRUSTED_PROXIES"]:
        n = settings["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)


def register_extensions(app):
    from . import app_versions, observability, security
    from .auth import sms, throttling, tokens
    from .database import use_reports_engine
    from .db_timeouts import install_round_trip_deadline
    from .openapi import MarshmallowPlugin
    from .sqlite import enable_sqlite_foreign_keys

    from . import models  # noqa: F401 - registers every table

    db.init_app(app)
    with app.app_context():
        enable_sqlite_foreign_keys(db.engine, durable=not app.config["TESTING"])
        install_round_trip_deadline(db.engine, app.config["DB_STATEMENT_TIMEOUT"])
    reports_url = app.config["REPORTS_DATABASE_URL"]
    if reports_url:  # reports read from a replica (service_app.database.reports_session)
        # The primary's fixed options (pool_pre_ping: a replica that restarted or failed over costs
        # a reconnect, not a 500), then the replica URL's own connect arguments and timeouts.
        options = config_module.engine_options({**app.config, "SQLALCHEMY_DATABASE_URI": reports_url,
                                                "SQLALCHEMY_ENGINE_OPTIONS": dict(config_module.FIXED["SQLALCHEMY_ENGINE_OPTIONS"])})
        reports_engine = sa.create_engine(reports_url, **options)
        install_round_trip_deadline(reports_engine, app.config["DB_STATEMENT_TIMEOUT"])
        use_reports_engine(app, reports_engine)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
                     render_as_batch=True, compare_type=True)
    jwt.init_app(app)
    tokens.init_app(app)
    sms.init_app(app)
    limiter.init_app(app)
    throttling.warn_if_split(app)
    api.init_app(app, spec_kwargs={
        "marshmallow_plugin": MarshmallowPlugin(),
        "components": {"securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                           "description": "the access token"},
            "refreshToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                             "description": "the refresh token (only POST /auth/refresh takes it)"}}},
    })
    observability.init_app(app)
    security.init_app(app)
    compress.init_app(app)
    app_versions.init_app(app)


def register_blueprints(app):
    from .audit_routes import blp as audit_blp
    from .auth.routes import blp as auth_blp
    from .docs_assets import bp as docs_assets_bp
    from .health import bp as health_bp
    from .privacy_policy import bp as privacy_bp
    from .users.routes import blp as users_blp

    app.register_blueprint(health_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(docs_assets_bp)
    for blp in (auth_blp, users_blp, audit_blp):
        api.register_blueprint(blp)
    register_domains(app)


def register_domains(app):
    """Each domain package registers its blueprints, hooks and commands."""
    import notifications
    import offices
    import service_requests

    for package in (offices, notifications, service_requests):
        package.init_app(app)
    import console  # the staff console: built on the domains' service functions

    console.init_app(app)


def register_errorhandlers(app):
    # A domain's dependency that is down raises a ``DependencyUnavailable`` of its own: the
    # handlers know only that base, so nothing here imports a domain.
    from .error_handlers import register_error_handlers

    register_error_handlers(app)


def register_commands(app):
    from .cli import register

    register(app)
