"""SLA policies, the SLA / backlog reports and the dashboard."""
from flask import Response, request
from flask_jwt_extended import current_user

from service_app.api import Blueprint
from service_app.vocabulary import STAFF_ROLES

from service_requests.catalogue import policies
from . import reports
from .schemas import (BacklogArgsSchema, BacklogReportSchema, DashboardArgsSchema, DashboardSchema,
                      SlaReportArgsSchema, SlaReportCsvArgsSchema, SlaReportSchema)
from service_requests.catalogue.schemas import PolicyArgsSchema, PolicyListSchema, PolicySchema, PolicyUpdateSchema

blp = Blueprint("sla", __name__, url_prefix="/api/v1", description="SLA policies and reports")

SLA_REPORT_CSV_ANSWER = "the report as CSV (UTF-8), the JSON report's columns, one row per group, then the totals"


@blp.route("/sla-policies", methods=["GET"])
@blp.doc(operationId="listSlaPolicies")
@blp.login_required(*STAFF_ROLES)
@blp.response(200, PolicyListSchema)
def list_policies():
    """SLA targets per priority (and per-category overrides), in business minutes"""
    return policies.list_policies()


@blp.route("/sla-policies/<string:priority>", methods=["PUT"])
@blp.doc(operationId="setSlaPolicy")
@blp.login_required("administrator", company_wide=True)
@blp.arguments(PolicyUpdateSchema)
@blp.arguments(PolicyArgsSchema, location="query")
@blp.response(200, PolicySchema)
@blp.errors(404)
def put_policy(data, args, priority):
    """Set a priority's targets (`?category=` for one category); new requests use them"""
    return policies.put_policy(priority, data, args.get("category"))


def _wants_csv(args):
    if args.get("format"):
        return args["format"] == "csv"
    return request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv"


def _csv_answer(report):
    name = f"sla-{report['group_by']}-{report['from']}-{report['to']}.csv"
    return Response(reports.to_csv(report), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blp.route("/reports/sla", methods=["GET"])
@blp.doc(operationId="getSlaReport")
@blp.login_required(*STAFF_ROLES)
@blp.arguments(SlaReportArgsSchema, location="query")
@blp.response(200, SlaReportSchema)
@blp.errors(404)
def sla_report(args):
    """SLA report for a period, grouped by office, department, category, priority or assignee (as CSV: GET /reports/sla.csv)"""
    report = reports.sla_report(current_user, args)
    if _wants_csv(args):  # older clients: `format=csv` or `Accept: text/csv` still answer CSV
        return _csv_answer(report)
    return report


@blp.route("/reports/sla.csv", methods=["GET"])
@blp.doc(operationId="getSlaReportCsv")
@blp.login_required(*STAFF_ROLES)
@blp.arguments(SlaReportCsvArgsSchema, location="query")
@blp.response(200, description=SLA_REPORT_CSV_ANSWER)
# The override replaces the whole answer object, so it repeats the description OpenAPI requires.
@blp.doc(responses={"200": {"description": SLA_REPORT_CSV_ANSWER,
                            "content": {"text/csv": {"schema": {"type": "string"}}},
                            "headers": {"Content-Disposition": {
                                "schema": {"type": "string"},
                                "description": 'attachment; filename="sla-<group_by>-<from>-<to>.csv"'}}}})
@blp.errors(404)
def sla_report_csv(args):
    """The SLA report as CSV: the same query and columns as GET /reports/sla"""
    return _csv_answer(reports.sla_report(current_user, args))


@blp.route("/reports/backlog", methods=["GET"])
@blp.doc(operationId="getBacklogReport")
@blp.login_required(*STAFF_ROLES)
@blp.arguments(BacklogArgsSchema, location="query")
@blp.response(200, BacklogReportSchema)
@blp.errors(404)
def backlog_report(args):
    """Open requests by status and age (<1d, 1-3d, 3-7d, >7d), with breached counts"""
    return reports.backlog_report(current_user, args)


@blp.route("/reports/dashboard", methods=["GET"])
@blp.doc(operationId="getDashboard")
@blp.login_required(*STAFF_ROLES)
@blp.arguments(DashboardArgsSchema, location="query")
@blp.response(200, DashboardSchema)
@blp.errors(404)
def dashboard(args):
    """Cards (with the previous window of equal length), a daily trend and hotspots for a period

    Figures count the requests created in the period (calendar days in REPORT_TIMEZONE), as the SLA
    report does; `open_now` counts open requests now (its `previous`: open at the period's start).
    A card's `drilldown` lists its requests through GET /requests: exact for `created`, `resolved`,
    `open_now` and `median_resolution_minutes`; for the percentages and `reopened_pct` it lists the
    period's requests they are a share of, for `avg_rating` the closed ones (rated or not). The
    list also shows a manager the requests they wrote or are assigned outside their scope.
    A hotspot is an office x category with at least HOTSPOT_MIN requests in the HOTSPOT_DAYS
    ending with `to` (`room` is null)."""
    return reports.dashboard_report(current_user, args)
