"""Rooms and their QR tags: an office's rooms, a new room, each room's QR image and the office's
printable QR sheet (PDF), offered in parts (``offices.rooms.sheet_parts``) when the office has
more rooms than one sheet prints (``QR_SHEET_MAX_ROOMS``).

Everything goes through ``offices.rooms`` with the API's ``RoomCreateSchema``. As in the API,
every staff member may list rooms, and only company-wide administrators
(``login_required("administrator", company_wide=True)``) add rooms or download their codes: the
console's downloads are its own routes, because its cookie is sent to ``/console`` only.
"""
import marshmallow as ma
from flask import flash, g, redirect, request, url_for

from offices import rooms as room_service
from offices import service as office_service
from offices.downloads import qr_png_response, qr_sheet_response
from offices.schemas import QrSheetArgsSchema, RoomCreateSchema
from service_app import i18n
from service_app.errors import ApiError
from service_app.extensions import db

from ..messages import _
from ..web import bp, page_error, render
from .admin_tools import query_args, requires
from .common import chosen_office, error_lines, int_or_none, refusal_lines
from .offices import can_edit


def _page(status=200, office=None, form=None, errors=None):
    offices = office_service.list_offices(g.user)["items"]
    if office is None:
        office = chosen_office(offices, request.args.get("office"), first=True)
    listed = room_service.list_rooms(office)["items"] if office is not None else []
    return render("rooms.html", status, offices=offices, office=office, rooms=listed, manage=can_edit(),
                  sheet_parts=room_service.sheet_parts(listed), sheet_limit=room_service.sheet_limit(),
                  form=form or {}, errors=errors or {})


@bp.route("/rooms", methods=["GET"])
def rooms():
    return _page()


@bp.route("/rooms", methods=["POST"])
@requires("administrator", company_wide=True)
def rooms_create():
    office_id = int_or_none(request.form.get("office_id"))
    if office_id is None:
        return page_error(404, i18n.translate("no such office", g.lang))
    office = office_service.get_office(office_id)
    body = {"code": request.form.get("code", "").strip(), "name": request.form.get("name", "")}
    floor = request.form.get("floor", "").strip()
    if floor:
        try:
            body["floor"] = int(floor)
        except ValueError:
            body["floor"] = floor  # the schema says why it is refused
    form = request.form.to_dict()
    try:
        room_service.create_room(office, RoomCreateSchema().load(body))
    except ma.ValidationError as exc:
        return _page(422, office=office, form=form, errors=error_lines(exc.messages))
    except ApiError as exc:
        db.session.rollback()
        return _page(exc.status, office=office, form=form, errors=refusal_lines(exc))
    flash(_("Saved."), "success")
    return redirect(url_for("console.rooms", office=office.id), code=303)


@bp.route("/rooms/<int:room_id>/qr.png", methods=["GET"])
@requires("administrator", company_wide=True)
def rooms_qr_png(room_id):
    """The room's QR code, as ``GET /api/v1/rooms/{id}/qr.png`` answers it."""
    return qr_png_response(room_service.get_room(room_id))


@bp.route("/rooms/sheet/<int:office_id>.pdf", methods=["GET"])
@requires("administrator", company_wide=True)
def rooms_qr_sheet(office_id):
    """The office's printable QR sheet, as ``GET /api/v1/offices/{id}/qr-sheet.pdf`` answers it
    (``floor`` and ``part`` too; more rooms than a sheet holds is the API's 422, as a page)."""
    args = query_args(QrSheetArgsSchema())
    return qr_sheet_response(office_service.get_office(office_id), args.get("floor"), args.get("part"))
