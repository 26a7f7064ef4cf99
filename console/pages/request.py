"""One request: its details, photos, status moves, assignment, conversation, history, canned
replies and merging, each through the service function the API's route calls.

Reads: ``access.get_visible_request`` (404 for a request the reader may not see),
``RequestSchema`` for what the API shows, ``lifecycle.allowed_moves`` for the buttons,
``comments.list_comments`` / ``list_events`` dumped by the API's ``CommentSchema`` /
``EventSchema``, ``replies.list_replies``. Changes: ``triage.move`` (POST /requests/{id}/status),
``triage.update_request`` (PATCH, If-Match from the page's version), ``comments.post_comment``,
``replies.apply_reply``, ``merging.merge``; the form input is loaded by the API's own schemas.

Staff who only follow a request (``access.may_read_in_full`` is false: outside their scope, not
theirs) read exactly the API's follower view (API.md "Following and similar requests,
tightened"): what is personal on the page (the author, the description, photos, form answers)
comes from the API's dump and the follower view shows none of it; people in the conversation and
the history are the API's dump too, where the author is null; and no form is offered, since
every write looks the request up for update, which admits no follower (404).
"""
import marshmallow as ma
from flask import current_app, flash, g, redirect, request, url_for
from werkzeug.datastructures import ETags

from service_app.errors import ApiError
from service_app.extensions import limiter, user_key
from service_requests import search
from service_requests.history import follower_body
from service_requests.access import covering_staff, get_visible_request, is_staff_for, may_read_in_full
from service_requests.catalogue import categories
from service_requests.lifecycle import comments, merging
from service_requests.lifecycle import edits as triage
from service_requests.lifecycle import status as lifecycle
from service_requests.lifecycle.schemas import (CommentCreateSchema, CommentSchema, EventSchema, MergeSchema,
                                                 StatusChangeSchema)
from service_requests.photos import attachments
from service_requests.photos.responses import send_attachment
from service_requests.schemas import RequestSchema, RequestUpdateSchema
from service_requests.staff import replies

from ..messages import _, event_labels, label, pgettext
from ..web import bp, localized, render, zone
from .admin_tools import load, validation_error
from .common import form_number
from .queue import priority_label, status_label

ALL_PAGES = 20  # at most this many pages of 100 comments / events on the page


def _all(list_function, user, req):
    rows, cursor = [], None
    for _page in range(ALL_PAGES):
        page = list_function(user, req, {"limit": 100, "cursor": cursor})
        rows.extend(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    return rows


def comment_body(comment, req, in_full):
    """The text of ``comment`` (a ``Comment`` of ``req``) as this reader may read it: the one place
    the console takes a comment's body. ``in_full`` is false for a follower, who reads what the API
    gives followers (``history.follower_body``: never what was filled from the author's name, a
    canned reply's ``{author_name}``)."""
    return comment.body if in_full else follower_body(comment, req)


def _comments(user, req, in_full):
    """The conversation as the API's ``GET /requests/{id}/comments`` gives it to ``user`` (the
    request's author is null to a follower), each body through :func:`comment_body`."""
    rows = _all(comments.list_comments, user, req)
    schema = CommentSchema()
    return [{**schema.dump(row), "body": comment_body(row, req, in_full)} for row in rows]


def _events(user, req):
    """The history as the API's ``GET /requests/{id}/events`` gives it to ``user``."""
    return EventSchema(many=True).dump(_all(comments.list_events, user, req))


def assignable_staff(req):
    """Active staff whose scope covers the request (``access.covering_staff``, as the assignment checks)."""
    people = covering_staff(req.office_id, req.department_code)
    if req.assignee is not None and req.assignee.id not in {person.id for person in people}:
        people.insert(0, req.assignee)
    return people


def _category(req):
    try:
        return categories.get_category(req.category_code)
    except ApiError:
        return None


def _field_labels(category):
    return {field["key"]: localized(field.get("label") or field["key"]) for field in (category.fields or [])} \
        if category is not None else {}


def _option_labels(category):
    """``{field key: {option value: label}}`` of the category's choice fields, in the reader's language."""
    return {field["key"]: {option["value"]: localized(option.get("label") or option["value"])
                           for option in field.get("options") or ()}
            for field in (category.fields or [])} if category is not None else {}


def _change_label(key):
    """The name of a field an edit changed (the history's ``updated`` events)."""
    labels = {"title": pgettext("request", "Title"), "description": _("Description"), "priority": _("Priority"),
              "category": _("Category"), "fields": _("Form answers")}
    return labels.get(key, key)


def _event_label(event):
    return label(event_labels, event)


@bp.route("/requests/<int:request_id>")
def request_page(request_id):
    req = get_visible_request(g.user, request_id)
    data = RequestSchema().dump(req)
    category = _category(req)
    in_full = may_read_in_full(g.user, req)
    staff = in_full and is_staff_for(g.user, req)  # the forms of the staff who process it
    return render("request.html", req=req, data=data, in_full=in_full, staff_for=staff,
                  tz=req.office.timezone, zone_name=str(zone(req.office.timezone)),
                  category_name=localized(category.name) if category is not None else req.category_code,
                  moves=lifecycle.allowed_moves(g.user, req) if in_full else [],
                  staff=assignable_staff(req) if staff else [],
                  comments_open=in_full and comments.is_open_for_comments(req),
                  mergeable=staff and merging.may_be_merged(req),
                  comments=_comments(g.user, req, in_full), events=_events(g.user, req),
                  replies=replies.list_replies(g.user) if staff else [],
                  field_labels=_field_labels(category), option_labels=_option_labels(category),
                  status_label=status_label, priority_label=priority_label, event_label=_event_label,
                  change_label=_change_label)


def _back(request_id):
    return redirect(url_for("console.request_page", request_id=request_id), code=303)


def _if_match():
    """The version the page was read at, as the API's If-Match: a stale page gets 412."""
    version = request.form.get("etag") or ""
    return ETags([version]) if version else None


@bp.route("/requests/<int:request_id>/status", methods=["POST"])
def request_status(request_id):
    body = {"status": request.form.get("status") or ""}
    if (request.form.get("comment") or "").strip():
        body["comment"] = request.form["comment"]
    data = load(StatusChangeSchema(), body)
    req = get_visible_request(g.user, request_id, for_update=True)
    triage.move(g.user, req, data, _if_match())
    flash(_("Saved."), "success")
    return _back(request_id)


@bp.route("/requests/<int:request_id>/assign", methods=["POST"])
def request_assign(request_id):
    chosen = request.form.get("assignee_id") or ""
    data = load(RequestUpdateSchema(), {"assignee_id": None if chosen in ("", "none") else form_number(chosen)})
    req = get_visible_request(g.user, request_id, for_update=True)
    triage.update_request(g.user, req, data, _if_match())
    flash(_("Saved."), "success")
    return _back(request_id)


@bp.route("/requests/<int:request_id>/comments", methods=["POST"])
@limiter.limit(lambda: current_app.config["COMMENT_LIMIT"], key_func=user_key,
               deduct_when=lambda response: response.status_code == 303)  # the API's limit on comments
def request_comment(request_id):
    data = load(CommentCreateSchema(), {"body": request.form.get("body") or "",
                                         "internal": request.form.get("internal") in ("1", "on", "true")})
    req = get_visible_request(g.user, request_id, for_update=True)
    comments.post_comment(g.user, req, data["body"], data["internal"])
    flash(_("Saved."), "success")
    return _back(request_id)


@bp.route("/requests/<int:request_id>/replies", methods=["POST"])
def request_reply(request_id):
    reply_id = form_number(request.form.get("reply_id"))
    if not isinstance(reply_id, int):
        raise validation_error(ma.ValidationError({"reply_id": ["Not a valid integer."]}))
    reply = replies.get_usable_reply(g.user, reply_id)
    req = get_visible_request(g.user, request_id, for_update=True)
    replies.apply_reply(g.user, req, reply, _if_match())
    flash(_("Saved."), "success")
    return _back(request_id)


@bp.route("/requests/<int:request_id>/merge", methods=["POST"])
def request_merge(request_id):
    into = search.request_id_of(request.form.get("into") or "")
    if into is None:
        raise validation_error(ma.ValidationError({"into": [_("a request number such as SR-000123 or its id")]}))
    data = load(MergeSchema(), {"into": into})
    target = merging.merge(g.user, request_id, data["into"])
    flash(_("Merged into {number}.", number=target.number), "success")
    return _back(request_id)


@bp.route("/attachments/<int:attachment_id>")
def request_photo(attachment_id):
    """A photo for a signed-in browser, after the API's own check (``attachments.open_attachment``)."""
    return send_attachment(attachments.open_attachment(g.user, attachment_id))


@bp.route("/attachments/<int:attachment_id>/thumbnail")
def request_photo_thumbnail(attachment_id):
    return send_attachment(attachments.open_attachment(g.user, attachment_id, thumbnail=True))

