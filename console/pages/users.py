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

from .. import messages
from ..web import bp, render, t
from .admin_tools import load, query_args, requires
from .common import form_number, form_numbers

messages.register({
    "users.title": {"en": "Users", "ru": "Пользователи", "kk": "Пайдаланушылар"},
    "users.search": {"en": "Search", "ru": "Поиск", "kk": "Іздеу"},
    "users.search_label": {"en": "Login, name or email", "ru": "Логин, имя или эл. почта",
                           "kk": "Логин, аты немесе электрондық пошта"},
    "users.role": {"en": "Role", "ru": "Роль", "kk": "Рөл"},
    "users.any_role": {"en": "Any role", "ru": "Любая роль", "kk": "Кез келген рөл"},
    "users.role.employee": {"en": "Employee", "ru": "Сотрудник", "kk": "Қызметкер"},
    "users.role.administrator": {"en": "Administrator", "ru": "Администратор", "kk": "Әкімші"},
    "users.role.manager": {"en": "Manager", "ru": "Руководитель", "kk": "Басшы"},
    "users.status": {"en": "Status", "ru": "Статус", "kk": "Күйі"},
    "users.any_status": {"en": "Active and inactive", "ru": "Активные и неактивные",
                         "kk": "Белсенді және белсенді емес"},
    "users.active": {"en": "Active", "ru": "Активен", "kk": "Белсенді"},
    "users.inactive": {"en": "Deactivated", "ru": "Деактивирован", "kk": "Өшірілген"},
    "users.login": {"en": "Login", "ru": "Логин", "kk": "Логин"},
    "users.full_name": {"en": "Full name", "ru": "ФИО", "kk": "Толық аты-жөні"},
    "users.email": {"en": "Email", "ru": "Эл. почта", "kk": "Электрондық пошта"},
    "users.language": {"en": "Language", "ru": "Язык", "kk": "Тіл"},
    "users.password": {"en": "Password", "ru": "Пароль", "kk": "Құпиясөз"},
    "users.new_password": {"en": "New password", "ru": "Новый пароль", "kk": "Жаңа құпиясөз"},
    "users.home_office": {"en": "Home office", "ru": "Основной офис", "kk": "Негізгі кеңсе"},
    "users.no_office": {"en": "No home office", "ru": "Без офиса", "kk": "Кеңсесіз"},
    "users.offices": {"en": "Offices in scope (none: all)", "ru": "Офисы в зоне ответственности (не выбрано ни одного — все)",
                      "kk": "Жауапкершілік аймағындағы кеңселер (ешқайсысы таңдалмаса — барлығы)"},
    "users.departments": {"en": "Departments in scope (none: all)",
                          "ru": "Отделы в зоне ответственности (не выбрано ни одного — все)",
                          "kk": "Жауапкершілік аймағындағы бөлімдер (ешқайсысы таңдалмаса — барлығы)"},
    "users.scope": {"en": "Scope", "ru": "Зона ответственности", "kk": "Жауапкершілік аймағы"},
    "users.all": {"en": "all", "ru": "все", "kk": "барлығы"},
    "users.create": {"en": "New account", "ru": "Новая учётная запись", "kk": "Жаңа тіркелгі"},
    "users.created": {"en": "Account {login} created.", "ru": "Учётная запись {login} создана.",
                      "kk": "{login} тіркелгісі құрылды."},
    "users.deactivate": {"en": "Deactivate", "ru": "Деактивировать", "kk": "Өшіру"},
    "users.activate": {"en": "Activate", "ru": "Активировать", "kk": "Қосу"},
    "users.deactivate_confirm": {"en": "Deactivate this account and end its sessions?",
                                 "ru": "Деактивировать учётную запись и завершить её сеансы?",
                                 "kk": "Тіркелгіні өшіріп, оның сеанстарын аяқтау керек пе?"},
    "users.deactivated": {"en": "Account deactivated; its sessions have ended.",
                          "ru": "Учётная запись деактивирована, её сеансы завершены.",
                          "kk": "Тіркелгі өшірілді, оның сеанстары аяқталды."},
    "users.activated": {"en": "Account activated.", "ru": "Учётная запись активирована.",
                        "kk": "Тіркелгі қосылды."},
    "users.set_scope": {"en": "Save the scope", "ru": "Сохранить зону", "kk": "Аймақты сақтау"},
    "users.set_password": {"en": "Set the password", "ru": "Задать пароль", "kk": "Құпиясөзді орнату"},
    "users.password_set": {"en": "Password set; the account's sessions have ended.",
                           "ru": "Пароль задан, сеансы учётной записи завершены.",
                           "kk": "Құпиясөз орнатылды, тіркелгі сеанстары аяқталды."},
    "users.open": {"en": "Manage", "ru": "Управление", "kk": "Басқару"},
    "users.back": {"en": "All users", "ru": "Все пользователи", "kk": "Барлық пайдаланушылар"},
    "users.next_page": {"en": "Next page", "ru": "Следующая страница", "kk": "Келесі бет"},
    "users.none_found": {"en": "No accounts match.", "ru": "Подходящих учётных записей нет.",
                         "kk": "Сәйкес тіркелгілер жоқ."},
    "users.actions": {"en": "Actions", "ru": "Действия", "kk": "Әрекеттер"},
    "users.filter": {"en": "Filter", "ru": "Фильтр", "kk": "Сүзгі"},
})

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
    flash(t("users.created", login=user.login), "success")
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
    return _update(user_id, {"is_active": active}, t("users.activated" if active else "users.deactivated"))


@bp.route("/users/<int:user_id>/scope", methods=["POST"])
@requires("administrator")
def user_set_scope(user_id):
    return _update(user_id, {"office_ids": form_numbers(request.form, "office_ids"), "department_codes": _codes("department_codes")},
                   t("saved"))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@requires("administrator")
def user_set_password(user_id):
    return _update(user_id, {"password": request.form.get("password", "")}, t("users.password_set"))
