"""Auto-assignment: a rule per office and department, its pool of staff, and their availability.

A new request of an office and department with a ``round_robin`` or ``least_open`` rule is
assigned as it is created (``choose`` before its INSERT, ``record`` after). The rule's row is
locked (``SELECT ... FOR UPDATE``) for the rest of the create's transaction, so concurrent
creates take their turns one after another and never share one; SQLite serialises writers anyway.

Who may be chosen: pool members who are active staff covering the request's office and
department at that moment (``access.covers``; a member whose scope shrank since is skipped) and
are available (``User.is_available``). Nobody eligible: the request stays unassigned.
``least_open`` counts each member's open requests (``OPEN_STATUSES``) across all offices, their
whole workload; ties go to the one assigned longest ago by this rule (never first), then the
lowest id. A member who loses the scope of a rule is also dropped from its pool
(``drop_from_pools``, at ``Hook.SCOPE_LOSS``), so the rules staff read stay true.
"""
import re
from datetime import datetime

import sqlalchemy as sa

from offices.models import Department, Office
from service_app.database import utcnow
from service_app.errors import ApiError
from service_app.extensions import db
from service_app.users.models import User
from service_app.vocabulary import CODE_PATTERN

from service_requests import access
from service_requests.lifecycle import edits as triage
from service_requests.models import OPEN_STATUSES, ServiceRequest
from .models import AUTO_MODES, AssignmentPoolMember, AssignmentRule
from service_requests.catalogue.models import Category

MAX_POOL = 100


def auto_mode(office_id):
    """SQL scalar: the mode of an auto-assigning rule for ``office_id`` and the department of the
    ``Category`` of the enclosing query (NULL when there is none, or it is ``manual``). Intake reads it
    with the category, so a create without such a rule costs no statement more."""
    return (sa.select(AssignmentRule.mode)
            .where(AssignmentRule.office_id == office_id, AssignmentRule.department_code == Category.department_code,
                   AssignmentRule.mode.in_(AUTO_MODES))
            .scalar_subquery())


# --- reading and setting rules ---------------------------------------------------------------

def _pool(rule, now):
    return [{"id": m.user.id, "full_name": m.user.full_name, "available": m.user.is_available(now)}
            for m in rule.members]


def _view(rule, now=None):
    now = now or utcnow()
    return {"office_id": rule.office_id, "department": rule.department_code, "mode": rule.mode,
            "pool": _pool(rule, now)}


def list_rules(user):
    """The rules whose office and department lie in the caller's scope (an empty scope: all)."""
    stmt = (sa.select(AssignmentRule)
            .where(access.scope_condition(user, AssignmentRule.office_id, AssignmentRule.department_code))
            .order_by(AssignmentRule.office_id, AssignmentRule.department_code))
    now = utcnow()
    return {"items": [_view(rule, now) for rule in db.session.scalars(stmt)]}


def put_rule(user, office_id, department_code, data):
    """Create or replace the rule of an office and department; 404 for an unknown office or department,
    403 when the administrator's own scope does not cover them, 422 for a pool that cannot serve."""
    office = db.session.get(Office, office_id)
    if office is None:
        raise ApiError(404, "not_found", "no such office")
    department = (db.session.get(Department, department_code.upper())
                  if re.fullmatch(CODE_PATTERN, department_code) else None)
    if department is None:
        raise ApiError(404, "not_found", "no such department")
    if not access.covers(user, office.id, department.code):
        raise ApiError(403, "forbidden", "your scope does not cover this office and department")
    mode, pool = data["mode"], data["pool"]
    _check_pool(mode, pool, office.id, department.code)
    rule = db.session.scalar(sa.select(AssignmentRule).where(AssignmentRule.office_id == office.id,
                                                             AssignmentRule.department_code == department.code)
                             .with_for_update())
    if rule is None:
        rule = AssignmentRule(office_id=office.id, department_code=department.code, mode=mode, turns=0)
        db.session.add(rule)
    rule.mode, rule.updated_at = mode, utcnow()
    kept = {m.user_id: m for m in rule.members}
    members = []
    for position, user_id in enumerate(pool):
        member = kept.get(user_id) or AssignmentPoolMember(user_id=user_id)
        member.position = position
        members.append(member)
    rule.members = members  # members left out are deleted (delete-orphan); the others keep last_assigned_at
    db.session.flush()
    db.session.expire(rule, ["members"])
    view = _view(rule)
    db.session.commit()
    return view


def _check_pool(mode, pool, office_id, department_code):
    seen = set()
    for user_id in pool:
        if user_id in seen:
            raise ApiError(422, "validation_error", f"pool: user {user_id} is listed twice",
                           {"pool": [f"user {user_id} is listed twice"]})
        seen.add(user_id)
    if mode in AUTO_MODES and not pool:
        raise ApiError(422, "validation_error", f"pool: {mode} needs at least one member",
                       {"pool": [f"{mode} needs at least one member"]})
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(pool)))} if pool else {}
    for user_id in pool:
        member = users.get(user_id)
        if member is None or not access.covers(member, office_id, department_code):
            name = f"user {user_id}" + (f" ({member.full_name})" if member is not None else "")
            raise ApiError(422, "validation_error",
                           f"pool: {name} is not active staff covering this office and department",
                           {"pool": [f"{name} is not active staff covering this office and department"]})


def set_availability(user, data):
    """``{available: true}`` clears any absence; ``{available: false, until?}`` is away (until then)."""
    until = data.get("until")
    if data["available"] and until is not None:
        raise ApiError(422, "validation_error", "until: only an absence (available: false) has an end",
                       {"until": ["only an absence (available: false) has an end"]})
    if until is not None and until <= utcnow():
        raise ApiError(422, "validation_error", "until: must be in the future", {"until": ["must be in the future"]})
    user.available, user.available_until = data["available"], until
    db.session.commit()


def drop_from_pools(user, actor):
    """``Hook.SCOPE_LOSS``: take ``user`` out of the pools of rules they no longer cover."""
    members = db.session.scalars(sa.select(AssignmentPoolMember).where(AssignmentPoolMember.user_id == user.id))
    for member in list(members):
        if not access.covers(user, member.rule.office_id, member.rule.department_code):
            db.session.delete(member)


# --- at create -------------------------------------------------------------------------------

def choose(office_id, department_code, now=None):
    """Take the turn of the auto-assigning rule of this office and department (its row stays locked
    until the caller's commit): ``(assignee, mode)``, ``(None, mode)`` when nobody is eligible, or
    ``(None, None)`` when there is no such rule (any more)."""
    now = now or utcnow()
    rule = db.session.scalar(
        sa.select(AssignmentRule)
        .where(AssignmentRule.office_id == office_id, AssignmentRule.department_code == department_code,
               AssignmentRule.mode.in_(AUTO_MODES))
        .with_for_update(of=AssignmentRule)
        .execution_options(populate_existing=True))
    if rule is None:
        return None, None
    members = rule.members  # read with the rule, after its lock (populate_existing: not an older copy)
    eligible = [m for m in members
                if access.covers(m.user, office_id, department_code) and m.user.is_available(now)]
    if not eligible:
        return None, rule.mode
    if rule.mode == "round_robin":
        chosen = _next_in_turn(members, eligible, rule.last_user_id)
    else:
        chosen = _least_open(eligible)
    rule.last_user_id, rule.turns = chosen.user_id, rule.turns + 1
    chosen.last_assigned_at = now
    return chosen.user, rule.mode


def _next_in_turn(members, eligible, last_user_id):
    """The first eligible member after the last one assigned, in pool order (from the top when
    the last one is no longer in the pool)."""
    order = [m.user_id for m in members]
    start = order.index(last_user_id) + 1 if last_user_id in order else 0
    ranked = {user_id: (index - start) % len(order) for index, user_id in enumerate(order)}
    return min(eligible, key=lambda m: ranked[m.user_id])


def _least_open(eligible):
    ids = [m.user_id for m in eligible]
    counts = dict(db.session.execute(
        sa.select(ServiceRequest.assignee_id, sa.func.count())
        .where(ServiceRequest.assignee_id.in_(ids), ServiceRequest.status.in_(OPEN_STATUSES))
        .group_by(ServiceRequest.assignee_id)).all())
    never = datetime.min.replace(tzinfo=utcnow().tzinfo)
    return min(eligible, key=lambda m: (counts.get(m.user_id, 0), m.last_assigned_at or never, m.user_id))


def record(req, assignee, mode):
    """The ``assigned`` event of an auto-assignment, by the same path as a manual one (actor None)."""
    triage.assign_to(req, assignee, None, rule=mode)
