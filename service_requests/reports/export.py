"""``GET /requests.csv``: the request list's matching requests as a CSV file.

The same filters and order as the list (``queries.filter_conditions``, ``queries.order_by``)
inside the caller's view; column titles in the caller's language (the ``requests`` domain of
``service_app.catalogues``), category and department names too; statuses and priorities as the
API's codes; times in ISO 8601 UTC. UTF-8 with a BOM, so spreadsheet programs read Cyrillic
right. Cells are guarded against formulas (``csvfile``). The rows are read in chunks and written
as they come, at most ``EXPORT_MAX_ROWS``: when more match, the answer says so in
``X-Export-Truncated: true`` (found by one probe past the limit before the first byte) and the
file stops at the limit.
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
from service_requests.queries import filter_conditions, order_by
from .reports import localized

CHUNK = 1000

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


def requests_csv(user, args):
    """``(lines, truncated)``: a generator of the file's text, and whether more requests matched."""
    limit = current_app.config["EXPORT_MAX_ROWS"]
    probe = (sa.select(ServiceRequest.id).where(visible_condition(user), *filter_conditions(user, args))
             .offset(limit).limit(1))
    truncated = db.session.execute(probe).first() is not None
    language = caller_language()
    stmt = _query(user, args).limit(limit).execution_options(yield_per=CHUNK)

    def lines():
        line = Lines()
        yield BOM + line(titles(TEXTS.speaking(language)))
        chunk = []
        for row in db.session.execute(stmt):
            (row_id, title, status, priority, category, department, office, room_code, room_name, *rest) = row
            room = None if room_code is None else f"{room_code} {localized(room_name, language)}"
            chunk.append(line([ServiceRequest.number_of(row_id), title, status, priority,
                               localized(category, language),
                               None if department is None else localized(department, language), office, room,
                               *rest]))
            if len(chunk) == CHUNK:
                yield "".join(chunk)
                chunk = []
        if chunk:
            yield "".join(chunk)

    return lines(), truncated
