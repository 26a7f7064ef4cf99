"""Accounts: list and search, create, deactivate, set the scope, set a password.

Every action goes through the API's ``service_app.users`` schemas and service functions
(``UserCreateSchema`` / ``UserUpdateSchema``, ``service.create_user`` / ``update_user``), so the
rules of ``scope_checks`` (who may manage whom) hold as in the API; deactivation and a new
password revoke the account's sessions, its console sessions with them. The API's user routes
are for administrators only, and so is this page.
"""
from flask import flash, g, redirect, request, url_for

from offices import service as offices_service
from service_app.users import service
from service_app.users.schemas import UserCreateSchema, UserListArgsSchema, UserUpdateSchema
from service_app.vocabulary import LANGUAGES, ROLES

from ..messages import _
from ..web import bp, render
from .admin_tools import load, query_args, requires
from .common import form_number, form_numbers

LIST_KEYS = ("q", "role", "is_active", "office_id", "cursor", "limit")


def _codes(name):
    return [v for v in request.form.getlist(name) if v != ""]


def _context():
    return {"offices": offices_service.list_offices(g.user)["items"],
            "departments": offices_service.list_departments()["items"], "roles": ROLES, "languages": LANGUAGES}


@bp.route("/users")
@requires("administrator")
def users():
    args = query_args(UserListArgsSchema(), LIST_KEYS)
    page = service.list_users(g.user, args)
    offices = {o.id: o for o in offices_service.list_offices(g.user)["items"]}
    next_url = None
    if page["next_cursor"]:
        keep = {k: v for k, v in request.args.items() if k in LIST_KEYS and k != "cursor" and v}
        next_url = url_for("console.users", cursor=page["next_cursor"], **keep)
    return render("users.html", page=page, args=request.args, office_names=offices, next_url=next_url,
                  **_context())


@bp.route("/users", methods=["POST"])
@requires("administrator")
def user_create():
    form = request.form
    data = {key: form.get(key, "").strip() for key in ("login", "full_name", "role", "language", "email", "phone")}
    data = {key: value for key, value in data.items() if value}
    data["password"] = form.get("password", "")
    if form.get("office_id"):
        data["office_id"] = form_number(form["office_id"])
    data["office_ids"] = form_numbers(request.form, "office_ids")
    data["department_codes"] = _codes("department_codes")
    user = service.create_user(load(UserCreateSchema(), data), g.user)
    flash(_("Account {login} created.", login=user.login), "success")
    return redirect(url_for("console.user_detail", user_id=user.id), code=303)


@bp.route("/users/<int:user_id>")
@requires("administrator")
def user_detail(user_id):
    return render("user.html", user=service.view_user(g.user, user_id), **_context())


def _update(user_id, data, message):
    user = service.get_user(user_id)
    service.update_user(g.user, user, load(UserUpdateSchema(), data))
    flash(message, "success")
    return redirect(url_for("console.user_detail", user_id=user_id), code=303)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@requires("administrator")
def user_set_active(user_id):
    active = request.form.get("is_active") == "true"
    done = _("Account activated.") if active else _("Account deactivated; its sessions have ended.")
    return _update(user_id, {"is_active": active}, done)


@bp.route("/users/<int:user_id>/scope", methods=["POST"])
@requires("administrator")
def user_set_scope(user_id):
    return _update(user_id, {"office_ids": form_numbers(request.form, "office_ids"), "department_codes": _codes("department_codes")},
                   _("Saved."))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@requires("administrator")
def user_set_password(user_id):
    return _update(user_id, {"password": request.form.get("password", "")}, _("Password set; the account's sessions have ended."))
