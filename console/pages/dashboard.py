"""The dashboard: the API's dashboard and SLA report (``service_requests.reports.reports``), for a period
and an office, with each card linking to the queue filtered as the card counts, a daily trend
chart, the SLA table by group, and CSV downloads of the report and of the period's requests."""
from flask import Response, g, stream_with_context, url_for

from offices import service as offices_service
from service_requests.reports import export, reports
from service_requests.schemas import RequestFilterSchema
from service_requests.reports.schemas import DashboardArgsSchema, SlaReportCsvArgsSchema

from .. import messages
from ..web import bp, render, staff_only, zone
from .admin_tools import query_args, queue_url

messages.register({
    "dashboard.title": {"en": "Dashboard", "ru": "Сводка", "kk": "Жиынтық"},
    "dashboard.filter": {"en": "Period and office", "ru": "Период и офис", "kk": "Кезең және кеңсе"},
    "dashboard.from": {"en": "From", "ru": "С", "kk": "Кезең басы"},
    "dashboard.to": {"en": "To", "ru": "По", "kk": "Кезең соңы"},
    "dashboard.office": {"en": "Office", "ru": "Офис", "kk": "Кеңсе"},
    "dashboard.all_offices": {"en": "All offices", "ru": "Все офисы", "kk": "Барлық кеңселер"},
    "dashboard.apply": {"en": "Show", "ru": "Показать", "kk": "Көрсету"},
    "dashboard.period": {"en": "{start} – {end}; compared with {prev_start} – {prev_end}",
                         "ru": "{start} – {end}; сравнение с {prev_start} – {prev_end}",
                         "kk": "{start} – {end}; {prev_start} – {prev_end} кезеңімен салыстырғанда"},
    "dashboard.zone": {"en": "Days are counted in the {zone} time zone.",
                       "ru": "Дни считаются по часовому поясу {zone}.",
                       "kk": "Күндер {zone} уақыт белдеуі бойынша есептеледі."},
    "dashboard.cards": {"en": "Key figures", "ru": "Основные показатели", "kk": "Негізгі көрсеткіштер"},
    "dashboard.card.created": {"en": "Created", "ru": "Создано", "kk": "Құрылды"},
    "dashboard.card.resolved": {"en": "Resolved", "ru": "Решено", "kk": "Шешілді"},
    "dashboard.card.open_now": {"en": "Open now", "ru": "Открыто сейчас", "kk": "Қазір ашық"},
    "dashboard.card.response_met_pct": {"en": "Response on time, %", "ru": "Реакция в срок, %",
                                        "kk": "Уақытылы жауап, %"},
    "dashboard.card.resolution_met_pct": {"en": "Resolved on time, %", "ru": "Решено в срок, %",
                                          "kk": "Уақытылы шешілді, %"},
    "dashboard.card.median_resolution_minutes": {"en": "Median resolution, min", "ru": "Медиана решения, мин",
                                                 "kk": "Шешудің медианасы, мин"},
    "dashboard.card.avg_rating": {"en": "Average rating", "ru": "Средняя оценка", "kk": "Орташа баға"},
    "dashboard.card.reopened_pct": {"en": "Reopened, %", "ru": "Открыто повторно, %", "kk": "Қайта ашылған, %"},
    "dashboard.previous": {"en": "previous: {value}", "ru": "ранее: {value}", "kk": "бұрын: {value}"},
    "dashboard.delta": {"en": "change: {value}", "ru": "изменение: {value}", "kk": "өзгеріс: {value}"},
    "dashboard.better": {"en": "better", "ru": "лучше", "kk": "жақсырақ"},
    "dashboard.worse": {"en": "worse", "ru": "хуже", "kk": "нашарырақ"},
    "dashboard.same": {"en": "no change", "ru": "без изменений", "kk": "өзгеріссіз"},
    "dashboard.open_queue": {"en": "open the list", "ru": "открыть список", "kk": "тізімді ашу"},
    "dashboard.trend": {"en": "Daily trend", "ru": "Динамика по дням", "kk": "Күндік динамика"},
    "dashboard.chart_label": {"en": "Requests created and resolved per day, {start} – {end}",
                              "ru": "Заявки, созданные и решённые по дням, {start} – {end}",
                              "kk": "Күн сайын құрылған және шешілген өтінімдер, {start} – {end}"},
    "dashboard.date": {"en": "Date", "ru": "Дата", "kk": "Күні"},
    "dashboard.trend_table": {"en": "The trend as a table", "ru": "Динамика в виде таблицы",
                              "kk": "Динамика кесте түрінде"},
    "dashboard.sla": {"en": "SLA report", "ru": "Отчёт SLA", "kk": "SLA есебі"},
    "dashboard.group_by": {"en": "Group by", "ru": "Группировать по", "kk": "Топтау"},
    "dashboard.group.office": {"en": "Office", "ru": "Офис", "kk": "Кеңсе"},
    "dashboard.group.department": {"en": "Department", "ru": "Отдел", "kk": "Бөлім"},
    "dashboard.group.category": {"en": "Category", "ru": "Категория", "kk": "Санат"},
    "dashboard.group.priority": {"en": "Priority", "ru": "Приоритет", "kk": "Басымдық"},
    "dashboard.group.assignee": {"en": "Assignee", "ru": "Исполнитель", "kk": "Орындаушы"},
    "dashboard.group.room": {"en": "Room", "ru": "Помещение", "kk": "Бөлме"},
    "dashboard.col.label": {"en": "Group", "ru": "Группа", "kk": "Топ"},
    "dashboard.col.total": {"en": "Total", "ru": "Всего", "kk": "Барлығы"},
    "dashboard.col.open": {"en": "Open", "ru": "Открыто", "kk": "Ашық"},
    "dashboard.col.resolved": {"en": "Resolved", "ru": "Решено", "kk": "Шешілді"},
    "dashboard.col.response_met_pct": {"en": "Response on time, %", "ru": "Реакция в срок, %",
                                       "kk": "Уақытылы жауап, %"},
    "dashboard.col.resolution_met_pct": {"en": "Resolved on time, %", "ru": "Решено в срок, %",
                                         "kk": "Уақытылы шешілді, %"},
    "dashboard.col.median_response_minutes": {"en": "Median response, min", "ru": "Медиана реакции, мин",
                                              "kk": "Жауаптың медианасы, мин"},
    "dashboard.col.median_resolution_minutes": {"en": "Median resolution, min", "ru": "Медиана решения, мин",
                                                "kk": "Шешудің медианасы, мин"},
    "dashboard.col.response_breached": {"en": "Response breached", "ru": "Реакция просрочена",
                                        "kk": "Жауап мерзімі өтті"},
    "dashboard.col.resolution_breached": {"en": "Resolution breached", "ru": "Решение просрочено",
                                          "kk": "Шешу мерзімі өтті"},
    "dashboard.col.avg_rating": {"en": "Average rating", "ru": "Средняя оценка", "kk": "Орташа баға"},
    "dashboard.totals": {"en": "Total", "ru": "Итого", "kk": "Жиыны"},
    "dashboard.csv_sla": {"en": "Download the SLA report (CSV)", "ru": "Скачать отчёт SLA (CSV)",
                          "kk": "SLA есебін жүктеу (CSV)"},
    "dashboard.csv_requests": {"en": "Download the period's requests (CSV)", "ru": "Скачать заявки периода (CSV)",
                               "kk": "Кезеңнің өтінімдерін жүктеу (CSV)"},
    "dashboard.hotspots": {"en": "Hotspots", "ru": "Горячие точки", "kk": "Ыстық нүктелер"},
    "dashboard.hotspot_place": {"en": "Place", "ru": "Место", "kk": "Орын"},
    "dashboard.hotspot_count": {"en": "Requests", "ru": "Заявки", "kk": "Өтінімдер"},
    "dashboard.no_hotspots": {"en": "No hotspots in this period.", "ru": "Горячих точек за период нет.",
                              "kk": "Бұл кезеңде ыстық нүктелер жоқ."},
})

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
             "series": [{"key": key, "label": messages.text(f"dashboard.card.{key}", g.lang),
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

