"""Schemas of canned replies and bulk actions."""
import marshmallow as ma

from service_app.api import Output, Schema
from service_app.fields import Id, LocalizedText, Text, TrimmedString

from .bulk import MAX_ITEMS
from service_requests.models import COMMENT_CHARS, PRIORITIES, STATUSES
from service_requests.schemas import PersonSchema, RequestSchema

# "new" is where a request starts; no move leads back to it.
REPLY_STATUSES = tuple(status for status in STATUSES if status != "new")
BULK_ACTIONS = ("assign", "status", "priority", "comment", "reply")
# What each bulk action needs besides the ids.
BULK_NEEDS = {"assign": "assignee_id", "status": "status", "priority": "priority", "comment": "body",
              "reply": "reply_id"}
BODY_CHARS = COMMENT_CHARS


class ReplyActionsSchema(Schema):
    status = Text(validate=ma.validate.OneOf(REPLY_STATUSES))
    priority = Text(validate=ma.validate.OneOf(PRIORITIES))
    assign_to_me = ma.fields.Boolean()


class ReplyActionsOutSchema(Output):
    status = Text(allow_none=True, metadata={"enum": list(REPLY_STATUSES)})
    priority = Text(allow_none=True, metadata={"enum": list(PRIORITIES)})
    assign_to_me = ma.fields.Boolean()


class ReplyCreateSchema(Schema):
    title = LocalizedText(required=True)
    body = LocalizedText(required=True, max_length=BODY_CHARS,
                         metadata={"description": "{number}, {title}, {author_name} and {office} are filled in"})
    internal = ma.fields.Boolean(load_default=False)
    actions = ma.fields.Nested(ReplyActionsSchema, load_default=dict)
    shared = ma.fields.Boolean(load_default=False, metadata={"description": "administrators only"})


class ReplyUpdateSchema(Schema):
    title = LocalizedText()
    body = LocalizedText(max_length=BODY_CHARS)
    internal = ma.fields.Boolean()
    actions = ma.fields.Nested(ReplyActionsSchema)
    shared = ma.fields.Boolean()

    @ma.validates_schema
    def not_empty(self, data, **kwargs):
        if not data:
            raise ma.ValidationError("nothing to change", "_schema")


class ReplySchema(Output):
    id = ma.fields.Integer()
    title = LocalizedText()
    body = LocalizedText()
    internal = ma.fields.Boolean()
    actions = ma.fields.Nested(ReplyActionsOutSchema, attribute="all_actions")
    shared = ma.fields.Boolean()
    owner = ma.fields.Nested(PersonSchema, allow_none=True)


class ReplyListSchema(Output):
    items = ma.fields.List(ma.fields.Nested(ReplySchema))


class BulkSchema(Schema):
    ids = ma.fields.List(Id(strict=True), required=True,
                         validate=ma.validate.Length(min=1, max=MAX_ITEMS))
    action = Text(required=True, validate=ma.validate.OneOf(BULK_ACTIONS))
    assignee_id = Id(strict=True, allow_none=True, metadata={"description": "assign: null unassigns"})
    status = Text(validate=ma.validate.OneOf(STATUSES))
    priority = Text(validate=ma.validate.OneOf(PRIORITIES))
    body = TrimmedString(validate=ma.validate.Length(min=1, max=BODY_CHARS),
                         metadata={"description": "comment: the text; status: the move's reason"})
    internal = ma.fields.Boolean(load_default=False, metadata={
        "description": "comment: an internal note; refused with the other actions (a status move's reason is "
                       "public, and a reply says itself whether it is internal)"})
    reply_id = Id(strict=True)

    @ma.validates("ids")
    def no_duplicates(self, ids, **kwargs):
        if len(set(ids)) != len(ids):
            raise ma.ValidationError("each id at most once")

    @ma.validates_schema
    def has_what_the_action_needs(self, data, **kwargs):
        need = BULK_NEEDS.get(data.get("action"))
        if need is not None and need not in data:
            raise ma.ValidationError(f"required for the action {data['action']}", need)
        if data.get("internal") and data.get("action") != "comment":
            raise ma.ValidationError("only for the action comment", "internal")


class BulkErrorSchema(Output):
    code = Text()
    message = Text()


class BulkResultSchema(Output):
    SOMETIMES_ABSENT = ("request", "error")

    id = ma.fields.Integer()
    ok = ma.fields.Boolean()
    request = ma.fields.Nested(RequestSchema)
    error = ma.fields.Nested(BulkErrorSchema)


class BulkResultsSchema(Output):
    results = ma.fields.List(ma.fields.Nested(BulkResultSchema))
