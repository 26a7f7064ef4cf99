"""``GET /api/v1/sync``: a phone's copy of its requests and feed, brought up to date (see ``sync.py``)."""
import marshmallow as ma
from flask.views import MethodView
from flask_jwt_extended import current_user

from notifications.schemas import NotificationSchema
from service_app.api import Blueprint, Output, Schema
from service_app.errors import ErrorSchema

from . import sync
from service_requests.schemas import RequestSchema

blp = Blueprint("sync", __name__, url_prefix="/api/v1", description="Sync for the apps")


class SyncArgsSchema(Schema):
    limit = ma.fields.Integer(load_default=sync.DEFAULT_LIMIT,
                              validate=ma.validate.Range(min=1, max=sync.MAX_LIMIT))
    # Not Text: whatever is wrong with a cursor (NUL included) is one 400 from sync._decode.
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=4096))


class SyncSchema(Output):
    requests = ma.fields.List(ma.fields.Nested(RequestSchema), required=True, metadata={
        "description": "requests you may see that were created or changed since the cursor (all of them, "
                       "a page at a time, without one)"})
    removed = ma.fields.List(ma.fields.Integer(), required=True, metadata={
        "description": "ids of requests that left your view: delete them from the phone"})
    notifications = ma.fields.List(ma.fields.Nested(NotificationSchema), required=True, metadata={
        "description": "feed entries created or read since the cursor (the newest ones, without one)"})
    unread_notifications = ma.fields.Integer(required=True)
    cursor = ma.fields.String(required=True, metadata={"description": "send it with the next sync"})
    has_more = ma.fields.Boolean(required=True, metadata={
        "description": "true: call again at once with this cursor; false: you are up to date"})


@blp.route("/sync")
class Sync(MethodView):
    @blp.doc(operationId="syncChanges")
    @blp.login_required()
    @blp.arguments(SyncArgsSchema, location="query")
    @blp.response(200, SyncSchema)
    @blp.errors(400)
    @blp.alt_response(410, schema=ErrorSchema, description="sync_expired: sync again without a cursor")
    def get(self, args):
        """What changed since your last sync (without a cursor: everything you may see)"""
        return sync.sync(current_user, args["cursor"], args["limit"])
