"""Finding requests: the filtered, paginated list every role sees through its own lens."""
import sqlalchemy as sa

from service_app.extensions import db
from service_app.pagination import paginate

from .access import visible_condition
from .models import ServiceRequest


def list_requests(user, args):
    """One page of the requests ``user`` may see that match the list's filters in ``args``."""
    return paginate(db.session, select_requests(user, args), ServiceRequest, args["limit"], args.get("cursor"))


def select_requests(user, args):
    """The list's query without its order and page: the requests ``user`` may see that match ``args``
    (loaded by ``RequestListArgsSchema``). Saved views count their requests by wrapping it."""
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
    for target in ("response", "resolution"):
        if target in args:
            stmt = stmt.where(sla_outcome(target, args[target]))
    if "rated" in args:
        rated = ServiceRequest.rating.is_not(None)
        stmt = stmt.where(rated if args["rated"] else sa.not_(rated))
    if args.get("q"):
        q = args["q"].lower()  # also in Python: SQLite's lower() folds ASCII letters only
        stmt = stmt.where(sa.or_(ServiceRequest.title.icontains(q, autoescape=True),
                                 ServiceRequest.description.icontains(q, autoescape=True)))
    return stmt


def sla_outcome(target, outcome):
    """The requests whose ``target`` (response or resolution) is ``met``, ``missed`` or ``decided``.

    The SLA report's and the dashboard's meaning (``reports._sla_counts``): a target is decided
    when the request was answered (resolved) or the target breached, and met when answered
    (resolved) without a breach; missed is breached, answered or not.
    """
    R = ServiceRequest
    done = R.first_response_at if target == "response" else R.resolved_at
    breached = R.response_breached if target == "response" else R.resolution_breached
    met = sa.and_(done.is_not(None), sa.not_(breached))
    return {"met": met, "missed": breached, "decided": sa.or_(met, breached)}[outcome]


def requests_at_office(office_id):
    """What keeps an office from being deleted, for ``Hook.OFFICE_USAGE_CHECKS``: its requests, final ones too."""
    count = db.session.scalar(sa.select(sa.func.count()).select_from(ServiceRequest)
                              .where(ServiceRequest.office_id == office_id))
    return f"{count} request{'s' if count != 1 else ''}" if count else None
