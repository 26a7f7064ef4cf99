"""Saved views of the request list (API.md "Staff work"): staff only. The rules live in ``views.py``."""
from flask.views import MethodView
from flask_jwt_extended import current_user

from service_app.api import Blueprint
from service_app.errors import ErrorSchema
from service_app.pagination import PageArgsSchema
from service_app.vocabulary import STAFF_ROLES

from . import views
from service_requests.schemas import RequestPageSchema
from .schemas import ViewCountListSchema, ViewCreateSchema, ViewListSchema, ViewSchema, ViewUpdateSchema

blp = Blueprint("views", __name__, url_prefix="/api/v1", description="Saved views of the request list (staff)")


@blp.route("/views")
class Views(MethodView):
    @blp.doc(operationId="listViews")
    @blp.login_required(*STAFF_ROLES)
    @blp.response(200, ViewListSchema)
    def get(self):
        """Your saved views and the shared ones"""
        return views.list_views(current_user)

    @blp.doc(operationId="createView")
    @blp.login_required(*STAFF_ROLES)
    @blp.arguments(ViewCreateSchema)
    @blp.response(201, ViewSchema)
    @blp.errors(403)
    @blp.alt_response(409, schema=ErrorSchema, description="conflict: at most 50 views each")
    def post(self, data):
        """Save a view: the request list's filters by their query names (shared: administrators only)"""
        return views.create_view(current_user, data), 201


@blp.route("/views/counts", methods=["GET"])
@blp.doc(operationId="countViews")
@blp.login_required(*STAFF_ROLES)
@blp.response(200, ViewCountListSchema)
def view_counts():
    """How many requests each of your views (own and shared) shows you, in your own scope; above 999: 1000, capped"""
    return views.view_counts(current_user)


@blp.route("/views/<int:view_id>")
class ViewItem(MethodView):
    @blp.doc(operationId="updateView")
    @blp.login_required(*STAFF_ROLES)
    @blp.arguments(ViewUpdateSchema)
    @blp.response(200, ViewSchema)
    @blp.errors(403, 404)
    def patch(self, data, view_id):
        """Change your view (shared ones: administrators)"""
        return views.update_view(current_user, views.get_view(current_user, view_id, for_update=True), data)

    @blp.doc(operationId="deleteView")
    @blp.login_required(*STAFF_ROLES)
    @blp.response(204)
    @blp.errors(403, 404)
    def delete(self, view_id):
        """Delete your view (shared ones: administrators)"""
        views.delete_view(current_user, views.get_view(current_user, view_id, for_update=True))


@blp.route("/views/<int:view_id>/requests", methods=["GET"])
@blp.doc(operationId="listViewRequests")
@blp.login_required(*STAFF_ROLES)
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, RequestPageSchema)
@blp.errors(400, 404)
def view_requests(args, view_id):
    """The view's requests, newest first, always inside your own scope"""
    return views.view_requests(current_user, views.get_view(current_user, view_id), args)
