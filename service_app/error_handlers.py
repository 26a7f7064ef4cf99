"""Every exception that reaches Flask leaves in the error envelope (``service_app.errors``).

Database errors, the rate limiter's 429, a store that is down, and crashes are
translated here; werkzeug's HTTP errors go through ``Api.handle_http_exception``
and the JWT refusals through ``auth.tokens``. Only ``create_app`` imports this
module: it knows the domains' exceptions, and the domains import service_app.
"""
import io
import json
import logging
import math
import time

from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import RequestTimeout
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError

from . import i18n
from .errors import (DATABASE_RETRY_SECONDS, DATABASE_UNAVAILABLE, ApiError, DependencyUnavailable, database_lost,
                     envelope, error_response, http_exception_response, retry_after)
from .extensions import db, limiter

log = logging.getLogger(__name__)


def register_error_handlers(app):
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(RateLimitExceeded, handle_rate_limited)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(StaleDataError, handle_stale_data)
    app.register_error_handler(OperationalError, handle_database_down)
    app.register_error_handler(PoolTimeout, handle_pool_timeout)
    app.register_error_handler(DependencyUnavailable, handle_dependency_down)
    app.register_error_handler(DBAPIError, _dbapi_error)
    app.register_error_handler(Exception, handle_unexpected)
    app.wsgi_app = StalledBodyTimeout(ChunkedBodyLimit(app.wsgi_app, app.config.get("MAX_CONTENT_LENGTH")))


def handle_api_error(error):
    return error_response(error.status, error.code, error.message, error.details, error.headers)


def handle_rate_limited(error):
    """Flask-Limiter's 429, with ``Retry-After`` set to when the breached limit resets."""
    return http_exception_response(error, headers={"Retry-After": _seconds_until_limit_resets()})


def _seconds_until_limit_resets():
    current = limiter.current_limit
    if current is None:
        return "60"
    return str(max(1, math.ceil(current.reset_at - time.time())))


def _rollback():
    """End the session's transaction; never raises. An error answer must go out even when the
    connection is already gone (then there is nothing to roll back: the server ended it)."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the answer matters more; the session is removed at teardown
        log.warning("rollback while answering an error failed", exc_info=True)


def handle_integrity_error(error):
    _rollback()
    log.warning("integrity error: %s", type(error.orig).__name__)
    return error_response(409, "conflict", "the change conflicts with existing data")


def handle_stale_data(error):
    """A versioned row (a request) changed between our read and our write: two calls at
    the same moment where no row lock orders them (SQLite has no ``FOR UPDATE``). Ours
    wrote nothing; the caller may try again."""
    _rollback()
    log.warning("stale data: a concurrent change won")
    return error_response(409, "conflict", "the change conflicts with existing data")


def handle_data_error(error):
    """A value the database cannot hold (out of range, too long) that validation let through."""
    _rollback()
    log.warning("data error: %s", type(error.orig).__name__)
    return error_response(422, "validation_error", "a value is out of range or too long for the field")


def handle_database_down(error):
    """The database failed us (gone, refused, timed out), wherever in the call: 503 with
    ``Retry-After``. Nothing is read from the database to answer (the language is the one
    loaded with the user: ``i18n.caller_language``); the transaction was not committed, so
    the call wrote nothing."""
    _rollback()
    log.error("database unavailable: %s", type(error).__name__)
    return error_response(503, "unavailable", DATABASE_UNAVAILABLE, headers=retry_after(DATABASE_RETRY_SECONDS))


def handle_pool_timeout(error):
    """Every pooled connection is busy (the database is slow or hung): retry later."""
    log.error("no database connection free within the pool timeout")
    return error_response(503, "unavailable", "the database is busy, retry later",
                          headers=retry_after(DATABASE_RETRY_SECONDS))


def handle_dependency_down(error):
    """A dependency's failure a caller did not translate itself still answers 503, never 500."""
    log.error("%s: %s", type(error).__name__, error)
    return error_response(503, "unavailable", error.message, headers=retry_after(error.retry_seconds))


def handle_unexpected(error):
    """500, unless the database failing us is what happened underneath (an error raised while a
    lost connection was being handled): that is the 503 of a database that is down, which apps
    retry. (An exception raised inside another error handler reaches Flask's ``InternalServerError``
    instead: ``errors.http_exception_response`` makes the same choice there.)"""
    if database_lost(error):
        return handle_database_down(error)
    log.exception("unhandled error")
    _rollback()
    return error_response(500, "internal_error", "internal error")


def _dbapi_error(error):
    if database_lost(error):
        return handle_database_down(error)
    return handle_unexpected(error)


class ChunkedBodyLimit:
    """413 for a body without Content-Length (chunked) over ``MAX_CONTENT_LENGTH``.

    werkzeug enforces the limit on a chunked body by silently cutting it at the
    limit, so a 20 MB JSON body read as 11 MiB of broken JSON (400) where the
    same body with a Content-Length is a 413. Such a body is read here up to
    one byte past the limit: over it, the envelope 413; within it, the
    application sees an ordinary sized body.
    """

    DRAIN_BYTES = 1024 * 1024

    def __init__(self, wsgi_app, limit):
        self.wsgi_app = wsgi_app
        self.limit = limit

    def __call__(self, environ, start_response):
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if self.limit is None or environ.get("CONTENT_LENGTH") or not chunked:
            return self.wsgi_app(environ, start_response)
        stream = environ["wsgi.input"]
        data = bytearray()
        while len(data) <= self.limit:
            chunk = stream.read(min(65536, self.limit + 1 - len(data)))
            if not chunk:
                break
            data += chunk
        if len(data) > self.limit:
            # Read on a little (discarded) so a client only slightly over the
            # limit gets the answer, not a reset from closing on unread bytes.
            drained = 0
            while drained < self.DRAIN_BYTES and (chunk := stream.read(65536)):
                drained += len(chunk)
            return _wsgi_error(environ, start_response, "413 Request Entity Too Large", "payload_too_large",
                               "the body is larger than the limit")
        environ["wsgi.input"] = io.BytesIO(bytes(data))
        environ["CONTENT_LENGTH"] = str(len(data))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ.pop("wsgi.input_terminated", None)
        return self.wsgi_app(environ, start_response)


def _wsgi_error(environ, start_response, status, code, message):
    """An envelope answer from WSGI middleware, outside Flask: no user is known here,
    so ``Accept-Language`` alone decides the message's language."""
    language = i18n.language_from_header(environ.get("HTTP_ACCEPT_LANGUAGE")) or i18n.DEFAULT_LANGUAGE
    body = json.dumps(envelope(code, i18n.translate(message, language))).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                            ("Content-Language", language), ("Vary", "Accept-Language")])
    return [body]


class StalledBodyTimeout:
    """408 in the envelope for a client that stops sending its body.

    gunicorn's threaded worker never times out a read: a client that sent its
    headers and then went silent held a thread for ever. ``gunicorn.conf.py``
    gives the socket a timeout for the request's life (``pre_request``); a read
    that runs into it is a ``TimeoutError`` here, turned into werkzeug's
    ``RequestTimeout`` (answered like every HTTP error when Flask is reading the
    body, or here when ``ChunkedBodyLimit`` is). A slow upload that keeps
    sending is not affected: the timeout is per read, not for the whole body.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        environ["wsgi.input"] = _TimedInput(environ["wsgi.input"])
        try:
            return self.wsgi_app(environ, start_response)
        except RequestTimeout:
            log.warning("the client stopped sending its body: 408")
            return _wsgi_error(environ, start_response, "408 Request Timeout", "request_timeout",
                               "the request body stopped arriving")


class _TimedInput:
    """``wsgi.input`` whose reads that time out raise ``RequestTimeout``."""

    def __init__(self, stream):
        self._stream = stream

    def _call(self, method, *args):
        try:
            return method(*args)
        except TimeoutError:
            raise RequestTimeout("the request body stopped arriving") from None

    def read(self, *args):
        return self._call(self._stream.read, *args)

    def readline(self, *args):
        return self._call(self._stream.readline, *args)

    def readlines(self, *args):
        return self._call(self._stream.readlines, *args)

    def __iter__(self):
        return iter(self.readline, b"")
