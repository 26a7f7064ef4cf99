import marshmallow as ma
from flask import g, url_for
from flask_jwt_extended import current_user

from service_app.api import Output, Schema
from service_app.fields import BoundedDateTime, Code, Id, JsonObject, LocalizedText, Text, TrimmedString
from service_app.pagination import PageArgsSchema, page_schema
from service_app.vocabulary import MAX_ID

from . import access, forms, search
from .access import may_read_in_full
from .following import stats
from .models import PRIORITIES, STATUSES

SLA_OUTCOMES = ("met", "missed", "decided")
SLA_FILTERS = ("at_risk", "breached")
SORTS = ("created", "updated", "due")


class PersonSchema(Output):
    id = ma.fields.Integer()
    full_name = Text()


class OfficeRefSchema(Output):
    id = ma.fields.Integer()
    code = Text()
    name = Text()


class RoomRefSchema(Output):
    id = ma.fields.Integer()
    code = Text()
    name = LocalizedText()


class DepartmentRefSchema(Output):
    code = Text()
    name = LocalizedText()


class AttachmentSchema(Output):
    id = ma.fields.Integer()
    content_type = Text()
    size = ma.fields.Integer()
    width = ma.fields.Integer()
    height = ma.fields.Integer()
    sha256 = Text(metadata={"description": "sha256 of the uploaded bytes"})
    created_at = ma.fields.AwareDateTime()
    url = ma.fields.Function(lambda a: url_for("requests.AttachmentFile", attachment_id=a.id),
                             metadata={"type": "string", "example": "/api/v1/attachments/7"})
    thumbnail_url = ma.fields.Function(lambda a: url_for("requests.AttachmentThumbnail", attachment_id=a.id),
                                       metadata={"type": "string", "example": "/api/v1/attachments/7/thumbnail"})


class SlaSchema(Output):
    response_due_at = ma.fields.AwareDateTime(allow_none=True)
    resolution_due_at = ma.fields.AwareDateTime(allow_none=True)
    response_breached = ma.fields.Boolean()
    resolution_breached = ma.fields.Boolean()
    paused = ma.fields.Boolean()


class PointSchema(Output):
    lat = ma.fields.Float()
    lon = ma.fields.Float()


def _author_location(req):
    """The coarsened location, for the author's own eyes only (PRIVACY.md P7)."""
    if req.location_lat is None or current_user is None or current_user.id != req.author_id:
        return ma.missing
    return {"lat": req.location_lat, "lon": req.location_lon}


class AuthorLocation(ma.fields.Nested):
    """The request's coarsened location as a ``Point``, left out of the answer for anyone but its author."""

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        return _author_location(obj)


def _reads_in_full(req):
    """Whether the caller reads ``req`` in full (its author, its staff), not as a follower."""
    return may_read_in_full(current_user, req)


class AuthorOrHidden(ma.fields.Nested):
    """The request's author, null for a follower: followers never learn who wrote it."""

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        return obj.author if _reads_in_full(obj) else None


class _FullReadersOnly:
    """A field only the request's full readers read (its author, its staff): null for a follower."""

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        return super().get_value(obj, attr, accessor, default) if _reads_in_full(obj) else None


class DescriptionOrHidden(_FullReadersOnly, Text):
    """The description, null for a follower: the author's own words (PRIVACY.md P18)."""


class RatingOrHidden(_FullReadersOnly, ma.fields.Integer):
    """The author's rating, null for a follower."""


class PhotosOrHidden(ma.fields.List):
    """The request's photos, an empty list for a follower (whose photo URLs answer 404 too)."""

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        return obj.attachments if _reads_in_full(obj) else []


class RequestRefSchema(Output):
    id = ma.fields.Integer()
    number = Text(metadata={"example": "SR-000123"})


def _following_stats(req):
    return stats(req, current_user)


class FollowingFields:
    """``followers_count`` and ``following`` (the caller's), counted for a whole page in one query
    (``following.stats``)."""

    followers_count = ma.fields.Function(lambda req: _following_stats(req)[0], metadata={"type": "integer"})
    following = ma.fields.Function(lambda req: _following_stats(req)[1], metadata={"type": "boolean"})


class FieldValues(ma.fields.Dict):
    """The request's answers to its category's form: staff responsible for the request see all of
    them, its author those of fields that are not staff-only, a follower none (answers may hold
    personal details)."""

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        if not _reads_in_full(obj):
            return {}
        staff = current_user is not None and access.is_staff_for(current_user, obj)
        return forms.visible_values(obj, staff)


class RequestSchema(FollowingFields, Output):
    SOMETIMES_ABSENT = ("location",)

    id = ma.fields.Integer()
    number = Text(metadata={"example": "SR-000123"})
    title = Text()
    description = DescriptionOrHidden(allow_none=True, metadata={
        "description": "the author's own words; null for a follower, who never reads them"})
    category = Text(attribute="category_code")
    department = ma.fields.Nested(DepartmentRefSchema, allow_none=True)
    priority = Text(metadata={"enum": list(PRIORITIES)})
    status = Text(metadata={"enum": list(STATUSES)})
    office = ma.fields.Nested(OfficeRefSchema)
    routed_by = Text(metadata={"enum": ["manual", "geofence", "nearest", "home_office", "qr"]})
    room = ma.fields.Nested(RoomRefSchema, allow_none=True)  # the room of the QR tag it was filed through
    author = AuthorOrHidden(PersonSchema, allow_none=True)  # null for a follower
    assignee = ma.fields.Nested(PersonSchema, allow_none=True)
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()
    first_response_at = ma.fields.AwareDateTime(allow_none=True)
    resolved_at = ma.fields.AwareDateTime(allow_none=True)
    closed_at = ma.fields.AwareDateTime(allow_none=True)
    rating = RatingOrHidden(allow_none=True, metadata={"description": "the author's 1-5; null for a follower"})
    sla = ma.fields.Nested(SlaSchema)
    attachments = PhotosOrHidden(ma.fields.Nested(AttachmentSchema), metadata={"description": "empty for a follower"})
    version = ma.fields.Integer()
    merged_into = ma.fields.Nested(RequestRefSchema, allow_none=True)  # set when merged (status duplicate)
    location = AuthorLocation(PointSchema, metadata={"description": "coarsened {lat, lon}; present for the author only"})
    form_values = FieldValues(data_key="fields", metadata={
        "description": "answers to the category's form, {key: value}; staff-only ones for staff only"})


class LocationInSchema(Schema):
    lat = ma.fields.Float(required=True, allow_nan=False, validate=ma.validate.Range(-90, 90))
    lon = ma.fields.Float(required=True, allow_nan=False, validate=ma.validate.Range(-180, 180))
    accuracy_m = ma.fields.Float(allow_nan=False, validate=ma.validate.Range(0, 100_000),
                                 metadata={"description": "accepted, not stored"})


class RequestCreateSchema(Schema):
    title = TrimmedString(required=True, validate=ma.validate.Length(min=3, max=200))
    description = TrimmedString(validate=ma.validate.Length(max=5000), load_default="")
    category = Code(required=True)
    priority = Text(validate=ma.validate.OneOf(PRIORITIES), load_default="normal")
    location = ma.fields.Nested(LocationInSchema, allow_none=True)  # with `qr_token`: not needed, not stored
    office_id = Id(allow_none=True, strict=True)
    form_values = JsonObject(data_key="fields", attribute="fields", validate=ma.validate.Length(max=forms.MAX_FIELDS),
                             metadata={"description": "answers to the category's form, {key: value}"})
    qr_token = Text(validate=ma.validate.Length(min=1, max=100), metadata={
        "description": "a room's QR tag: the office and room come from it (`routed_by: qr`)"})


class RequestUpdateSchema(Schema):
    title = TrimmedString(validate=ma.validate.Length(min=3, max=200))
    description = TrimmedString(validate=ma.validate.Length(max=5000))
    priority = Text(validate=ma.validate.OneOf(PRIORITIES))
    category = Code()
    assignee_id = Id(allow_none=True, strict=True)
    office_id = Id(strict=True)
    form_values = JsonObject(data_key="fields", attribute="fields", validate=ma.validate.Length(min=1, max=forms.MAX_FIELDS),
                             metadata={"description": "staff: answers to set, {key: value} (null clears one); "
                                                      "the others stay as they are"})

    @ma.validates_schema
    def not_empty(self, data, **kwargs):
        if not data:
            raise ma.ValidationError("nothing to change", "_schema")


class AssigneeRef(ma.fields.Field):
    """``me`` (the caller), ``none`` (nobody) or a user id."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value in ("me", "none"):
            return value
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
            number = int(value)
            if 1 <= number <= MAX_ID:
                return number
        raise ma.ValidationError("a user id, me or none")


MAX_LIST_VALUES = 50


def _repeatable(field, **kwargs):
    return ma.fields.List(field, validate=ma.validate.Length(min=1, max=MAX_LIST_VALUES), **kwargs)


class FieldFilters(ma.fields.Field):
    """The ``field.<key>=<value>`` query arguments, gathered as ``{key: value}`` (and checked) by
    ``forms.collect_filters`` before the schema loads them; documented as one argument."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):  # only collect_filters puts anything here
            raise ma.ValidationError(forms.KEY_RULE)
        return value


class RequestFilterSchema(Schema):
    """The request list's filters and order (``GET /requests`` and ``GET /requests.csv``)."""

    status = _repeatable(Text(validate=ma.validate.OneOf(STATUSES)))
    office_id = _repeatable(Id())
    room_id = _repeatable(Id())
    assignee_id = _repeatable(AssigneeRef(), metadata={"description": "a user id, `me` or `none` (unassigned)"})
    author_id = Id()
    priority = _repeatable(Text(validate=ma.validate.OneOf(PRIORITIES)))
    category = _repeatable(Code())
    created_from = BoundedDateTime()
    created_to = BoundedDateTime()
    updated_since = BoundedDateTime(metadata={"description": "requests changed at or after this time"})
    resolved = ma.fields.Boolean(metadata={"description": "true: requests resolved (now); false: not resolved"})
    response = Text(validate=ma.validate.OneOf(SLA_OUTCOMES), metadata={
        "enum": list(SLA_OUTCOMES), "description": "the response target: `met` (answered in time), `missed` "
        "(breached), `decided` (either; the population of the dashboard's response_met_pct)"})
    resolution = Text(validate=ma.validate.OneOf(SLA_OUTCOMES), metadata={
        "enum": list(SLA_OUTCOMES), "description": "the resolution target, as `response`"})
    rated = ma.fields.Boolean(metadata={"description": "true: the author rated the request"})
    q = Text(validate=[ma.validate.Length(min=1, max=search.MAX_QUERY_CHARS), search.check_query_words],
             metadata={"description": f"search: number, title, description, public comments "
                                      f"(service_requests.search); at most {search.MAX_QUERY_CHARS} characters "
                                      f"and {search.MAX_QUERY_WORDS} words (runs of letters or digits)"})
    sla = Text(validate=ma.validate.OneOf(SLA_FILTERS),
               metadata={"description": "breached: a deadline passed; at_risk: 80 % of a target used, none passed"})
    field_filters = FieldFilters(data_key=forms.FILTER_NAME, attribute="fields", metadata={
        "type": "string", "description": "`field.<key>=<value>`: the answer to the category form's field `key` is "
        "`value` (compared as text; numbers as numbers; booleans `true`/`false`; a multi_choice answer contains "
        "it); staff-only fields match for staff only"})
    sort = Text(load_default="created", validate=ma.validate.OneOf(SORTS),
                metadata={"description": "created: newest first; updated: last changed first; "
                                         "due: nearest running SLA deadline first, requests without one last"})


    @ma.pre_load
    def gather_field_filters(self, data, **kwargs):
        return forms.collect_filters(data)


class RequestListArgsSchema(PageArgsSchema, RequestFilterSchema):
    """The list's filters with its page (``limit``, ``cursor``)."""


RequestPageSchema = page_schema(RequestSchema)


class PersonOrHidden(ma.fields.Nested):
    """A person, null when it is the author of a request read by a follower (``comments._page``)."""

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        person = super().get_value(obj, attr, accessor, default)
        hidden = g.get("hidden_person_id")
        return None if hidden is not None and person is not None and person.id == hidden else person


# --- SLA policies and reports ---------------------------------------------


# A report's measure: null when the group holds no request it could be measured on.


