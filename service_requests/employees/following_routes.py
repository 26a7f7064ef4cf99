"""Similar requests, following and merging (API.md "Employees"); the rules live in
``following``, ``employees.similar`` and ``lifecycle.merging``."""
from flask import current_app, g
from flask.views import MethodView
from flask_jwt_extended import current_user

from service_app.api import Blueprint
from service_app.errors import ErrorSchema
from service_app.extensions import limiter, user_key
from service_app.vocabulary import STAFF_ROLES

from service_requests import following
from service_requests.lifecycle import merging
from service_requests.schemas import RequestSchema
from service_requests.lifecycle.schemas import MergeSchema
from .schemas import SimilarArgsSchema, SimilarListSchema

from . import similar as similar_requests

blp = Blueprint("following", __name__, url_prefix="/api/v1",
                description="Similar requests, following and merging duplicates")


@blp.route("/requests/similar", methods=["GET"])
@blp.doc(operationId="listSimilarRequests")
@blp.login_required()
@blp.arguments(SimilarArgsSchema, location="query")
@blp.response(200, SimilarListSchema)
@blp.alt_response(422, schema=ErrorSchema, description="validation_error, office_required")
def similar(args):
    """Open requests like the one you are about to write: same category, the office the place routes to

    At most 5, from the last SIMILAR_DAYS days, of a category an administrator made discoverable
    (none otherwise), the most similar title first; nothing personal (no author, description, photo
    or location). Follow one rather than file it again."""
    return similar_requests.similar(current_user, args)


def _stored(response):
    """What counts against ``FOLLOW_LIMIT``: a follow stored now, not a refusal, nor following again
    what one follows already (or one's own request), which store nothing."""
    return response.status_code == 204 and g.get("follow_stored", False)


@blp.route("/requests/<int:request_id>/follow")
class Follow(MethodView):
    @blp.doc(operationId="followRequest")
    @blp.login_required()
    @limiter.limit(lambda: current_app.config["FOLLOW_LIMIT"], key_func=user_key, deduct_when=_stored)
    @blp.response(204)
    @blp.errors(404)
    @blp.alt_response(429, schema=ErrorSchema, description="rate_limited: FOLLOW_LIMIT follows made this hour")
    def post(self, request_id):
        """Follow a request: read it in the follower view and hear of its status and the staff's public comments

        Any request you may read, or any open one of the last SIMILAR_DAYS days of a discoverable
        category (what similar and a room's tag show); anything else is 404 and stores nothing.
        The follower view shows the number, title, status, category, office, room, the staff's
        public comments and the status history; never the author, description (null), location,
        photos, form answers or rating. Following twice is no error; at most FOLLOW_LIMIT (30 an
        hour) new follows count, following again does not."""
        g.follow_stored = following.follow(current_user, request_id)

    @blp.doc(operationId="unfollowRequest")
    @blp.login_required()
    @blp.response(204)
    @blp.errors(404)
    def delete(self, request_id):
        """Stop following a request (no error when you were not following it; never rate limited)"""
        following.unfollow(current_user, request_id)


@blp.route("/requests/<int:request_id>/merge", methods=["POST"])
@blp.doc(operationId="mergeRequest")
@blp.login_required(*STAFF_ROLES)
@blp.arguments(MergeSchema)
@blp.response(200, RequestSchema)
@blp.errors(403, 404)
@blp.alt_response(409, schema=ErrorSchema, description="conflict: into itself, into a final or merged request")
def merge(data, request_id):
    """Merge a duplicate into the request it repeats; answers the target

    The duplicate becomes `duplicate` (final), its author and followers follow the target, and
    its author is told where it went. Both requests must be yours to process (else 404)."""
    return merging.merge(current_user, request_id, data["into"])
