"""Gunicorn settings (Render and `make run`); each can be overridden on the command line.

The access log names the request id and leaves out query strings, which can
carry coordinates (``/offices/route?lat=..&lon=..``) (PRIVACY.md P8).

Workers are threaded (``gthread``): a request waiting on PostgreSQL or the
object store holds one thread, not the whole worker, so ``/healthz`` and other
requests keep being answered, and a slow upload does not block its worker.
Every wait inside a request is bounded well below ``timeout`` (database:
``DB_CONNECT_TIMEOUT`` + ``DB_STATEMENT_TIMEOUT`` + 2 s; store:
``S3_READ_TIMEOUT`` per call, one attempt) and ends in 503 JSON.
gunicorn's own refusals (414, 431, 400, 500) are answered as JSON too, and a
client that stops sending its body gets a JSON 408 after ``timeout`` seconds
of silence (``pre_request``).
"""
import os

from service_app import gunicorn_errors

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104 - Render routes to 0.0.0.0:$PORT
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = 2000  # recycle workers now and then: bounded memory over weeks of uptime
max_requests_jitter = 200
limit_request_line = 8190  # gunicorn's maximum; longer lines get a JSON 414
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'

gunicorn_errors.install()


def pre_request(worker, req):
    """A client that stops sending its body frees its thread after ``timeout`` seconds of silence.

    gthread never times out a read by itself: a client that sent headers and then
    nothing held a thread for ever. The socket gets a timeout per read (not for
    the whole body, so a slow upload that keeps sending is unaffected); the app
    answers a read that runs into it with 408 JSON (``StalledBodyTimeout``).
    """
    sock = getattr(req.unreader, "sock", None)
    if sock is not None:
        sock.settimeout(timeout)
