"""Where the rate limits are counted (a start-up check), and the sign-in's limits."""
import logging
import os
import sys

from flask import current_app, request
from flask_limiter.util import get_remote_address

from ..extensions import limiter

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


# --- the sign-in limits, one bucket whichever door ----------------------------------------------

# Scopes of the shared limits: the API's POST /auth/login and the console's sign-in count in the
# same buckets, so the documented number of guesses is the number, not once per door.
ACCOUNT_SCOPE = "sign-in:account"
ADDRESS_SCOPE = "sign-in:address"


def login_name():
    """The login named by a sign-in, as a throttle key: the JSON body's (the API) or the form's (the
    console), stripped and lower-cased as the sign-in reads it, in hex of its UTF-8 (so a lone
    surrogate or a NUL, refused later by the schema, cannot break the limiter's storage)."""
    body = request.get_json(silent=True) if request.is_json else None
    login = body.get("login") if isinstance(body, dict) else request.form.get("login")
    if not login:
        return None
    return str(login).strip().lower()[:64].encode("utf-8", "surrogatepass").hex()


def account_address_key():
    """Throttle key for sign-in failures: the account *and* the address they come from.

    A key on the account alone let anyone lock every administrator out with ten
    wrong passwords; with the address in it, failures from elsewhere never
    refuse the owner's right password. Guessing from many addresses is slowed
    by Argon2 and bounded per address by ``LOGIN_LIMIT_PER_IP``.
    """
    return f"login:{login_name() or '-'}@{get_remote_address()}"


def failed(response):
    """Only failures count (a wrong login or password answers 401 at either door)."""
    return response.status_code == 401


def sign_in_limits(view):
    """``LOGIN_LIMIT_PER_ACCOUNT`` per login and address and ``LOGIN_LIMIT_PER_IP`` per address,
    failures only, shared by every sign-in door (``limiter.shared_limit``: the scope, not the
    endpoint, names the bucket)."""
    view = limiter.shared_limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], ADDRESS_SCOPE,
                                deduct_when=failed)(view)
    return limiter.shared_limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], ACCOUNT_SCOPE,
                                key_func=account_address_key, deduct_when=failed)(view)
