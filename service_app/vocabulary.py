"""Words every package shares: languages, staff roles, codes, the id bound, the company's calendar.

Each is defined here once; schemas validate with these tuples and the models' CHECK
constraints are built from the same tuples (:func:`service_app.database.one_of`), so the
API and the database cannot drift apart. Values owned by one package (request statuses
and priorities, push platforms) stay in that package's ``models.py``.
"""

LANGUAGES = ("ru", "kk", "en")
DEFAULT_LANGUAGE = "ru"

ROLES = ("employee", "administrator", "manager")
STAFF_ROLES = ("administrator", "manager")

# Office, department and category codes.
CODE_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"
CODE_RULE = "1-32 letters, digits, '_' or '-'"

# Ids are PostgreSQL integers: a larger number can name nothing, and must not reach the database.
MAX_ID = 2**31 - 1

# Where the company works: new offices' time zone, the reports' day boundaries, and
# the country whose public holidays close every office.
DEFAULT_TIMEZONE = "Asia/Almaty"
HOLIDAY_COUNTRY = "KZ"

# A text kept in several languages (``{"ru": ..., "kk": ..., "en": ...}``: a category's name, a
# canned reply, a notice) read in a language it lacks: the reader's language, else Russian (the
# company's default), else English, else Kazakh, else whatever it has.
FALLBACK_LANGUAGES = (DEFAULT_LANGUAGE, "en", "kk")


def in_language(text, language):
    """``text`` (a string, or a ``{language: string}`` mapping) in ``language``, by the one fallback order
    :data:`FALLBACK_LANGUAGES`; an empty string counts as missing, and ``None`` reads as ``""``."""
    if text is None:
        return ""
    if not isinstance(text, dict):
        return text
    for choice in (language, *FALLBACK_LANGUAGES):
        if text.get(choice):
            return text[choice]
    return next((value for value in text.values() if value), "")
