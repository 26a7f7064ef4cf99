"""Schemas of assignment rules and staff availability (API.md, "Staff work")."""
import marshmallow as ma

from service_app.api import Output, Schema
from service_app.fields import BoundedDateTime, Id, Text

from .assignment import MAX_POOL
from .models import ASSIGNMENT_MODES


class PoolMemberSchema(Output):
    id = ma.fields.Integer()
    full_name = Text()
    available = ma.fields.Boolean(metadata={"description": "whether auto-assignment may choose them now"})


class RuleSchema(Output):
    """How new requests of an office and department are assigned as they are created."""

    office_id = ma.fields.Integer()
    department = Text(metadata={"description": "the department's code"})
    mode = Text(metadata={"enum": list(ASSIGNMENT_MODES)})
    pool = ma.fields.List(ma.fields.Nested(PoolMemberSchema), metadata={"description": "in turn order"})


class RuleListSchema(Output):
    items = ma.fields.List(ma.fields.Nested(RuleSchema))


class RuleUpdateSchema(Schema):
    mode = Text(required=True, validate=ma.validate.OneOf(ASSIGNMENT_MODES),
                metadata={"description": "`manual` assigns nothing (the pool is kept); `round_robin` takes the "
                                         "pool in turn; `least_open` the member with the fewest open requests"})
    pool = ma.fields.List(Id(strict=True), load_default=list, validate=ma.validate.Length(max=MAX_POOL),
                          metadata={"description": "user ids in turn order: active administrators or managers "
                                                   "whose scope covers the office and department"})


class AvailabilitySchema(Schema):
    """`{available: true}` clears an absence; `{available: false}` is away until changed;
    `{available: false, until}` is away until then, and available again from that moment."""

    available = ma.fields.Boolean(required=True)
    until = BoundedDateTime(allow_none=True, load_default=None,
                            metadata={"description": "the end of an absence (in the future; only with "
                                                     "`available: false`)"})
