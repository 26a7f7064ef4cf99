"""The console's plumbing: its blueprint, who is signed in, CSRF, language, errors.

Every page module registers its views on ``bp`` and calls the domain packages'
service functions with ``g.user`` (the same functions the API's views call, so no
rule is written twice). Before each view:

- the session cookie is read (``service_app.auth.web_sessions``); without a live
  session a page redirects to the sign-in (an htmx call gets ``HX-Redirect``);
- only administrators and managers get in: an account that became an employee is
  signed out;
- a change (any method but GET/HEAD/OPTIONS) must carry the session's CSRF token,
  in the form field ``csrf_token`` or the ``X-CSRF-Token`` header (htmx sends the
  header, set once on ``<body hx-headers>``); without it: 403 and nothing changes;
- the sign-in, which has no session yet, carries a token bound to a pre-session cookie
  (``login_csrf_token``, checked by the sign-in with ``login_csrf_matches``): without it a
  page elsewhere could post the form with its own account and sign the victim's browser
  in to it (login CSRF). SameSite does not stop that: the attacker needs no cookie of the
  victim, the answer's Set-Cookie is enough, and another port of the same host is the
  same site;
- ``flask_jwt_extended.current_user`` is made to answer the signed-in user, so the
  API's schemas and services that read it work unchanged.

Texts: ``console.messages`` (gettext in the reader's language, ``g.lang``).

Errors: a service's ``ApiError`` becomes a page (or, for htmx, a fragment) with the
same status and the message in the reader's language. The console answers HTML: it
is a browser's pages, not the API (whose errors stay JSON).
"""
import functools
import hashlib
import hmac
import json
import secrets
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import (Blueprint, current_app, g, redirect, render_template, request, url_for)
from flask_limiter.errors import RateLimitExceeded
from jinja2.utils import htmlsafe_json_dumps
from werkzeug.exceptions import HTTPException

from service_app import i18n
from service_app.api import require_role
from service_app.auth import web_sessions
from service_app.errors import ApiError
from service_app.extensions import api, db
from service_app.vocabulary import DEFAULT_LANGUAGE, DEFAULT_TIMEZONE, LANGUAGES, STAFF_ROLES, in_language

from . import messages
from .messages import _

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static", static_url_path="/static")

COOKIE = "santrade_console"
LOGIN_COOKIE = "santrade_console_login"  # the sign-in form's pre-session cookie
LOGIN_COOKIE_PATH = "/console/login"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
OPEN_ENDPOINTS = {"console.static", "console.login", "console.sign_in"}


def cookie_secure():
    """Secure cookies wherever the service forces HTTPS (production does by default)."""
    return bool(current_app.config["FORCE_HTTPS"])


def set_session_cookie(response, token):
    response.set_cookie(COOKIE, token, httponly=True, samesite="Lax", secure=cookie_secure(), path="/console")
    return response


def clear_session_cookie(response):
    response.delete_cookie(COOKIE, path="/console", httponly=True, samesite="Lax", secure=cookie_secure())
    return response


def _login_nonce():
    """This browser's pre-session nonce: the one made for this answer, else its cookie's when it
    looks like one (``secrets.token_urlsafe(32)``), else None."""
    if g.get("new_login_nonce"):
        return g.new_login_nonce
    value = request.cookies.get(LOGIN_COOKIE) or ""
    if len(value) == 43 and value.isascii() and all(c.isalnum() or c in "-_" for c in value):
        return value
    return None


def _login_digest(nonce):
    key = str(current_app.config["SECRET_KEY"]).encode("utf-8", "surrogatepass")
    return hmac.new(key, b"console sign-in:" + nonce.encode(), hashlib.sha256).hexdigest()


def login_csrf_token():
    """The sign-in form's CSRF token: an HMAC (``SECRET_KEY``) of this browser's pre-session
    nonce, which a cookie holds (HttpOnly, SameSite=Lax, for the sign-in's path only). A browser
    without one gets one with this answer, so every open sign-in tab shares it."""
    nonce = _login_nonce()
    if nonce is None:
        nonce = g.new_login_nonce = secrets.token_urlsafe(32)
    return _login_digest(nonce)


def login_csrf_matches():
    """Whether the posted sign-in carries the token of this browser's own pre-session cookie: a
    form posted from elsewhere has none, or another browser's (constant-time)."""
    nonce = _login_nonce()
    sent = request.form.get("csrf_token") or ""
    return bool(nonce and sent) and hmac.compare_digest(sent.encode("utf-8", "surrogatepass"),
                                                        _login_digest(nonce).encode())


def clear_login_cookie(response):
    """The pre-session cookie goes once signed in (the next sign-in form makes a new one)."""
    response.delete_cookie(LOGIN_COOKIE, path=LOGIN_COOKIE_PATH, httponly=True, samesite="Lax",
                           secure=cookie_secure())
    return response


@bp.after_request
def _set_login_cookie(response):
    if g.get("new_login_nonce"):
        response.set_cookie(LOGIN_COOKIE, g.new_login_nonce, httponly=True, samesite="Lax", secure=cookie_secure(),
                            path=LOGIN_COOKIE_PATH)
    return response


def _act_as(signed):
    """Make ``flask_jwt_extended.current_user`` (read by the API's schemas) the console's user."""
    g._jwt_extended_jwt = {"sub": str(signed.user.id), "sid": signed.auth_session_id, "type": "console"}
    g._jwt_extended_jwt_user = {"loaded_user": signed.user}


def _to_sign_in():
    target = url_for("console.login", next=request.full_path.rstrip("?") if request.method == "GET" else None)
    if request.headers.get("HX-Request"):
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, code=303)


@bp.before_request
def _load_session():
    g.signed = None
    g.user = None
    g.lang = _browser_language()
    if request.endpoint in ("console.static",):
        return None
    signed = web_sessions.read_session(request.cookies.get(COOKIE))
    if signed is not None and signed.user.role not in STAFF_ROLES:
        web_sessions.close_session(signed)
        signed = None
    if signed is not None:
        g.signed, g.user = signed, signed.user
        g.lang = signed.language if signed.language in LANGUAGES else DEFAULT_LANGUAGE
        _act_as(signed)
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if signed is None:
        return _to_sign_in()
    if request.method not in SAFE_METHODS:
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token")
        if not web_sessions.csrf_matches(signed, sent):
            return page_error(403, _("This form has expired. Reload the page and try again."))
    return None


@bp.after_request
def _no_store(response):
    if request.endpoint != "console.static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _browser_language():
    return i18n.language_from_header(request.headers.get("Accept-Language")) or DEFAULT_LANGUAGE


def localized(value):
    """A LocalizedText (``{"ru", "kk", "en"}``) or plain string, in the reader's language
    (``service_app.vocabulary.in_language``: the one fallback order)."""
    return in_language(value, g.get("lang", DEFAULT_LANGUAGE))


def zone(name=None):
    try:
        return ZoneInfo(name or current_app.config["REPORT_TIMEZONE"])
    except (KeyError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def local_time(value, timezone=None, fmt="%Y-%m-%d %H:%M"):
    """A UTC timestamp (datetime or ISO string) in ``timezone`` (an office's), else REPORT_TIMEZONE."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        from datetime import datetime
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value.astimezone(zone(timezone)).strftime(fmt)


def csrf_token():
    return g.signed.csrf_token if g.get("signed") else ""


def json_data(value):
    """``value`` as JSON safe inside ``<script type="application/json">`` (data, never run)."""
    return htmlsafe_json_dumps(value, dumps=functools.partial(json.dumps, ensure_ascii=False, default=str))


def check_next(target):
    """400, before anything is done, for a ``next`` no address can hold (a CR or LF would end the
    redirect's header: the sign-in was once committed and then answered 500)."""
    if target and any(ord(c) < 32 or ord(c) == 127 for c in target):
        raise ApiError(400, "bad_request", "next: must not contain control characters (a line break, a tab...)")
    return target


def safe_next(target):
    """A post-sign-in destination inside the console only (no open redirect)."""
    if not target:
        return url_for("console.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console") or "\\" in target:
        return url_for("console.home")
    return target


def render(template, status=200, **context):
    return render_template(template, **context), status


def page_error(status, message):
    """An error as a page, or as a fragment for an htmx call (``HX-Reswap`` shows it in place)."""
    if request.headers.get("HX-Request"):
        response = current_app.response_class(render_template("_error_fragment.html", status=status,
                                                              message=message), status=status)
        response.headers["HX-Retarget"] = "#flash"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return render_template("error.html", status=status, message=message), status


@bp.errorhandler(ApiError)
def _api_error(error):
    db.session.rollback()
    message = i18n.translate(error.message, g.get("lang", DEFAULT_LANGUAGE))
    details = error.details if isinstance(error.details, dict) else {}
    if details:
        parts = [f"{key}: {i18n.translate(value, g.get('lang', DEFAULT_LANGUAGE))}"
                 for key, value in details.items() if isinstance(value, str)]
        if parts:
            message = message + " (" + "; ".join(parts) + ")"
    return page_error(error.status, message)


@bp.errorhandler(RateLimitExceeded)
def _rate_limited(error):
    return page_error(429, _("Too many attempts. Wait a few minutes and try again."))


def staff_only(*roles):
    """A view for these roles only (both staff roles when none given: every console user is staff);
    others get the API's 403 (``service_app.api.require_role``)."""

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            require_role(g.user, *roles)
            return func(*args, **kwargs)
        return wrapper
    return decorator


def _nav():
    """The console's sections: (endpoint, title, roles that see it; None: both staff roles)."""
    return (("console.queue", _("Queue"), None), ("console.dashboard", _("Dashboard"), None),
            ("console.offices_map", _("Offices map"), None), ("console.rooms", _("Rooms and QR"), None),
            ("console.notices", _("Notices"), None), ("console.users", _("Users"), ("administrator",)),
            ("console.categories", _("Categories"), None), ("console.sla", _("SLA targets"), None),
            ("console.assignment_rules", _("Assignment rules"), None))


@bp.app_template_global()
def nav_items():
    """The sections the reader may open, as ``(endpoint, title)`` (users: administrators only, as in the API)."""
    role = g.user.role if g.get("user") is not None else None
    return [(endpoint, title) for endpoint, title, roles in _nav()
            if endpoint in current_app.view_functions and (roles is None or role in roles)]


def _in_console():
    return request.path == bp.url_prefix or request.path.startswith(bp.url_prefix + "/")


def _http_error(error):
    """werkzeug's HTTP errors (no route for the path, as ``/console/requests/0``, or the method; a
    body too large) as a console page under /console; elsewhere the API's envelope as before.
    Routing errors reach no blueprint handler, so this one is the app's."""
    if not _in_console():
        return api.handle_http_exception(error)
    if "lang" not in g:
        g.lang = _browser_language()
    status = error.code or 500
    message = HTTP_MESSAGES.get(status) or error.name
    return page_error(status, i18n.translate(message, g.lang))


# The API's own words for these errors (``service_app.errors.http_exception_response``).
HTTP_MESSAGES = {404: "not found", 405: "method not allowed on this path", 413: "the body is larger than the limit"}


def init_app(app):
    app.jinja_env.globals.update(_=messages.gettext, gettext=messages.gettext, pgettext=messages.pgettext,
                                 ngettext=messages.ngettext, npgettext=messages.npgettext, label=messages.label,
                                 LANGUAGE_NAMES=messages.LANGUAGE_NAMES, localized=localized, local_time=local_time,
                                 csrf_token=csrf_token, login_csrf_token=login_csrf_token, json_data=json_data,
                                 LANGUAGES=LANGUAGES)
    app.jinja_env.globals.update({name: getattr(messages, name) for name in messages.LABELS})
    app.register_error_handler(HTTPException, _http_error)
