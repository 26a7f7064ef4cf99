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
from service_requests.staff.schemas import RuleUpdateSchema
from service_requests.staff.models import ASSIGNMENT_MODES

from ..messages import _
from ..web import bp, render, staff_only
from .admin_tools import allowed, load, requires
from .common import int_or_none, form_numbers


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
                  staff=users_service.staff_choices(g.user) if may_edit else [])


@bp.route("/assignment-rules", methods=["POST"])
@requires("administrator")
def assignment_rule_save():
    office = request.form.get("office_id", "")
    data = load(RuleUpdateSchema(), {"mode": request.form.get("mode", ""), "pool": form_numbers(request.form, "pool")})
    assignment.put_rule(g.user, _office_id(office), request.form.get("department", ""), data)
    flash(_("Saved."), "success")
    return redirect(url_for("console.assignment_rules"), code=303)


@bp.route("/assignment-rules/remove", methods=["POST"])
@requires("administrator")
def assignment_rule_remove():
    office = request.form.get("office_id", "")
    assignment.put_rule(g.user, _office_id(office), request.form.get("department", ""),
                        load(RuleUpdateSchema(), {"mode": "manual", "pool": []}))
    flash(_("Rule removed: requests are assigned by hand."), "success")
    return redirect(url_for("console.assignment_rules"), code=303)


def _office_id(raw):
    """The form's office as the API's ``Id`` field loads a path id (1 to MAX_ID); else the API's 404."""
    office_id = int_or_none(raw)
    if office_id is None:
        raise ApiError(404, "not_found", "no such office")
    return office_id
