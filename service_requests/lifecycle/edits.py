"""Editing a request: the author's wording while ``new``; staff's priority,
category, assignee and office. Every edit needs the current ETag."""
import sqlalchemy as sa

from offices.models import Office
from service_app.errors import ApiError
from service_app.extensions import db
from service_app.users.models import User

from service_requests import access, forms, history, search, sla
from service_requests.history import Event
from . import status as lifecycle
from service_requests.catalogue.categories import active_category
from service_requests.models import FINAL_STATUSES, ServiceRequest
from service_requests.responses import etag_value
from service_requests.catalogue.models import Category


def check_etag(user, req, if_match, required=True):
    """428 without ``If-Match`` (when required), 412 when it is not ``user``'s current ETag.

    ``if_match`` is werkzeug's parsed header (``request.if_match``): ``*`` matches
    anything, and a weak tag counts (the version is the whole representation). Staff's tag
    also names the staff-only answers (``responses.etag_value``), so staff who read before
    another's edit of those are told, though the version did not move.
    """
    if not if_match:
        if required:
            raise ApiError(428, "precondition_required", "send If-Match with the request's ETag")
        return
    current = etag_value(user, req)
    if not if_match.contains_weak(current):
        raise ApiError(412, "precondition_failed", "the request changed since you read it; reload it",
                       {"etag": f'"{current}"'})


def update_request(user, req, data, if_match):
    """An edit from the API: If-Match required, then :func:`apply_update`, then one commit."""
    check_etag(user, req, if_match)
    apply_update(user, req, data)
    db.session.commit()
    return req


def apply_update(user, req, data):
    """The rules of an edit and its history events (the caller commits): also a bulk item's edit."""
    fields = set(data)
    access.require_may_edit(user, req, fields)
    if fields & access.AUTHOR_FIELDS and req.status != "new":
        raise ApiError(409, "conflict", "title and description can be changed only while the request is new")
    if req.is_final and fields & access.STAFF_FIELDS:
        raise ApiError(409, "conflict", f"the request is {req.status}")
    changes = {}
    for field in ("title", "description", "priority"):
        if field in data and data[field] != getattr(req, field):
            changes[field] = {"from": getattr(req, field), "to": data[field]}
            setattr(req, field, data[field])
    if {"title", "description"} & set(changes):
        req.search_text = search.public_document(req)
    if "category" in data:
        _recategorise(req, data["category"], changes)
    staff_changes = {}
    if "fields" in data:
        # Checked against the form of the request's category as it is now (after a re-categorisation
        # in the same edit): answers to keys the form no longer has are kept, unchecked.
        public, staff_changes = forms.apply_changes(req, _current_form(req), data["fields"])
        if public:
            changes["fields"] = public
    if "office_id" in data and data["office_id"] != req.office_id:
        _reroute(user, req, data["office_id"])
    if "assignee_id" in data and data["assignee_id"] != req.assignee_id:
        _assign(user, req, data["assignee_id"])
    elif {"category", "office_id"} & fields:
        _release_if_out_of_scope(user, req)
    if {"priority", "category"} & set(changes) or "office_id" in data:
        sla.set_due_times(req)
    if changes:
        history.record(req, Event.UPDATED, user, changes)
    if staff_changes:
        # Staff-only answers never reach the author: their changes are an internal event.
        history.record(req, Event.UPDATED, user, {"fields": staff_changes}, internal=True)
    return req


def _current_form(req):
    category = db.session.get(Category, req.category_code)
    return category.fields if category is not None else []


def _recategorise(req, code, changes):
    category = active_category(code)
    if category.code != req.category_code:
        changes["category"] = {"from": req.category_code, "to": category.code}
        req.category_code = category.code
        if category.department_code != req.department_code:
            changes["department"] = {"from": req.department_code, "to": category.department_code}
            req.department_code = category.department_code


def _reroute(user, req, office_id):
    office = db.session.get(Office, office_id)
    if office is None or not office.is_active:
        raise ApiError(422, "validation_error", f"office_id: no active office with id {office_id}",
                       {"office_id": ["no such active office"]})
    previous = req.office
    req.office, req.routed_by = office, "manual"
    if req.room_id is not None and req.room.office_id != office.id:
        req.room = None  # a room belongs to its office: moved elsewhere, the request leaves it
    history.record(req, Event.REROUTED, user, {"from": {"id": previous.id, "code": previous.code},
                                           "to": {"id": office.id, "code": office.code}, "routed_by": "manual"})


def assign(user, req, assignee_id):
    """Assign ``req`` (caller commits); nothing happens when it already has that assignee."""
    return apply_update(user, req, {"assignee_id": assignee_id})


def _assign(user, req, assignee_id):
    assignee = None
    if assignee_id is not None:
        assignee = db.session.scalar(sa.select(User).where(User.id == assignee_id))
        if assignee is None or not access.covers(assignee, req.office_id, req.department_code):
            raise ApiError(422, "validation_error",
                           "assignee_id: must be an active administrator or manager whose scope covers "
                           "this request's office and department",
                           {"assignee_id": ["not staff responsible for this request"]})
    assign_to(req, assignee, user)


def assign_to(req, assignee, actor, **data):
    """Set the assignee (None: unassign) and record the ``assigned`` event (its notification and sync
    follow from it): the one path of a manual assignment and of an assignment rule's (actor None)."""
    req.assignee_id = assignee.id if assignee is not None else None
    history.record(req, Event.ASSIGNED, actor, {
        "assignee": {"id": assignee.id, "full_name": assignee.full_name} if assignee else None, **data})


def _release_if_out_of_scope(user, req):
    """After a re-route or a re-categorisation the assignee must still cover the request, or it is unassigned."""
    if req.assignee_id is None:
        return
    assignee = db.session.get(User, req.assignee_id)
    if assignee is None or not access.covers(assignee, req.office.id, req.department_code):
        previous, req.assignee_id = req.assignee_id, None
        history.record(req, Event.ASSIGNED, user, {"assignee": None, "reason": "assignee_out_of_scope",
                                               "previous": {"id": previous}})


def release_assignments(user, actor):
    """Unassign ``user`` from open requests their new role, scope or activity no longer covers.

    Runs in the transaction of the account edit (a scope-loss hook), one
    ``assigned`` event per request. Final requests keep their assignee: the
    reports count who resolved what.
    """
    stmt = (sa.select(ServiceRequest)
            .where(ServiceRequest.assignee_id == user.id, ServiceRequest.status.not_in(FINAL_STATUSES))
            .with_for_update(of=ServiceRequest))
    for req in db.session.scalars(stmt):
        if not access.covers(user, req.office_id, req.department_code):
            req.assignee_id = None
            history.record(req, Event.ASSIGNED, actor, {"assignee": None, "reason": "assignee_out_of_scope",
                                                    "previous": {"id": user.id}})


def move(user, req, data, if_match, *, commit=True):
    """A status change from the API: If-Match optional, then the status machine, then one commit
    (``commit=False``: the caller commits, as a bulk call does once for all its items)."""
    check_etag(user, req, if_match, required=False)
    lifecycle.change_status(user, req, data["status"], data.get("comment"), data.get("rating"))
    if commit:
        db.session.commit()
    return req
