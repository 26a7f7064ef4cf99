"""SLA targets: every priority's default and the per-category overrides, in business minutes
(``service_requests.catalogue.policies``, as GET/PUT /api/v1/sla-policies). Staff read them; company-wide
administrators set them, through the API's ``PolicyUpdateSchema`` and ``put_policy``."""
from flask import flash, redirect, request, url_for

from service_requests.catalogue import categories, policies
from service_requests.models import PRIORITIES
from service_requests.catalogue.schemas import PolicyArgsSchema, PolicyUpdateSchema

from ..messages import _
from ..web import bp, render, staff_only
from .admin_tools import allowed, load, requires
from .common import form_number
from .queue import priority_label


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
    flash(_("Saved."), "success")
    return redirect(url_for("console.sla"), code=303)


