"""Validation of the office and department references an account holds, and
who may change an account.

The offices package checks office and department references at the
``Hook.REFERENCE_CHECKS`` hook point (``service_app.plugins``) so that accounts
never point at something that does not exist, without this package importing
theirs. Packages that hold something an account may do because of its role or
scope (request assignments) let go of it at ``Hook.SCOPE_LOSS`` when the
account loses that role or scope.

Who manages accounts: a company-wide administrator (empty office and
department scope) creates and edits any account. An office-scoped
administrator may create and edit employee accounts whose home office lies in
their office scope, an empty office list covering every office (name,
contacts, language, password, deactivation), and
nothing else: no other role, no scope, no account outside their offices, not
even their own role or scope. Everything else is 403 ``forbidden`` and changes
nothing.
"""
from ..errors import ApiError
from ..plugins import Hook, hooks

SCOPE_FIELDS = ("role", "office_ids", "department_codes")


def validate(data):
    problems = {}
    for check in hooks().get(Hook.REFERENCE_CHECKS):
        problems.update(check(data) or {})
    if problems:
        field, messages = next(iter(problems.items()))
        raise ApiError(422, "validation_error", f"{field}: {messages[0]}", problems)


def scope_lost(user, actor):
    for func in hooks().get(Hook.SCOPE_LOSS):
        func(user, actor)


def _in_office_scope(actor, office_id):
    return office_id is not None and (not actor.office_ids or office_id in actor.office_ids)


def require_may_create(actor, data):
    """403 unless ``actor`` may create the account described by ``data``."""
    if actor is None or actor.is_company_wide:
        return
    if data["role"] != "employee" or data.get("office_ids") or data.get("department_codes"):
        raise ApiError(403, "forbidden", "only a company-wide administrator may create staff accounts or scopes")
    if not _in_office_scope(actor, data.get("office_id")):
        raise ApiError(403, "forbidden", "office_id: you may create accounts only in your offices",
                       {"office_id": ["outside your office scope"]})


def require_may_edit(actor, user, data):
    """403 unless ``actor`` may apply ``data`` to ``user``."""
    if actor.is_company_wide:
        return
    changed = [f for f in SCOPE_FIELDS if f in data and data[f] != getattr(user, f)]
    if changed:
        raise ApiError(403, "forbidden", f"only a company-wide administrator may change {', '.join(changed)}",
                       {field: ["company-wide administrators only"] for field in changed})
    if user.role != "employee" or not _in_office_scope(actor, user.office_id):
        raise ApiError(403, "forbidden", "you may edit only employee accounts of your offices")
    if "office_id" in data and not _in_office_scope(actor, data["office_id"]):
        raise ApiError(403, "forbidden", "office_id: you may move accounts only between your offices",
                       {"office_id": ["outside your office scope"]})
