"""The lifecycle's schemas: status moves, comments, history, merging."""

import marshmallow as ma

from service_app.api import Output, Schema
from service_app.fields import Flag, Id, Text, TrimmedString
from service_app.pagination import page_schema

from service_requests.models import COMMENT_CHARS, STATUSES
from service_requests.schemas import PersonOrHidden, PersonSchema


class StatusChangeSchema(Schema):
    status = Text(required=True, validate=ma.validate.OneOf(STATUSES))
    comment = TrimmedString(validate=ma.validate.Length(min=1, max=COMMENT_CHARS))
    rating = ma.fields.Integer(strict=True, validate=ma.validate.Range(1, 5))


class CommentSchema(Output):
    id = ma.fields.Integer()
    body = Text()
    internal = ma.fields.Boolean()
    author = PersonOrHidden(PersonSchema, allow_none=True)  # null for the request's author, to a follower
    created_at = ma.fields.AwareDateTime()


CommentListSchema = page_schema(CommentSchema)


class CommentCreateSchema(Schema):
    body = TrimmedString(required=True, validate=ma.validate.Length(min=1, max=COMMENT_CHARS))
    internal = Flag(load_default=False)


class EventSchema(Output):
    id = ma.fields.Integer()
    event = Text()
    actor = PersonOrHidden(PersonSchema, allow_none=True)
    created_at = ma.fields.AwareDateTime()
    internal = ma.fields.Boolean()
    data = ma.fields.Dict()


EventListSchema = page_schema(EventSchema)


class MergeSchema(Schema):
    into = Id(required=True, strict=True, metadata={"description": "the request this one duplicates"})
