"""The status machine of a request (API.md): each move's effects on the
timestamps, the SLA clocks and the history. Who may make which move is
``access.TRANSITIONS``.
"""
from service_app.database import utcnow
from service_app.errors import ApiError

from service_requests import access, history, sla
from service_requests.history import Event
from service_requests.access import TRANSITIONS
from service_requests.models import FINAL_STATUSES


def allowed_moves(user, req, now=None):
    """The statuses ``user`` may move ``req`` to now."""
    now = now or utcnow()
    return [to for (frm, to) in TRANSITIONS if frm == req.status and access.may_move(user, req, to, now)]


def change_status(user, req, target, comment=None, rating=None, *, automatic=False, posted=None):
    """Move ``req`` to ``target`` or raise 409 ``invalid_transition`` listing the allowed moves.

    Records the history event and the timestamps; the caller commits. ``posted`` is a
    comment already written as this move's reason (a canned reply's), in place of ``comment``.
    """
    now = utcnow()
    if not automatic and not access.may_move(user, req, target, now):
        allowed = allowed_moves(user, req, now)
        raise ApiError(409, "invalid_transition",
                       f"cannot move from {req.status} to {target}; allowed: {', '.join(allowed) or 'none'}",
                       {"from": req.status, "to": target, "allowed": allowed})
    if target == "rejected" and not (comment or posted):
        raise ApiError(422, "validation_error", "comment: a rejection needs a comment",
                       {"comment": ["required when rejecting"]})
    if rating is not None and (req.status, target) != ("resolved", "closed"):
        raise ApiError(422, "validation_error", "rating: only when the author closes a resolved request",
                       {"rating": ["only when closing"]})
    previous = req.status
    req.status = target
    if previous == "waiting" and req.paused_at is not None:
        on_resume(req, now)
    if target == "waiting":
        req.paused_at = now
    if target == "resolved":
        req.resolved_at = now
        sla.on_resolved(req)
    if (previous, target) == ("resolved", "in_progress"):
        req.resolved_at = None
        sla.on_reopened(req)
    if target in FINAL_STATUSES:
        req.closed_at = now
    if target == "closed":
        req.rating = rating
    if previous == "new" and access.is_staff_for(user, req) and not access.is_author(user, req):
        mark_first_response(req, now)
    comment_row = posted
    if comment_row is None and comment:
        comment_row = history.add_comment(user, req, comment, part_of=Event.STATUS_CHANGED.value)
    data = {"from": previous, "to": target}
    if comment_row is not None:
        data["comment_id"] = comment_row.id
    if automatic:
        data["automatic"] = True
    if rating is not None:
        data["rating"] = rating
    history.record(req, Event.STATUS_CHANGED, user, data)
    return req


def mark_first_response(req, when):
    if req.first_response_at is None:
        req.first_response_at = when
        sla.on_first_response(req)


def on_resume(req, now):
    """Leaving ``waiting``: the SLA clock runs again and the deadlines move."""
    sla.resume(req, now)


def auto_close(req, now=None):
    """Close a request resolved long ago on the author's behalf (the SLA sweep; caller commits)."""
    req.status, req.closed_at = "closed", now or utcnow()
    history.record(req, Event.STATUS_CHANGED, None, {"from": "resolved", "to": "closed", "automatic": True})
