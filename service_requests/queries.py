"""Finding requests: the filtered, paginated list every role sees through its own lens."""
import sqlalchemy as sa

from service_app.database import utcnow
from service_app.extensions import db
from service_app.pagination import SortKey, paginate

from . import forms, search
from .access import staff_condition, visible_condition
from .models import Never, ServiceRequest, due_key, open_deadline, resolution_clock_open, response_clock_open


def list_requests(user, args):
    """A page of the requests ``user`` may see, filtered and ordered as ``args`` say.

    Every filter narrows the caller's own view (``visible_condition``): an employee's filters
    never reach others' requests, and a manager asking for someone's assignments outside the
    scope gets only those in scope (or assigned to the manager). ``room_id`` filters by room;
    ``field.<key>=<value>`` by a category form's answer (``forms.filter_condition``).

    ``sort``: ``created`` newest first; ``updated`` last changed first; ``due`` nearest running
    SLA deadline first (``models.due_key``), requests whose clocks are paused or stopped last,
    oldest first among themselves (by id). Each order has its own cursor. Under ``updated`` and
    ``due`` a request whose key changes while someone pages moves within the order: it is shown
    where it now belongs, never twice on the pages that follow.
    """
    return paginate(db.session, select_requests(user, args), ServiceRequest, args["limit"], args.get("cursor"),
                    sort=SORT_KEYS[args.get("sort") or "created"])


def select_requests(user, args):
    """The list's query without its order and page: the requests ``user`` may see that match ``args``
    (loaded by ``RequestListArgsSchema``). Saved views count their requests by wrapping it."""
    return sa.select(ServiceRequest).where(visible_condition(user), *filter_conditions(user, args))


SORT_KEYS = {
    "created": None,  # the default keyset order: created_at desc, id desc
    "updated": SortKey("updated", ServiceRequest.updated_at, descending=True),
    "due": SortKey("due", due_key(), descending=False, value=open_deadline(), never=Never.VALUE),
}


def order_by(sort):
    """ORDER BY clauses of a sort, as the list pages in it."""
    key = SORT_KEYS[sort]
    if key is None:
        return ServiceRequest.created_at.desc(), ServiceRequest.id.desc()
    return (key.expression.desc(), ServiceRequest.id.desc()) if key.descending else (key.expression, ServiceRequest.id)


def filter_conditions(user, args):
    """SQL conditions of the list's filters, ``q`` included, shared by the list, its CSV and saved views."""
    R = ServiceRequest
    conditions = []
    for name, column in (("status", R.status), ("office_id", R.office_id), ("room_id", R.room_id),
                         ("priority", R.priority)):
        if args.get(name):
            conditions.append(column.in_(sorted(set(args[name]))))
    if args.get("category"):
        conditions.append(R.category_code.in_(sorted({code.upper() for code in args["category"]})))
    if args.get("assignee_id"):
        conditions.append(_assignee_condition(user, args["assignee_id"]))
    if "author_id" in args:
        conditions.append(R.author_id == args["author_id"])
    if "created_from" in args:
        conditions.append(R.created_at >= args["created_from"])
    if "created_to" in args:
        conditions.append(R.created_at < args["created_to"])
    if "updated_since" in args:
        conditions.append(R.updated_at >= args["updated_since"])
    if "resolved" in args:
        resolved = R.resolved_at.is_not(None)
        conditions.append(resolved if args["resolved"] else sa.not_(resolved))
    for target in ("response", "resolution"):
        if target in args:
            conditions.append(sla_outcome(target, args[target]))
    if "rated" in args:
        rated = R.rating.is_not(None)
        conditions.append(rated if args["rated"] else sa.not_(rated))
    if args.get("q"):
        conditions.append(search.condition(user, args["q"]))
    if args.get("sla"):
        now = utcnow()
        conditions.append(breached_condition(now) if args["sla"] == "breached" else at_risk_condition(now))
    if args.get("fields"):
        dialect = db.session.get_bind().dialect.name
        for key, text in sorted(args["fields"].items()):
            conditions.append(forms.filter_condition(key, text, staff_condition(user), dialect))
    return conditions


def _assignee_condition(user, values):
    ids = sorted({user.id if v == "me" else v for v in values if v != "none"})
    options = [ServiceRequest.assignee_id.in_(ids)] if ids else []
    if "none" in values:
        options.append(ServiceRequest.assignee_id.is_(None))
    return sa.or_(*options)


def breached_condition(now):
    """``sla=breached``: a breached flag is set (kept after the request moves on), or a deadline
    whose clock runs has passed and the SLA sweep has not marked it yet.

    A paused (``waiting``) request's clocks do not run, so it counts only by its flags.
    """
    R = ServiceRequest
    return sa.or_(R.response_breached, R.resolution_breached, due_key() < now)


def at_risk_condition(now):
    """``sla=at_risk``: at least 80 % of a running target used (its ``*_risk_at``, which
    ``sla.set_due_times`` computes in the office's business minutes, pauses added), and not
    breached (no flag, no running deadline passed).

    A paused (``waiting``) request is never at risk: its clocks stand still and its deadlines
    move later by the pause when it resumes. Resolved and final requests are never at risk.
    """
    R = ServiceRequest
    c = R.__table__.c
    used = sa.or_(sa.and_(response_clock_open(c), R.response_risk_at <= now),
                  sa.and_(resolution_clock_open(c), R.resolution_risk_at <= now))
    return sa.and_(used, sa.not_(breached_condition(now)))


def sla_outcome(target, outcome):
    """The requests whose ``target`` (response or resolution) is ``met``, ``missed`` or ``decided``.

    The SLA report's and the dashboard's meaning (``reports._sla_counts``): a target is decided
    when the request was answered (resolved) or the target breached, and met when answered
    (resolved) without a breach; missed is breached, answered or not. A merged request
    (``duplicate``) is none of them: the reports count it as merged.
    """
    R = ServiceRequest
    done = R.first_response_at if target == "response" else R.resolved_at
    not_merged = R.status != "duplicate"
    breached = sa.and_(R.response_breached if target == "response" else R.resolution_breached, not_merged)
    met = sa.and_(done.is_not(None), sa.not_(breached), not_merged)
    return {"met": met, "missed": breached, "decided": sa.or_(met, breached)}[outcome]


def requests_at_office(office_id):
    """What keeps an office from being deleted, for ``Hook.OFFICE_USAGE_CHECKS``: its requests, final ones too."""
    count = db.session.scalar(sa.select(sa.func.count()).select_from(ServiceRequest)
                              .where(ServiceRequest.office_id == office_id))
    return f"{count} request{'s' if count != 1 else ''}" if count else None


def requests_in_room(room_id):
    """What keeps a room from being deleted, for ``Hook.ROOM_USAGE_CHECKS``: its requests, final ones too."""
    count = db.session.scalar(sa.select(sa.func.count()).select_from(ServiceRequest)
                              .where(ServiceRequest.room_id == room_id))
    return f"{count} request{'s' if count != 1 else ''}" if count else None
