"""One keyset pagination convention for every list.

Order is ``created_at desc, id desc`` (newest first), or ``created_at, id``
for the lists that read like a story (a request's comments and events); the
cursor is an opaque token holding the last row's ``(created_at, id)``. A page
never skips or repeats a row when rows are added meanwhile, and a deep page
costs as much as the first.

A short list of reference data (offices, departments, categories, SLA
policies) is answered whole, in the same ``{items, next_cursor}`` envelope
with ``next_cursor`` always null; its page schema says so in the OpenAPI
document (``page_schema(..., complete=True)``).
"""
import base64
import binascii
import json
from datetime import UTC, datetime

import marshmallow as ma
import sqlalchemy as sa

from .api import Schema
from .errors import ApiError
from .fields import MAX_ID, MAX_YEAR, MIN_YEAR, Text

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class PageArgsSchema(Schema):
    limit = ma.fields.Integer(load_default=DEFAULT_LIMIT,
                              validate=ma.validate.Range(min=1, max=MAX_LIMIT))
    # Not Text: whatever is wrong with a cursor (NUL included) is one 400 from decode_cursor.
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=200))


COMPLETE_LIST = "The whole list in one answer: next_cursor is always null."


def page_schema(item_schema, name=None, *, complete=False):
    """The ``{items, next_cursor}`` envelope schema for ``item_schema``.

    ``complete`` marks a list answered whole (no paging), and says so in the OpenAPI document.
    """
    fields = {
        "items": ma.fields.List(ma.fields.Nested(item_schema), required=True,
                                metadata={"description": COMPLETE_LIST} if complete else {}),
        "next_cursor": Text(allow_none=True, required=True,
                            metadata={"description": "always null"} if complete else {}),
    }
    name = name or f"{item_schema.__name__.removesuffix('Schema')}PageSchema"
    return type(name, (ma.Schema,), fields)


def encode_cursor(created_at, row_id):
    raw = json.dumps([created_at.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor):
    """``(created_at, id)`` from a cursor; anything this module did not write is a 400.

    Strict on purpose: the token is ours, so a wrong shape, a bool or out-of-range id, or
    a timestamp outside the years the API knows is a forged or damaged cursor, and must
    never reach the database (where it would overflow or fail to compare).
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True))
        if not isinstance(decoded, list) or len(decoded) != 2:
            raise ValueError("not a pair")
        stamp, row_id = decoded
        if not isinstance(stamp, str) or type(row_id) is not int or not 1 <= row_id <= MAX_ID:
            raise ValueError("bad types")
        created_at = datetime.fromisoformat(stamp)
        if created_at.tzinfo is None or not MIN_YEAR <= created_at.astimezone(UTC).year <= MAX_YEAR:
            raise ValueError("bad time")
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeError, RecursionError) as exc:
        raise ApiError(400, "bad_request", "cursor: not a cursor returned by this list",
                       {"cursor": ["invalid cursor"]}) from exc
    return created_at, row_id


def paginate(session, stmt, model, limit, cursor=None, *, oldest_first=False):
    """Run ``stmt`` (a select of ``model``) one page at a time, newest first unless ``oldest_first``.

    Returns ``{"items": [...], "next_cursor": str | None}``.
    """
    key = sa.tuple_(model.created_at, model.id)
    if cursor:
        created_at, row_id = decode_cursor(cursor)
        # A row-value comparison lets PostgreSQL start the index scan at the cursor
        # (an OR of the two conditions would walk past every earlier page).
        stmt = stmt.where(key > (created_at, row_id) if oldest_first else key < (created_at, row_id))
    order = (model.created_at, model.id) if oldest_first else (model.created_at.desc(), model.id.desc())
    stmt = stmt.order_by(*order).limit(limit + 1)
    rows = list(session.scalars(stmt))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id)
    return {"items": rows, "next_cursor": next_cursor}
