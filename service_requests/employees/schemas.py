"""Employees' schemas: similar requests (before submitting, and a room's tag)."""

import marshmallow as ma

from service_app.api import Output, Schema
from service_app.fields import Code, Id, Text, TrimmedString

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


class SimilarArgsSchema(Schema):
    category = Code(required=True)
    title = TrimmedString(validate=ma.validate.Length(max=200), metadata={
        "description": "what the caller is about to write: the most similar titles come first"})
    lat = ma.fields.Float(allow_nan=False, validate=ma.validate.Range(-90, 90))
    lon = ma.fields.Float(allow_nan=False, validate=ma.validate.Range(-180, 180))
    office_id = Id()
    qr_token = Text(validate=ma.validate.Length(min=1, max=100), metadata={
        "description": "a room's QR tag: the place is the tag's office"})

    @ma.validates_schema
    def both_or_neither(self, data, **kwargs):
        if ("lat" in data) != ("lon" in data):
            raise ma.ValidationError("give both lat and lon, or neither", "lat" if "lon" in data else "lon")
