"""Office notices: what an office already knows about, posted and resolved by its administrators.

Through ``service_requests.employees.notices`` with the API's ``NoticeCreateSchema`` / ``NoticeUpdateSchema``;
who may post or resolve is the service's own check (``require_office_admin``: an administrator
whose office scope covers the office).
"""
from datetime import datetime

import marshmallow as ma
from flask import flash, g, redirect, request, url_for

from offices import rooms as room_service
from offices import service as office_service
from service_app import i18n
from service_app.errors import ApiError
from service_app.extensions import db
from service_requests.employees import notices as notice_service
from service_requests.catalogue.categories import list_categories
from service_requests.employees.schemas import NoticeCreateSchema, NoticeUpdateSchema

from ..messages import _
from ..web import bp, page_error, render, zone
from .common import chosen_office, error_lines, int_or_none, refusal_lines


def _may_post(office):
    """The service's own rule (``require_office_admin``), asked without changing anything."""
    try:
        notice_service.require_office_admin(g.user, office.id)
    except ApiError:
        return False
    return True


def _page(status=200, office=None, form=None, errors=None):
    offices = office_service.list_offices(g.user)["items"]
    if office is None:
        office = chosen_office(offices, request.args.get("office"), first=True)
    context = {"offices": offices, "office": office, "form": form or {}, "errors": errors or [],
               "notices": [], "rooms": [], "categories": [], "manage": False}
    if office is not None:
        context.update(notices=notice_service.active_notices([office.id], g.user), manage=_may_post(office),
                       rooms=room_service.list_rooms(office)["items"],
                       categories=[c for c in list_categories()["items"] if c.is_active],
                       office_zone=office.timezone or str(zone()))
    return render("notices.html", status, **context)


@bp.route("/notices", methods=["GET"])
def notices():
    return _page()


def _until(raw, office):
    """A ``datetime-local`` value, read in the office's time zone, as ISO text for the schema."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return raw  # the schema says why it is refused
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(office.timezone))
    return value.isoformat()


@bp.route("/notices", methods=["POST"])
def notices_create():
    office_id = int_or_none(request.form.get("office_id"))
    if office_id is None:
        return page_error(404, i18n.translate("no such office", g.lang))
    office = office_service.get_office(office_id)
    form = request.form
    body = {"title": form.get("title", "")}
    if form.get("body", "").strip():
        body["body"] = form["body"]
    if form.get("category"):
        body["category"] = form["category"]
    if form.get("room_id"):
        body["room_id"] = int_or_none(form["room_id"]) or form["room_id"]
    until = _until(form.get("until"), office)
    if until is not None:
        body["until"] = until
    try:
        data = NoticeCreateSchema().load(body)
        notice_service.create_notice(g.user, office.id, data)
    except ma.ValidationError as exc:
        return _page(422, office=office, form=form.to_dict(), errors=error_lines(exc.messages))
    except ApiError as exc:
        db.session.rollback()
        if exc.status == 403:
            raise
        return _page(exc.status, office=office, form=form.to_dict(), errors=refusal_lines(exc))
    flash(_("Saved."), "success")
    return redirect(url_for("console.notices", office=office.id), code=303)


@bp.route("/notices/<int:notice_id>/resolve", methods=["POST"])
def notices_resolve(notice_id):
    notice = notice_service.update_notice(g.user, notice_id, NoticeUpdateSchema().load({"resolved": True}))
    flash(_("The notice is resolved."), "success")
    return redirect(url_for("console.notices", office=notice["office_id"]), code=303)
