"""One keyset pagination convention for every list.

Order is ``created_at desc, id desc`` (newest first), or ``created_at, id``
for the lists that read like a story (a request's comments and events); the
cursor is an opaque token holding the last row's ``(created_at, id)``. A page
never skips or repeats a row when rows are added meanwhile, and a deep page
costs as much as the first.

A list may offer other orders (:class:`SortKey`: one column or expression, then
``id`` in the same direction). Their cursors also carry the order's name, so a
cursor from another order is a 400 rather than a page that skips or repeats rows.
A key that may be NULL is ordered through a stand-in value (``SortKey.never``),
which the cursor writes as null.

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


class SortKey:
    """A keyset order other than the default: ``expression`` (never NULL in SQL), then ``id``.

    ``value``: the expression to read the key with, None for rows at ``never`` (the stand-in
    the expression gives a missing key); ``descending``: the direction of both columns.
    """

    def __init__(self, name, expression, *, descending, value=None, never=None):
        self.name, self.expression, self.descending = name, expression, descending
        self.value = expression if value is None else value
        self.never = never


ANOTHER_SORT = "cursor: made for another sort order; start again without it"


def _bad_cursor(exc=None):
    error = ApiError(400, "bad_request", "cursor: not a cursor returned by this list",
                     {"cursor": ["invalid cursor"]})
    if exc is not None:
        error.__cause__ = exc
    return error


def encode_sorted_cursor(sort, value, row_id):
    raw = json.dumps([sort.name, None if value is None else value.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_sorted(cursor, sort):
    """``(value or None, id)`` from a cursor of ``sort``; a created-order cursor or another sort's is a 400."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True))
    except (ValueError, TypeError, binascii.Error, UnicodeError, RecursionError) as exc:
        raise _bad_cursor(exc) from exc
    if isinstance(decoded, list) and len(decoded) == 2:
        raise ApiError(400, "bad_request", ANOTHER_SORT, {"cursor": ["made for another sort order"]})
    if not isinstance(decoded, list) or len(decoded) != 3:
        raise _bad_cursor()
    name, stamp, row_id = decoded
    if not isinstance(name, str):
        raise _bad_cursor()
    if name != sort.name:
        raise ApiError(400, "bad_request", ANOTHER_SORT, {"cursor": ["made for another sort order"]})
    if stamp is None and sort.never is not None:
        if type(row_id) is not int or not 1 <= row_id <= MAX_ID:
            raise _bad_cursor()
        return None, row_id
    return _check_pair(stamp, row_id)


def _check_pair(stamp, row_id):
    try:
        if not isinstance(stamp, str) or type(row_id) is not int or not 1 <= row_id <= MAX_ID:
            raise ValueError("bad types")
        value = datetime.fromisoformat(stamp)
        if value.tzinfo is None or not MIN_YEAR <= value.astimezone(UTC).year <= MAX_YEAR:
            raise ValueError("bad time")
    except (ValueError, TypeError, OverflowError) as exc:
        raise _bad_cursor(exc) from exc
    return value, row_id


def decode_cursor(cursor):
    """``(created_at, id)`` from a cursor; anything this module did not write is a 400.

    Strict on purpose: the token is ours, so a wrong shape, a bool or out-of-range id, or
    a timestamp outside the years the API knows is a forged or damaged cursor, and must
    never reach the database (where it would overflow or fail to compare).
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True))
        if isinstance(decoded, list) and len(decoded) == 3 and isinstance(decoded[0], str):
            raise ApiError(400, "bad_request", ANOTHER_SORT, {"cursor": ["made for another sort order"]})
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


def paginate(session, stmt, model, limit, cursor=None, *, oldest_first=False, sort=None):
    """Run ``stmt`` (a select of ``model``) one page at a time, newest first unless ``oldest_first``
    (or in the order of ``sort``, a :class:`SortKey`).

    Returns ``{"items": [...], "next_cursor": str | None}``.
    """
    if sort is not None:
        return _paginate_sorted(session, stmt, model, limit, cursor, sort)
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


def _paginate_sorted(session, stmt, model, limit, cursor, sort):
    key = sa.tuple_(sort.expression, model.id)
    if cursor:
        value, row_id = _decode_sorted(cursor, sort)
        bound = sa.tuple_(sa.bindparam(None, sort.never if value is None else value, type_=sort.expression.type),
                          sa.bindparam(None, row_id, type_=model.id.type))
        stmt = stmt.where(key < bound if sort.descending else key > bound)
    order = ((sort.expression.desc(), model.id.desc()) if sort.descending else (sort.expression, model.id))
    stmt = stmt.add_columns(sort.value).order_by(*order).limit(limit + 1)
    rows = session.execute(stmt).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last, value = rows[-1]
        next_cursor = encode_sorted_cursor(sort, value, last.id)
    return {"items": [row[0] for row in rows], "next_cursor": next_cursor}
