import marshmallow as ma

from service_app.api import Output, Schema
from service_app.fields import Text
from service_app.pagination import PageArgsSchema, page_schema

from .models import PLATFORMS


class DeviceSchema(Schema):
    # FCM/APNs tokens are ASCII; the bound keeps the unique index within PostgreSQL's limits.
    token = Text(required=True, validate=[
        ma.validate.Length(min=1, max=1024),
        ma.validate.Regexp(r"^[A-Za-z0-9_:.\-]+$", error="not a push token (letters, digits, '_', ':', '.', '-')")])
    platform = Text(required=True, validate=ma.validate.OneOf(PLATFORMS))
    app_version = Text(allow_none=True, validate=ma.validate.Length(max=50))
    os_version = Text(allow_none=True, validate=ma.validate.Length(max=50))
    device_model = Text(allow_none=True, validate=ma.validate.Length(max=100))


class DeviceOutSchema(Output):
    id = ma.fields.Integer()
    platform = Text()
    app_version = Text(allow_none=True)
    os_version = Text(allow_none=True)
    device_model = Text(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    last_seen_at = ma.fields.AwareDateTime()


class NotificationSchema(Output):
    id = ma.fields.Integer()
    event = Text()
    request_id = ma.fields.Integer(allow_none=True)
    title = Text()
    body = Text()
    created_at = ma.fields.AwareDateTime()
    read_at = ma.fields.AwareDateTime(allow_none=True)


class NotificationListArgsSchema(PageArgsSchema):
    unread = ma.fields.Boolean()


NotificationPageSchema = page_schema(NotificationSchema)
