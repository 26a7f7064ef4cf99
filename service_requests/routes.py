"""Requests, their status, comments and history. Views parse, authorise, call a
service function and serialise; the rules live in the service modules."""
from flask import Response, current_app, request, stream_with_context
from flask.views import MethodView
from flask_jwt_extended import current_user

from service_app.api import Blueprint
from service_app.errors import ApiError, ErrorSchema
from service_app.extensions import limiter, user_key
from service_app.pagination import PageArgsSchema
from service_app.vocabulary import STAFF_ROLES

from .lifecycle import comments, edits as triage
from .reports import export
from . import intake, queries
from .access import get_visible_request
from .responses import with_etag
from .photos.routes import add_photo_views
from .schemas import (RequestCreateSchema, RequestFilterSchema, RequestListArgsSchema, RequestPageSchema,
                      RequestSchema, RequestUpdateSchema)
from .lifecycle.schemas import (CommentCreateSchema, CommentListSchema, CommentSchema, EventListSchema,
                                StatusChangeSchema)

blp = Blueprint("requests", __name__, url_prefix="/api/v1", description="Service requests")


def _idempotency_key():
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (1 <= len(key) <= 200 and key.isascii() and key.isprintable()):
        raise ApiError(400, "bad_request", "Idempotency-Key: 1-200 printable ASCII characters")
    return key


def _accepted(response):
    """What counts against ``REQUEST_CREATE_LIMIT``: a request made, not a refusal nor an idempotent replay."""
    return response.status_code == 201 and response.headers.get("Idempotent-Replayed") != "true"


@blp.route("/requests")
class Requests(MethodView):
    @blp.doc(operationId="listRequests")
    @blp.login_required()
    @blp.errors(400)
    @blp.arguments(RequestListArgsSchema, location="query")
    @blp.response(200, RequestPageSchema)
    def get(self, args):
        """List the requests you may see, newest first (or as `sort` says), narrowed by the filters"""
        return queries.list_requests(current_user, args)

    @blp.doc(operationId="createRequest")
    @blp.login_required()
    @limiter.limit(lambda: current_app.config["REQUEST_CREATE_LIMIT"], key_func=user_key, deduct_when=_accepted)
    @blp.arguments(RequestCreateSchema)
    @blp.response(201, RequestSchema)
    @blp.alt_response(429, schema=ErrorSchema, description="too many requests submitted")
    @blp.errors(400)
    @blp.header("Idempotency-Key", "1-200 printable ASCII characters; a retry with it makes no duplicate")
    @blp.alt_response(409, schema=ErrorSchema, description="idempotency_key_reused")
    @blp.alt_response(422, schema=ErrorSchema, description="validation_error, office_required")
    def post(self, data):
        """Submit a request (send Idempotency-Key so a retry makes no duplicate)"""
        req, replayed = intake.create_request(current_user, data, _idempotency_key())
        return with_etag(req, 201, {"Idempotent-Replayed": "true" if replayed else "false"})


REQUESTS_CSV_ANSWER = ("the matching requests as CSV (UTF-8 with BOM, titles in the caller's language), "
                       "at most EXPORT_MAX_ROWS rows")


@blp.route("/requests.csv", methods=["GET"])
@blp.doc(operationId="exportRequestsCsv")
@blp.login_required(*STAFF_ROLES)
@blp.arguments(RequestFilterSchema, location="query")
@blp.response(200, description=REQUESTS_CSV_ANSWER)
# The override replaces the whole answer object, so it repeats the description OpenAPI requires.
@blp.doc(responses={"200": {"description": REQUESTS_CSV_ANSWER,
                            "content": {"text/csv": {"schema": {"type": "string"}}},
                            "headers": {"X-Export-Truncated": {
                                "schema": {"type": "string", "enum": ["true", "false"]},
                                "description": "true: more requests matched; the file stops at EXPORT_MAX_ROWS"}}}})
def export_requests_csv(args):
    """The requests the list would show with these filters (and sort), as a CSV file

    Streamed; a cell starting with =, +, - or @ gets a leading apostrophe (no formulas run
    when the file is opened). Takes the list's filters and sort, but not its `q` search.
    Read 5,000 rows at a time, each chunk in a short transaction of its own, so a slow download
    holds nothing on the server; the file is therefore not one snapshot: a request changed while
    it is written may be missing (sort=updated, due) or, under sort=due, written twice."""
    lines, truncated = export.requests_csv(current_user, args)
    return Response(stream_with_context(lines), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="requests.csv"',
                             "X-Export-Truncated": "true" if truncated else "false"})


@blp.route("/requests/<int:request_id>")
class RequestItem(MethodView):
    @blp.doc(operationId="getRequest")
    @blp.login_required()
    @blp.conditional
    @blp.response(200, RequestSchema, headers={"ETag": {"schema": {"type": "string"},
                                                        "description": "send it back in If-Match"}})
    @blp.errors(404)
    def get(self, request_id):
        """Read a request (its ETag is the version to send in If-Match)

        A follower (someone who follows a request of a discoverable category, staff outside its scope
        included) reads the follower view: author, description and rating null, no location, no
        photos, no form answers."""
        return with_etag(get_visible_request(current_user, request_id))

    @blp.doc(operationId="updateRequest")
    @blp.login_required()
    @blp.arguments(RequestUpdateSchema)
    @blp.response(200, RequestSchema)
    @blp.errors(403, 404, 409, 412, 428)
    @blp.header("If-Match", "the ETag of the request as you last read it", required=True)
    def patch(self, data, request_id):
        """Edit a request (If-Match required)"""
        req = get_visible_request(current_user, request_id, for_update=True)
        return with_etag(triage.update_request(current_user, req, data, request.if_match))


@blp.route("/requests/<int:request_id>/status", methods=["POST"])
@blp.doc(operationId="changeRequestStatus")
@blp.login_required()
@blp.arguments(StatusChangeSchema)
@blp.response(200, RequestSchema)
@blp.alt_response(409, schema=ErrorSchema, description="invalid_transition (details.allowed lists the moves)")
@blp.errors(404, 412)
@blp.header("If-Match", "optional: the ETag you last read; a stale one gives 412")
def change_status(data, request_id):
    """Move a request through its status machine"""
    req = get_visible_request(current_user, request_id, for_update=True)
    return with_etag(triage.move(current_user, req, data, request.if_match))


@blp.route("/requests/<int:request_id>/comments")
class Comments(MethodView):
    @blp.doc(operationId="listComments")
    @blp.login_required()
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, CommentListSchema)
    @blp.errors(400, 404)
    def get(self, args, request_id):
        """Read the conversation, oldest first (employees do not see internal notes)

        A follower reads the staff's public comments only (not the author's), each as followers read
        it: a canned reply's author's name is a neutral word."""
        return comments.list_comments(current_user, get_visible_request(current_user, request_id), args)

    @blp.doc(operationId="addComment")
    @blp.login_required()
    @limiter.limit(lambda: current_app.config["COMMENT_LIMIT"], key_func=user_key,
                   deduct_when=lambda response: response.status_code == 201)
    @blp.arguments(CommentCreateSchema)
    @blp.response(201, CommentSchema)
    @blp.alt_response(429, schema=ErrorSchema, description="too many comments posted")
    @blp.errors(403, 404, 409)
    def post(self, data, request_id):
        """Comment, or write an internal note (staff only)"""
        req = get_visible_request(current_user, request_id, for_update=True)
        return comments.post_comment(current_user, req, data["body"], data["internal"])


@blp.route("/requests/<int:request_id>/events", methods=["GET"])
@blp.doc(operationId="listEvents")
@blp.login_required()
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, EventListSchema)
@blp.errors(400, 404)
def events(args, request_id):
    """The request's history, oldest first: created, routed, assigned, status changes, re-routes, comments

    A follower reads it without the author (no actor on the author's events), without the events of
    photos and of the author's comments, and without values the follower view hides (data)."""
    return comments.list_events(current_user, get_visible_request(current_user, request_id), args)


add_photo_views(blp)
