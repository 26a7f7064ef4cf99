"""Staff work on many requests at once: bulk actions and canned replies."""
from flask import request
from flask.views import MethodView
from flask_jwt_extended import current_user

from service_app.api import Blueprint
from service_app.errors import ErrorSchema
from service_app.vocabulary import STAFF_ROLES

from . import bulk, replies
from service_requests.access import get_visible_request
from .schemas import (BulkResultsSchema, BulkSchema, ReplyCreateSchema, ReplyListSchema, ReplySchema,
                            ReplyUpdateSchema)
from service_requests.responses import with_etag
from service_requests.schemas import RequestSchema

blp = Blueprint("replies", __name__, url_prefix="/api/v1", description="Bulk actions and canned replies")


@blp.route("/requests/bulk", methods=["POST"])
@blp.doc(operationId="bulkUpdateRequests")
@blp.login_required(*STAFF_ROLES)
@blp.arguments(BulkSchema)
@blp.response(200, BulkResultsSchema)
@blp.errors(404)
def bulk_update(data):
    """One action on up to 100 requests: each succeeds or fails alone (its error as a single call gives it)"""
    return bulk.run(current_user, data)


@blp.route("/replies")
class Replies(MethodView):
    @blp.doc(operationId="listReplies")
    @blp.login_required(*STAFF_ROLES)
    @blp.response(200, ReplyListSchema)
    def get(self):
        """Your canned replies and the shared ones"""
        return {"items": replies.list_replies(current_user)}

    @blp.doc(operationId="createReply")
    @blp.login_required(*STAFF_ROLES)
    @blp.arguments(ReplyCreateSchema)
    @blp.response(201, ReplySchema)
    def post(self, data):
        """Save a canned reply (a shared one: administrators)"""
        return replies.create_reply(current_user, data)


@blp.route("/replies/<int:reply_id>")
class ReplyItem(MethodView):
    @blp.doc(operationId="updateReply")
    @blp.login_required(*STAFF_ROLES)
    @blp.arguments(ReplyUpdateSchema)
    @blp.response(200, ReplySchema)
    @blp.errors(404)
    def patch(self, data, reply_id):
        """Change your canned reply (a shared one: administrators)"""
        return replies.update_reply(current_user, reply_id, data)

    @blp.doc(operationId="deleteReply")
    @blp.login_required(*STAFF_ROLES)
    @blp.response(204)
    @blp.errors(404)
    def delete(self, reply_id):
        """Remove your canned reply (a shared one: administrators)"""
        replies.delete_reply(current_user, reply_id)


@blp.route("/requests/<int:request_id>/replies/<int:reply_id>", methods=["POST"])
@blp.doc(operationId="applyReply")
@blp.login_required(*STAFF_ROLES)
@blp.response(200, RequestSchema)
@blp.alt_response(409, schema=ErrorSchema, description="the request is final, or a move the reply makes is refused")
@blp.errors(404, 412)
@blp.header("If-Match", "optional: the ETag you last read; a stale one gives 412")
def apply_reply(request_id, reply_id):
    """Post a canned reply and apply its actions as one change"""
    reply = replies.get_usable_reply(current_user, reply_id)
    req = get_visible_request(current_user, request_id, for_update=True)
    return with_etag(replies.apply_reply(current_user, req, reply, request.if_match))
