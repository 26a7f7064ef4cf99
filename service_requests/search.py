"""Searching requests: the ``q`` of the request list.

``q`` finds requests by number, title, description and public comments, and,
for staff who may read a request's internal notes, by those notes too. It is at
most ``MAX_QUERY_CHARS`` (200) characters and ``MAX_QUERY_WORDS`` (10) words
(runs of letters or digits: ``SR-000123`` is two), so what one search looks up
is bounded (422 beyond, from the list's schema).

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
anonymises a request (PRIVACY.md P15). The number is not in the document: it is
the id, known only after the INSERT, so ``SR-000123``, ``sr123`` or ``123``
match the id itself.

What one request contributes is bounded: each document keeps its first
``MAX_CHARS`` (10,000) characters, so the title and description (at most 5,200)
always, and the public conversation up to the rest; words of later comments are
not searchable. Without a bound, 19 hours of commenting within the rate limits made
a 100,000-character document, and 60 of them made every staff search ten times
slower (the trigram index found them as candidates for nearly any word, and each
was compared in full). The search below no longer compares documents by
trigrams at all, and its text index answers exactly, so a document's length no
longer weighs on a search (``make bench``, ``search/large-docs``: 60 such requests
against the same without their comments); the bound keeps small the cost of a write
(each comment recomputes the document's vector and reads its words) and what one
request adds to the vocabulary.

PostgreSQL. A request matches when
- the Russian full-text search finds ``q`` (``search_vector @@
  websearch_to_tsquery('russian', q)``: Russian words are stemmed, so
  ``кондиционеры`` finds ``кондиционер``; the ``russian`` configuration stems
  Latin words as English, so ``printers`` finds ``printer``; ``-word`` and ``or``
  work as in a web search, and quoted words must all be there, though not side
  by side: no index can say where words stand, so a phrase could only be checked
  row by row), or
- every word ``q`` looks for (not a ``-word``) of three or more letters (digits
  are not fuzzy) is like a word of the document: this carries typos
  (``кондиционр``) and the Kazakh forms no PostgreSQL stemmer knows
  (``кондиционерді``, ``принтері``); shorter words are too short for trigrams to
  tell anything and are left to the full-text search, or
- ``q`` is the request's number.
"Like a word" is decided against the vocabulary, not the documents: ``search_words``
holds every word of every document (letters only, 3 to 64 of them; a trigger adds
the words of each document written, the retention run forgets those no document
holds any more), with a trigram index. Each such word of ``q`` is looked up there
first (pg_trgm's word similarity at least ``pg_trgm.word_similarity_threshold``,
default 0.6, not changed; the ``NEAR_WORDS`` most similar), and the documents are
then searched by full text for any of those words (stemmed), every word of ``q``
by one of its own. So the whole match is one text-search query over the stored
vector ``search_vector`` (a generated column: no search computes ``to_tsvector``
row by row) and its GIN index, which answers it exactly (no row is read again to
check it); ``search_internal``'s vector is indexed over the requests that have
internal notes. The internal notes are matched the same way, and count only where
the caller is staff for the request (``access.staff_condition``, the twin of
``may_read_internal``): an employee, or staff who see a request only as its
author, never find it by an internal note. A ``q`` that only excludes words
(``-шум``) is refused by the list's schema (422): it looks for nothing, and could
only be answered by reading every request; one whose words no index can look up
otherwise (``-шум or свет``) looks for the words it does not exclude.

The plan. The planner used to choose how to search on its estimate of how many
requests match, and two common words that never meet (``шумит мигает``) were
estimated as common together: it walked the list's order computing ``to_tsvector``
and trigrams on every row of the table (tens of seconds at a million requests, in
every order and in the console). Now the choice rests on counts:
- the query is first checked on the ``SAMPLE`` newest requests (their stored
  vectors, read by the primary key); if at least ``COMMON_PERCENT`` of them match,
  matches are common and the list's own order meets a page of them soon: the
  condition is the text-search query, checked on each row's stored vector as the
  list's index walks (a word in every request costs a page, not the table);
- otherwise the matches are read from the GIN indexes: ``search_matches`` (a
  database function whose planner settings leave it no other way) returns at
  most ``FEW_MATCHES`` + 1 ids. When there are at most ``FEW_MATCHES``, the list's
  condition is those ids (``id = ANY(...)``), so its scope, filters, order and
  page apply to a thousand rows at most, in any order (created, updated, due), in
  the list, its CSV, saved views' counts and the console; when there are more,
  the condition is the text-search query, as above.
Reading a word's rows from a GIN index costs about its number of rows (a word in
every one of a million requests: about 0.3 s), which is why common words are not
read from it. Left open: a word in more than ``FEW_MATCHES`` requests, none of them
among the newest, is found by walking the list's order past the requests without
it, at the price of a cheap check of each one's stored vector.

SQLite keeps a simpler match: ``q`` normalised the same way as a substring of
the document (``LIKE``, its wildcards escaped), plus the number; no stemming and
no typo tolerance. SQLite's ``lower()`` folds ASCII letters only, which is why
both sides are lower-cased in Python.
"""
import re
import unicodedata

import marshmallow as ma
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY

from service_app.extensions import db
from service_app.fields import MAX_ID

from . import access
from .models import Comment, ServiceRequest

MAX_CHARS = 10_000
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 10
MIN_FUZZY_LETTERS = 3
NEAR_WORDS = 20
FEW_MATCHES = 1000
SAMPLE = 1000
COMMON_PERCENT = 1
SEPARATOR = "\n"
CONFIG = sa.literal_column("'russian'::regconfig")  # a literal: the expression index matches it
_WORD = re.compile(r"[^\W_]+")
_NUMBER = re.compile(r"(?:sr-?)?0*(\d{1,18})")

# The vocabulary's words most like each word of q (``word %> w`` is ``w <% word``, written as its index
# condition), the most similar first.
_NEAR = sa.text("""
SELECT u.n, near.word FROM unnest(CAST(:words AS text[])) WITH ORDINALITY AS u(w, n)
CROSS JOIN LATERAL (SELECT v.word FROM search_words v WHERE v.word %> u.w
                    ORDER BY word_similarity(u.w, v.word) DESC, v.word LIMIT :near) near
""")
# The words of the documents of some requests (the database's one definition of a word, as the
# trigger that keeps the vocabulary reads them).
_WORDS_OF = sa.text("""
SELECT DISTINCT w FROM service_requests r, search_words_of(r.search_text || ' ' || r.search_internal) w
WHERE r.id = ANY(:ids)
""")
# Of these words, those no document holds any more (by their stem: the vocabulary only widens a search).
_FORGET = sa.text("""
DELETE FROM search_words v WHERE v.word = ANY(:words)
AND NOT EXISTS (SELECT 1 FROM service_requests r WHERE r.search_vector @@ plainto_tsquery('russian', v.word))
AND NOT EXISTS (SELECT 1 FROM service_requests r WHERE r.search_internal <> ''
                AND to_tsvector('russian'::regconfig, r.search_internal) @@ plainto_tsquery('russian', v.word))
""")


def normalise(text):
    """The form both documents and queries are compared in."""
    return unicodedata.normalize("NFKC", text or "").lower().replace("ё", "е")


def query_words(q):
    """The words of ``q`` as the search reads them: runs of letters or digits (``SR-000123`` is two)."""
    return _WORD.findall(normalise(q))


def sought_words(q):
    """The words ``q`` looks for: all but those it excludes (``-word``, as in a web search)."""
    return [word for chunk in normalise(q).split() if not chunk.startswith("-") for word in _WORD.findall(chunk)]


def check_query_words(q):
    """``q``'s validator: at most ``MAX_QUERY_WORDS`` words, each of which the search looks up, and not
    only excluded ones (``-word``): a search that looks for no word could only read every request."""
    words = query_words(q)
    if len(words) > MAX_QUERY_WORDS:
        raise ma.ValidationError(f"more than {MAX_QUERY_WORDS} words")
    if words and not sought_words(q):
        raise ma.ValidationError("only excluded words (-word): name a word to look for")


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
    """SQL condition: the request matches ``q`` for ``user`` (see the module's docstring).

    On PostgreSQL this reads the database (the vocabulary, then the matching ids) to choose the condition."""
    text = normalise(q).strip()
    staff = access.staff_condition(user)
    number = request_id_of(text)
    if db.session.get_bind().dialect.name == "postgresql":
        branches = _postgres_branches(user, text, staff)
    else:
        public = ServiceRequest.search_text.contains(text, autoescape=True)
        internal = ServiceRequest.search_internal.contains(text, autoescape=True)
        branches = [public]
        if user.is_staff:
            branches.append(sa.and_(ServiceRequest.search_internal != "", internal, staff))
    if number is not None:
        branches.append(ServiceRequest.id == number)
    return sa.or_(*branches) if branches else sa.false()


def _postgres_branches(user, text, staff):
    query = _text_query(text)
    if query is None:
        return []  # only excluded words (refused by the list's schema): nothing is looked for
    newest = (sa.select(ServiceRequest.search_vector.label("vector")).order_by(ServiceRequest.id.desc())
              .limit(SAMPLE).subquery())
    common = db.session.scalar(sa.select(sa.func.count()).select_from(newest)
                               .where(newest.c.vector.op("@@", return_type=sa.Boolean)(query)))
    if common * 100 >= SAMPLE * COMMON_PERCENT:
        return _text_branches(user, query, staff)
    found = db.session.execute(sa.select(sa.column("request_id"), sa.column("is_internal")).select_from(
        sa.func.search_matches(query, user.is_staff, FEW_MATCHES + 1).table_valued("request_id", "is_internal")
    )).all()
    public_ids = [row.request_id for row in found if not row.is_internal]
    internal_ids = [row.request_id for row in found if row.is_internal]
    if len(public_ids) > FEW_MATCHES or len(internal_ids) > FEW_MATCHES:
        return _text_branches(user, query, staff)
    branches = []
    if public_ids:
        branches.append(ServiceRequest.id == sa.any_(sa.bindparam(None, public_ids, type_=ARRAY(sa.Integer))))
    if internal_ids:
        branches.append(sa.and_(ServiceRequest.id == sa.any_(sa.bindparam(None, internal_ids,
                                                                          type_=ARRAY(sa.Integer))), staff))
    return branches


def _text_branches(user, query, staff):
    """Common words: the list's own order meets matches soon; each row is checked on its stored vector."""
    branches = [ServiceRequest.search_vector.op("@@", return_type=sa.Boolean)(query)]
    if user.is_staff:
        internal = sa.func.to_tsvector(CONFIG, ServiceRequest.search_internal).op("@@", return_type=sa.Boolean)(query)
        # The guard matches the partial index and lets the planner count on few rows.
        branches.append(sa.and_(ServiceRequest.search_internal != "", internal, staff))
    return branches


def _text_query(text):
    """The text-search query of ``text``: its words as a web search reads them (``websearch_to_tsquery``),
    stemmed, or each word it looks for of three letters or more (``MIN_FUZZY_LETTERS``; letters only: a
    number, a request's or a room's, is looked up exactly, never as a near miss) by one of the vocabulary's
    words most like it.

    Quoted words must all be there but not side by side (a phrase is not looked up: no index can say
    where words stand, only each row); a query whose words an index cannot look up (``-a or b``) looks
    for the words it does not exclude."""
    sought = sought_words(text)
    if not sought:
        return None
    query = sa.func.websearch_to_tsquery(CONFIG, sa.bindparam(None, text, type_=sa.Text), type_=TSQUERY)
    query = sa.cast(sa.func.regexp_replace(sa.cast(query, sa.Text), "<(-|[0-9]+)>", "&", "g"), TSQUERY)
    query = sa.case((sa.func.querytree(query) == "T", query.op("&&", return_type=TSQUERY)(
        sa.func.plainto_tsquery(CONFIG, sa.bindparam(None, " ".join(sought), type_=sa.Text), type_=TSQUERY))),
        else_=query)
    words = list(dict.fromkeys(w for w in sought if w.isalpha() and len(w) >= MIN_FUZZY_LETTERS))
    if not words:
        return query
    near = {}
    for n, word in db.session.execute(_NEAR, {"words": words, "near": NEAR_WORDS}):
        if word.isalpha():  # the vocabulary holds letters only: nothing there is tsquery syntax
            near.setdefault(n, []).append(word)
    if len(near) < len(words):
        return query  # a word like none in any document: no request has them all
    fuzzy = " & ".join("(" + " | ".join(f"'{word}'" for word in near[n]) + ")" for n in sorted(near))
    return query.op("||", return_type=TSQUERY)(
        sa.func.to_tsquery(CONFIG, sa.bindparam(None, fuzzy, type_=sa.Text), type_=TSQUERY))


def words_of(request_ids):
    """The vocabulary's words that these requests' documents hold (PostgreSQL; SQLite keeps none)."""
    if not request_ids or db.session.get_bind().dialect.name != "postgresql":
        return []
    return list(db.session.scalars(_WORDS_OF, {"ids": list(request_ids)}))


def forget_words(words):
    """Drop from the vocabulary those of ``words`` that no document holds any more (after the retention
    run emptied some): a word of an anonymised request does not outlive it."""
    if words and db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(_FORGET, {"words": list(words)})


def request_id_of(text):
    """The request id a typed number names (``SR-000123``, ``sr123``, ``123``), or None."""
    found = _NUMBER.fullmatch(normalise(text).strip())
    if found is None:
        return None
    number = int(found.group(1))
    return number if 1 <= number <= MAX_ID else None
