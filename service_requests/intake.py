"""Submitting a request: validation, routing, coarsened location, idempotent retries."""
import hashlib
import json

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from offices.models import Office
from offices.service import route_request
from service_app.database import utcnow
from service_app.errors import ApiError
from service_app.extensions import db

from . import history, sla
from .categories import active_category
from .models import IdempotencyKey, ServiceRequest


def body_hash(data):
    """A stable hash of a parsed body, so retries with reordered keys still match."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _replay(user, key, digest):
    entry = db.session.scalar(sa.select(IdempotencyKey).where(IdempotencyKey.user_id == user.id,
                                                              IdempotencyKey.key == key))
    if entry is None:
        return None
    if entry.body_hash != digest:
        raise ApiError(409, "idempotency_key_reused",
                       "this Idempotency-Key was already used with a different body")
    return db.session.get(ServiceRequest, entry.request_id)


def create_request(user, data, idempotency_key=None):
    """Create a request (201) or, for a retried Idempotency-Key, return the one it made.

    Returns ``(request, replayed)``.
    """
    digest = body_hash(data)
    if idempotency_key:
        existing = _replay(user, idempotency_key, digest)
        if existing is not None:
            return existing, True
    req = _build(user, data)
    try:
        db.session.add(req)
        db.session.flush()
        if idempotency_key:
            db.session.add(IdempotencyKey(user_id=user.id, key=idempotency_key, body_hash=digest,
                                          request_id=req.id))
            db.session.flush()
        office = db.session.get(Office, req.office_id)
        history.record(req, "created", user, {"status": "new"})
        history.record(req, "routed", user, {"office": {"id": office.id, "code": office.code},
                                             "routed_by": req.routed_by})
        db.session.commit()
    except IntegrityError:
        # A concurrent retry with the same key won the race: answer with its request.
        db.session.rollback()
        existing = _replay(user, idempotency_key, digest) if idempotency_key else None
        if existing is None:
            raise
        return existing, True
    return req, False


def _build(user, data):
    category = active_category(data["category"])
    location = data.get("location")
    lat, lon = (location["lat"], location["lon"]) if location else (None, None)
    routed = route_request(lat, lon, office_id=data.get("office_id"), home_office_id=user.office_id)
    digits = current_app.config["LOCATION_PRECISION_DECIMALS"]
    now = utcnow()
    req = ServiceRequest(
        title=data["title"], description=data.get("description") or "", category_code=category.code,
        department_code=category.department_code, priority=data.get("priority", "normal"), status="new",
        office_id=routed.office_id, routed_by=routed.matched_by, author_id=user.id,
        # The precise point was needed only for routing; only a coarse copy is kept (P7).
        location_lat=round(lat, digits) if lat is not None else None,
        location_lon=round(lon, digits) if lon is not None else None,
        created_at=now, updated_at=now)
    req.office = db.session.get(Office, routed.office_id)
    sla.set_due_times(req)
    return req
