"""Our flavour of flask-smorest: one place for cross-cutting API behaviour."""
import functools

import flask_smorest
import marshmallow as ma
from flask_jwt_extended import current_user, verify_jwt_in_request

from .errors import ApiError, ErrorSchema, http_exception_response


class Api(flask_smorest.Api):
    """Answers every HTTP error with the API's one error envelope."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        return http_exception_response(error)


class Schema(ma.Schema):
    """Base schema: unknown fields are refused, field order is kept."""

    class Meta:
        unknown = ma.RAISE


class Blueprint(flask_smorest.Blueprint):
    """A smorest blueprint that also knows who may call each view."""

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
                if roles and current_user.role not in roles:
                    raise ApiError(403, "forbidden", "your role may not do this")
                if company_wide and not current_user.is_company_wide:
                    raise ApiError(403, "forbidden", "only a company-wide administrator may do this")
                return func(*args, **kwargs)

            wrapper = self.doc(security=[{"bearerAuth": []}])(wrapper)
            wrapper = self.alt_response(401, schema=ErrorSchema, description="Not signed in")(wrapper)
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

    def header(self, name, description, required=False):
        """Document a request header the view reads."""
        return self.doc(parameters=[{"in": "header", "name": name, "required": required,
                                     "description": description, "schema": {"type": "string"}}])
