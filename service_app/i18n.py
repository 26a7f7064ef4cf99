"""Error messages in the caller's language (API.md, "Languages").

Services, schemas, marshmallow and webargs all write their messages in English; they
are translated here, once, when the error envelope is written (``errors.error_response``),
so no call site knows about languages and ``code`` never changes.

The catalogue is the ``errors`` domain of ``service_app.catalogues``: ``errors.pot`` holds every
English message *template*, ``<lang>/LC_MESSAGES/errors.po`` its Russian and Kazakh renderings. A
template's ``{name}`` placeholders match any text, so an already formatted message (``Length must
be between 3 and 200.``) is recognised and rendered again in the target language with the same
values. Values stay as they were (field names, codes, numbers), except the placeholders named in
:data:`NESTED` (``{message}``, ``{reason}``, ``{problem}``), which hold a message of their own and
are translated in turn. A template with plural forms (``msgid_plural``) is recognised in either
English form, and the first of its values that is a whole number chooses the translation's form
(``период длиннее 31 дня``, ``... 366 дней``). A message ``<field>: <message>`` that no template
covers keeps its field and has its message translated. What no template covers stays English.

The caller's language: the signed-in user's ``language`` (as loaded when the call checked
their token; an error answer never reads the database), else the first of ru/kk/en in
``Accept-Language``, else ``ru``.
"""
import re
from functools import lru_cache

import sqlalchemy as sa
from flask import g, has_request_context, request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from . import catalogues
from .vocabulary import DEFAULT_LANGUAGE, LANGUAGES

SOURCE_LANGUAGE = catalogues.SOURCE_LANGUAGE
DOMAIN = "errors"
# Placeholders whose value is itself a message, translated in turn.
NESTED = frozenset({"message", "reason", "problem"})
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
# "<field>: <message>": the field is anything before a ": " (a path, a header name, "body").
_FIELD_SEPARATOR = ": "
MAX_FIELD_CHARS = 64
MAX_MESSAGE_CHARS = 1000


class Template:
    """One English form of a catalogue entry, as a regex; it renders the entry in a language."""

    def __init__(self, english, msgid):
        self.english = english
        self.msgid = msgid  # a string, or (singular, plural) for an entry with plural forms
        self.names = _PLACEHOLDER.findall(english)
        pattern, seen, position = [], set(), 0
        for found in _PLACEHOLDER.finditer(english):
            pattern.append(re.escape(english[position:found.start()]))
            name = found.group(1)
            pattern.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
            seen.add(name)
            position = found.end()
        pattern.append(re.escape(english[position:]))
        self.regex = re.compile("".join(pattern), re.DOTALL)

    def render(self, language, values):
        if isinstance(self.msgid, tuple):
            count = next((int(values[name]) for name in self.names
                          if values.get(name, "").isascii() and values.get(name, "").isdigit()), 0)
            text = catalogues.ngettext(language, *self.msgid, count, DOMAIN)
        else:
            text = catalogues.gettext(language, self.msgid, DOMAIN)
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _build(template):
    """``(exact, templates)``: the messages without placeholders by their text, and the others."""
    exact, templates = {}, []
    for message in template:
        if not message.id:
            continue  # the header
        forms = message.id if isinstance(message.id, tuple) else (message.id,)
        for english in forms:
            found = Template(english, message.id)
            if found.names:
                templates.append(found)
            else:
                exact[english] = found
    # The most specific template first: the one with the most literal text.
    templates.sort(key=lambda t: -len(_PLACEHOLDER.sub("", t.english)))
    return exact, templates


@lru_cache(maxsize=1)
def _catalogue():
    return _build(catalogues.read_template(DOMAIN))


def load():
    """Build the templates now (at start-up) rather than on the first error."""
    _catalogue()


def find(message):
    """``(template, values)`` for an English message, or ``(None, None)``."""
    exact, templates = _catalogue()
    template = exact.get(message)
    if template is not None:
        return template, {}
    for template in templates:
        found = template.regex.fullmatch(message)
        if found:
            return template, found.groupdict()
    return None, None


@lru_cache(maxsize=4096)
def _translate(message, language):
    template, values = find(message)
    if template is not None:
        for name in NESTED.intersection(values):
            values[name] = _translate(values[name], language)
        return template.render(language, values)
    # "<field>: <message>": keep the field, translate the message (each ": " tried in turn).
    start = 0
    while 0 < (cut := message.find(_FIELD_SEPARATOR, start)) <= MAX_FIELD_CHARS:
        rest = message[cut + len(_FIELD_SEPARATOR):]
        translated = _translate(rest, language)
        if translated != rest:
            return message[:cut + len(_FIELD_SEPARATOR)] + translated
        start = cut + 1
    return message


def translate(message, language):
    """``message`` (English) in ``language``; unchanged when English or not in the catalogue."""
    if not isinstance(message, str) or language == SOURCE_LANGUAGE or language not in LANGUAGES:
        return message
    if len(message) > MAX_MESSAGE_CHARS:  # none of ours is that long: never spend time matching one
        return message
    return _translate(message, language)


def translate_details(details, language):
    """``details`` with every message translated: the strings in lists, at any depth.

    Keys (field names) and strings that are values of their own (the ``from`` and
    ``to`` of an ``invalid_transition``) stay as they are.
    """
    if language == SOURCE_LANGUAGE:
        return details
    if isinstance(details, dict):
        return {key: translate_details(value, language) if isinstance(value, (dict, list)) else value
                for key, value in details.items()}
    if isinstance(details, list):
        return [translate(item, language) if isinstance(item, str) else translate_details(item, language)
                for item in details]
    return details


def language_from_header(header):
    """The first of :data:`LANGUAGES` an ``Accept-Language`` value asks for (``kk-KZ`` is ``kk``), or None."""
    if not header:
        return None
    for value, quality in parse_accept_header(header, LanguageAccept):
        if quality <= 0:
            continue
        if value == "*":
            return DEFAULT_LANGUAGE
        primary = value.replace("_", "-").split("-", 1)[0].lower()
        if primary in LANGUAGES:
            return primary
    return None


# Where the language the signed-in user had when the call loaded them is kept (``remember_user_language``).
_USER_LANGUAGE = "_caller_user_language"


def remember_user_language(user):
    """Keep ``user.language`` for this request's error answers (the token's user loader calls it).

    An error answer never reads the database: the database may be what just failed, and a
    rollback or a commit has expired the user's attributes, so reading ``user.language`` there
    would load it again (from a dead server: a second failure inside the error handler, which
    escaped as a 500 where a 503 was meant)."""
    setattr(g, _USER_LANGUAGE, getattr(user, "language", None))


def _user_language():
    """The signed-in user's language as already loaded in this request, or None; reads nothing.

    A value still in memory wins (a call that changed it), else the one remembered when the
    user was loaded. A request no view served (a 404 for an unknown path), or refused before
    its token was checked, has no user here: ``Accept-Language`` decides for it."""
    state = g.get("_jwt_extended_jwt_user")
    user = state.get("loaded_user") if state else None
    if user is not None:
        inspected = sa.inspect(user, raiseerr=False)
        language = inspected.dict.get("language") if inspected is not None else getattr(user, "language", None)
        if language in LANGUAGES:
            return language
    return g.get(_USER_LANGUAGE)


def caller_language():
    """The language of the current request's caller (API.md); ``ru`` outside a request.

    Never reads the database (see :func:`remember_user_language`)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    language = _user_language()
    if language in LANGUAGES:
        return language
    return language_from_header(request.headers.get("Accept-Language")) or DEFAULT_LANGUAGE


def localize(message, details, language):
    """``(message, details)`` in ``language``."""
    return translate(message, language), translate_details(details, language)
