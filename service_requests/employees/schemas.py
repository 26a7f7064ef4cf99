"""Employees' schemas: similar requests (before submitting, and a room's tag) and office notices."""
import marshmallow as ma

from service_app.api import Output, Schema
from service_app.fields import BoundedDateTime, Code, Flag, Id, LocalizedText, Text, TrimmedString
from service_app.pagination import page_schema
from service_requests.models import STATUSES
from service_requests.schemas import FollowingFields


class SimilarSchema(FollowingFields, Output):
    """A similar request as anyone may see it: nothing personal."""

    id = ma.fields.Integer()
    number = Text(metadata={"example": "SR-000123"})
    title = Text()
    status = Text(metadata={"enum": list(STATUSES)})
    created_at = ma.fields.AwareDateTime()


class SimilarListSchema(Output):
    items = ma.fields.List(ma.fields.Nested(SimilarSchema))
    notices = ma.fields.List(ma.fields.Nested("NoticeSchema"), metadata={
        "description": "the active notices of the place's office: what the office already knows"})


# A place's point in query arguments: ``lat`` and ``lon`` together, or neither. OpenAPI cannot tie
# two query parameters together, so each one's description says it; ``check_point_pair`` answers a
# lone one with a 422 on the missing one (a schema-level check, so the refusal is the arguments').
POINT_PAIR = "give both lat and lon, or neither"


def latitude():
    return ma.fields.Float(allow_nan=False, validate=ma.validate.Range(-90, 90), metadata={
        "description": "the place's latitude, with `lon`: give both or neither (a lone one is a 422)"})


def longitude():
    return ma.fields.Float(allow_nan=False, validate=ma.validate.Range(-180, 180), metadata={
        "description": "the place's longitude, with `lat`: give both or neither (a lone one is a 422)"})


def check_point_pair(data):
    if ("lat" in data) != ("lon" in data):
        raise ma.ValidationError([POINT_PAIR], "lon" if "lat" in data else "lat")


class SimilarArgsSchema(Schema):
    category = Code(required=True)
    title = TrimmedString(validate=ma.validate.Length(max=200), metadata={
        "description": "what the caller is about to write: the most similar titles come first"})
    lat = latitude()
    lon = longitude()
    office_id = Id()
    qr_token = Text(validate=ma.validate.Length(min=1, max=100), metadata={
        "description": "a room's QR tag: the place is the tag's office"})

    @ma.validates_schema
    def _both_coordinates(self, data, **kwargs):
        check_point_pair(data)


TITLE_CHARS = (3, 200)
BODY_CHARS = 5000


class NoticeCreateSchema(Schema):
    title = LocalizedText(required=True, min_length=TITLE_CHARS[0], max_length=TITLE_CHARS[1])
    body = LocalizedText(allow_none=True, max_length=BODY_CHARS)
    category = Code(allow_none=True, metadata={"description": "an active category's code"})
    room_id = Id(allow_none=True, strict=True)
    until = BoundedDateTime(allow_none=True, metadata={"description": "when the notice stops showing; future"})


class NoticeUpdateSchema(Schema):
    title = LocalizedText(min_length=TITLE_CHARS[0], max_length=TITLE_CHARS[1])
    body = LocalizedText(allow_none=True, max_length=BODY_CHARS)
    category = Code(allow_none=True)
    room_id = Id(allow_none=True, strict=True)
    until = BoundedDateTime(allow_none=True)
    resolved = Flag(metadata={"description": "true resolves the notice (once; its followers are told)"})

    @ma.validates_schema
    def not_empty(self, data, **kwargs):
        if not data:
            raise ma.ValidationError("nothing to change", "_schema")


class NoticeRoomSchema(Output):
    id = ma.fields.Integer()
    code = Text()
    name = LocalizedText()  # as every room's name (``RoomRef``): a string or ``{ru, kk, en}`` is stored


class NoticeSchema(Output):
    id = ma.fields.Integer()
    office_id = ma.fields.Integer()
    title = LocalizedText()
    body = LocalizedText(allow_none=True, max_length=BODY_CHARS)
    category = Text(allow_none=True)
    room = ma.fields.Nested(NoticeRoomSchema, allow_none=True)
    until = ma.fields.AwareDateTime(allow_none=True)
    resolved_at = ma.fields.AwareDateTime(allow_none=True)
    followers_count = ma.fields.Integer()
    following = ma.fields.Boolean(metadata={"description": "whether the caller follows it"})


NoticeListSchema = page_schema(NoticeSchema, "NoticeListSchema", complete=True)


class NoticePlaceArgsSchema(Schema):
    office_id = Id()
    lat = latitude()
    qr_token = Text(validate=ma.validate.Length(min=1, max=100), metadata={
        "description": "a room's QR tag: the place is the tag's office"})
    lon = longitude()

    @ma.validates_schema
    def _both_coordinates(self, data, **kwargs):
        check_point_pair(data)
