"""Request ids and logging: every response carries ``X-Request-ID`` and every
log line names the request it belongs to."""
import logging
import re
import sys
import uuid

from flask import g, has_request_context, request

from .log_redaction import RedactingFilter

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def current_request_id():
    if has_request_context():
        return getattr(g, "request_id", "-")
    return "-"


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id()
        return True


class StdoutHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is now (gunicorn, tests and CLIs swap it)."""
    def __init__(self):
        super().__init__()

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value):
        pass


def configure_logging(app):
    """Log to stdout, one line a record, each with the request id."""
    handler = StdoutHandler()
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_santrade", False)]:
        root.removeHandler(old)
    handler._santrade = True
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    app.logger.handlers.clear()
    app.logger.propagate = True


def init_app(app):
    @app.before_request
    def _assign_request_id():
        given = request.headers.get(REQUEST_ID_HEADER, "")
        # A client's id is echoed only when it is safe to put in a header and a log line.
        g.request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def _echo_request_id(response):
        response.headers[REQUEST_ID_HEADER] = current_request_id()
        return response
