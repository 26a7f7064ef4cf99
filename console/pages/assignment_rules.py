"""Assignment rules per office and department (``service_requests.staff.assignment``, as
/api/v1/assignment-rules): staff read the rules of their scope; administrators create and
edit them through the API's ``RuleUpdateSchema`` and ``put_rule`` (which checks their scope and
the pool). The API has no DELETE: removing a rule sets it to ``manual`` with an empty pool,
which assigns nothing, as no rule does, and the page lists such a rule no more."""
from flask import flash, g, redirect, request, url_for

from offices import service as offices_service
from service_app.errors import ApiError
from service_app.users import service as users_service
from service_requests.staff import assignment
from service_requests.staff.assignment_schemas import RuleUpdateSchema
from service_requests.staff.models import ASSIGNMENT_MODES

from .. import messages
from ..web import bp, render, staff_only, t
from .admin_tools import allowed, load, requires
from .common import int_or_none, form_numbers

messages.register({
    "rules.title": {"en": "Assignment rules", "ru": "Правила назначения", "kk": "Тағайындау ережелері"},
    "rules.intro": {"en": "How new requests of an office and department are assigned.",
                    "ru": "Как назначаются новые заявки офиса и отдела.",
                    "kk": "Кеңсе мен бөлімнің жаңа өтінімдері қалай тағайындалады."},
    "rules.office": {"en": "Office", "ru": "Офис", "kk": "Кеңсе"},
    "rules.department": {"en": "Department", "ru": "Отдел", "kk": "Бөлім"},
    "rules.mode": {"en": "Mode", "ru": "Режим", "kk": "Режим"},
    "rules.mode.manual": {"en": "Manual", "ru": "Вручную", "kk": "Қолмен"},
    "rules.mode.round_robin": {"en": "In turn", "ru": "По очереди", "kk": "Кезекпен"},
    "rules.mode.least_open": {"en": "Fewest open requests", "ru": "Меньше всего открытых заявок",
                              "kk": "Ашық өтінімдері ең аз"},
    "rules.pool": {"en": "Pool", "ru": "Пул исполнителей", "kk": "Орындаушылар тобы"},
    "rules.pool_help": {"en": "Active administrators and managers covering the office and department; "
                              "the turn follows the list's order.",
                        "ru": "Активные администраторы и руководители, отвечающие за офис и отдел; "
                              "очередь идёт в порядке списка.",
                        "kk": "Кеңсе мен бөлімге жауапты белсенді әкімшілер мен басшылар; "
                              "кезек тізім ретімен жүреді."},
    "rules.pool_for": {"en": "Pool of {name}", "ru": "Пул: {name}", "kk": "Топ: {name}"},
    "rules.mode_for": {"en": "Mode of {name}", "ru": "Режим: {name}", "kk": "Режим: {name}"},
    "rules.away": {"en": "away", "ru": "отсутствует", "kk": "орнында жоқ"},
    "rules.empty_pool": {"en": "nobody", "ru": "никого", "kk": "ешкім"},
    "rules.none": {"en": "No rules yet: requests are assigned by hand.",
                   "ru": "Правил пока нет: заявки назначаются вручную.",
                   "kk": "Әзірге ереже жоқ: өтінімдер қолмен тағайындалады."},
    "rules.new": {"en": "New rule (or replace one)", "ru": "Новое правило (или замена)",
                  "kk": "Жаңа ереже (немесе ауыстыру)"},
    "rules.remove": {"en": "Remove", "ru": "Удалить", "kk": "Жою"},
    "rules.remove_confirm": {"en": "Remove this rule? New requests will be assigned by hand.",
                             "ru": "Удалить правило? Новые заявки будут назначаться вручную.",
                             "kk": "Ережені жою керек пе? Жаңа өтінімдер қолмен тағайындалады."},
    "rules.removed": {"en": "Rule removed: requests are assigned by hand.",
                      "ru": "Правило удалено: заявки назначаются вручную.",
                      "kk": "Ереже жойылды: өтінімдер қолмен тағайындалады."},
    "rules.actions": {"en": "Change", "ru": "Изменить", "kk": "Өзгерту"},
    "rules.read_only": {"en": "Only administrators may change the rules.",
                        "ru": "Менять правила могут только администраторы.",
                        "kk": "Ережелерді тек әкімшілер өзгерте алады."},
})


@bp.route("/assignment-rules")
@staff_only()
def assignment_rules():
    may_edit = allowed("administrator")
    offices = offices_service.list_offices(g.user)["items"]
    # A manual rule with nobody in its pool assigns nothing, as no rule: it is what "remove" leaves.
    rules = [r for r in assignment.list_rules(g.user)["items"] if r["mode"] != "manual" or r["pool"]]
    return render("assignment_rules.html", rules=rules, may_edit=may_edit,
                  offices=offices, office_names={o.id: o for o in offices},
                  departments=offices_service.list_departments()["items"], modes=ASSIGNMENT_MODES,
                  staff=users_service.list_active_staff() if may_edit else [])


@bp.route("/assignment-rules", methods=["POST"])
@requires("administrator")
def assignment_rule_save():
    office = request.form.get("office_id", "")
    data = load(RuleUpdateSchema(), {"mode": request.form.get("mode", ""), "pool": form_numbers(request.form, "pool")})
    assignment.put_rule(g.user, _office_id(office), request.form.get("department", ""), data)
    flash(t("saved"), "success")
    return redirect(url_for("console.assignment_rules"), code=303)


@bp.route("/assignment-rules/remove", methods=["POST"])
@requires("administrator")
def assignment_rule_remove():
    office = request.form.get("office_id", "")
    assignment.put_rule(g.user, _office_id(office), request.form.get("department", ""),
                        load(RuleUpdateSchema(), {"mode": "manual", "pool": []}))
    flash(t("rules.removed"), "success")
    return redirect(url_for("console.assignment_rules"), code=303)


def _office_id(raw):
    """The form's office as the API's ``Id`` field loads a path id (1 to MAX_ID); else the API's 404."""
    office_id = int_or_none(raw)
    if office_id is None:
        raise ApiError(404, "not_found", "no such office")
    return office_id
