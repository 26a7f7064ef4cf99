"""Saved views of the request list: bodies and answers (the filters themselves are checked by the
list's own ``RequestListArgsSchema``, in ``views.py``)."""
import marshmallow as ma

from service_app.api import Output, Schema
from service_app.fields import Text, TrimmedString, text_problem
from service_app.pagination import page_schema

from service_requests.schemas import PersonSchema

MAX_FILTERS = 30
MAX_VALUES = 50
MAX_VALUE_LENGTH = 200


class Filters(ma.fields.Field):
    """The list's query as a JSON object: each query name to a value or a list of values, each a
    string or a number (``true``/``false`` are taken as the query's ``true``/``false``).

    Loaded as ``{name: str | [str]}``, keys sorted: the view stores what the query string would
    carry. Whether a name is a filter and a value is right is for the list's schema to say.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ma.ValidationError("an object of the request list's query names and values")
        if len(value) > MAX_FILTERS:
            raise ma.ValidationError(f"at most {MAX_FILTERS} filters")
        normalised, errors = {}, {}
        for key in sorted(value):
            problem = text_problem(key) or (None if 1 <= len(key) <= 50 else "1-50 characters")
            if problem:
                errors[key] = [problem]
                continue
            try:
                normalised[key] = self._values(value[key])
            except ma.ValidationError as exc:
                errors[key] = exc.messages
        if errors:
            raise ma.ValidationError(errors)
        return normalised

    def _values(self, value):
        if isinstance(value, list):
            if not 1 <= len(value) <= MAX_VALUES:
                raise ma.ValidationError(f"a list of 1-{MAX_VALUES} values")
            return [self._scalar(item) for item in value]
        return self._scalar(value)

    @staticmethod
    def _scalar(value):
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int) or (isinstance(value, float) and value == value and abs(value) != float("inf")):
            return str(value)
        if isinstance(value, str):
            problem = text_problem(value) or (None if len(value) <= MAX_VALUE_LENGTH
                                              else f"at most {MAX_VALUE_LENGTH} characters")
            if problem:
                raise ma.ValidationError(problem)
            return value
        raise ma.ValidationError("a string or a number, or a list of them")


FILTERS_DOC = {"type": "object", "example": {"status": ["new", "in_progress"], "priority": "urgent"},
               "description": "GET /requests query names (not limit or cursor) to a value or a list of values"}


class ViewSchema(Output):
    id = ma.fields.Integer()
    name = Text()
    filters = ma.fields.Dict(metadata=FILTERS_DOC)
    sort = Text(allow_none=True, metadata={"description": "the list's `sort`; null for its default order"})
    shared = ma.fields.Boolean()
    owner = ma.fields.Nested(PersonSchema)
    created_at = ma.fields.AwareDateTime()


class ViewCreateSchema(Schema):
    name = TrimmedString(required=True, validate=ma.validate.Length(min=1, max=100))
    filters = Filters(required=True, metadata=FILTERS_DOC)
    sort = Text(allow_none=True, load_default=None, validate=ma.validate.Length(min=1, max=32))
    shared = ma.fields.Boolean(load_default=False, metadata={"description": "shown to all staff (administrators)"})


class ViewUpdateSchema(Schema):
    name = TrimmedString(validate=ma.validate.Length(min=1, max=100))
    filters = Filters(metadata=FILTERS_DOC)
    sort = Text(allow_none=True, validate=ma.validate.Length(min=1, max=32))
    shared = ma.fields.Boolean()

    @ma.validates_schema
    def not_empty(self, data, **kwargs):
        if not data:
            raise ma.ValidationError("nothing to change", "_schema")


class ViewCountSchema(Output):
    view_id = ma.fields.Integer()
    count = ma.fields.Integer(metadata={"description": "matching requests in the caller's scope, at most 1000"})
    capped = ma.fields.Boolean(metadata={"description": "true: there are more than 999 (count says 1000)"})


ViewListSchema = page_schema(ViewSchema, "ViewListSchema", complete=True)
ViewCountListSchema = page_schema(ViewCountSchema, "ViewCountListSchema", complete=True)
