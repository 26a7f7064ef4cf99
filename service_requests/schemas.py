import marshmallow as ma

from offices.schemas import CODE, LocalizedName
from service_app.api import Schema


class CategorySchema(Schema):
    code = ma.fields.String(required=True, validate=CODE)
    name = LocalizedName(required=True)
    department = ma.fields.String(allow_none=True, validate=CODE, attribute="department_code",
                                  data_key="department")
    is_active = ma.fields.Boolean()


class CategoryCreateSchema(Schema):
    code = ma.fields.String(required=True, validate=CODE)
    name = LocalizedName(required=True)
    department = ma.fields.String(allow_none=True, validate=CODE)
    is_active = ma.fields.Boolean()


class CategoryUpdateSchema(Schema):
    name = LocalizedName()
    department = ma.fields.String(allow_none=True, validate=CODE)
    is_active = ma.fields.Boolean()


class CategoryListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(CategorySchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)
