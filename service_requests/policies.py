"""SLA policies: the default target per priority, and per-category overrides."""
import sqlalchemy as sa

from service_app.errors import ApiError
from service_app.extensions import db

from .categories import get_category
from .models import PRIORITIES, SlaPolicy
from .sla import DEFAULT_TARGETS


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


def put_policy(priority, data, category=None):
    """Set the targets of a priority (for one category when given). New requests use them."""
    if priority not in PRIORITIES:
        raise ApiError(404, "not_found", f"no priority {priority!r}; use one of {', '.join(PRIORITIES)}")
    if data["resolution_minutes"] < data["response_minutes"]:
        raise ApiError(422, "validation_error", "resolution_minutes: must not be below response_minutes",
                       {"resolution_minutes": ["must not be below response_minutes"]})
    code = get_category(category).code if category else None
    row = db.session.scalar(sa.select(SlaPolicy).where(SlaPolicy.priority == priority,
                                                       SlaPolicy.category_code.is_(None) if code is None
                                                       else SlaPolicy.category_code == code))
    if row is None:
        row = SlaPolicy(priority=priority, category_code=code)
        db.session.add(row)
    row.response_minutes, row.resolution_minutes = data["response_minutes"], data["resolution_minutes"]
    db.session.commit()
    return {"priority": priority, "category": code, "response_minutes": row.response_minutes,
            "resolution_minutes": row.resolution_minutes}
