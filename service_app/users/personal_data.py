"""The export behind ``GET /api/v1/me/data`` (PRIVACY.md P16), one page at a time.

Each package that stores something about a person adds a ``Section`` at the
``Hook.PERSONAL_DATA`` hook point (``service_app.plugins``) in its own
``init_app``, so a new kind of personal data joins the export where it is defined.

The export is paged rather than sent whole: a busy account's export ran to
megabytes in one answer, built in memory at once. ``GET /me/data`` answers the
profile and the first page of every section, with ``next_cursors`` naming the
cursor of each section that has more; ``GET /me/data/{section}?cursor=``
continues one section in the usual ``{items, next_cursor}`` envelope. Following
every cursor returns everything held, so the promise stays whole.
"""
from typing import NamedTuple

from service_app.errors import ApiError
from service_app.extensions import db
from service_app.pagination import paginate
from service_app.plugins import Hook, hooks


class Section(NamedTuple):
    """One section of the export: ``query(user)`` is a select of one model with
    ``created_at`` and ``id``, ``dump(rows) -> list`` renders one page; the export
    reads one page at a time, newest first (the list convention of
    ``service_app.pagination``), so its memory stays bounded whatever the account holds."""

    name: str
    query: object
    dump: object


def _sections():
    return {section.name: section for section in hooks().get(Hook.PERSONAL_DATA)}


def page(user, name, limit, cursor=None):
    """One page of section ``name``: ``{"items": [...], "next_cursor": str | None}``; 404 if no such section."""
    sections = _sections()
    section = sections.get(name)
    if section is None:
        raise ApiError(404, "not_found", f"no section {name!r}; use one of {', '.join(sections)}")
    stmt = section.query(user)
    model = stmt.column_descriptions[0]["entity"]
    result = paginate(db.session, stmt, model, limit, cursor)
    return {"items": section.dump(result["items"]), "next_cursor": result["next_cursor"]}


def collect(user, limit):
    """The profile and the first ``limit`` items of every section, with the cursor to each section's rest."""
    data = {"profile": user, "next_cursors": {}}
    for name in _sections():
        first = page(user, name, limit)
        data[name] = first["items"]
        data["next_cursors"][name] = first["next_cursor"]
    return data
