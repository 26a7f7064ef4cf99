"""The request queue: the request list with its filters, saved views and bulk actions.

The list is ``queries.list_requests`` with the query string loaded by the API's own
``RequestListArgsSchema`` (as ``GET /api/v1/requests`` loads it); the saved views and their
counts are ``views.list_views`` / ``views.view_counts``; a bulk action is ``bulk.run`` with
the form loaded by ``BulkSchema`` (as ``POST /api/v1/requests/bulk``). The assignee choices
besides "me" and "nobody" are ``users.service.staff_choices``: the staff list the API gives
administrators only, audited as ``GET /api/v1/users`` is.
"""
import marshmallow as ma
from flask import flash, g, redirect, request, url_for
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import MultiDict

from offices import service as offices_service
from service_app.users import service as users_service
from service_requests.staff import bulk, replies, views
from service_requests import queries, search
from service_requests.models import PRIORITIES, STATUSES
from service_requests.staff.schemas import BulkSchema
from service_requests.schemas import SLA_FILTERS, SORTS, RequestListArgsSchema

from ..messages import _, label, ngettext, priority_labels, sla_filter_labels, sort_labels, status_labels
from ..web import bp, localized, render
from .admin_tools import load, validation_error
from .common import form_number

# Names of the console's own query arguments, not filters of the list.
OWN_ARGS = ("view",)


def status_label(code):
    return label(status_labels, code)


def priority_label(code):
    return label(priority_labels, code)


def list_args(query):
    """The list's arguments from a query string, loaded exactly as ``GET /api/v1/requests`` loads
    them (``RequestListArgsSchema``); an empty form field means "no filter". 422 on a refusal."""
    given = MultiDict((key, value) for key, value in query.items(multi=True)
                      if value != "" and key not in OWN_ARGS)
    schema = RequestListArgsSchema()
    try:
        return schema.load(MultiDictProxy(given, schema), unknown=ma.EXCLUDE)
    except ma.ValidationError as exc:
        raise validation_error(exc) from None


def _view_link(view):
    values = dict(view.filters)
    if view.sort:
        values["sort"] = view.sort
    return url_for("console.queue", view=view.id, **values)


@bp.route("/requests")
def queue():
    args = list_args(request.args)
    page = queries.list_requests(g.user, args)
    saved = views.list_views(g.user)["items"]
    counts = {item["view_id"]: item for item in views.view_counts(g.user)["items"]}
    next_url = None
    if page["next_cursor"]:
        query = MultiDict(request.args)
        query.setlist("cursor", [page["next_cursor"]])
        next_url = url_for("console.queue", **query.to_dict(flat=False))
    first_url = None
    if request.args.get("cursor"):
        query = MultiDict(request.args)
        query.poplist("cursor")
        first_url = url_for("console.queue", **query.to_dict(flat=False))
    return render("queue.html", items=page["items"], next_url=next_url, first_url=first_url, args=args,
                  saved=[(view, counts.get(view.id), _view_link(view)) for view in saved],
                  current_view=request.args.get("view", ""), offices=offices_service.list_offices(g.user)["items"],
                  staff=users_service.staff_choices(g.user),
                  replies=replies.list_replies(g.user), statuses=STATUSES, priorities=PRIORITIES,
                  sla_filters=[(code, label(sla_filter_labels, code)) for code in SLA_FILTERS],
                  sorts=[(code, label(sort_labels, code)) for code in SORTS], status_label=status_label,
                  priority_label=priority_label, localized=localized, q_max_chars=search.MAX_QUERY_CHARS)


def _back():
    target = request.form.get("next") or ""
    return target if target.startswith("/console/requests") and "\\" not in target else url_for("console.queue")


@bp.route("/requests/bulk", methods=["POST"])
def queue_bulk():
    form = request.form
    action = form.get("action") or ""
    data = {"ids": form.getlist("ids"), "action": action}
    if action == "assign":
        chosen = form.get("assignee_id") or ""
        data["assignee_id"] = g.user.id if chosen == "me" else (None if chosen == "none" else chosen)
    elif action == "status":
        data["status"] = form.get("status") or ""
        if (form.get("body") or "").strip():
            data["body"] = form.get("body")
    elif action == "reply":
        data["reply_id"] = form.get("reply_id") or ""
    data["ids"] = [form_number(value) for value in data["ids"]]
    for key in ("assignee_id", "reply_id"):
        if isinstance(data.get(key), str):
            data[key] = form_number(data[key])
    loaded = load(BulkSchema(), data)
    results = bulk.run(g.user, loaded)["results"]
    done = sum(1 for item in results if item["ok"])
    flash(ngettext("Done for {ok} of {total} request.", "Done for {ok} of {total} requests.", len(results),
                   ok=done, total=len(results)), "success" if done == len(results) else "error")
    for item in results:
        number = item["request"].number if item["ok"] else f"#{item['id']}"
        if item["ok"]:
            flash(_("{number}: done", number=number), "success")
        else:
            flash(_("{number}: {message}", number=number, message=item["error"]["message"]), "error")
    return redirect(_back(), code=303)
