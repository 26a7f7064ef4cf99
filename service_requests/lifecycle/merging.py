"""Merging a duplicate into the request it repeats (API.md "Employees").

Staff responsible for both requests merge one into the other: the merged request moves to
the final status ``duplicate`` (its own action, not a move of the status machine), points at
its target (``merged_into``), and its SLA clocks stop (the sweep and the reports read only
running clocks; the reports count it as ``merged``, never met nor breached). Its author and
followers follow the target from then on, when its category is discoverable (PRIVACY.md P18: a
follow admits nobody to another category's request); a public comment on it, in its author's
language, names the target, and its author is told (``merged``). A request is merged only while it is
not final (a closed, rejected or cancelled one has nothing left to merge), never into itself,
into a final request, or from or into one merged already: 409. A request the caller is not
responsible for answers 404, as missing.

The sync log gets a ``moved`` row for the merged request: it moved into another request, so
every phone that has it (those who saw it before, ``before_*``) is told, and shows it as a
duplicate pointing at the target.
"""

from service_app import changes
from service_app.catalogues import Domain
from service_app.database import utcnow
from service_app.errors import ApiError
from service_app.extensions import db

from service_requests import access, following, history
from service_requests.history import Event
from service_requests.models import ServiceRequest

TEXTS = Domain("requests")


def merged_comment(language, target_number):
    """The public comment on the merged request, in its author's ``language``, naming the target."""
    t = TEXTS.speaking(language)
    return t.gettext("This request was merged into {target}: follow it there; you now get its updates.", target=target_number)


def _responsible(user, request_id):
    """The request locked for the merge if ``user`` is staff for it; 404 otherwise."""
    req = access.get_visible_request(user, request_id, for_update=True)
    if not access.is_staff_for(user, req):
        raise ApiError(404, "not_found", access.NOT_FOUND)
    return req


def merge(user, request_id, into):
    """Merge request ``request_id`` into ``into``; returns the target. Nothing is written on a refusal."""
    # Both rows locked, lower id first, so two merges of the same pair never wait on each other.
    locked = {i: _responsible(user, i) for i in sorted({request_id, into})}
    source, target = locked[request_id], locked[into]
    _check(source, target)
    now = utcnow()
    before = {field: getattr(source, field) for field in changes.VISIBILITY_FIELDS}
    previous = source.status
    ref = {"id": target.id, "number": target.number}
    source.status, source.merged_into_id, source.closed_at = "duplicate", target.id, now
    source.paused_at = None  # its clocks stop where they are
    history.add_comment(user, source, merged_comment(source.author.language, target.number), part_of="merged")
    history.record(source, Event.MERGED, user, {"from": previous, "to": "duplicate", "into": ref})
    history.record(target, Event.MERGED_IN, user, {"request": {"id": source.id, "number": source.number}})
    if access.is_discoverable(target):
        people = [source.author_id, *following.follower_ids(source.id)]
        following.add_followers(target.id, [i for i in people if i != target.author_id], now)
    following.forget(target)
    changes.log_moved(db.session(), source.id, before)
    db.session.commit()
    return target


def may_be_merged(req):
    """Whether ``req`` may be merged into another request: a final one (a duplicate too) may not."""
    return not req.is_final


def _check(source, target):
    if source.id == target.id:
        raise ApiError(409, "conflict", "a request cannot be merged into itself")
    if source.status == "duplicate":
        number = _number(source.merged_into_id)
        raise ApiError(409, "conflict", f"this request was already merged into {number}")
    if target.status == "duplicate":
        number = _number(target.merged_into_id)
        raise ApiError(409, "conflict", f"the target was merged into {number}; merge into that request instead")
    status = target.status
    if target.is_final:
        raise ApiError(409, "conflict", f"the target is {status}; merge into a request that is not final")
    status = source.status
    if not may_be_merged(source):
        raise ApiError(409, "conflict", f"this request is {status}; only a request that is not final can be merged")


def _number(request_id):
    return ServiceRequest.number_of(request_id) if request_id is not None else "?"
