"""Small helpers three or more page modules share (not a page itself)."""
import marshmallow as ma
from flask import g

from service_app import i18n
from service_app.fields import Id


def int_or_none(raw):
    """A form's or query's id as the API's ``Id`` field loads it (1 to MAX_ID); None when it is
    empty or anything else, so no database is asked for an id it cannot hold."""
    try:
        return Id().deserialize(raw) if raw else None
    except ma.ValidationError:
        return None


def chosen_office(offices, raw, first=False):
    """The office of ``offices`` whose id is ``raw`` (a query argument); else the first one when
    ``first``, else None."""
    wanted = int_or_none(raw)
    fallback = offices[0] if first and offices else None
    return next((office for office in offices if office.id == wanted), fallback)


def error_lines(error_messages):
    """A schema's or service's refusal (``{field: [message, ...]}``) as lines in the reader's language."""
    out = []
    for field, value in error_messages.items():
        items = value if isinstance(value, list) else [value]
        out.extend(f"{field}: {i18n.translate(str(item), g.lang)}" for item in items)
    return out


def refusal_lines(error):
    """A service's ``ApiError`` as lines for a form: its details by field, else its message."""
    details = error.details if isinstance(error.details, dict) else {}
    return error_lines(details) if details else [i18n.translate(error.message, g.lang)]


def form_number(value):
    """A form's number as the API's JSON would carry it: an int when it is one (the schemas are
    strict); anything else is left as text for the schema to refuse with its own message."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 10 else value


def form_numbers(form, name):
    """A multi-select or repeated field of numbers (empty choices left out), as ``form_number``."""
    return [form_number(value) for value in form.getlist(name) if value.strip() != ""]
