"""Field types shared by the API's schemas."""
import re

import marshmallow as ma
from .auth.passwords import password_problem

# Ids are PostgreSQL integers: a larger number can name nothing, and must not reach the database.
MAX_ID = 2**31 - 1

LOGIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{1,62}[a-z0-9])$")
PHONE_RE = re.compile(r"^\+[1-9][0-9]{7,14}$")


class Login(ma.fields.String):
    """A corporate login: 3-64 of ``a-z 0-9 . _ -``, compared case-insensitively."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip().lower()
        if not LOGIN_RE.match(value):
            raise ma.ValidationError("3-64 characters: letters, digits, '.', '_' or '-'")
        return value


class Phone(ma.fields.String):
    """A phone number in E.164 form, e.g. ``+77011234567``."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = re.sub(r"[\s()-]", "", super()._deserialize(value, attr, data, **kwargs))
        if not PHONE_RE.match(value):
            raise ma.ValidationError("a phone number in international form, e.g. +77011234567")
        return value


class Password(ma.fields.String):
    """A new password: at least ``PASSWORD_MIN_LENGTH`` characters, at most 128."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        problem = password_problem(value)
        if problem:
            raise ma.ValidationError(problem)
        return value


class TrimmedString(ma.fields.String):
    """A string with surrounding whitespace removed; blank is refused when required."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip()
        if not value and self.required:
            raise ma.ValidationError("must not be blank")
        return value
