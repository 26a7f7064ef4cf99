"""Submitting a request: validation, routing, coarsened location, idempotent retries."""
import hashlib
import json

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from offices.rooms import tag_room
from offices.service import route_request
from service_app.database import dialect_insert, utcnow
from service_app.errors import ApiError
from service_app.extensions import db

from . import access, following, forms, history, search, sla
from .history import Event
from .staff import assignment
from .catalogue.categories import active_category_and_department
from .models import IdempotencyKey, ServiceRequest, SlaPolicy
from .catalogue.models import Category


def body_hash(data):
    """A stable hash of a parsed body, so retries with reordered keys still match."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _replay(user_id, key, digest):
    entry = db.session.scalar(sa.select(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                              IdempotencyKey.key == key))
    if entry is None:
        return None
    if entry.body_hash != digest:
        raise ApiError(409, "idempotency_key_reused",
                       "this Idempotency-Key was already used with a different body")
    return db.session.get(ServiceRequest, entry.request_id)


def _claim_key(session, user_id, key, digest, request_id):
    """Store the key for the request just made, unless it is stored already: True when this
    transaction holds it. One INSERT ... ON CONFLICT DO NOTHING RETURNING; on PostgreSQL it waits
    for a concurrent transaction inserting the same key and sees its row once it commits."""
    stmt = (dialect_insert(session)(IdempotencyKey.__table__)
            .values(user_id=user_id, key=key, body_hash=digest, request_id=request_id, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["user_id", "key"]).returning(IdempotencyKey.id))
    return session.execute(stmt).first() is not None


def create_request(user, data, idempotency_key=None, _again=True):
    """Create a request (201) or, for a retried Idempotency-Key, return the one it made.

    Returns ``(request, replayed)``.

    A new key costs no read: the request is inserted, then the key row with ON CONFLICT DO
    NOTHING. When the key was stored already (a retry, or a concurrent try that committed
    first), the transaction is rolled back and the answer is the one a retry gets: the request
    the key made (201, replayed) or 409 when the body differs. A retry therefore costs the
    rolled-back INSERT too, and, as any rolled-back insert on PostgreSQL, leaves a gap in the
    sequence of request ids (numbers are unique and increasing, not gapless). A retry whose body
    no longer passes the checks (a category switched off since) still gets the request it made.
    """
    digest = body_hash(data)
    user_id = user.id  # a rollback expires the user: keep its id
    try:
        req, rule_mode = _build(user, data)
    except ApiError:
        existing = _replay(user_id, idempotency_key, digest) if idempotency_key else None
        if existing is None:
            raise
        return existing, True
    session = db.session()
    try:
        assignee = None
        if rule_mode is not None:
            # An auto-assigning rule applies: take its turn (the rule stays locked until the commit),
            # so the request is inserted with its assignee.
            with session.no_autoflush:
                assignee, rule_mode = assignment.choose(req.office_id, req.department_code, req.created_at)
            req.assignee = assignee
        session.add(req)
        session.flush()  # the request's id: its number goes into the key, the history and the notifications
        if idempotency_key and not _claim_key(session, user_id, idempotency_key, digest, req.id):
            session.rollback()
            existing = _replay(user_id, idempotency_key, digest)
            if existing is None and _again:  # the key was purged meanwhile: as a fresh key would be
                return create_request(user, data, idempotency_key, _again=False)
            if existing is None:
                raise ApiError(503, "unavailable", "the database is busy, retry later")
            return existing, True
        # The rest is added unflushed (the reads the notifications make do not depend on it), so
        # the commit writes the history, the feed and the outbox in one multi-row INSERT each.
        with session.no_autoflush:
            office = req.office
            routed = {"office": {"id": office.id, "code": office.code}, "routed_by": req.routed_by}
            if req.room is not None:
                routed["room"] = {"id": req.room.id, "code": req.room.code}
            history.record_all(req, [(Event.CREATED, {"status": "new"}), (Event.ROUTED, routed)], user)
            if assignee is not None:
                assignment.record(req, assignee, rule_mode)
        # What the answer shows is all in memory: keep it rather than read the request back.
        session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
        following.none_yet(req)
    except IntegrityError:
        # A concurrent retry with the same key won the race: answer with its request.
        db.session.rollback()
        existing = _replay(user_id, idempotency_key, digest) if idempotency_key else None
        if existing is None:
            raise
        return existing, True
    return req, False


def _build(user, data):
    priority = data.get("priority", "normal")
    location = data.get("location")
    lat, lon = (location["lat"], location["lon"]) if location else (None, None)
    found = {}

    def read(office_id):
        # The category, its department, the SLA policies that may apply and the routed office,
        # in one query; an unknown or inactive category is refused first, as before routing.
        # Whether an auto-assigning rule covers the office and the category's department rides along.
        category, department, policies, office, rule_mode = active_category_and_department(
            data["category"], also=SlaPolicy, on=sla.applies(priority, Category.code), office_id=office_id,
            value=assignment.auto_mode(office_id))
        found.update(category=category, department=department, policies=policies, rule_mode=rule_mode)
        return office

    room = None
    if data.get("qr_token"):
        room, routed, office = _route_by_tag(data, read)
        lat = lon = None
    else:
        routed, office = route_request(lat, lon, office_id=data.get("office_id"), home_office_id=user.office_id,
                                       read_office=read)
    category, department, policies = found["category"], found["department"], found["policies"]
    # The form's answers are checked against the category as read: no query of their own. A staff
    # member whose scope covers the request may fill staff-only fields already.
    public, private = forms.check_new(category.fields, data.get("fields"),
                                      access.covers(user, routed.office_id, category.department_code))
    digits = current_app.config["LOCATION_PRECISION_DECIMALS"]
    now = utcnow()
    req = ServiceRequest(
        title=data["title"], description=data.get("description") or "", category_code=category.code,
        department_code=category.department_code, priority=priority, status="new",
        office_id=routed.office_id, routed_by=routed.matched_by, author_id=user.id,
        # The precise point was needed only for routing; only a coarse copy is kept (P7).
        location_lat=round(lat, digits) if lat is not None else None,
        location_lon=round(lon, digits) if lon is not None else None,
        created_at=now, updated_at=now, attachments=[], fields=public, staff_fields=private,
        search_text=search.document(data["title"], data.get("description")))
    req.office = office
    req.room = room
    req.department = department  # read with the category: the answer shows it
    sla.set_due_times(req, policies)
    return req, found["rule_mode"]


class _TagRoute:
    office_id: int
    matched_by = "qr"

    def __init__(self, office_id):
        self.office_id = office_id


def _route_by_tag(data, read):
    """``(room, routing, office)`` for a request filed through a room's QR tag.

    The tag says where the request is: its office and room (``routed_by: qr``). A location sent
    with it is not needed, so it is neither routed nor stored (P7: the least personal data).
    An unknown, replaced or malformed tag is 404 (as ``GET /qr/{token}``); an ``office_id``
    other than the tag's office is 422, as the body then says two things.
    """
    room = tag_room(data["qr_token"], data.get("office_id"))
    office = read(room.office_id)
    return room, _TagRoute(room.office_id), office
