"""Staff tools' schemas: assignment rules and availability, canned replies and bulk actions, saved
views (the filters themselves are checked by the request list's own schema)."""
import marshmallow as ma

from service_app.api import Output, Schema
from service_app.fields import BoundedDateTime, Flag, Id, LocalizedText, Text, TrimmedString, text_problem
from service_app.pagination import page_schema
from service_requests.models import COMMENT_CHARS, PRIORITIES, STATUSES
from service_requests.schemas import PersonSchema, RequestSchema

from .assignment import MAX_POOL
from .bulk import MAX_ITEMS
from .models import ASSIGNMENT_MODES


class PoolMemberSchema(Output):
    id = ma.fields.Integer()
    full_name = Text()
    available = ma.fields.Boolean(metadata={"description": "whether auto-assignment may choose them now"})


class RuleSchema(Output):
    """How new requests of an office and department are assigned as they are created."""

    office_id = ma.fields.Integer()
    department = Text(metadata={"description": "the department's code"})
    mode = Text(metadata={"enum": list(ASSIGNMENT_MODES)})
    pool = ma.fields.List(ma.fields.Nested(PoolMemberSchema), metadata={"description": "in turn order"})


class RuleListSchema(Output):
    items = ma.fields.List(ma.fields.Nested(RuleSchema))


class RuleUpdateSchema(Schema):
    mode = Text(required=True, validate=ma.validate.OneOf(ASSIGNMENT_MODES),
                metadata={"description": "`manual` assigns nothing (the pool is kept); `round_robin` takes the "
                                         "pool in turn; `least_open` the member with the fewest open requests"})
    pool = ma.fields.List(Id(strict=True), load_default=list, validate=ma.validate.Length(max=MAX_POOL),
                          metadata={"description": "user ids in turn order: active administrators or managers "
                                                   "whose scope covers the office and department"})


class AvailabilitySchema(Schema):
    """`{available: true}` clears an absence; `{available: false}` is away until changed;
    `{available: false, until}` is away until then, and available again from that moment."""

    available = Flag(required=True)
    until = BoundedDateTime(allow_none=True, load_default=None,
                            metadata={"description": "the end of an absence (in the future; only with "
                                                     "`available: false`)"})


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
    assign_to_me = Flag()


class ReplyActionsOutSchema(Output):
    status = Text(allow_none=True, metadata={"enum": list(REPLY_STATUSES)})
    priority = Text(allow_none=True, metadata={"enum": list(PRIORITIES)})
    assign_to_me = ma.fields.Boolean()


class ReplyCreateSchema(Schema):
    title = LocalizedText(required=True)
    body = LocalizedText(required=True, max_length=BODY_CHARS,
                         metadata={"description": "{number}, {title}, {author_name} and {office} are filled in"})
    internal = Flag(load_default=False)
    actions = ma.fields.Nested(ReplyActionsSchema, load_default=dict)
    shared = Flag(load_default=False, metadata={"description": "administrators only"})


class ReplyUpdateSchema(Schema):
    title = LocalizedText()
    body = LocalizedText(max_length=BODY_CHARS)
    internal = Flag()
    actions = ma.fields.Nested(ReplyActionsSchema)
    shared = Flag()

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
    internal = Flag(load_default=False, metadata={
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


MAX_FILTERS = 30
MAX_VALUES = 50
MAX_VALUE_LENGTH = 200


class Filters(ma.fields.Field):
    """The list's query as a JSON object: each query name to a value or a list of values, each a
    string or a number (``true``/``false`` are taken as the query's ``true``/``false``).

    Loaded as ``{name: str | [str]}``, keys sorted: the view stores what the query string would
    carry. Whether a name is a filter and a value is right is for the list's schema to say.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ma.ValidationError("an object of the request list's query names and values")
        if len(value) > MAX_FILTERS:
            raise ma.ValidationError(f"at most {MAX_FILTERS} filters")
        normalised, errors = {}, {}
        for key in sorted(value):
            problem = text_problem(key) or (None if 1 <= len(key) <= 50 else "1-50 characters")
            if problem:
                errors[key] = [problem]
                continue
            try:
                normalised[key] = self._values(value[key])
            except ma.ValidationError as exc:
                errors[key] = exc.messages
        if errors:
            raise ma.ValidationError(errors)
        return normalised

    def _values(self, value):
        if isinstance(value, list):
            if not 1 <= len(value) <= MAX_VALUES:
                raise ma.ValidationError(f"a list of 1-{MAX_VALUES} values")
            return [self._scalar(item) for item in value]
        return self._scalar(value)

    @staticmethod
    def _scalar(value):
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int) or (isinstance(value, float) and value == value and abs(value) != float("inf")):
            return str(value)
        if isinstance(value, str):
            problem = text_problem(value) or (None if len(value) <= MAX_VALUE_LENGTH
                                              else f"at most {MAX_VALUE_LENGTH} characters")
            if problem:
                raise ma.ValidationError(problem)
            return value
        raise ma.ValidationError("a string or a number, or a list of them")


FILTERS_DOC = {"type": "object", "example": {"status": ["new", "in_progress"], "priority": "urgent"},
               "description": "GET /requests query names (not limit or cursor) to a value or a list of values"}


class ViewSchema(Output):
    id = ma.fields.Integer()
    name = Text()
    filters = ma.fields.Dict(metadata=FILTERS_DOC)
    sort = Text(allow_none=True, metadata={"description": "the list's `sort`; null for its default order"})
    shared = ma.fields.Boolean()
    owner = ma.fields.Nested(PersonSchema)
    created_at = ma.fields.AwareDateTime()


class ViewCreateSchema(Schema):
    name = TrimmedString(required=True, validate=ma.validate.Length(min=1, max=100))
    filters = Filters(required=True, metadata=FILTERS_DOC)
    sort = Text(allow_none=True, load_default=None, validate=ma.validate.Length(min=1, max=32))
    shared = Flag(load_default=False, metadata={"description": "shown to all staff (administrators)"})


class ViewUpdateSchema(Schema):
    name = TrimmedString(validate=ma.validate.Length(min=1, max=100))
    filters = Filters(metadata=FILTERS_DOC)
    sort = Text(allow_none=True, validate=ma.validate.Length(min=1, max=32))
    shared = Flag()

    @ma.validates_schema
    def not_empty(self, data, **kwargs):
        if not data:
            raise ma.ValidationError("nothing to change", "_schema")


class ViewCountSchema(Output):
    view_id = ma.fields.Integer()
    count = ma.fields.Integer(metadata={"description": "matching requests in the caller's scope, at most 1000"})
    capped = ma.fields.Boolean(metadata={"description": "true: there are more than 999 (count says 1000)"})


ViewListSchema = page_schema(ViewSchema, "ViewListSchema", complete=True)
ViewCountListSchema = page_schema(ViewCountSchema, "ViewCountListSchema", complete=True)
