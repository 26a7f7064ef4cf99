"""The export behind ``GET /api/v1/me/data`` (PRIVACY.md P16), one page at a time.

Each package that stores something about a person registers a section, so a
new kind of personal data joins the export where it is defined.

The export is paged rather than sent whole: a busy account's export ran to
megabytes in one answer, built in memory at once. ``GET /me/data`` answers the
profile and the first page of every section, with ``next_cursors`` naming the
cursor of each section that has more; ``GET /me/data/{section}?cursor=``
continues one section in the usual ``{items, next_cursor}`` envelope. Following
every cursor returns everything held, so the promise stays whole.
"""
import base64
import binascii
import json

from service_app.errors import ApiError
from service_app.extensions import db
from service_app.pagination import paginate

_sections = {}


class _Section:
    def __init__(self, func=None, query=None, dump=None):
        self.func, self.query, self.dump = func, query, dump


def register_section(name, func=None, *, query=None, dump=None):
    """Add ``name`` to the export.

    Give ``query(user)``, a select of one model with ``created_at`` and ``id``,
    and ``dump(rows) -> list`` for one page: the export then reads one page at
    a time, newest first (the list convention of ``service_app.pagination``).
    A plain ``func(user) -> list`` is still accepted; it is built whole and
    sliced by offset, so its memory grows with the data and an item removed
    between two pages shifts the rest by one: convert it when it can grow.
    """
    if (func is None) == (query is None) or (query is None) != (dump is None):
        raise TypeError("register_section needs either func, or query and dump")
    _sections[name] = _Section(func, query, dump)


def section_names():
    return list(_sections)


def page(user, name, limit, cursor=None):
    """One page of section ``name``: ``{"items": [...], "next_cursor": str | None}``; 404 if no such section."""
    section = _sections.get(name)
    if section is None:
        raise ApiError(404, "not_found", f"no section {name!r}; use one of {', '.join(_sections)}")
    if section.query is None:
        return _slice(section.func(user), limit, cursor)
    stmt = section.query(user)
    model = stmt.column_descriptions[0]["entity"]
    result = paginate(db.session, stmt, model, limit, cursor)
    return {"items": section.dump(result["items"]), "next_cursor": result["next_cursor"]}


def collect(user, limit):
    """The profile and the first ``limit`` items of every section, with the cursor to each section's rest."""
    data = {"profile": user, "next_cursors": {}}
    for name in _sections:
        first = page(user, name, limit)
        data[name] = first["items"]
        data["next_cursors"][name] = first["next_cursor"]
    return data


def _slice(items, limit, cursor):
    start = _decode_offset(cursor) if cursor else 0
    end = start + limit
    return {"items": items[start:end], "next_cursor": _encode_offset(end) if end < len(items) else None}


def _encode_offset(offset):
    return base64.urlsafe_b64encode(json.dumps(["offset", offset]).encode()).decode().rstrip("=")


def _decode_offset(cursor):
    try:
        tag, offset = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        if tag != "offset" or type(offset) is not int or offset < 1:
            raise ValueError("bad cursor")
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise ApiError(400, "bad_request", "cursor: not a cursor returned by this list",
                       {"cursor": ["invalid cursor"]}) from exc
    return offset
