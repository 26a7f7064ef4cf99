"""The dashboard: the API's dashboard and SLA report (``service_requests.reports.reports``), for a period
and an office, with each card linking to the queue filtered as the card counts, a daily trend
chart, the SLA table by group, and CSV downloads of the report and of the period's requests."""
from flask import Response, g, stream_with_context, url_for

from offices import service as offices_service
from service_requests.reports import export, reports
from service_requests.schemas import RequestFilterSchema
from service_requests.reports.schemas import DashboardArgsSchema, SlaReportCsvArgsSchema

from ..messages import figure_labels, label
from ..web import bp, render, staff_only, zone
from .admin_tools import query_args, queue_url

GROUPS = ("office", "department", "category", "priority", "assignee", "room")
SLA_COLUMNS = ("total", "open", "resolved", "response_met_pct", "resolution_met_pct", "median_response_minutes",
               "median_resolution_minutes", "response_breached", "resolution_breached", "avg_rating")
PERIOD_KEYS = ("from", "to", "office_id")


def _offices():
    """The offices the reader may report on (``reports.office_in_scope``, as the report checks)."""
    return [o for o in offices_service.list_offices(g.user)["items"] if reports.office_in_scope(g.user, o.id)]


def _tone(card):
    delta = card["delta"]
    if delta is None or delta == 0:
        return "same"
    return "better" if (delta > 0) == (card["better"] == "up") else "worse"


def _number(value):
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@bp.route("/dashboard")
@staff_only()
def dashboard():
    args = query_args(DashboardArgsSchema(), PERIOD_KEYS)
    sla_args = query_args(SlaReportCsvArgsSchema(), (*PERIOD_KEYS, "group_by"))
    report = reports.dashboard_report(g.user, args)
    sla = reports.sla_report(g.user, sla_args)
    cards = [dict(card, tone=_tone(card), link=queue_url(card["drilldown"])) for card in report["cards"]]
    chart = {"labels": [day["date"].isoformat() for day in report["trend"]],
             "series": [{"key": key, "label": label(figure_labels, key),
                         "values": [day[key] for day in report["trend"]]} for key in ("created", "resolved")]}
    query = {"from": report["from"].isoformat(), "to": report["to"].isoformat(),
             "office_id": args.get("office_id"), "group_by": sla["group_by"]}
    created = next(card for card in report["cards"] if card["key"] == "created")
    return render("dashboard.html", report=report, sla=sla, cards=cards, chart=chart, query=query,
                  offices=_offices(), zone_name=str(zone()), groups=GROUPS, sla_columns=SLA_COLUMNS, number=_number,
                  sla_csv=url_for("console.dashboard_sla_csv", **{k: v for k, v in query.items() if v is not None}),
                  requests_csv=url_for("console.dashboard_requests_csv") + "?" + created["drilldown"])


@bp.route("/dashboard/sla.csv")
@staff_only()
def dashboard_sla_csv():
    """The SLA report as the API's GET /reports/sla.csv answers it."""
    report = reports.sla_report(g.user, query_args(SlaReportCsvArgsSchema()))
    name = f"sla-{report['group_by']}-{report['from']}-{report['to']}.csv"
    return Response(reports.to_csv(report), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/dashboard/requests.csv")
@staff_only()
def dashboard_requests_csv():
    """The requests as the API's GET /requests.csv answers them (the list's filters)."""
    args = query_args(RequestFilterSchema())
    lines, truncated = export.requests_csv(g.user, args)
    return Response(stream_with_context(lines), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="requests.csv"',
                             "X-Export-Truncated": "true" if truncated else "false"})

