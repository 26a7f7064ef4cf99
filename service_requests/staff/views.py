"""Saved views of the request list: a staff member's named filters, their own or shared with all staff.

One source of truth for what a filter is: a view's ``filters`` (and ``sort``) are the request
list's query names and values, checked by the list's own ``RequestListArgsSchema`` when saved and
loaded through it again each time the view is read; the requests then come from
``queries.list_requests`` for the reader. So a view never shows a request outside the reader's
own scope, whoever made it, and relative values are the reader's: ``assignee_id=me`` means the
person reading the view, not its owner. A filter the list would refuse is refused with the same
details the list gives (``details.status``, as for ``GET /requests?status=...``); names the list
does not know, ``limit``/``cursor`` (the page, not a filter), and several values of a name the
list reads once (``sla``, ``author_id``, ...), are refused under ``details.filters``.

Who may do what: administrators and managers have views; only administrators share them (a
manager asking for ``shared`` gets 403) and only administrators change or delete shared ones; a
view that is not shared is its owner's alone, and anybody else gets 404 for it. Each person owns
at most ``MAX_VIEWS_PER_OWNER`` views (shared ones included).

Counts are per caller: each view's requests in the caller's own scope, counted up to
``COUNT_CAP`` (``SELECT count(*) FROM (SELECT 1 ... LIMIT 1000)``), so a count above 999 reads
1000 with ``capped``; every view of the caller is counted in one statement.
"""
import marshmallow as ma
import sqlalchemy as sa
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import MultiDict

from service_app.errors import ApiError, validation_error
from service_app.extensions import db

from service_requests import access, forms, queries
from .models import SavedView
from service_requests.schemas import RequestListArgsSchema

MAX_VIEWS_PER_OWNER = 50
COUNT_CAP = 1000
PAGE_ARGS = ("limit", "cursor")
NOT_FOUND = "no such view"


def _list_schema():
    return RequestListArgsSchema()


def _query_names(schema):
    return {field.data_key or name for name, field in schema.fields.items() if not field.dump_only}


def load_args(filters, sort=None):
    """The list's arguments for ``filters`` and ``sort``, loaded exactly as ``GET /requests`` loads its
    query string (repeated names for lists); refusals are the list's own 422, details and all."""
    schema = _list_schema()
    names = _query_names(schema)
    repeatable = {field.data_key or name for name, field in schema.fields.items() if isinstance(field, ma.fields.List)}
    unknown = {}
    for key in filters:
        if key in PAGE_ARGS:
            unknown[key] = ["the page, not a filter: a view's requests take limit and cursor when read"]
        elif key == "sort":
            unknown[key] = ["a view's order is its own sort field"]
        elif key not in names and not key.startswith(forms.FILTER_PREFIX):
            unknown[key] = ["not a filter of the request list"]
        elif isinstance(filters[key], list) and len(filters[key]) > 1 and key not in repeatable:
            # The list reads one value of such a name: a view saying several would apply the first alone.
            unknown[key] = ["this filter takes one value"]
    if unknown:
        raise validation_error({"filters": unknown})
    if sort is not None and "sort" not in names:
        raise validation_error({"sort": ["the request list has no sort"]})
    query = MultiDict()
    for key, value in filters.items():
        for item in value if isinstance(value, list) else [value]:
            query.add(key, item)
    if sort is not None:
        query.add("sort", sort)
    try:
        # As webargs loads a query string for the list (unknown names are excluded there; here
        # they were refused above).
        return schema.load(MultiDictProxy(query, schema), unknown=ma.EXCLUDE)
    except ma.ValidationError as exc:
        raise validation_error(exc.messages) from exc


def list_views(user):
    """The caller's own views and the shared ones, oldest first."""
    return {"items": list(db.session.scalars(_visible(user).order_by(SavedView.created_at, SavedView.id))),
            "next_cursor": None}


def _visible(user):
    return sa.select(SavedView).where(access.own_or_shared_condition(SavedView, user))


def get_view(user, view_id, *, for_update=False):
    """A view the caller may see (their own, or shared); 404 for another person's, as for a missing one."""
    stmt = _visible(user).where(SavedView.id == view_id)
    if for_update:
        stmt = stmt.with_for_update(of=SavedView)
    view = db.session.scalar(stmt)
    if view is None:
        raise ApiError(404, "not_found", NOT_FOUND)
    return view


def _require_may_share(user):
    if not access.may_share(user):
        raise ApiError(403, "forbidden", "only administrators may share views")


def _require_may_change(user, view):
    if view.shared:
        if not access.may_share(user):
            raise ApiError(403, "forbidden", "only administrators may change shared views")
    elif view.owner_id != user.id:  # not reached: another person's unshared view is a 404
        raise ApiError(404, "not_found", NOT_FOUND)


def create_view(user, data):
    if data["shared"]:
        _require_may_share(user)
    load_args(data["filters"], data["sort"])
    owned = db.session.scalar(sa.select(sa.func.count()).select_from(SavedView)
                              .where(SavedView.owner_id == user.id))
    if owned >= MAX_VIEWS_PER_OWNER:
        raise ApiError(409, "conflict", f"at most {MAX_VIEWS_PER_OWNER} saved views each: delete one first",
                       {"limit": MAX_VIEWS_PER_OWNER})
    view = SavedView(owner=user, name=data["name"], filters=data["filters"], sort=data["sort"],
                     shared=data["shared"])
    db.session.add(view)
    db.session.commit()
    return view


def update_view(user, view, data):
    _require_may_change(user, view)
    if data.get("shared"):
        _require_may_share(user)
    load_args(data.get("filters", view.filters), data.get("sort", view.sort))
    for field in ("name", "filters", "sort", "shared"):
        if field in data:
            setattr(view, field, data[field])
    db.session.commit()
    return view


def delete_view(user, view):
    _require_may_change(user, view)
    db.session.delete(view)
    db.session.commit()


def view_requests(user, view, page):
    """One page of the view's requests, inside the caller's own scope (``queries.list_requests``)."""
    args = load_args(view.filters, view.sort)
    args["limit"], args["cursor"] = page["limit"], page.get("cursor")
    return queries.list_requests(user, args)


def capped_count(stmt):
    """``SELECT count(*) FROM (SELECT 1 ... LIMIT COUNT_CAP)`` of the list's query ``stmt``, as a scalar
    subquery: the database stops at the cap, so a view of a million requests costs a thousand rows."""
    inner = (stmt.with_only_columns(sa.literal(1), maintain_column_froms=True)
             .order_by(None).limit(COUNT_CAP).subquery())
    return sa.select(sa.func.count()).select_from(inner).scalar_subquery()


def view_counts(user):
    """Each of the caller's views (own and shared) with its count of requests in the caller's own
    scope, capped at ``COUNT_CAP``; one statement for all. A view whose filters the list no longer
    accepts is left out (its ``/requests`` says why)."""
    views = list(db.session.scalars(_visible(user).order_by(SavedView.created_at, SavedView.id)))
    counted = []
    for view in views:
        try:
            counted.append((view, capped_count(queries.select_requests(user, load_args(view.filters, view.sort)))))
        except ApiError:
            continue
    if not counted:
        return {"items": [], "next_cursor": None}
    values = db.session.execute(sa.select(*(count.label(f"v{i}") for i, (_, count) in enumerate(counted)))).one()
    return {"items": [{"view_id": view.id, "count": value, "capped": value >= COUNT_CAP}
                      for (view, _), value in zip(counted, values, strict=True)],
            "next_cursor": None}
