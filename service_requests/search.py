"""Searching requests: the ``q`` of the request list.

``q`` finds requests by number, title, description and public comments, and,
for staff who may read a request's internal notes, by those notes too.

The search document. Two columns on the request itself hold what is searched,
normalised (NFKC, lower-cased, ``ё`` as ``е``): ``search_text`` (title,
description, public comments) and ``search_internal`` (internal notes). They
live on the request rather than in a side table so that a new request writes
its document in its own INSERT (a create costs no extra statement), and a
search filters in the same row as the list's scope, order and other filters,
with no join. The writes that change the words keep them: a create
(``intake``), an edit of the title or description (``triage``, which rebuilds
``search_text`` from the request and its public comments), a comment
(``history.add_comment`` appends to one column or the other by a narrow
UPDATE that leaves the request's version and ``updated_at`` alone: a comment
changes neither), and the retention run, which empties both when it
anonymises a request (PRIVACY.md P15). Each column keeps at most
``MAX_CHARS`` characters; words of later comments beyond that are not
searchable (it keeps PostgreSQL's text-search vector of a very long
conversation under its size limit). The number is not in the document: it is
the id, known only after the INSERT, so ``SR-000123``, ``sr123`` or ``123``
match the id itself.

PostgreSQL. A request matches when
- the Russian full-text search finds ``q`` (``to_tsvector('russian', ...) @@
  websearch_to_tsquery('russian', q)``: Russian words are stemmed, so
  ``кондиционеры`` finds ``кондиционер``; the ``russian`` configuration stems
  Latin words as English, so ``printers`` finds ``printer``; quotes and ``-word``
  work as in a web search), or
- every word of ``q`` of three or more letters (digits are not fuzzy) is like a word of the document
  (pg_trgm's ``word <% document``, word similarity at least
  ``pg_trgm.word_similarity_threshold``, default 0.6, not changed): this
  carries typos (``кондиционр``) and the Kazakh forms no PostgreSQL stemmer
  knows (``кондиционерді``, ``принтері``); shorter words are too short for
  trigrams to tell anything and are left to the full-text search, or
- ``q`` is the request's number.
The internal notes are matched the same way, and count only where the caller
is staff for the request (``access.staff_condition``, the twin of
``may_read_internal``): an employee, or staff who see a request only as its
author, never find it by an internal note. GIN indexes on both columns (the
text-search vector and trigrams, migration ``0015_request_search``; those of
``search_internal`` only over requests that have internal notes) serve each
branch, so the whole condition is one bitmap of matching rows; the order stays
the list's own (no ranking). For a common word PostgreSQL rather walks the list's
own order and stops at the page's end; which of the two it takes rests on its
estimate of how many requests match, so the text-search indexes keep larger
statistics (1000 instead of 100: a rare word is then estimated as rare).

SQLite keeps a simpler match: ``q`` normalised the same way as a substring of
the document (``LIKE``, its wildcards escaped), plus the number; no stemming and
no typo tolerance. SQLite's ``lower()`` folds ASCII letters only, which is why
both sides are lower-cased in Python.
"""
import re
import unicodedata

import marshmallow as ma
import sqlalchemy as sa

from service_app.extensions import db
from service_app.fields import MAX_ID

from . import access
from .models import Comment, ServiceRequest

MAX_CHARS = 100_000
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 10
MIN_FUZZY_LETTERS = 3
SEPARATOR = "\n"
CONFIG = sa.literal_column("'russian'::regconfig")  # a literal: the expression indexes match it
_WORD = re.compile(r"[^\W_]+")
_NUMBER = re.compile(r"(?:sr-?)?0*(\d{1,18})")


def normalise(text):
    """The form both documents and queries are compared in."""
    return unicodedata.normalize("NFKC", text or "").lower().replace("ё", "е")


def query_words(q):
    """The words of ``q`` as the search reads them: runs of letters or digits (``SR-000123`` is two)."""
    return _WORD.findall(normalise(q))


def check_query_words(q):
    """``q``'s validator: at most ``MAX_QUERY_WORDS`` words, each of which the search looks up."""
    if len(query_words(q)) > MAX_QUERY_WORDS:
        raise ma.ValidationError(f"more than {MAX_QUERY_WORDS} words")


def document(*parts):
    """A search document from its parts (title, description, comments...), at most ``MAX_CHARS`` long."""
    return normalise(SEPARATOR.join(part for part in parts if part))[:MAX_CHARS]


def public_document(req):
    """``search_text`` for a request as it is in the session: its wording and its public comments, in order."""
    with db.session.no_autoflush:  # the edit is flushed once, with its new document
        bodies = db.session.scalars(sa.select(Comment.body).where(Comment.request_id == req.id,
                                                                 Comment.internal.is_(False))
                                    .order_by(Comment.id)).all()
    return document(req.title, req.description, *bodies)


def add_comment_text(request_id, body, internal):
    """Append a comment's words to the request's public or internal document (one UPDATE, no version bump)."""
    table = ServiceRequest.__table__
    column = table.c.search_internal if internal else table.c.search_text
    appended = sa.func.substr(column + SEPARATOR + sa.bindparam("words", normalise(body), type_=sa.Text),
                              1, MAX_CHARS)
    # updated_at is named so that its onupdate default does not fire: a comment does not edit the request.
    db.session.execute(sa.update(table).where(table.c.id == request_id)
                       .values({column: appended, table.c.updated_at: table.c.updated_at}))


def condition(user, q):
    """SQL condition: the request matches ``q`` for ``user`` (see the module's docstring)."""
    text = normalise(q).strip()
    staff = access.staff_condition(user)
    if db.session.get_bind().dialect.name == "postgresql":
        public = _postgres_match(ServiceRequest.search_text, text)
        internal = _postgres_match(ServiceRequest.search_internal, text)
    else:
        public = ServiceRequest.search_text.contains(text, autoescape=True)
        internal = ServiceRequest.search_internal.contains(text, autoescape=True)
    branches = [public]
    if user.is_staff:
        # Most requests have no internal notes: the guard matches the partial indexes and lets the
        # planner count on few rows.
        branches.append(sa.and_(ServiceRequest.search_internal != "", internal, staff))
    number = request_id_of(text)
    if number is not None:
        branches.append(ServiceRequest.id == number)
    return sa.or_(*branches)


def _postgres_match(column, text):
    stemmed = sa.func.to_tsvector(CONFIG, column).op("@@")(sa.func.websearch_to_tsquery(CONFIG, text))
    # Letters only: a number (a request's, a room's) is looked up exactly, never as a near miss
    # (``sr-000003`` is not ``sr-000010``, room 305 is not room 306).
    words = [word for word in _WORD.findall(text) if word.isalpha() and len(word) >= MIN_FUZZY_LETTERS]
    if not words:
        return stemmed
    # ``column %> word`` is ``word <% column`` written as the index condition is, so that PostgreSQL
    # does not evaluate the whole condition again as a filter on every row the indexes found.
    similar = sa.and_(*(column.op("%>")(sa.bindparam(None, word, type_=sa.Text)) for word in dict.fromkeys(words)))
    return sa.or_(stemmed, similar)


def request_id_of(text):
    """The request id a typed number names (``SR-000123``, ``sr123``, ``123``), or None."""
    found = _NUMBER.fullmatch(normalise(text).strip())
    if found is None:
        return None
    number = int(found.group(1))
    return number if 1 <= number <= MAX_ID else None
