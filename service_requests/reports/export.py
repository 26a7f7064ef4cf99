"""``GET /requests.csv``: the request list's matching requests as a CSV file.

The same filters and order as the list (``queries.filter_conditions``, ``queries.order_by``)
inside the caller's view; column titles in the caller's language (the ``requests`` domain of
``service_app.catalogues``), category and department names too; statuses and priorities as the
API's codes; times in ISO 8601 UTC. UTF-8 with a BOM, so spreadsheet programs read Cyrillic
right. Cells are guarded against formulas (``csvfile``). At most ``EXPORT_MAX_ROWS`` rows: when
more match, the answer says so in ``X-Export-Truncated: true`` (found by one probe past the limit
before the first byte) and the file stops at the limit.

The file is written as the client reads it, ``CHUNK`` rows at a time, and no transaction nor
pooled connection waits on the client: each chunk is one keyset query (the rows after the last
one sent, in the list's order: the sort's key, then the id) in a transaction of its own, which
ends before the chunk is sent. A client reading slowly therefore costs no connection and cannot
meet ``DB_IDLE_IN_TRANSACTION_TIMEOUT``. The price is that the file is not one snapshot: each row
is as it was when its chunk was read; a request created meanwhile sorts before the rows already
sent under ``created`` and ``updated`` (newest first), so it is not in the file, and may be in it
under ``due``; a request whose key changes while the file is written moves in the order: under
``updated`` (to the front) it may be left out, under ``due`` left out or written twice; a deleted
one is missing if its chunk was not yet read.
"""
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from offices.models import Department, Office, Room
from service_app.catalogues import Domain
from service_app.extensions import db
from service_app.i18n import caller_language
from service_app.users.models import User

from service_requests.access import visible_condition
from .csvfile import BOM, Lines
from service_requests.models import ServiceRequest
from service_requests.catalogue.models import Category
from service_requests.queries import SORT_KEYS, filter_conditions, order_by
from .reports import localized

CHUNK = 5000  # rows per query: each plans the six joins again (10-20 ms), so chunks are large (a few MB)

TEXTS = Domain("requests")


def titles(t):
    """The columns' titles, in the file's order, in one language (``t``: the ``requests`` texts in it)."""
    return [
        t.pgettext("CSV column", "Number"),
        t.pgettext("CSV column", "Title"),
        t.pgettext("CSV column", "Status"),
        t.pgettext("CSV column", "Priority"),
        t.pgettext("CSV column", "Category"),
        t.pgettext("CSV column", "Department"),
        t.pgettext("CSV column", "Office"),
        t.pgettext("CSV column", "Room"),
        t.pgettext("CSV column", "Author"),
        t.pgettext("CSV column", "Assignee"),
        t.pgettext("CSV column", "Created at"),
        t.pgettext("CSV column", "First response at"),
        t.pgettext("CSV column", "Resolved at"),
        t.pgettext("CSV column", "Closed at"),
        t.pgettext("CSV column", "Response due at"),
        t.pgettext("CSV column", "Response breached"),
        t.pgettext("CSV column", "Resolution due at"),
        t.pgettext("CSV column", "Resolution breached"),
        t.pgettext("CSV column", "Rating"),
    ]


def _query(user, args):
    R = ServiceRequest
    author, assignee = aliased(User), aliased(User)
    return (sa.select(R.id, R.title, R.status, R.priority, Category.name, Department.name, Office.name,
                      Room.code, Room.name, author.full_name, assignee.full_name, R.created_at, R.first_response_at, R.resolved_at,
                      R.closed_at, R.response_due_at, R.response_breached, R.resolution_due_at,
                      R.resolution_breached, R.rating)
            .join(Category, Category.code == R.category_code)
            .outerjoin(Department, Department.code == R.department_code)
            .join(Office, Office.id == R.office_id)
            .outerjoin(Room, Room.id == R.room_id)
            .join(author, author.id == R.author_id)
            .outerjoin(assignee, assignee.id == R.assignee_id)
            .where(visible_condition(user), *filter_conditions(user, args))
            .order_by(*order_by(args.get("sort") or "created")))


def _keyset(sort):
    """``(key, descending)``: the expression the list orders by under ``sort`` (before the id)."""
    key = SORT_KEYS[sort]
    if key is None:
        return ServiceRequest.created_at, True
    return key.expression, key.descending


def _read_chunk(stmt):
    """The rows of ``stmt``, read in a transaction of their own: it ends (and the connection goes
    back to the pool) before the rows are written out. Nothing is written here, so it rolls back."""
    try:
        return db.session.execute(stmt).all()
    finally:
        db.session.rollback()


def requests_csv(user, args):
    """``(lines, truncated)``: a generator of the file's text, and whether more requests matched."""
    limit = current_app.config["EXPORT_MAX_ROWS"]
    probe = (sa.select(ServiceRequest.id).where(visible_condition(user), *filter_conditions(user, args))
             .offset(limit).limit(1))
    truncated = db.session.execute(probe).first() is not None
    language = caller_language()
    key, descending = _keyset(args.get("sort") or "created")
    # Built now, while the caller is loaded: the chunks read no more than the rows.
    stmt = _query(user, args).add_columns(key)
    position = sa.tuple_(key, ServiceRequest.id)

    def chunks():
        after, left = None, limit
        while left > 0:
            page = stmt if after is None else stmt.where(
                position < after if descending else position > after)
            rows = _read_chunk(page.limit(min(CHUNK, left)))
            if not rows:
                return
            yield rows
            if len(rows) < min(CHUNK, left):
                return
            left -= len(rows)
            last = rows[-1]
            after = sa.tuple_(sa.bindparam(None, last[-1], type_=key.type),
                              sa.bindparam(None, last[0], type_=ServiceRequest.id.type))

    def lines():
        db.session.rollback()  # the call's own transaction (the caller, the probe) ends before the first byte
        line = Lines()
        yield BOM + line(titles(TEXTS.speaking(language)))
        for rows in chunks():
            text = []
            for row in rows:
                (row_id, title, status, priority, category, department, office, room_code, room_name, *rest) = row
                room = None if room_code is None else f"{room_code} {localized(room_name, language)}"
                text.append(line([ServiceRequest.number_of(row_id), title, status, priority,
                                  localized(category, language),
                                  None if department is None else localized(department, language), office, room,
                                  *rest[:-1]]))
            yield "".join(text)

    return lines(), truncated
