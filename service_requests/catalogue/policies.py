"""SLA policies: the default target per priority, and per-category overrides."""
import sqlalchemy as sa

from offices.calendar import calendar_for, reach_problem
from offices.models import Office
from service_app.database import dialect_insert, utcnow
from service_app.errors import ApiError, invalid
from service_app.extensions import db

from .categories import get_category
from service_requests.models import PRIORITIES, SlaPolicy
from service_requests.sla import DEFAULT_TARGETS


def list_policies():
    """Every priority's effective default, then the category overrides."""
    stored = {(p.priority, p.category_code): p for p in db.session.scalars(sa.select(SlaPolicy))}
    items = []
    for priority in PRIORITIES:
        row = stored.get((priority, None))
        response, resolution = (row.response_minutes, row.resolution_minutes) if row else DEFAULT_TARGETS[priority]
        items.append({"priority": priority, "category": None, "response_minutes": response,
                      "resolution_minutes": resolution})
    for (priority, category), row in sorted(stored.items(), key=lambda kv: (kv[0][1] or "", kv[0][0])):
        if category is not None:
            items.append({"priority": priority, "category": category, "response_minutes": row.response_minutes,
                          "resolution_minutes": row.resolution_minutes})
    return {"items": items, "next_cursor": None}


def _check_offices_meet(minutes):
    """422 when an active office's week is too sparse to meet ``minutes`` (see ``reach_problem``)."""
    for office in db.session.scalars(sa.select(Office).where(Office.is_active.is_(True)).order_by(Office.id)):
        problem = reach_problem(calendar_for(office).weekly_open_minutes, minutes)
        if problem:
            message = f"office {office.code} is {problem}"
            raise invalid("resolution_minutes", message)


def put_policy(priority, data, category=None):
    """Set the targets of a priority (for one category when given). New requests use them."""
    if priority not in PRIORITIES:
        raise ApiError(404, "not_found", f"no priority {priority!r}; use one of {', '.join(PRIORITIES)}")
    if data["resolution_minutes"] < data["response_minutes"]:
        raise invalid("resolution_minutes", "must not be below response_minutes")
    _check_offices_meet(data["resolution_minutes"])
    code = get_category(category).code if category else None
    _upsert(priority, code, data["response_minutes"], data["resolution_minutes"])
    db.session.commit()
    return {"priority": priority, "category": code, "response_minutes": data["response_minutes"],
            "resolution_minutes": data["resolution_minutes"]}


def _upsert(priority, code, response_minutes, resolution_minutes):
    """Write the policy in one statement, so that concurrent identical PUTs all succeed.

    A read-then-insert lets two callers both find no row; the loser's insert then
    failed with 409. ``INSERT ... ON CONFLICT DO UPDATE`` (PostgreSQL and SQLite
    alike) makes the second writer update the row the first one inserted. The
    conflict target is the partial unique index for defaults (no category) or
    the (priority, category) constraint for overrides.
    """
    targets = {"response_minutes": response_minutes, "resolution_minutes": resolution_minutes}
    stmt = dialect_insert(db.session)(SlaPolicy).values(priority=priority, category_code=code, updated_at=utcnow(), **targets)
    if code is None:
        stmt = stmt.on_conflict_do_update(index_elements=[SlaPolicy.priority],
                                          index_where=SlaPolicy.category_code.is_(None),
                                          set_=dict(targets, updated_at=utcnow()))
    else:
        stmt = stmt.on_conflict_do_update(index_elements=[SlaPolicy.priority, SlaPolicy.category_code],
                                          set_=dict(targets, updated_at=utcnow()))
    db.session.execute(stmt)
