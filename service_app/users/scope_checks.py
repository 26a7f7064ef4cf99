"""Validation of the office and department references an account holds, and
who may change an account.

Offices and departments are registered by their packages through
``register_reference_check`` so that accounts never point at something that
does not exist, without this package importing theirs. Packages that hold
something an account may do because of its role or scope (request
assignments) register ``register_scope_loss_hook`` to let go of it when the
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

_checks = []
_scope_loss_hooks = []
SCOPE_FIELDS = ("role", "office_ids", "department_codes")


def register_reference_check(func):
    """``func(data) -> {field: [message]}`` for unknown references in a user body."""
    if func not in _checks:
        _checks.append(func)
    return func


def validate(data):
    problems = {}
    for check in _checks:
        problems.update(check(data) or {})
    if problems:
        field, messages = next(iter(problems.items()))
        raise ApiError(422, "validation_error", f"{field}: {messages[0]}", problems)


def register_scope_loss_hook(func):
    """``func(user, actor)`` runs in the transaction that narrows ``user``'s role, scope or activity."""
    if func not in _scope_loss_hooks:
        _scope_loss_hooks.append(func)
    return func


def scope_lost(user, actor):
    for func in _scope_loss_hooks:
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
