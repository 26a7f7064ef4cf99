"""Offices, departments and the routing preview."""
from flask.views import MethodView
from flask_jwt_extended import current_user

from service_app.api import Blueprint

from . import service
from .schemas import (DepartmentCreateSchema, DepartmentListSchema, DepartmentSchema, DepartmentUpdateSchema,
                      OfficeCreateSchema, OfficeListSchema, OfficeSchema, OfficeUpdateSchema, RouteArgsSchema, RouteResultSchema)

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
