"""Gunicorn settings (Render and `make run`); each can be overridden on the command line.

The access log names the request id and leaves out query strings, which can
carry coordinates (``/offices/route?lat=..&lon=..``) (PRIVACY.md P8).
"""
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104 - Render routes to 0.0.0.0:$PORT
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = 2000  # recycle workers now and then: bounded memory over weeks of uptime
max_requests_jitter = 200
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'
