"""Field types shared by the API's schemas.

Every string the API accepts goes through :class:`Text` (or a subclass): a lone
surrogate (``"\\ud800"`` is valid JSON but not a Unicode scalar value, so it cannot be
encoded as UTF-8 for the database, a log line or a CSV) and the NUL character
(PostgreSQL text refuses it; SQLite would store it and hand it to every reader) are
refused with 422 before anything reaches a service. Strings nested in JSON-typed
values (localized names, business hours, geofences) are checked the same way by
:func:`text_problem`.
"""
import re
from datetime import timezone

import marshmallow as ma

from .auth.passwords import password_problem
from .vocabulary import CODE_PATTERN, CODE_RULE, LANGUAGES, MAX_ID

# Dates the API accepts in filters and reports: wide enough for any real request, narrow
# enough that adding a day, a time zone offset or a business calendar never overflows.
MIN_YEAR = 2000
MAX_YEAR = 2100

LOGIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{1,62}[a-z0-9])$")
PHONE_RE = re.compile(r"^\+[1-9][0-9]{7,14}$")
_NOT_SCALAR = re.compile("[\x00\ud800-\udfff]")


def text_problem(value):
    """Why ``value`` (a str) cannot be stored as text, or None when it can."""
    found = _NOT_SCALAR.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "must not contain the NUL character"
    return "must be valid Unicode text (a lone surrogate such as \\ud800 is not)"


def json_text_problem(value):
    """The first :func:`text_problem` of any key or string inside a JSON value."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                return problem
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return None


class Pattern(ma.validate.Regexp):
    """A ``Regexp`` validator that wants the whole value: ``$`` alone also matches before a
    final line break, so ``"FAC\\n"`` would pass ``^[A-Z]+$``. The pattern (documented as the
    field's ``pattern``) stays as written."""

    def __call__(self, value):
        found = self.regex.match(value)
        if found is None or found.end() != len(value):
            raise ma.ValidationError(self._format_error(value))
        return value


class _CleanText:
    """Mixin for fields holding text: refuse what ``problem_of`` (by default :func:`text_problem`) finds."""

    problem_of = staticmethod(text_problem)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        problem = self.problem_of(value)
        if problem:
            raise ma.ValidationError(problem)
        return value


class Text(_CleanText, ma.fields.String):
    """A string of Unicode scalar values without NUL: the API's one string type."""


class Email(_CleanText, ma.fields.Email):
    """An e-mail address, checked as :class:`Text` too (and documented as ``format: email``)."""


class JsonObject(_CleanText, ma.fields.Dict):
    """A JSON object whose keys and nested strings are all :class:`Text`-clean."""

    problem_of = staticmethod(json_text_problem)


class Id(ma.fields.Integer):
    """A row id: 1 to :data:`~service_app.vocabulary.MAX_ID` (pass ``strict=True`` in JSON bodies)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.insert(0, ma.validate.Range(min=1, max=MAX_ID))


class Code(Text):
    """An office, department or category code (:data:`~service_app.vocabulary.CODE_PATTERN`)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.insert(0, Pattern(CODE_PATTERN, error=CODE_RULE))


class LocalizedText(ma.fields.Field):
    """A name as one string, or as ``{ru, kk, en}`` (at least one of them).

    Answers always give the object (``LocalizedText`` in the OpenAPI document), so a generated
    client has one type for it: a name stored as one string is that string in every language.
    ``max_length`` (200 unless told) and ``min_length`` (1 unless told) bound each text.
    """

    def __init__(self, *, max_length=200, min_length=1, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length
        self.min_length = min_length

    def _deserialize(self, value, attr, data, **kwargs):
        limit, least = self.max_length, self.min_length
        if isinstance(value, str):
            value = value.strip()
            if not least <= len(value) <= limit:
                raise ma.ValidationError(f"{least}-{limit} characters")
            problem = text_problem(value)
            if problem:
                raise ma.ValidationError(problem)
            return value
        if isinstance(value, dict) and value and set(value) <= set(LANGUAGES):
            if all(isinstance(v, str) and least <= len(v.strip()) <= limit for v in value.values()):
                problem = json_text_problem(value)
                if problem:
                    raise ma.ValidationError(problem)
                return {k: v.strip() for k, v in value.items()}
        raise ma.ValidationError(f"a string, or an object with ru, kk and/or en strings ({least}-{limit} characters)")

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, str):
            return dict.fromkeys(LANGUAGES, value)
        return value


def _check_year(value):
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ma.ValidationError(f"must be between the years {MIN_YEAR} and {MAX_YEAR}")


class BoundedDate(ma.fields.Date):
    """A calendar date between :data:`MIN_YEAR` and :data:`MAX_YEAR`."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        _check_year(value)
        return value


class BoundedDateTime(ma.fields.AwareDateTime):
    """An ISO date-time (UTC when no offset is given) between :data:`MIN_YEAR` and :data:`MAX_YEAR`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "iso")
        kwargs.setdefault("default_timezone", timezone.utc)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        # The year is checked in UTC too: 2100-12-31T23:00-05:00 is already 2101 there.
        _check_year(value)
        _check_year(value.astimezone(timezone.utc))
        return value


class Login(Text):
    """A corporate login: 3-64 of ``a-z 0-9 . _ -``, compared case-insensitively."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip().lower()
        if not LOGIN_RE.match(value):
            raise ma.ValidationError("3-64 characters: letters, digits, '.', '_' or '-'")
        return value


class Phone(Text):
    """A phone number in E.164 form, e.g. ``+77011234567``."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = re.sub(r"[\s()-]", "", super()._deserialize(value, attr, data, **kwargs))
        if not PHONE_RE.match(value):
            raise ma.ValidationError("a phone number in international form, e.g. +77011234567")
        return value


class Password(Text):
    """A new password: at least ``PASSWORD_MIN_LENGTH`` characters, at most 128."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        problem = password_problem(value)
        if problem:
            raise ma.ValidationError(problem)
        return value


class TrimmedString(Text):
    """A string with surrounding whitespace removed; blank is refused when required."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip()
        if not value and self.required:
            raise ma.ValidationError("must not be blank")
        return value


class LocalizedTextSchema(ma.Schema):
    """A name in the app's languages, at least one of them (the OpenAPI ``LocalizedText``).

    A language left out has no translation: show another (the user's, else ru, else en, else kk).
    """

    ru = ma.fields.String(metadata={"example": "Кондиционер"})
    kk = ma.fields.String(metadata={"example": "Кондиционер"})
    en = ma.fields.String(metadata={"example": "Air conditioning"})


class Flag(ma.fields.Boolean):
    """A JSON body's ``true`` or ``false``, and nothing else: marshmallow's Boolean also takes ``0``,
    ``1``, ``"yes"``, ``"off"``..., so ``internal: 0`` would pass for a choice nobody made. (Query
    strings keep ``Boolean``: there every value is text.)"""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value
