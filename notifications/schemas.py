import marshmallow as ma

from service_app.api import Output, Schema
from service_app.fields import Pattern, Text
from service_app.pagination import PageArgsSchema, page_schema

from .models import PLATFORMS


class DeviceSchema(Schema):
    # FCM/APNs tokens are ASCII; the bound keeps the unique index within PostgreSQL's limits.
    token = Text(required=True, validate=[
        ma.validate.Length(min=1, max=1024),
        Pattern(r"^[A-Za-z0-9_:.\-]+$", error="not a push token (letters, digits, '_', ':', '.', '-')")])
    platform = Text(required=True, validate=ma.validate.OneOf(PLATFORMS))
    app_version = Text(allow_none=True, validate=ma.validate.Length(max=50))
    os_version = Text(allow_none=True, validate=ma.validate.Length(max=50))
    device_model = Text(allow_none=True, validate=ma.validate.Length(max=100))


class DeviceOutSchema(Output):
    id = ma.fields.Integer(required=True)
    platform = Text(required=True)
    app_version = Text(required=True, allow_none=True)
    os_version = Text(required=True, allow_none=True)
    device_model = Text(required=True, allow_none=True)
    created_at = ma.fields.AwareDateTime(required=True)
    last_seen_at = ma.fields.AwareDateTime(required=True)
    receiving = ma.fields.Boolean(required=True, metadata={
        "description": "pushes reach this device: the sign-in that registered it has not ended"})


class NotificationDataSchema(Output):
    number = Text(required=True, allow_none=True, metadata={"description": "the request's number, SR-000042"})
    status = Text(required=True, allow_none=True,
                  metadata={"description": "the request's status the notification tells of"})


class NotificationSchema(Output):
    id = ma.fields.Integer(required=True)
    event = Text(required=True)
    request_id = ma.fields.Integer(required=True, allow_none=True)
    title = Text(required=True, attribute="feed_title",
                 metadata={"description": "in the reader's language at the time it is read"})
    body = Text(required=True, attribute="feed_body",
                metadata={"description": "in the reader's language at the time it is read"})
    data = ma.fields.Nested(NotificationDataSchema, required=True, attribute="public_data")
    deep_link = Text(required=True, allow_none=True,
                     metadata={"description": "what the app opens: santrade://requests/{request_id}, "
                                                 "or santrade://notices/{id} for an office notice"})
    created_at = ma.fields.AwareDateTime(required=True)
    read_at = ma.fields.AwareDateTime(required=True, allow_none=True)


class NotificationListArgsSchema(PageArgsSchema):
    unread = ma.fields.Boolean()


NotificationPageSchema = page_schema(NotificationSchema)
