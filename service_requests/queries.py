"""Finding requests: the filtered, paginated list every role sees through its own lens."""
import sqlalchemy as sa

from service_app.extensions import db
from service_app.pagination import paginate

from . import search
from .access import visible_condition
from .models import ServiceRequest


def list_requests(user, args):
    stmt = sa.select(ServiceRequest).where(visible_condition(user))
    if args.get("status"):
        stmt = stmt.where(ServiceRequest.status.in_(args["status"]))
    for field in ("office_id", "assignee_id", "author_id", "priority"):
        if field in args:
            stmt = stmt.where(getattr(ServiceRequest, field) == args[field])
    if "category" in args:
        stmt = stmt.where(ServiceRequest.category_code == args["category"].upper())
    if "created_from" in args:
        stmt = stmt.where(ServiceRequest.created_at >= args["created_from"])
    if "created_to" in args:
        stmt = stmt.where(ServiceRequest.created_at < args["created_to"])
    if "resolved" in args:
        resolved = ServiceRequest.resolved_at.is_not(None)
        stmt = stmt.where(resolved if args["resolved"] else sa.not_(resolved))
    if args.get("q"):
        stmt = stmt.where(search.condition(user, args["q"]))
    return paginate(db.session, stmt, ServiceRequest, args["limit"], args.get("cursor"))


def requests_at_office(office_id):
    """What keeps an office from being deleted, for ``Hook.OFFICE_USAGE_CHECKS``: its requests, final ones too."""
    count = db.session.scalar(sa.select(sa.func.count()).select_from(ServiceRequest)
                              .where(ServiceRequest.office_id == office_id))
    return f"{count} request{'s' if count != 1 else ''}" if count else None
