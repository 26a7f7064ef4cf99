"""One keyset pagination convention for every list: newest first.

Order is ``created_at desc, id desc``; the cursor is an opaque token holding
the last row's ``(created_at, id)``. A page never skips or repeats a row when
rows are added meanwhile, and a deep page costs as much as the first.
"""
import base64
import binascii
import json
from datetime import datetime

import marshmallow as ma
import sqlalchemy as sa

from .api import Schema
from .errors import ApiError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class PageArgsSchema(Schema):
    limit = ma.fields.Integer(load_default=DEFAULT_LIMIT,
                              validate=ma.validate.Range(min=1, max=MAX_LIMIT))
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=200))


def page_schema(item_schema, name=None):
    """The ``{items, next_cursor}`` envelope schema for ``item_schema``."""
    fields = {
        "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
        "next_cursor": ma.fields.String(allow_none=True, required=True),
    }
    name = name or f"{item_schema.__name__.removesuffix('Schema')}PageSchema"
    return type(name, (ma.Schema,), fields)


def encode_cursor(created_at, row_id):
    raw = json.dumps([created_at.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        created_at = datetime.fromisoformat(stamp)
        if not isinstance(row_id, int) or created_at.tzinfo is None:
            raise ValueError("bad cursor")
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, "bad_request", "cursor: not a cursor returned by this list",
                       {"cursor": ["invalid cursor"]}) from exc
    return created_at, row_id


def paginate(session, stmt, model, limit, cursor=None):
    """Run ``stmt`` (a select of ``model``) one page at a time.

    Returns ``{"items": [...], "next_cursor": str | None}``.
    """
    if cursor:
        created_at, row_id = decode_cursor(cursor)
        # A row-value comparison lets PostgreSQL start the index scan at the cursor
        # (an OR of the two conditions would walk past every earlier page).
        stmt = stmt.where(sa.tuple_(model.created_at, model.id) < (created_at, row_id))
    stmt = stmt.order_by(model.created_at.desc(), model.id.desc()).limit(limit + 1)
    rows = list(session.scalars(stmt))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id)
    return {"items": rows, "next_cursor": next_cursor}
