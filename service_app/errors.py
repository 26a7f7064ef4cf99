"""One error envelope for every source: validation, aborts, JWT, database, crashes.

``{"error": {"code", "message", "details"}}`` (API.md). Services raise
``ApiError``; everything else is translated here.
"""
import io
import json
import logging
import math
import time

import marshmallow as ma
from flask import jsonify
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger(__name__)

# Default machine-readable codes for plain HTTP errors.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    428: "precondition_required",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "validation_error"})
    message = ma.fields.String(required=True)
    details = ma.fields.Dict(allow_none=True)


class ErrorSchema(ma.Schema):
    """The error envelope of every non-2xx answer."""

    error = ma.fields.Nested(ErrorBodySchema, required=True)


class ApiError(Exception):
    """An expected failure with its HTTP status, code and message for the client."""

    def __init__(self, status, code, message, details=None, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}


def invalid(field, message, code="validation_error"):
    """A 422 about one field: ``{field}: {message}`` with ``details`` ``{field: [message]}``."""
    return ApiError(422, code, f"{field}: {message}", {field: [message]})


# How long a client should wait before retrying when a dependency is down (503 Retry-After).
DATABASE_RETRY_SECONDS = 5
PHOTO_RETRY_SECONDS = 10  # photo storage, or the image decoder
SMS_RETRY_SECONDS = 30


def retry_after(seconds):
    """The ``Retry-After`` header of a 503, as ``headers=`` takes it."""
    return {"Retry-After": str(seconds)}


def error_response(status, code, message, details=None, headers=None):
    body = {"error": {"code": code, "message": message, "details": details}}
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _flatten_messages(messages):
    """Turn webargs' ``{location: {field: [...]}}`` into ``{field: [...]}``."""
    flat = {}
    for location, fields in (messages or {}).items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def _first_message(details):
    """A one-line summary such as ``title: shorter than 3 characters``."""
    for field, value in details.items():
        while isinstance(value, dict):
            if not value:
                break
            field, value = f"{field}.{next(iter(value))}", next(iter(value.values()))
        if isinstance(value, list) and value:
            value = value[0]
        label = "body" if field == "_schema" else field
        return f"{label}: {value}"
    return "invalid input"


def http_exception_response(error):
    """Envelope for werkzeug HTTP errors, including webargs validation aborts."""
    status = error.code or 500
    code = HTTP_CODES.get(status, "error")
    message = error.description or error.name
    details = None
    headers = {}
    data = getattr(error, "data", None) or {}
    if "messages" in data:
        details = _flatten_messages(data["messages"])
        if status == 400 and details.get("json") == ["Invalid JSON body."]:
            code, message, details = "invalid_json", "the body is not valid JSON", None
        else:
            message = _first_message(details)
    if "headers" in data:
        headers.update(data["headers"] or {})
    if status == 405:
        message = "method not allowed on this path"
    elif status == 404:
        message = "not found"
    elif status == 413:
        message = "the body is larger than the limit"
    elif status == 429:
        message = f"too many attempts, retry later ({error.description})"
        headers.setdefault("Retry-After", _seconds_until_limit_resets())
    elif status >= 500:
        message = "internal error"
    response = error_response(status, code, message, details, headers)
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _seconds_until_limit_resets():
    from .extensions import limiter

    current = limiter.current_limit
    if current is None:
        return "60"
    return str(max(1, math.ceil(current.reset_at - time.time())))


def handle_api_error(error):
    return error_response(error.status, error.code, error.message, error.details, error.headers)


def handle_integrity_error(error):
    from .extensions import db

    db.session.rollback()
    log.warning("integrity error: %s", type(error.orig).__name__)
    return error_response(409, "conflict", "the change conflicts with existing data")


def handle_data_error(error):
    """A value the database cannot hold (out of range, too long) that validation let through."""
    from .extensions import db

    db.session.rollback()
    log.warning("data error: %s", type(error.orig).__name__)
    return error_response(422, "validation_error", "a value is out of range or too long for the field")


def handle_database_down(error):
    from .extensions import db

    db.session.rollback()
    log.error("database unavailable: %s", type(error).__name__)
    return error_response(503, "unavailable", "the database is unavailable, retry later",
                          headers=retry_after(DATABASE_RETRY_SECONDS))


def handle_pool_timeout(error):
    """Every pooled connection is busy (the database is slow or hung): retry later."""
    log.error("no database connection free within the pool timeout")
    return error_response(503, "unavailable", "the database is busy, retry later",
                          headers=retry_after(DATABASE_RETRY_SECONDS))


def handle_storage_down(error):
    """A store failure a caller did not translate itself still answers 503, never 500."""
    log.error("storage unavailable: %s", error)
    return error_response(503, "unavailable", "photo storage is unavailable, retry later",
                          headers=retry_after(PHOTO_RETRY_SECONDS))


def handle_unexpected(error):
    from .extensions import db

    log.exception("unhandled error")
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - a broken session must not mask the 500
        log.exception("rollback after an unhandled error failed")
    return error_response(500, "internal_error", "internal error")


def register_error_handlers(app):
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(OperationalError, handle_database_down)
    app.register_error_handler(PoolTimeout, handle_pool_timeout)
    from service_requests.storage import StorageUnavailable

    app.register_error_handler(StorageUnavailable, handle_storage_down)
    app.register_error_handler(DBAPIError, _dbapi_error)
    app.register_error_handler(Exception, handle_unexpected)
    _register_jwt_handlers()
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, app.config.get("MAX_CONTENT_LENGTH"))


def _dbapi_error(error):
    if getattr(error, "connection_invalidated", False):
        return handle_database_down(error)
    return handle_unexpected(error)


def _register_jwt_handlers():
    from .extensions import jwt

    @jwt.unauthorized_loader
    def _missing(reason):
        return error_response(401, "unauthorized", "a bearer token is required")

    @jwt.invalid_token_loader
    def _invalid(reason):
        return error_response(401, "invalid_token", f"the token is not valid: {reason}")

    @jwt.expired_token_loader
    def _expired(header, payload):
        return error_response(401, "token_expired", "the token has expired")

    @jwt.revoked_token_loader
    def _revoked(header, payload):
        return error_response(401, "token_revoked", "the token has been revoked")

    @jwt.user_lookup_error_loader
    def _no_user(header, payload):
        return error_response(401, "token_revoked", "the account behind this token is not active")

    @jwt.needs_fresh_token_loader
    def _needs_fresh(header, payload):
        return error_response(401, "invalid_token", "a fresh token is required")


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
            body = json.dumps({"error": {"code": "payload_too_large", "message": "the body is larger than the limit",
                                         "details": None}}).encode()
            start_response("413 Request Entity Too Large", [
                ("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        environ["wsgi.input"] = io.BytesIO(bytes(data))
        environ["CONTENT_LENGTH"] = str(len(data))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ.pop("wsgi.input_terminated", None)
        return self.wsgi_app(environ, start_response)
