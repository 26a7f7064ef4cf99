"""SLA clocks of a request.

Until business calendars apply, deadlines run on wall-clock minutes from the
policy's targets; time spent ``waiting`` moves them later.
"""
from datetime import timedelta

DEFAULT_TARGETS = {  # priority: (response, resolution) in minutes
    "urgent": (60, 240),
    "high": (240, 960),
    "normal": (480, 2400),
    "low": (960, 4800),
}


def set_due_times(req, start):
    response, resolution = DEFAULT_TARGETS[req.priority]
    req.response_due_at = start + timedelta(minutes=response)
    req.resolution_due_at = start + timedelta(minutes=resolution)


def resume(req, now):
    """Leaving ``waiting``: deadlines move by the time spent waiting."""
    paused = now - req.paused_at
    if req.response_due_at is not None and req.first_response_at is None:
        req.response_due_at += paused
    if req.resolution_due_at is not None:
        req.resolution_due_at += paused


def block(req):
    return {
        "response_due_at": req.response_due_at,
        "resolution_due_at": req.resolution_due_at,
        "response_breached": req.response_breached,
        "resolution_breached": req.resolution_breached,
        "paused": req.paused_at is not None,
    }
