"""Our flavour of flask-smorest: one place for cross-cutting API behaviour."""
import functools
import json

import flask_smorest
import marshmallow as ma
import orjson
from flask import after_this_request
from flask.json.provider import DefaultJSONProvider
from flask_jwt_extended import current_user, verify_jwt_in_request
from webargs.flaskparser import FlaskParser, is_json_request

from .compression import make_conditional
from .errors import ApiError, ErrorSchema, http_exception_response


# No request of ours nests deeper than a geofence (about 5 levels); 64 leaves room and
# keeps every later walk of the value (validation, storage, logging) far from recursion limits.
MAX_JSON_DEPTH = 64


def loads_bounded(data):
    """``json.loads`` that refuses nesting deeper than :data:`MAX_JSON_DEPTH`.

    Refusals are ``json.JSONDecodeError`` (a ``ValueError``) with a non-empty ``doc``
    (webargs reads an empty one as "no body"), which every caller already
    treats as "not JSON": webargs answers 400 ``invalid_json`` and ``get_json(silent=True)``
    returns None. The decoder's own ``RecursionError`` (thousands of levels) is turned
    into the same refusal instead of a 500.
    """
    if isinstance(data, (bytes, bytearray)):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise json.JSONDecodeError(f"not UTF-8: {exc.reason}", "<bytes>", exc.start) from exc
    try:
        value = json.loads(data)
    except RecursionError:
        raise json.JSONDecodeError(f"nested deeper than {MAX_JSON_DEPTH} levels", data, 0) from None
    if _depth_exceeds(value, MAX_JSON_DEPTH):
        raise json.JSONDecodeError(f"nested deeper than {MAX_JSON_DEPTH} levels", data, 0)
    return value


def _depth_exceeds(value, limit):
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, written by orjson; :func:`loads_bounded` for ``request.get_json``.

    orjson writes answers the way the standard library wrote them (compact, keys in
    the order given, UTF-8 as it is, a final newline); it is several times faster on a
    list page. Two differences, both in floats and both still valid JSON: a float may be
    spelled otherwise (``0.00001`` for ``1e-05``), and NaN or an infinity is ``null``
    (the standard library wrote ``NaN``, which JSON parsers refuse). Our answers' floats
    (percentages, minutes, ratings) are finite and rounded, so bodies, and the weak ETags
    hashed from them, are the same as before. Dates, Decimals and the rest go through Flask's ``default`` as before
    (datetimes too: ``OPT_PASSTHROUGH_DATETIME``). What orjson refuses and the
    standard library accepts (integers over 64 bits, non-string keys, lone
    surrogates) is written by the standard library, so nothing that worked fails.
    """

    def _orjson(self, obj, indent=False):
        """``obj`` as JSON bytes, or None where only the standard library can write it (or ASCII is asked for)."""
        if self.ensure_ascii:
            return None
        option = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
        if self.sort_keys:
            option |= orjson.OPT_SORT_KEYS
        if indent:
            option |= orjson.OPT_INDENT_2
        try:
            return orjson.dumps(obj, default=self.default, option=option)
        except (orjson.JSONEncodeError, TypeError):
            return None

    def dumps(self, obj, **kwargs):
        data = None if kwargs else self._orjson(obj)
        return super().dumps(obj, **kwargs) if data is None else data.decode("utf-8")

    def response(self, *args, **kwargs):
        obj = self._prepare_response_obj(args, kwargs)
        data = self._orjson(obj, indent=(self.compact is None and self._app.debug) or self.compact is False)
        if data is None:
            return super().response(*args, **kwargs)
        return self._app.response_class(data + b"\n", mimetype=self.mimetype)

    def loads(self, s, **kwargs):
        return loads_bounded(s)


class ArgumentsParser(FlaskParser):
    """webargs' parser, reading JSON bodies with :func:`loads_bounded`."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return ma.missing
        return loads_bounded(req.get_data(cache=True))


UPGRADE_REQUIRED = ("upgrade_required: the app's X-App-Version is below its X-App-Platform's minimum "
                    "(details: platform, min_version, latest_version)")


class Api(flask_smorest.Api):
    """Answers every HTTP error with the API's one error envelope."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        return http_exception_response(error)


class Schema(ma.Schema):
    """Base schema: unknown fields are refused, field order is kept."""

    class Meta:
        unknown = ma.RAISE


class Output(ma.Schema):
    """Base of the schemas of answers: every field is in every answer (null when it has no value),
    so each is listed as ``required`` in the OpenAPI document and a generated model types it as
    always present (``Person?``, not "maybe unset"). A field left out of some answers is named
    in ``SOMETIMES_ABSENT`` and stays optional."""

    SOMETIMES_ABSENT = ()

    def on_bind_field(self, field_name, field_obj):
        super().on_bind_field(field_name, field_obj)
        if field_name not in self.SOMETIMES_ABSENT and not field_obj.load_only:
            field_obj.required = True


def require_role(user, *roles, company_wide=False):
    """The role test of :meth:`Blueprint.login_required`: 403 unless ``user`` has one of ``roles``
    (any role when none given) and, with ``company_wide``, an empty office and department scope.
    The staff console guards its views with it too, so the rule is written once."""
    if roles and user.role not in roles:
        raise ApiError(403, "forbidden", "your role may not do this")
    if company_wide and not user.is_company_wide:
        raise ApiError(403, "forbidden", "only a company-wide administrator may do this")


class Blueprint(flask_smorest.Blueprint):
    """A smorest blueprint that also knows who may call each view."""

    ARGUMENTS_PARSER = ArgumentsParser()

    def login_required(self, *roles, refresh=False, company_wide=False):
        """Require a valid token (and one of ``roles`` when given) for the view.

        ``company_wide`` also requires an empty office and department scope:
        what the whole company shares (offices, categories, SLA) is managed by
        company-wide administrators only. Documents the bearer scheme and the
        401/403 answers in OpenAPI.
        """

        def decorator(func):
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                verify_jwt_in_request(refresh=refresh)
                require_role(current_user, *roles, company_wide=company_wide)
                return func(*args, **kwargs)

            wrapper = self.doc(security=[{"refreshToken" if refresh else "bearerAuth": []}])(wrapper)
            wrapper = self.alt_response(401, schema=ErrorSchema, description="Not signed in")(wrapper)
            wrapper = self.alt_response(426, schema=ErrorSchema, description=UPGRADE_REQUIRED)(wrapper)
            if roles or company_wide:
                wrapper = self.alt_response(403, schema=ErrorSchema, description="Role not allowed")(wrapper)
            return wrapper

        return decorator

    ERROR_DESCRIPTIONS = {
        400: "bad_request / invalid_json",
        403: "forbidden",
        404: "not_found (missing, or not visible to you)",
        409: "conflict / invalid_transition",
        412: "precondition_failed: If-Match is stale",
        413: "payload_too_large",
        415: "unsupported_media_type",
        428: "precondition_required: send If-Match",
        429: "rate_limited (Retry-After set)",
        503: "unavailable: a dependency is down, retry later",
    }

    def errors(self, *statuses):
        """Document the error answers a view gives, all in the error envelope."""

        def decorator(func):
            for status in statuses:
                func = self.alt_response(status, schema=ErrorSchema,
                                         description=self.ERROR_DESCRIPTIONS.get(status, "error"))(func)
            return func

        return decorator

    def conditional(self, func):
        """The GET answers an ``ETag`` and, to ``If-None-Match`` with the current tag, 304 without a body.

        Goes above ``response``; the tag is the view's own (``set_etag``) or
        else one werkzeug derives from the body (see ``compression.make_conditional``).
        """

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            result = func(*args, **kwargs)
            after_this_request(make_conditional)  # after the view's own hooks, which may set the tag
            return result

        wrapper = self.header("If-None-Match", "an ETag you hold: 304 when it is still current")(wrapper)
        return self.alt_response(304, description="Not Modified: the ETag you sent is current; no body",
                                 headers={"ETag": {"schema": {"type": "string"}}})(wrapper)

    def header(self, name, description, required=False):
        """Document a request header the view reads."""
        return self.doc(parameters=[{"in": "header", "name": name, "required": required,
                                     "description": description, "schema": {"type": "string"}}])
