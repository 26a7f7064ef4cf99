"""SLA clocks of a request, in business minutes of its office's calendar.

Targets come from the policy of the request's priority (a category may
override it). A deadline is ``created_at`` plus the target plus the business
minutes the request spent ``waiting`` (the clock is paused while the team
waits for the employee), so every deadline can be recomputed from scratch
after a priority change or a re-route. ``*_risk_at`` mark 80% of a target,
when the sweep warns.
"""
import sqlalchemy as sa

from offices.calendar import NoDeadline, calendar_for
from service_app.extensions import db

from .models import SlaPolicy

DEFAULT_TARGETS = {  # priority: (response, resolution) in business minutes (API.md)
    "urgent": (60, 240),
    "high": (240, 960),
    "normal": (480, 2400),
    "low": (960, 4800),
}
RISK_SHARE = 0.8


def applies(priority, category_code=None):
    """SQL condition on ``SlaPolicy``: the policies that may apply to a priority and category
    (``category_code`` a value, or a column when the policies are read joined to categories)."""
    return sa.and_(SlaPolicy.priority == priority,
                   sa.or_(SlaPolicy.category_code.is_(None), SlaPolicy.category_code == category_code))


def targets(priority, category_code=None, policies=None):
    """``(response_minutes, resolution_minutes)`` for a priority (and category override).

    ``policies``: the rows ``applies`` selects, when the caller read them already.
    """
    if policies is None:
        policies = db.session.scalars(sa.select(SlaPolicy).where(applies(priority, category_code)))
    best = None
    for row in policies:
        if best is None or row.category_code is not None:
            best = row
    return (best.response_minutes, best.resolution_minutes) if best else DEFAULT_TARGETS[priority]


def set_due_times(req, policies=None):
    """(Re)compute the deadlines and warning times of ``req`` from its office, priority and pauses
    (``policies`` as for ``targets``)."""
    calendar = calendar_for(req.office)
    response, resolution = targets(req.priority, req.category_code, policies)
    start, paused = req.created_at, req.paused_minutes or 0.0
    req.response_due_at = _due(calendar, start, response + paused)
    req.resolution_due_at = _due(calendar, start, resolution + paused)
    req.response_risk_at = _due(calendar, start, response * RISK_SHARE + paused)
    req.resolution_risk_at = _due(calendar, start, resolution * RISK_SHARE + paused)


def _due(calendar, start, minutes):
    """The deadline, capped at the calendar's search horizon (about ten years).

    Offices and policies whose weekly hours cannot meet a target are refused when saved;
    a deadline that holidays, a long pause or an office saved before that check still push
    past the horizon is capped there rather than failing the change that needs it.
    """
    try:
        return calendar.add_business_minutes(start, minutes)
    except NoDeadline as exc:
        return exc.horizon


def longest_target():
    """The longest resolution target in force, in business minutes (every office must meet it)."""
    stored = db.session.scalar(sa.select(sa.func.max(SlaPolicy.resolution_minutes))) or 0
    return max(stored, *(resolution for _, resolution in DEFAULT_TARGETS.values()))


def resume(req, now):
    """Leaving ``waiting``: the business time spent waiting moves the deadlines later."""
    req.paused_minutes = (req.paused_minutes or 0.0) + calendar_for(req.office).business_minutes_between(
        req.paused_at, now)
    req.paused_at = None
    set_due_times(req)


def on_first_response(req):
    req.response_minutes = _elapsed(req, req.first_response_at)
    req.response_breached = req.first_response_at > req.response_due_at


def on_resolved(req):
    req.resolution_minutes = _elapsed(req, req.resolved_at)
    req.resolution_breached = req.resolution_breached or req.resolved_at > req.resolution_due_at


def on_reopened(req):
    req.resolution_minutes = None


def _elapsed(req, when):
    minutes = calendar_for(req.office).business_minutes_between(req.created_at, when) - (req.paused_minutes or 0.0)
    return round(max(minutes, 0.0), 1)

