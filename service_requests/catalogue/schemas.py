"""The catalogue's schemas: categories with their forms, SLA policies."""

import marshmallow as ma

from service_app.api import Output, Schema
from service_app.fields import Code, Flag, LocalizedText, Text
from service_app.pagination import page_schema

from service_requests import forms


class FormOptionSchema(Schema):
    value = Text(required=True, validate=ma.validate.Length(min=1, max=100))
    label = LocalizedText(required=True)


class FormFieldSchema(Schema):
    """One field of a category's form. Labels, help and option labels are a string or LocalizedText
    and are answered as LocalizedText, as a category's name is."""

    key = Text(required=True, validate=forms.key_pattern(), metadata={"example": "room_temperature"})
    type = Text(required=True, validate=ma.validate.OneOf(forms.FIELD_TYPES), metadata={"enum": list(forms.FIELD_TYPES)})
    label = LocalizedText(required=True)
    help = LocalizedText(max_length=500)
    required = ma.fields.Boolean(load_default=False)
    options = ma.fields.List(ma.fields.Nested(FormOptionSchema), validate=ma.validate.Length(max=forms.MAX_OPTIONS),
                             metadata={"description": "choice and multi_choice only: the values offered"})
    staff_only = ma.fields.Boolean(load_default=False, metadata={
        "description": "filled by staff (PATCH); the request's author never sees it"})

    @ma.validates_schema
    def options_fit_the_type(self, data, **kwargs):
        problem = forms.definition_problem(data) if "type" in data else None
        if problem:
            raise ma.ValidationError(problem, "options")


class FormFieldOutSchema(Output):
    SOMETIMES_ABSENT = ("help", "options")

    key = Text()
    type = Text(metadata={"enum": list(forms.FIELD_TYPES)})
    label = LocalizedText()
    help = LocalizedText()
    required = ma.fields.Boolean()
    options = ma.fields.List(ma.fields.Nested(lambda: FormOptionOutSchema()))
    staff_only = ma.fields.Boolean()


class FormOptionOutSchema(Output):
    value = Text()
    label = LocalizedText()


def _form(description="the category's form: the fields a request of it asks for"):
    return ma.fields.List(ma.fields.Nested(FormFieldSchema), data_key="fields", attribute="fields",
                          validate=[ma.validate.Length(max=forms.MAX_FIELDS), _unique_keys],
                          metadata={"description": description})


def _unique_keys(fields):
    problem = forms.form_problem(fields)
    if problem:
        raise ma.ValidationError(problem)


DISCOVERABLE = ("colleagues may find its open, recent requests (similar, a room's tag) and follow them, "
                "reading them without author, description, location, photos or answers (PRIVACY.md P18); "
                "false (the default) for anything personal, such as HR")


class CategorySchema(Output):
    code = Code(required=True)
    name = LocalizedText(required=True)
    department = Code(allow_none=True, attribute="department_code", data_key="department")
    is_active = ma.fields.Boolean()
    discoverable = ma.fields.Boolean(metadata={"description": DISCOVERABLE})
    form = ma.fields.List(ma.fields.Nested(FormFieldOutSchema), data_key="fields", attribute="fields",
                          metadata={"description": "the category's form (empty: none)"})


CategoryListSchema = page_schema(CategorySchema, "CategoryListSchema", complete=True)


class CategoryCreateSchema(Schema):
    code = Code(required=True)
    name = LocalizedText(required=True)
    department = Code(allow_none=True)
    is_active = ma.fields.Boolean()
    discoverable = Flag(metadata={"description": DISCOVERABLE})
    form = _form()


class CategoryUpdateSchema(Schema):
    name = LocalizedText()
    department = Code(allow_none=True)
    is_active = ma.fields.Boolean()
    discoverable = Flag(metadata={"description": DISCOVERABLE})
    form = _form("the whole new form; existing requests keep their answers")


class PolicySchema(Output):
    priority = Text()
    category = Text(allow_none=True, metadata={"description": "null for the priority's default"})
    response_minutes = ma.fields.Integer()
    resolution_minutes = ma.fields.Integer()


PolicyListSchema = page_schema(PolicySchema, complete=True)


class PolicyUpdateSchema(Schema):
    response_minutes = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=525_600))
    resolution_minutes = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=525_600))


class PolicyArgsSchema(Schema):
    category = Code(metadata={"description": "override for this category only"})
