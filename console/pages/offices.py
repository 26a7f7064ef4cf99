"""The offices map: every office's geofence on a Leaflet map, drawn and edited with Geoman.

Offices are created and changed through the API's own schema (``OfficeCreateSchema`` /
``OfficeUpdateSchema``) and service (``offices.service.create_office`` / ``update_office``),
by company-wide administrators only, as the API's ``login_required(company_wide=True)``;
everybody else sees the map read-only. A click on the map asks ``offices.service.route_preview``
(what ``GET /api/v1/offices/route`` answers) where a request from there would go.
"""
import json

import marshmallow as ma
from flask import current_app, flash, g, jsonify, redirect, request, url_for

from offices import service
from offices.schemas import OfficeCreateSchema, OfficeUpdateSchema, RouteArgsSchema
from service_app import i18n
from service_app.errors import ApiError
from service_app.extensions import db
from service_app.vocabulary import DEFAULT_TIMEZONE

from ..messages import _
from ..web import bp, page_error, render
from .admin_tools import allowed, requires
from .common import chosen_office, int_or_none

# Kazakhstan's time zones, offered in the form (any IANA zone is accepted, as by the API).
TIMEZONES = ("Asia/Almaty", "Asia/Aqtau", "Asia/Aqtobe", "Asia/Atyrau", "Asia/Oral", "Asia/Qostanay",
             "Asia/Qyzylorda")
# Where the map looks when there is no fence to fit: Almaty.
HOME_VIEW = {"lat": 43.238, "lon": 76.946, "zoom": 11}


def can_edit():
    """As the API's office and room routes: ``login_required("administrator", company_wide=True)``."""
    return allowed("administrator", company_wide=True)


def _office_item(office):
    return {"id": office.id, "code": office.code, "name": office.name, "geofence": office.geofence,
            "active": office.is_active}


def _geoman_texts():
    """The words Geoman shows while drawing a polygon, for its ``setLang``."""
    return {"tooltips": {"firstVertex": _("Click to place the first corner"), "continueLine": _("Click to place the next corner"),
                         "finishPoly": _("Click the first corner to close the area")},
            "actions": {"finish": _("Finish"), "cancel": _("Cancel"), "removeLastVertex": _("Remove the last corner")},
            "buttonTitles": {"drawPolyButton": _("Draw a polygon")}}


def _page(status=200, form=None, errors=None, selected=None):
    offices = service.list_offices(g.user)["items"]
    if selected is None:
        selected = chosen_office(offices, request.args.get("office"))
    editable = can_edit()
    if form is None:
        form = ({"code": selected.code, "name": selected.name, "address": selected.address or "",
                 "timezone": selected.timezone, "is_active": selected.is_active,
                 "geofence": json.dumps(selected.geofence)}
                if selected is not None else {"timezone": DEFAULT_TIMEZONE, "is_active": True, "geofence": ""})
    config = {
        "tileUrl": current_app.config.get("MAP_TILE_URL") or "",
        "tileAttribution": current_app.config.get("MAP_TILE_ATTRIBUTION") or "",
        "offices": [_office_item(office) for office in offices],
        "selectedId": selected.id if selected is not None else None,
        "editable": editable,
        "home": HOME_VIEW,
        "routeUrl": url_for("console.offices_route"),
        "texts": {"draw": _("Draw a polygon"), "drawn": _("A new area is drawn."), "changed": _("The area is changed."),
                  "failed": _("The point could not be checked."), "geoman": _geoman_texts(),
                  "point": _("Point {lat}, {lon}: ", lat="{lat}", lon="{lon}")},
    }
    return render("offices.html", status, offices=offices, selected=selected, editable=editable, form=form,
                  errors=errors or {}, config=config, timezones=TIMEZONES)


@bp.route("/offices", methods=["GET"])
def offices_map():
    return _page()


def _form_data(creating):
    """The form as an API body: the fields the office schemas take, the geofence parsed from JSON."""
    form = request.form
    body = {"name": form.get("name", ""), "timezone": form.get("timezone", "").strip() or DEFAULT_TIMEZONE}
    if creating or form.get("code"):
        body["code"] = form.get("code", "").strip()
    address = form.get("address", "").strip()
    body["address"] = address or None
    if not creating:
        body["is_active"] = form.get("is_active") == "on"
    errors = {}
    raw = form.get("geofence", "").strip()
    if raw:
        try:
            fence = json.loads(raw)
        except ValueError:
            fence = None
        if not isinstance(fence, dict):
            errors["geofence"] = [_("The geofence is not valid GeoJSON.")]
        else:
            if fence.get("type") == "Feature":  # what Leaflet's toGeoJSON gives for a layer
                fence = fence.get("geometry")
            body["geofence"] = fence
    return body, errors


def _flat(messages_by_field):
    out = {}
    for field, value in messages_by_field.items():
        if isinstance(value, dict):
            value = [f"{key}: {item}" for key, items in value.items()
                     for item in (items if isinstance(items, list) else [items])]
        out[field] = [i18n.translate(str(item), g.lang) for item in (value if isinstance(value, list) else [value])]
    return out


@bp.route("/offices", methods=["POST"])
@requires("administrator", company_wide=True)
def offices_save():
    office = None
    if request.form.get("office_id"):
        office_id = int_or_none(request.form["office_id"])
        if office_id is None:
            return page_error(404, i18n.translate("no such office", g.lang))
        office = service.get_office(office_id)
    body, errors = _form_data(creating=office is None)
    schema = OfficeCreateSchema() if office is None else OfficeUpdateSchema()
    form = {**request.form.to_dict(), "is_active": request.form.get("is_active") == "on"}
    if not errors:
        try:
            data = schema.load(body)
        except ma.ValidationError as exc:
            errors = _flat(exc.messages)
            if "geofence" in errors and "geofence" not in body:  # the schema's refusal, in the map's words
                errors["geofence"] = [_("Draw the office's geofence on the map first.")]
    if errors:
        return _page(422, form=form, errors=errors, selected=office)
    try:
        saved = service.create_office(data) if office is None else service.update_office(office, data)
    except ApiError as exc:
        db.session.rollback()
        details = exc.details if isinstance(exc.details, dict) else {}
        errors = _flat(details) if details else {"_": [i18n.translate(exc.message, g.lang)]}
        return _page(exc.status, form=form, errors=errors, selected=office)
    flash(_("Saved."), "success")
    return redirect(url_for("console.offices_map", office=saved.id), code=303)


@bp.route("/offices/route", methods=["GET"])
def offices_route():
    """Where a request from ``lat``, ``lon`` would go (``service.route_preview``), as JSON text for the map."""
    try:
        args = RouteArgsSchema().load({"lat": request.args.get("lat"), "lon": request.args.get("lon")})
        result = service.route_preview(g.user, args["lat"], args["lon"])
    except ma.ValidationError:
        return jsonify(office=None, text=_("The point could not be checked.")), 422
    except ApiError as exc:
        db.session.rollback()
        return jsonify(office=None, text=i18n.translate(exc.message, g.lang)), exc.status
    office = result["office"]
    if office is None:
        return jsonify(office=None, text=_("no office"))
    how = result["matched_by"]
    reason = (_("nearest office, {meters} m away", meters=round(result["distance_m"] or 0)) if how == "nearest"
              else _("inside its geofence") if how == "geofence" else _("your home office") if how == "home_office" else how)
    return jsonify(office={"id": office.id, "code": office.code, "name": office.name},
                   text=_("{name} ({how})", name=f"{office.name} ({office.code})", how=reason))
