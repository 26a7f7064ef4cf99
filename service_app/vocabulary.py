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
