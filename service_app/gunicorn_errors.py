"""JSON answers for what gunicorn refuses before the application sees it.

gunicorn answers a request line over ``limit_request_line`` (414), too many or
too large headers (431), malformed requests (400) and an application crash
that escaped Flask (500) with its own HTML page. Clients of this API expect
the error envelope everywhere, so the page writer is replaced by one that
sends the envelope (API.md) with the same status. gunicorn's own detail
(which can quote the client's bytes) goes to its log, not back to the client.
The request was not understood, so neither its user nor its ``Accept-Language``
is known: the message is in the default language (``ru``).
"""
import json

from gunicorn import util

from .i18n import DEFAULT_LANGUAGE, translate

CODES = {
    400: ("bad_request", "the request is malformed"),
    403: ("forbidden", "the request is refused"),
    414: ("uri_too_long", "the request line is longer than the limit"),
    417: ("expectation_failed", "the Expect header is not supported"),
    431: ("headers_too_large", "the request headers are larger than the limit"),
    500: ("internal_error", "internal error"),
    501: ("not_implemented", "the transfer coding is not supported"),
}


def json_error_page(status_int, reason):
    """The raw HTTP response gunicorn writes for a refused request."""
    code, message = CODES.get(status_int, ("error", reason.lower()))
    message = translate(message, DEFAULT_LANGUAGE)
    body = json.dumps({"error": {"code": code, "message": message, "details": None}}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Language: {DEFAULT_LANGUAGE}\r\nContent-Length: {len(body)}\r\n\r\n").encode("latin-1")
    return head + body


def install():
    """Make gunicorn's error pages JSON (called from gunicorn.conf.py, before workers fork)."""
    def write_error(sock, status_int, reason, mesg):
        util.write_nonblock(sock, json_error_page(status_int, reason))

    util.write_error = write_error
