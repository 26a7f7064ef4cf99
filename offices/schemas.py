import marshmallow as ma

from service_app.api import Output, Schema
from service_app.fields import MAX_ID, Code, JsonObject, LocalizedText, Text, TrimmedString
from service_app.pagination import page_schema


class OfficeSchema(Output):
    id = ma.fields.Integer(dump_only=True)
    code = Text()
    name = Text()
    address = Text(allow_none=True)
    timezone = Text()
    is_active = ma.fields.Boolean()
    geofence = ma.fields.Dict(metadata={"description": "GeoJSON Polygon or MultiPolygon, [lon, lat]"})
    business_hours = ma.fields.Dict(metadata={"example": {"mon": [["09:00", "13:00"], ["14:00", "18:00"]]}})
    holidays = ma.fields.List(Text(), metadata={"example": ["2026-12-16"]})
    special_hours = ma.fields.Dict(metadata={
        "description": "hours for given dates, overriding the week and public holidays; [] = closed",
        "example": {"2026-03-07": [["09:00", "18:00"]]}})


class OfficeCreateSchema(Schema):
    code = Code(required=True)
    name = TrimmedString(required=True, validate=ma.validate.Length(min=1, max=200))
    address = TrimmedString(allow_none=True, validate=ma.validate.Length(max=500))
    timezone = Text(validate=ma.validate.Length(min=1, max=64))
    geofence = JsonObject(required=True)
    business_hours = JsonObject()
    holidays = ma.fields.List(Text())
    special_hours = JsonObject()


class OfficeUpdateSchema(OfficeCreateSchema):
    code = Code()
    name = TrimmedString(validate=ma.validate.Length(min=1, max=200))
    geofence = JsonObject()
    is_active = ma.fields.Boolean()


OfficeListSchema = page_schema(OfficeSchema, "OfficeListSchema", complete=True)


class RouteArgsSchema(Schema):
    lat = ma.fields.Float(required=True, allow_nan=False)
    lon = ma.fields.Float(required=True, allow_nan=False)


class RouteResultSchema(Output):
    office = ma.fields.Nested(OfficeSchema, allow_none=True, required=True)
    matched_by = Text(allow_none=True, required=True,
                                  metadata={"enum": ["geofence", "nearest", "home_office", None]})
    distance_m = ma.fields.Float(allow_none=True, required=True)


class DepartmentSchema(Output):
    code = Code()
    name = LocalizedText()
    is_active = ma.fields.Boolean()


class DepartmentCreateSchema(Schema):
    code = Code(required=True)
    name = LocalizedText(required=True)
    is_active = ma.fields.Boolean()


class DepartmentUpdateSchema(Schema):
    name = LocalizedText()
    is_active = ma.fields.Boolean()


DepartmentListSchema = page_schema(DepartmentSchema, "DepartmentListSchema", complete=True)


class RoomSchema(Output):
    id = ma.fields.Integer()
    office_id = ma.fields.Integer()
    code = Text()
    name = LocalizedText()
    floor = ma.fields.Integer(allow_none=True)


class RoomCreateSchema(Schema):
    code = Code(required=True)
    name = LocalizedText(required=True)
    floor = ma.fields.Integer(allow_none=True, strict=True, validate=ma.validate.Range(-20, 300))


class RoomUpdateSchema(Schema):
    code = Code()
    name = LocalizedText()
    floor = ma.fields.Integer(allow_none=True, strict=True, validate=ma.validate.Range(-20, 300))

    @ma.validates_schema
    def not_empty(self, data, **kwargs):
        if not data:
            raise ma.ValidationError("nothing to change", "_schema")


RoomListSchema = page_schema(RoomSchema, "RoomListSchema", complete=True)


class QrSheetArgsSchema(Schema):
    """Which rooms a QR sheet prints: all of the office's, one floor's, and/or one part of them."""

    floor = ma.fields.Integer(validate=ma.validate.Range(-20, 300), metadata={
        "description": "only the rooms on this floor (rooms without a floor are printed only without it)"})
    part = ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID), metadata={
        "description": "the part-th QR_SHEET_MAX_ROOMS rooms of the sheet, in its order (floor, then code); "
                       "needed when more rooms match: the 422 too_many_rooms says how many parts there are"})


class QrTokenSchema(Output):
    qr_token = Text(metadata={"description": "the room's new tag; the previous one no longer works"})
