"""The lifecycle's schemas: status moves, comments, history, merging."""

import marshmallow as ma
from flask import g

from service_app.api import Output, Schema
from service_app.fields import Flag, Id, Text, TrimmedString
from service_app.pagination import page_schema

from service_requests.history import follower_body, follower_event_data
from service_requests.models import COMMENT_CHARS, STATUSES
from service_requests.schemas import PersonOrHidden, PersonSchema


class StatusChangeSchema(Schema):
    status = Text(required=True, validate=ma.validate.OneOf(STATUSES))
    comment = TrimmedString(validate=ma.validate.Length(min=1, max=COMMENT_CHARS))
    rating = ma.fields.Integer(strict=True, validate=ma.validate.Range(1, 5))


class FollowerBody(Text):
    """A comment's text; to a follower (``comments._page``) the follower's text of it (``history.follower_body``)."""

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        req = g.get("follower_view_of")
        return super().get_value(obj, attr, accessor, default) if req is None else follower_body(obj, req)


class FollowerEventData(ma.fields.Dict):
    """An event's data; to a follower (``comments._page``) without what the follower view hides
    (``history.follower_event_data``)."""

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        req = g.get("follower_view_of")
        return super().get_value(obj, attr, accessor, default) if req is None else follower_event_data(obj, req)


class CommentSchema(Output):
    id = ma.fields.Integer()
    body = FollowerBody(metadata={"description": "to a follower: the text for followers (a canned reply names "
                                                "no one: a neutral word stands for the author's name)"})
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
    data = FollowerEventData(metadata={
        "description": "what changed; to a follower, an `updated` event shows only title, priority, category "
                       "and department changes (an edit of the description or a form answer: `{}`), and a "
                       "status change no rating"})


EventListSchema = page_schema(EventSchema)


class MergeSchema(Schema):
    into = Id(required=True, strict=True, metadata={"description": "the request this one duplicates"})
