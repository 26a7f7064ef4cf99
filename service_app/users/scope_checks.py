"""Validation of the office and department references an account holds.

Offices and departments are registered by their packages through
``register_reference_check`` so that accounts never point at something that
does not exist, without this package importing theirs.
"""
from ..errors import ApiError

_checks = []


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
