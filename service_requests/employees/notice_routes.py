"""Office notices: posted and resolved by administrators, read and followed by everybody."""
from flask.views import MethodView
from flask_jwt_extended import current_user

from service_app.api import Blueprint

from . import notices
from .schemas import (NoticeCreateSchema, NoticeListSchema, NoticePlaceArgsSchema, NoticeSchema,
                             NoticeUpdateSchema)

blp = Blueprint("notices", __name__, url_prefix="/api/v1", description="Office notices")


@blp.route("/offices/<int:office_id>/notices", methods=["POST"])
@blp.doc(operationId="createNotice")
@blp.login_required("administrator")
@blp.arguments(NoticeCreateSchema)
@blp.response(201, NoticeSchema)
@blp.errors(404)
def create_notice(data, office_id):
    """Post a notice of an office in your scope (what the office already knows about)"""
    return notices.create_notice(current_user, office_id, data)


@blp.route("/notices", methods=["GET"])
@blp.doc(operationId="listNotices")
@blp.login_required()
@blp.arguments(NoticePlaceArgsSchema, location="query")
@blp.response(200, NoticeListSchema)
def list_notices(args):
    """Active notices of the office a place routes to (office_id, or lat and lon) and of your home office, newest first"""
    return notices.notices_for_place(current_user, **args)


@blp.route("/notices/<int:notice_id>", methods=["PATCH"])
@blp.doc(operationId="updateNotice")
@blp.login_required("administrator")
@blp.arguments(NoticeUpdateSchema)
@blp.response(200, NoticeSchema)
@blp.errors(404, 409)
def update_notice(data, notice_id):
    """Edit an active notice, or resolve it (resolved: true); its followers are told once"""
    return notices.update_notice(current_user, notice_id, data)


@blp.route("/notices/<int:notice_id>/follow")
class NoticeFollow(MethodView):
    @blp.doc(operationId="followNotice")
    @blp.login_required()
    @blp.response(204)
    @blp.errors(404, 409)
    def post(self, notice_id):
        """Follow an active notice: you are told when it is resolved"""
        notices.follow(current_user, notice_id)

    @blp.doc(operationId="unfollowNotice")
    @blp.login_required()
    @blp.response(204)
    @blp.errors(404)
    def delete(self, notice_id):
        """Stop following a notice"""
        notices.unfollow(current_user, notice_id)
