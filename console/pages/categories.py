"""Request categories and their forms (``service_requests.catalogue.categories``, as /api/v1/categories).

Staff read them; company-wide administrators create and edit them through the API's
``CategoryCreateSchema`` / ``CategoryUpdateSchema`` (names in ru/kk/en, department, active,
discoverable, and the form as the API's JSON list of fields, validated by the same ``FormFieldSchema``)."""
import json

import marshmallow as ma

from flask import flash, redirect, request, url_for

from offices import service as offices_service
from service_app.api import loads_bounded
from service_app.errors import ApiError
from service_app.fields import Code
from service_app.vocabulary import LANGUAGES
from service_requests.catalogue import categories as service
from service_requests.catalogue.schemas import CategoryCreateSchema, CategorySchema, CategoryUpdateSchema

from ..messages import _
from ..web import bp, render, staff_only
from .admin_tools import allowed, load, requires


def _category(code):
    """The path's category; a code the API's ``Code`` field refuses (NUL, too long) names none: 404,
    before PostgreSQL is asked for it (it refuses NUL in text)."""
    try:
        Code().deserialize(code)
    except ma.ValidationError:
        raise ApiError(404, "not_found", "no such category") from None
    return service.get_category(code)


def _may_edit():
    return allowed("administrator", company_wide=True)


def _form_fields():
    text = request.form.get("fields", "").strip() or "[]"
    try:
        return loads_bounded(text)
    except ValueError as error:
        raise ApiError(400, "invalid_json", _("fields: not valid JSON ({problem})", problem=str(error)[:200])) from None


def _body():
    name = {code: request.form.get(f"name_{code}", "").strip() for code in LANGUAGES}
    return {"name": {code: value for code, value in name.items() if value},
            "department": request.form.get("department") or None,
            "is_active": request.form.get("is_active") == "on",
            "discoverable": request.form.get("discoverable") == "on",
            "fields": _form_fields()}


def _context():
    return {"departments": offices_service.list_departments()["items"], "languages": LANGUAGES,
            "may_edit": _may_edit()}


@bp.route("/categories")
@staff_only()
def categories():
    return render("categories.html", categories=service.list_categories()["items"], **_context())


@bp.route("/categories", methods=["POST"])
@requires("administrator", company_wide=True)
def category_create():
    body = _body()
    body["code"] = request.form.get("code", "").strip()
    category = service.create_category(load(CategoryCreateSchema(), body))
    flash(_("Saved."), "success")
    return redirect(url_for("console.category_detail", code=category.code), code=303)


@bp.route("/categories/<string:code>")
@staff_only()
def category_detail(code):
    category = _category(code)
    shown = CategorySchema().dump(category)
    return render("category.html", category=category, shown=shown,
                  fields_json=json.dumps(shown["fields"], ensure_ascii=False, indent=2), **_context())


@bp.route("/categories/<string:code>", methods=["POST"])
@requires("administrator", company_wide=True)
def category_update(code):
    category = _category(code)
    service.update_category(category, load(CategoryUpdateSchema(), _body()))
    flash(_("Saved."), "success")
    return redirect(url_for("console.category_detail", code=category.code), code=303)
