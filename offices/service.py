"""Offices and departments: validation, changes, and the routing preview."""
import math

import sqlalchemy as sa
from flask import current_app

from service_app.database import assign, get_or_404
from service_app.errors import ApiError, invalid
from service_app.extensions import db
from service_app.plugins import Hook, hooks
from service_app.users.models import User

from .calendar import DEFAULT_HOURS, reach_problem
from .directory import bump_version, get_router
from .geometry import GeometryError, LikelySwappedError, check_point, parse_geofence, to_geojson
from .hours import check_office_hours
from .models import Department, Office
from .routing import OfficeRequired

def _check_hours_meet_targets(week):
    """422 when the week is too sparse for the longest SLA target in force (see ``reach_problem``)."""
    longest = max((source() for source in hooks().get(Hook.DEADLINE_TARGETS)), default=0)
    problem = reach_problem(week.weekly_open_minutes, longest)
    if problem:
        raise invalid("business_hours", problem)


def list_offices(user):
    stmt = sa.select(Office).order_by(Office.id)
    if user.role != "administrator":
        stmt = stmt.where(Office.is_active.is_(True))
    return {"items": list(db.session.scalars(stmt)), "next_cursor": None}


def get_office(office_id):
    return get_or_404(Office, office_id, "no such office")


def _clean(data):
    """Validate the calendar and geofence fields of an office body, normalising them."""
    if "code" in data:
        data["code"] = data["code"].upper()
    if "geofence" in data:
        try:
            geometry = parse_geofence(data["geofence"], max_vertices=current_app.config["MAX_GEOFENCE_VERTICES"],
                                      max_extent_km=current_app.config["MAX_GEOFENCE_EXTENT_KM"])
        except GeometryError as exc:
            raise invalid("geofence", exc.reason, "invalid_geometry") from None
        data["geofence"] = to_geojson(geometry)
    week = check_office_hours(data)
    if week is not None:
        _check_hours_meet_targets(week)
    return data


def _code_taken(code, exclude_id=None):
    stmt = sa.select(Office.id).where(Office.code == code)
    if exclude_id:
        stmt = stmt.where(Office.id != exclude_id)
    return db.session.scalar(stmt) is not None


def create_office(data):
    data = _clean(data)
    if _code_taken(data["code"]):
        raise ApiError(409, "conflict", "code: already taken", {"code": ["already taken"]})
    office = Office(**{"business_hours": dict(DEFAULT_HOURS), **data})
    db.session.add(office)
    bump_version()
    db.session.commit()
    return office


def update_office(office, data):
    data = _clean(data)
    if "code" in data and _code_taken(data["code"], office.id):
        raise ApiError(409, "conflict", "code: already taken", {"code": ["already taken"]})
    assign(office, data)
    bump_version()
    db.session.commit()
    return office


def _accounts_at(office_id):
    """The accounts whose home office this is (``Hook.OFFICE_USAGE_CHECKS``'s contract, for this package's data)."""
    count = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.office_id == office_id))
    return f"{count} account{'s' if count != 1 else ''}" if count else None


def delete_office(office):
    """Delete an office nobody refers to; one in use must be deactivated instead.

    The 409 names what holds on to the office (requests through
    ``Hook.OFFICE_USAGE_CHECKS``, accounts here), so the administrator sees why.
    """
    checks = (*hooks().get(Hook.OFFICE_USAGE_CHECKS), _accounts_at)
    uses = [use for use in (check(office.id) for check in checks) if use]
    if uses:
        raise ApiError(409, "conflict", f"the office has {' and '.join(uses)}; "
                                        "deactivate it with is_active: false instead")
    db.session.delete(office)
    bump_version()
    db.session.commit()


def route_point(lat, lon, office_id=None, home_office_id=None):
    """Route a point, or raise 422 for a bad point (including a likely lat/lon swap)."""
    try:
        lat, lon = check_point(lat, lon)
    except LikelySwappedError as exc:
        raise invalid("lat", exc.reason) from None
    except GeometryError as exc:
        raise invalid("lat" if "lat" in exc.reason else "lon", exc.reason) from None
    router = get_router()
    try:
        result = router.route(lat, lon, office_id=office_id, home_office_id=home_office_id)
    except OfficeRequired:
        result = None
    if (result is None or result.matched_by == "home_office") and _finds_office(router, lon, lat):
        raise invalid("lat", f"no office near ({lat:g}, {lon:g}), but there is one at "
                                  f"({lon:g}, {lat:g}): were lat and lon swapped?")
    return result


def _finds_office(router, lat, lon):
    """Whether the point lies in or near some office (without any fallback)."""
    if not -90 <= lat <= 90:
        return False
    try:
        router.route(lat, lon)
        return True
    except OfficeRequired:
        return False


def route_request(lat, lon, *, office_id=None, home_office_id=None, read_office=None):
    """Route a new request (API.md rules 1-5); 422 ``office_required`` when nothing matches.

    Returns ``(result, office)``: the routing result and the office it chose. The home
    office is read only when the request falls back to it (rule 5), and must be active then.

    The point is routed in memory first; then the office is read once, by
    ``read_office(office_id)`` (``db.session.get`` unless the caller reads it together with
    its own rows; the id is None when nothing was routed), before any routing error is
    raised, so a caller's own checks in that read come first, as when the office was read after them.
    """
    try:
        if lat is None or lon is None:
            try:
                result = get_router().route(None, None, office_id=office_id, home_office_id=home_office_id)
            except OfficeRequired:
                raise _office_required() from None
        else:
            result = route_point(lat, lon, office_id=office_id, home_office_id=home_office_id)
            if result is None:
                raise _office_required()
        error = None
    except ApiError as exc:
        result, error = None, exc
    chosen = office_id if office_id is not None else result.office_id if result is not None else None
    office = (read_office or _get_office)(chosen)
    if office_id is not None and (office is None or not office.is_active):
        raise invalid("office_id", f"no active office with id {office_id}")
    if error is not None:
        raise error
    if result.matched_by == "home_office" and (office is None or not office.is_active):
        raise _office_required()
    return result, office


def _get_office(office_id):
    return db.session.get(Office, office_id) if office_id is not None else None


def _office_required():
    return ApiError(422, "office_required", "office_id: no office matches this location; choose one",
                    {"office_id": ["required: no office matches this location"]})


def route_preview(user, lat, lon):
    result = route_point(lat, lon, home_office_id=user.office_id)
    if result is None:
        return {"office": None, "matched_by": None, "distance_m": None}
    distance = result.distance_m
    return {"office": db.session.get(Office, result.office_id), "matched_by": result.matched_by,
            "distance_m": None if distance is None or math.isnan(distance) else round(distance, 1)}


def list_departments():
    return {"items": list(db.session.scalars(sa.select(Department).order_by(Department.code))),
            "next_cursor": None}


def get_department(code):
    return get_or_404(Department, code.upper(), "no such department")


def create_department(data):
    data["code"] = data["code"].upper()
    if db.session.get(Department, data["code"]) is not None:
        raise ApiError(409, "conflict", "code: already taken", {"code": ["already taken"]})
    department = Department(**data)
    db.session.add(department)
    db.session.commit()
    return department


def update_department(department, data):
    assign(department, data)
    db.session.commit()
    return department
