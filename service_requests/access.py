"""Who may see and do what with a request: the one place that decides.

Employees see what they wrote. Administrators and managers see requests
whose office lies in their office scope and whose department lies in their
department scope (an empty scope means all), plus what is assigned to them.
A request the caller may not see answers 404, exactly like a missing one.
"""
import sqlalchemy as sa

from service_app.errors import ApiError
from service_app.extensions import db

from .models import ServiceRequest

NOT_FOUND = "no such request"


def scope_condition(user):
    """SQL condition: the request lies in the staff member's office and department scope."""
    conditions = []
    if user.office_ids:
        conditions.append(ServiceRequest.office_id.in_(user.office_ids))
    if user.department_codes:
        conditions.append(ServiceRequest.department_code.in_(user.department_codes))
    return sa.and_(sa.true(), *conditions)


def visible_condition(user):
    """SQL condition selecting the requests ``user`` may see."""
    own = ServiceRequest.author_id == user.id
    if not user.is_staff:
        return own
    return sa.or_(own, ServiceRequest.assignee_id == user.id, scope_condition(user))


def covers(user, office_id, department_code):
    """Whether a staff member's scope covers this office and department."""
    return (user.is_staff and user.is_active
            and (not user.office_ids or office_id in user.office_ids)
            and (not user.department_codes or department_code in user.department_codes))


def is_staff_for(user, req):
    """Staff who may process this request: in scope, or its assignee."""
    return user.is_staff and (covers(user, req.office_id, req.department_code) or req.assignee_id == user.id)


def may_read(user, req):
    """``visible_condition`` for one loaded request: whether ``user`` would get it, not a 404."""
    if user is None or not user.is_active:
        return False
    return (is_author(user, req)
            or (user.is_staff and (req.assignee_id == user.id or covers(user, req.office_id, req.department_code))))


def is_author(user, req):
    return req.author_id == user.id


def get_visible_request(user, request_id, *, for_update=False):
    """The request if ``user`` may see it; 404 for missing and for not yours alike."""
    stmt = sa.select(ServiceRequest).where(ServiceRequest.id == request_id, visible_condition(user))
    if for_update:
        stmt = stmt.with_for_update(of=ServiceRequest)
    req = db.session.scalar(stmt)
    if req is None:
        raise ApiError(404, "not_found", NOT_FOUND)
    return req


def may_read_internal(user, req):
    return is_staff_for(user, req)


def require_staff(user, req, action="do this"):
    if not is_staff_for(user, req):
        raise ApiError(403, "forbidden", f"only staff responsible for this request may {action}")
