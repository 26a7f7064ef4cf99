"""Category forms: the fields a category asks for, the answers a request carries, who sees them.

A form is a list of field definitions ``{key, type, label, help?, required, options?, staff_only}``
kept on the category (``Category.fields``). A request's answers are kept on it as ``{key: value}``:
``fields`` those its author sees, ``staff_fields`` those of ``staff_only`` fields, which only staff
responsible for the request see (a value stays where it was written: a field made staff-only later
does not hide what the author typed, one made public later does not show what staff wrote).

A changed form never invalidates existing requests: their answers are kept as they are, those whose
key the form no longer has too, and are neither checked again nor dropped; new answers are checked
against the form as it is now.

Staff's edit of staff-only answers is no change of the request as its author sees it, as an internal
note is not: the answers are written by their own statement (``store_staff_answers``), which leaves
the version (the author's ETag) and ``updated_at`` as they are, and the sync log is told of an
internal change, which only staff sync. Staff still edit safely side by side: the edit holds the
request's row lock, answers are merged key by key, and staff's ETag names the staff-only answers
(``ServiceRequest.etag_value``), so an ``If-Match`` read before another's edit of them is a 412.
An edit that also changes what the author sees (a public answer, the priority...) is a new version.
"""
import math
import re
from datetime import date

import marshmallow as ma
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from service_app import changes
from service_app.errors import ApiError
from service_app.extensions import db
from service_app.fields import Pattern, text_problem

from .models import ServiceRequest

FIELD_TYPES = ("text", "number", "choice", "multi_choice", "date", "boolean")
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
KEY_RULE = "1-40 of a-z, 0-9 and _, starting with a letter"
KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_FIELDS = 30
MAX_OPTIONS = 50
MAX_TEXT = 1000
FILTER_PREFIX = "field."
FILTER_NAME = "field.<key>"  # the documented query argument all field filters are gathered under


def key_pattern():
    return Pattern(KEY_PATTERN, error=KEY_RULE)


# --- the form's definition ----------------------------------------------------------------


def definition_problem(field):
    """Why one loaded field definition cannot be used, or None."""
    choices = field["type"] in ("choice", "multi_choice")
    options = field.get("options")
    if choices and not options:
        return "a choice field needs options"
    if not choices and options is not None:
        return "only choice and multi_choice fields have options"
    if choices and len({option["value"] for option in options}) != len(options):
        return "each option value at most once"
    return None


def form_problem(fields):
    """Why a loaded form (a list of field definitions) cannot be used, or None."""
    if len({field["key"] for field in fields}) != len(fields):
        return "each key at most once"
    return None


# --- answers --------------------------------------------------------------------------------


def value_problem(field, value):
    """Why ``value`` is no answer to ``field``, or None; ``value`` is never None here."""
    kind = field["type"]
    if kind == "text":
        if not isinstance(value, str):
            return "must be a string"
        if len(value.strip()) > MAX_TEXT:
            return "at most 1000 characters"
        return text_problem(value)
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return "must be a number"
        if abs(value) > 1e15:
            return "must be a number between -1e15 and 1e15"
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else "must be true or false"
    if kind == "date":
        if not isinstance(value, str):
            return "must be a date (YYYY-MM-DD)"
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            return "must be a date (YYYY-MM-DD)"
        if len(value) != 10 or not 2000 <= parsed.year <= 2100:
            return "must be a date (YYYY-MM-DD) between the years 2000 and 2100"
        return None
    offered = {option["value"] for option in field.get("options") or ()}
    if kind == "choice":
        return None if isinstance(value, str) and value in offered else "not one of the options offered"
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return "must be a list of option values"
    if len(set(value)) != len(value):
        return "each option at most once"
    if not set(value) <= offered:
        return "not one of the options offered"
    return None


def _normalised(field, value):
    return value.strip() if field["type"] == "text" else value


def _refuse(problems):
    """422 ``validation_error`` naming the first key, every key's problem in ``details.fields``."""
    key = sorted(problems)[0]
    message = f"fields.{key}: {problems[key]}"
    raise ApiError(422, "validation_error", message, {"fields": {k: [v] for k, v in sorted(problems.items())}})


def _is_empty(value):
    return value is None or value == "" or value == []


def check_new(form, values, staff):
    """The answers of a new request: ``(fields, staff_fields)``, or a 422 naming the key.

    Refused: a key the form does not have, a value of the wrong type or not offered, a required
    field left out (required fields that are not staff-only: the author cannot fill those), and a
    staff-only field from an author who is not staff for the request. Empty answers (null, "" or
    []) are left out.
    """
    by_key = {field["key"]: field for field in form or ()}
    problems, public, private = {}, {}, {}
    for key, value in (values or {}).items():
        field = by_key.get(key)
        if field is None:
            problems[key] = "no such field in this category's form"
        elif field.get("staff_only") and not staff:
            problems[key] = "only staff fill this field"
        elif not _is_empty(value):
            problem = value_problem(field, value)
            if problem:
                problems[key] = problem
            else:
                (private if field.get("staff_only") else public)[key] = _normalised(field, value)
    for field in form or ():
        key = field["key"]
        if field.get("required") and not field.get("staff_only") and key not in public and key not in problems:
            problems[key] = "required"
    if problems:
        _refuse(problems)
    return public, private


def apply_changes(req, form, values):
    """Staff's edit of a request's answers (a merge: given keys set, null/""/[] clears them), checked
    against the category's current form; answers to keys the form no longer has are kept as they are.

    Returns ``(public_changes, staff_changes)``, each ``{key: {from, to}}``, for the history.
    """
    by_key = {field["key"]: field for field in form or ()}
    problems, updates = {}, {}
    for key, value in values.items():
        field = by_key.get(key)
        if field is None:
            problems[key] = "no such field in this category's form"
            continue
        if _is_empty(value):
            if field.get("required") and not field.get("staff_only"):
                problems[key] = "required"
            else:
                updates[key] = (field, None)
            continue
        problem = value_problem(field, value)
        if problem:
            problems[key] = problem
        else:
            updates[key] = (field, _normalised(field, value))
    if problems:
        _refuse(problems)
    public, private = dict(req.fields or {}), dict(req.staff_fields or {})
    public_changes, staff_changes = {}, {}
    for key, (field, value) in updates.items():
        staff_only = bool(field.get("staff_only"))
        was_private = key in private
        before = private.get(key) if was_private else public.get(key)
        if before == value and (value is None or was_private == staff_only):
            continue
        public.pop(key, None)
        private.pop(key, None)
        if value is not None:
            (private if staff_only else public)[key] = value
        # A change any staff-only answer was part of stays out of the author's history.
        (staff_changes if staff_only or was_private else public_changes)[key] = {"from": before, "to": value}
    if public != (req.fields or {}):
        req.fields = public
    if private != (req.staff_fields or {}):
        store_staff_answers(req, private)
    return public_changes, staff_changes


def store_staff_answers(req, answers):
    """Write ``req``'s staff-only answers without a new version or ``updated_at`` (the module's
    docstring), and log an internal change for sync. The caller holds the request's row lock."""
    table = ServiceRequest.__table__
    # updated_at is named so that its onupdate default does not fire; version_id_col is not the ORM's here.
    db.session.execute(sa.update(table).where(table.c.id == req.id)
                       .values({table.c.staff_fields: answers, table.c.updated_at: table.c.updated_at}))
    db.session.expire(req, ["staff_fields"])  # read again from the row (as a rolled-back savepoint left it)
    changes.log_request(db.session(), req.id, internal=True)


def visible_values(req, staff):
    """The answers ``staff`` (True: staff responsible for the request) may see."""
    values = dict(req.fields or {})
    if staff:
        values.update(req.staff_fields or {})
    return values


# --- the list's ``field.<key>=<value>`` filter ----------------------------------------------


def filter_condition(key, text, staff_condition, dialect):
    """SQL: the request's answer to ``key`` matches ``text``.

    Compared as text: a text, choice or date answer equals it; a number equals it as a number
    (``5`` matches 5 and 5.0); a boolean is ``true`` or ``false``; a multi_choice answer contains
    it. Staff-only answers count only where ``staff_condition`` holds (the requests the caller
    processes as staff): an employee filtering on a staff-only field finds nothing.
    """
    return sa.or_(_matches(ServiceRequest.fields, key, text, dialect),
                  sa.and_(staff_condition, _matches(ServiceRequest.staff_fields, key, text, dialect)))


def _matches(column, key, text, dialect):
    if dialect == "postgresql":
        value = sa.cast(column, JSONB)[key]
        # jsonb equality: numbers compare as numbers (5 matches 5.0), arrays by containment.
        return sa.or_(*(value == sa.literal(candidate, JSONB) for candidate in _candidates(text)),
                      value.contains([text]))
    path = f'$."{key}"'
    kind = sa.func.json_type(column, path)
    extracted = sa.func.json_extract(column, path)
    items = sa.func.json_each(column, path).table_valued("value", "type")
    number = _number(text)
    return sa.or_(
        sa.and_(kind == "text", extracted == text),
        sa.and_(kind.in_(["true", "false"]), kind == text),
        sa.and_(kind.in_(["integer", "real"]), extracted == number) if number is not None else sa.false(),
        sa.and_(kind == "array", sa.exists(sa.select(1).select_from(items)
                                           .where(items.c.type == "text", items.c.value == text))),
    )


def _number(text):
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _candidates(text):
    """The JSON values ``text`` stands for: itself as a string, a number, a boolean."""
    found = [text]
    number = _number(text)
    if number is not None:
        found.append(number)
    if text in ("true", "false"):
        found.append(text == "true")
    return found


def collect_filters(data):
    """``data`` (a query's arguments) with every ``field.<key>`` argument gathered under
    ``field.<key>`` as ``{key: value}``; a malformed one is a ValidationError naming it."""
    found, problems, rest = {}, {}, {}
    for name in list(data):
        if not name.startswith(FILTER_PREFIX):
            rest[name] = data[name]
            continue
        values = data.getlist(name) if hasattr(data, "getlist") else [data[name]]
        key = name[len(FILTER_PREFIX):]
        if not KEY_RE.fullmatch(key):
            problems[name] = [KEY_RULE]
        elif len(values) != 1:
            problems[name] = ["give one value"]
        elif not isinstance(values[0], str) or not 1 <= len(values[0]) <= 200 or text_problem(values[0]):
            problems[name] = ["1-200 characters of text"]
        else:
            found[key] = values[0]
    if problems:
        raise ma.ValidationError(problems)
    if found:
        rest[FILTER_NAME] = found
    return rest
