"""Helpers shared by the dashboard and the administration pages (not a page itself).

Input is loaded through the API's own marshmallow schemas (``load``, ``query_args``),
so every rule about what is valid stays in one place; a refusal becomes the same
422 ``ApiError`` the API answers, shown by ``console.web`` as an error page.
``allowed`` repeats nothing: it asks the same role and ``company_wide`` test
(``service_app.api.require_role``) as ``Blueprint.login_required`` on the API route the
action mirrors.
"""
import functools

import marshmallow as ma
from flask import current_app, g, request, url_for
from webargs.multidictproxy import MultiDictProxy

from service_app import i18n
from service_app.api import require_role
from service_app.errors import ApiError


def _flatten(messages, prefix=""):
    if isinstance(messages, dict):
        out = []
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_flatten(value, name))
        return out
    if isinstance(messages, list):
        out = []
        for item in messages:
            out.extend(_flatten(item, prefix))
        return out
    text = i18n.translate(str(messages), g.get("lang", "en"))
    return [f"{prefix}: {text}" if prefix else text]


def validation_error(error):
    """A marshmallow refusal as the API's 422 (its messages in one readable line)."""
    parts = _flatten(error.messages)
    return ApiError(422, "validation_error", "; ".join(parts) or "invalid input")


def load(schema, data):
    try:
        return schema.load(data)
    except ma.ValidationError as error:
        raise validation_error(error) from None


def query_args(schema, keys=None):
    """The query string loaded as the API loads it (repeated arguments as lists); empty
    values (a form's "all" choice) are left out, and only ``keys`` when given."""
    args = request.args.copy()
    for key in list(args.keys()):
        values = [v for v in args.getlist(key) if v != ""]
        if not values or (keys is not None and key not in keys):
            args.pop(key)
        else:
            args.setlist(key, values)
    return load(schema, MultiDictProxy(args, schema))


def allowed(*roles, company_wide=False):
    """Whether the signed-in user passes the API route's ``login_required(*roles, company_wide=...)``."""
    try:
        require_role(g.user, *roles, company_wide=company_wide)
    except ApiError:
        return False
    return True


def require(*roles, company_wide=False):
    """Raise the API's 403 when ``allowed`` says no (``service_app.api.require_role``)."""
    require_role(g.user, *roles, company_wide=company_wide)


def requires(*roles, company_wide=False):
    """A view guarded as the API route with ``login_required(*roles, company_wide=...)``."""

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            require(*roles, company_wide=company_wide)
            return func(*args, **kwargs)
        return wrapper
    return decorator


def queue_url(query):
    """The console's queue with the API list's query string (``/api/v1/requests?...`` -> here)."""
    base = url_for("console.queue") if "console.queue" in current_app.view_functions else "/console/requests"
    return f"{base}?{query}" if query else base

