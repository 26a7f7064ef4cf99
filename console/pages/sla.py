"""SLA targets: every priority's default and the per-category overrides, in business minutes
(``service_requests.catalogue.policies``, as GET/PUT /api/v1/sla-policies). Staff read them; company-wide
administrators set them, through the API's ``PolicyUpdateSchema`` and ``put_policy``."""
from flask import flash, redirect, request, url_for

from service_requests.catalogue import categories, policies
from service_requests.models import PRIORITIES
from service_requests.catalogue.schemas import PolicyArgsSchema, PolicyUpdateSchema

from .. import messages
from ..web import bp, render, staff_only, t
from .admin_tools import allowed, load, requires
from .common import form_number
from .queue import priority_label

messages.register({
    "sla.title": {"en": "SLA targets", "ru": "Цели SLA", "kk": "SLA мақсаттары"},
    "sla.intro": {"en": "Targets in business minutes; new requests use them.",
                  "ru": "Цели в рабочих минутах; применяются к новым заявкам.",
                  "kk": "Мақсаттар жұмыс минуттарымен; жаңа өтінімдерге қолданылады."},
    "sla.priority": {"en": "Priority", "ru": "Приоритет", "kk": "Басымдық"},
    "sla.category": {"en": "Category", "ru": "Категория", "kk": "Санат"},
    "sla.default": {"en": "default", "ru": "по умолчанию", "kk": "әдепкі"},
    "sla.response": {"en": "Response, min", "ru": "Реакция, мин", "kk": "Жауап, мин"},
    "sla.resolution": {"en": "Resolution, min", "ru": "Решение, мин", "kk": "Шешу, мин"},
    "sla.response_for": {"en": "Response minutes for {name}", "ru": "Минуты реакции: {name}",
                         "kk": "Жауап минуттары: {name}"},
    "sla.resolution_for": {"en": "Resolution minutes for {name}", "ru": "Минуты решения: {name}",
                           "kk": "Шешу минуттары: {name}"},
    "sla.override": {"en": "A category's own targets", "ru": "Свои цели для категории",
                     "kk": "Санаттың жеке мақсаттары"},
    "sla.read_only": {"en": "Only a company-wide administrator may change the targets.",
                      "ru": "Менять цели может только администратор всей компании.",
                      "kk": "Мақсаттарды тек бүкіл компанияның әкімшісі өзгерте алады."},
    "sla.actions": {"en": "Change", "ru": "Изменить", "kk": "Өзгерту"},
})


@bp.route("/sla")
@staff_only()
def sla():
    may_edit = allowed("administrator", company_wide=True)
    return render("sla.html", policies=policies.list_policies()["items"], may_edit=may_edit, priorities=PRIORITIES,
                  priority_label=priority_label,
                  categories=categories.list_categories()["items"])


@bp.route("/sla", methods=["POST"])
@requires("administrator", company_wide=True)
def sla_save():
    data = load(PolicyUpdateSchema(), {"response_minutes": form_number(request.form.get("response_minutes")),
                                       "resolution_minutes": form_number(request.form.get("resolution_minutes"))})
    category = request.form.get("category") or None
    args = load(PolicyArgsSchema(), {"category": category} if category else {})
    policies.put_policy(request.form.get("priority", ""), data, args.get("category"))
    flash(t("saved"), "success")
    return redirect(url_for("console.sla"), code=303)


