import marshmallow as ma

from service_app.api import Schema
from service_app.fields import TrimmedString

CODE = ma.validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$", error="1-32 letters, digits, '_' or '-'")
LANGS = ("ru", "kk", "en")


class LocalizedName(ma.fields.Field):
    """A name as one string, or as ``{ru, kk, en}`` (at least one of them)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.strip()
            if not 1 <= len(value) <= 200:
                raise ma.ValidationError("1-200 characters")
            return value
        if isinstance(value, dict) and value and set(value) <= set(LANGS):
            if all(isinstance(v, str) and 1 <= len(v.strip()) <= 200 for v in value.values()):
                return {k: v.strip() for k, v in value.items()}
        raise ma.ValidationError("a string, or an object with ru, kk and/or en strings (1-200 characters)")

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class OfficeSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    code = ma.fields.String()
    name = ma.fields.String()
    address = ma.fields.String(allow_none=True)
    timezone = ma.fields.String()
    is_active = ma.fields.Boolean()
    geofence = ma.fields.Dict(metadata={"description": "GeoJSON Polygon or MultiPolygon, [lon, lat]"})
    business_hours = ma.fields.Dict(metadata={"example": {"mon": [["09:00", "13:00"], ["14:00", "18:00"]]}})
    holidays = ma.fields.List(ma.fields.String(), metadata={"example": ["2026-12-16"]})
    special_hours = ma.fields.Dict(metadata={
        "description": "hours for given dates, overriding the week and public holidays; [] = closed",
        "example": {"2026-03-07": [["09:00", "18:00"]]}})


class OfficeCreateSchema(Schema):
    code = ma.fields.String(required=True, validate=CODE)
    name = TrimmedString(required=True, validate=ma.validate.Length(min=1, max=200))
    address = TrimmedString(allow_none=True, validate=ma.validate.Length(max=500))
    timezone = ma.fields.String(validate=ma.validate.Length(min=1, max=64))
    geofence = ma.fields.Dict(required=True)
    business_hours = ma.fields.Dict()
    holidays = ma.fields.List(ma.fields.String())
    special_hours = ma.fields.Dict()


class OfficeUpdateSchema(OfficeCreateSchema):
    code = ma.fields.String(validate=CODE)
    name = TrimmedString(validate=ma.validate.Length(min=1, max=200))
    geofence = ma.fields.Dict()
    is_active = ma.fields.Boolean()


class OfficeListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(OfficeSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


class RouteArgsSchema(Schema):
    lat = ma.fields.Float(required=True, allow_nan=False)
    lon = ma.fields.Float(required=True, allow_nan=False)


class RouteResultSchema(ma.Schema):
    office = ma.fields.Nested(OfficeSchema, allow_none=True, required=True)
    matched_by = ma.fields.String(allow_none=True, required=True,
                                  metadata={"enum": ["geofence", "nearest", "home_office", None]})
    distance_m = ma.fields.Float(allow_none=True, required=True)


class DepartmentSchema(Schema):
    code = ma.fields.String(required=True, validate=CODE)
    name = LocalizedName(required=True)
    is_active = ma.fields.Boolean()


class DepartmentUpdateSchema(Schema):
    name = LocalizedName()
    is_active = ma.fields.Boolean()


class DepartmentListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(DepartmentSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)
