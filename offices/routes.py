"""Offices, departments and the routing preview."""
from flask.views import MethodView
from flask_jwt_extended import current_user

from service_app.api import Blueprint
from service_app.errors import ErrorSchema

from . import rooms, service
from .downloads import qr_png_response, qr_sheet_response
from .schemas import (DepartmentCreateSchema, DepartmentListSchema, DepartmentSchema, DepartmentUpdateSchema,
                      OfficeCreateSchema, OfficeListSchema, OfficeSchema, OfficeUpdateSchema, QrSheetArgsSchema,
                      QrTokenSchema, RoomCreateSchema, RoomListSchema, RoomSchema, RoomUpdateSchema, RouteArgsSchema,
                      RouteResultSchema)

blp = Blueprint("offices", __name__, url_prefix="/api/v1", description="Offices, geofences, departments")


@blp.route("/offices")
class Offices(MethodView):
    @blp.doc(operationId="listOffices")
    @blp.login_required()
    @blp.conditional
    @blp.response(200, OfficeListSchema)
    def get(self):
        """List offices (administrators also see inactive ones)"""
        return service.list_offices(current_user)

    @blp.doc(operationId="createOffice")
    @blp.login_required("administrator", company_wide=True)
    @blp.arguments(OfficeCreateSchema)
    @blp.response(201, OfficeSchema)
    @blp.errors(409)
    def post(self, data):
        """Create an office with its geofence"""
        return service.create_office(data)


@blp.route("/offices/route")
class OfficeRoute(MethodView):
    @blp.doc(operationId="routeToOffice")
    @blp.login_required()
    @blp.arguments(RouteArgsSchema, location="query")
    @blp.response(200, RouteResultSchema)
    def get(self, args):
        """Preview which office a request sent from this point would go to"""
        return service.route_preview(current_user, args["lat"], args["lon"])


@blp.route("/offices/<int:office_id>")
class OfficeItem(MethodView):
    @blp.doc(operationId="getOffice")
    @blp.login_required()
    @blp.response(200, OfficeSchema)
    @blp.errors(404)
    def get(self, office_id):
        """Read an office"""
        return service.get_office(office_id)

    @blp.doc(operationId="updateOffice")
    @blp.login_required("administrator", company_wide=True)
    @blp.arguments(OfficeUpdateSchema)
    @blp.response(200, OfficeSchema)
    @blp.errors(404, 409)
    def patch(self, data, office_id):
        """Edit an office; every worker routes with the change within seconds"""
        return service.update_office(service.get_office(office_id), data)

    @blp.doc(operationId="deleteOffice")
    @blp.login_required("administrator", company_wide=True)
    @blp.response(204)
    @blp.errors(404, 409)
    def delete(self, office_id):
        """Delete an office that has no requests or people (else deactivate it)"""
        service.delete_office(service.get_office(office_id))


@blp.route("/departments")
class Departments(MethodView):
    @blp.doc(operationId="listDepartments")
    @blp.login_required()
    @blp.conditional
    @blp.response(200, DepartmentListSchema)
    def get(self):
        """List departments"""
        return service.list_departments()

    @blp.doc(operationId="createDepartment")
    @blp.login_required("administrator", company_wide=True)
    @blp.arguments(DepartmentCreateSchema)
    @blp.response(201, DepartmentSchema)
    @blp.errors(409)
    def post(self, data):
        """Create a department"""
        return service.create_department(data)


@blp.route("/departments/<string:code>")
class DepartmentItem(MethodView):
    @blp.doc(operationId="getDepartment")
    @blp.login_required()
    @blp.response(200, DepartmentSchema)
    @blp.errors(404)
    def get(self, code):
        """Read a department"""
        return service.get_department(code)

    @blp.doc(operationId="updateDepartment")
    @blp.login_required("administrator", company_wide=True)
    @blp.arguments(DepartmentUpdateSchema)
    @blp.response(200, DepartmentSchema)
    @blp.errors(404)
    def patch(self, data, code):
        """Rename or deactivate a department"""
        return service.update_department(service.get_department(code), data)


@blp.route("/offices/<int:office_id>/rooms")
class OfficeRooms(MethodView):
    @blp.doc(operationId="listRooms")
    @blp.login_required()
    @blp.response(200, RoomListSchema)
    @blp.errors(404)
    def get(self, office_id):
        """List an office's rooms (by floor, then code)"""
        return rooms.list_rooms(service.get_office(office_id))

    @blp.doc(operationId="createRoom")
    @blp.login_required("administrator", company_wide=True)
    @blp.arguments(RoomCreateSchema)
    @blp.response(201, RoomSchema)
    @blp.errors(404, 409)
    def post(self, data, office_id):
        """Add a room, with a new QR tag; room codes are unique within the office"""
        return rooms.create_room(service.get_office(office_id), data)


@blp.route("/rooms/<int:room_id>")
class RoomItem(MethodView):
    @blp.doc(operationId="updateRoom")
    @blp.login_required("administrator", company_wide=True)
    @blp.arguments(RoomUpdateSchema)
    @blp.response(200, RoomSchema)
    @blp.errors(404, 409)
    def patch(self, data, room_id):
        """Rename a room, or change its code or floor (its QR tag stays)"""
        return rooms.update_room(rooms.get_room(room_id), data)

    @blp.doc(operationId="deleteRoom")
    @blp.login_required("administrator", company_wide=True)
    @blp.response(204)
    @blp.errors(404, 409)
    def delete(self, room_id):
        """Delete a room no request refers to"""
        rooms.delete_room(rooms.get_room(room_id))


@blp.route("/rooms/<int:room_id>/qr-token", methods=["POST"])
@blp.doc(operationId="replaceRoomQrToken")
@blp.login_required("administrator", company_wide=True)
@blp.response(200, QrTokenSchema)
@blp.errors(404)
def replace_qr_token(room_id):
    """Give the room a new random QR tag; the old one stops working at once"""
    return rooms.replace_token(rooms.get_room(room_id))


@blp.route("/rooms/<int:room_id>/qr.png", methods=["GET"])
@blp.doc(operationId="getRoomQrCode")
@blp.login_required("administrator", company_wide=True)
@blp.response(200, description="the QR code of QR_BASE_URL/q/{token}")
@blp.doc(responses={"200": {"description": "the QR code of QR_BASE_URL/q/{token}",
                            "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}}})
@blp.errors(404)
def room_qr_code(room_id):
    """The room's QR code as a PNG image"""
    return qr_png_response(rooms.get_room(room_id))


QR_SHEET_ANSWER = (f"an A4 PDF of the rooms' QR codes, {rooms.ROOMS_PER_PAGE} to a page: the office's, one floor's "
                   "(floor), or one part of them (part)")


@blp.route("/offices/<int:office_id>/qr-sheet.pdf", methods=["GET"])
@blp.doc(operationId="getOfficeQrSheet")
@blp.login_required("administrator", company_wide=True)
@blp.arguments(QrSheetArgsSchema, location="query")
@blp.response(200, description=QR_SHEET_ANSWER)
@blp.doc(responses={"200": {"description": QR_SHEET_ANSWER,
                            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
@blp.errors(404)
@blp.alt_response(422, schema=ErrorSchema, description="too_many_rooms: more than QR_SHEET_MAX_ROOMS rooms "
                                                        "match (details: rooms, limit, parts); validation_error")
def office_qr_sheet(args, office_id):
    """The rooms' QR codes with the office's and room's names, to print and cut

    One sheet holds at most QR_SHEET_MAX_ROOMS rooms (200 unless set): for an office with more,
    ask for one floor (`floor`) or one part at a time (`part=1`, `2`, ...: the sheet's rooms in its
    order, floor then code, QR_SHEET_MAX_ROOMS at a time). Without them, more rooms than that is
    a 422 `too_many_rooms` whose details give `rooms`, `limit` and `parts`; nothing is drawn."""
    return qr_sheet_response(service.get_office(office_id), args.get("floor"), args.get("part"))
