"""The error envelope: ``{"error": {"code", "message", "details"}}`` (API.md).

Services raise ``ApiError``; views and schemas document ``ErrorSchema``. This
module only shapes answers and imports nothing of the app but the message
catalogue (``service_app.i18n``), so any module may import it; the handlers that
translate other exceptions into it are registered by ``service_app.error_handlers``
when an app is built.

Messages are written in English everywhere; :func:`error_response` puts ``message``
and the messages in ``details`` into the caller's language (``service_app.i18n``).
"""
import marshmallow as ma
from flask import jsonify
from sqlalchemy import exc as sa_exc

from . import i18n

# Default machine-readable codes for plain HTTP errors.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
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
    details = ma.fields.Dict(required=True, allow_none=True)


class ErrorResponseSchema(ma.Schema):
    """The error envelope of every non-2xx answer (``ErrorResponse`` in the OpenAPI document)."""

    error = ma.fields.Nested(ErrorBodySchema, required=True)


ErrorSchema = ErrorResponseSchema


class ApiError(Exception):
    """An expected failure with its HTTP status, code and message for the client."""

    def __init__(self, status, code, message, details=None, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}


def envelope(code, message, details=None):
    """The body of an error answer."""
    return {"error": {"code": code, "message": message, "details": details}}


def invalid(field, message, code="validation_error"):
    """A 422 about one field: ``{field}: {message}`` with ``details`` ``{field: [message]}``."""
    return ApiError(422, code, f"{field}: {message}", {field: [message]})


# How long a client should wait before retrying when a dependency is down (503 Retry-After).
DATABASE_RETRY_SECONDS = 5
DATABASE_UNAVAILABLE = "the database is unavailable, retry later"
PHOTO_RETRY_SECONDS = 10  # photo storage, or the image decoder
SMS_RETRY_SECONDS = 30


class DependencyUnavailable(Exception):
    """A service we depend on (photo storage, the image decoder, ...) could not be reached or
    refused us: the caller should answer 503 with ``Retry-After``. A domain subclasses it with its
    ``message`` (English, translated like every error message) and ``retry_seconds``; a failure a
    caller did not translate itself still answers that 503 (``error_handlers``), never a 500."""

    message = "a service we depend on is unavailable, retry later"
    retry_seconds = DATABASE_RETRY_SECONDS


def database_lost(error):
    """Whether ``error``, or an error it was raised from or while handling, or the one werkzeug's
    500 wraps (``original_exception``: an exception raised inside an error handler), is the
    database failing us: a lost or refused connection or a timeout (``OperationalError``, the
    pool's timeout), or a driver error SQLAlchemy recognised as a disconnect. That answers the
    503 of a database that is down (apps retry it), never a 500."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, (sa_exc.OperationalError, sa_exc.TimeoutError)) or \
                getattr(error, "connection_invalidated", False):
            return True
        error = getattr(error, "original_exception", None) or error.__cause__ or error.__context__
    return False


def retry_after(seconds):
    """The ``Retry-After`` header of a 503, as ``headers=`` takes it."""
    return {"Retry-After": str(seconds)}


def error_response(status, code, message, details=None, headers=None):
    """The error envelope as a response, its messages in the caller's language (``code`` as given)."""
    language = i18n.caller_language()
    message, details = i18n.localize(message, details, language)
    response = jsonify(envelope(code, message, details))
    response.status_code = status
    response.headers["Content-Language"] = language
    response.vary.add("Accept-Language")
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


def validation_error(details):
    """A 422 ``validation_error`` with ``details`` by field, summed up as webargs' refusals are
    (so a check done again outside a view's arguments answers exactly like them)."""
    return ApiError(422, "validation_error", _first_message(details), details)


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


def http_exception_response(error, headers=None):
    """Envelope for werkzeug HTTP errors, including webargs validation aborts.

    A 429 without a ``Retry-After`` in ``headers`` (the rate limiter's handler passes
    the real one) says 60 seconds.
    """
    status = error.code or 500
    code = HTTP_CODES.get(status, "error")
    message = error.description or error.name
    details = None
    headers = dict(headers or {})
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
    elif status == 408:
        message = "the request body stopped arriving"
    elif status == 413:
        message = "the body is larger than the limit"
    elif status == 429:
        message = f"too many attempts, retry later ({error.description})"
        headers.setdefault("Retry-After", "60")
    elif status >= 500 and database_lost(error):
        status, code, message = 503, HTTP_CODES[503], DATABASE_UNAVAILABLE
        headers.update(retry_after(DATABASE_RETRY_SECONDS))
    elif status >= 500:
        message = "internal error"
    response = error_response(status, code, message, details, headers)
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response
