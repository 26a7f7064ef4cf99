"""Start-up check of where the rate limits are counted."""
import logging
import os
import sys

log = logging.getLogger(__name__)


def process_count():
    """How many processes serve the app: ``WEB_CONCURRENCY``, else gunicorn.conf.py's default of 2 under gunicorn."""
    value = os.environ.get("WEB_CONCURRENCY")
    if value:
        try:
            return int(value)
        except ValueError:
            return 1
    return 2 if "gunicorn.arbiter" in sys.modules else 1


def warn_if_split(app):
    """Warn when ``memory://`` counters are kept per process: each worker counts on its own,
    so every limit (sign-in failures included) is multiplied by the number of workers."""
    uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    workers = process_count()
    if app.config.get("RATELIMIT_ENABLED", True) and uri.startswith("memory://") and workers > 1:
        log.warning("RATELIMIT_STORAGE_URI is memory:// with %d worker processes: each keeps its own counters, "
                    "so every rate limit is %d times looser; set RATELIMIT_STORAGE_URI=redis://...",
                    workers, workers)
