"""The request queue: the request list with its filters, saved views and bulk actions.

The list is ``queries.list_requests`` with the query string loaded by the API's own
``RequestListArgsSchema`` (as ``GET /api/v1/requests`` loads it); the saved views and their
counts are ``views.list_views`` / ``views.view_counts``; a bulk action is ``bulk.run`` with
the form loaded by ``BulkSchema`` (as ``POST /api/v1/requests/bulk``).
"""
import marshmallow as ma
from flask import flash, g, redirect, request, url_for
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import MultiDict

from offices import service as offices_service
from service_app.users import service as users_service
from service_requests.staff import bulk, replies, views
from service_requests import queries
from service_requests.models import PRIORITIES, STATUSES
from service_requests.staff.reply_schemas import BulkSchema
from service_requests.schemas import SLA_FILTERS, SORTS, RequestListArgsSchema

from .. import messages
from ..web import bp, localized, render, t
from .admin_tools import load, validation_error
from .common import form_number

messages.register({
    "queue.title": {"en": "Requests", "ru": "Заявки", "kk": "Өтінімдер"},
    "queue.views": {"en": "Saved views", "ru": "Сохранённые представления", "kk": "Сақталған көріністер"},
    "queue.views.none": {"en": "No saved views yet.", "ru": "Сохранённых представлений пока нет.",
                         "kk": "Сақталған көріністер әлі жоқ."},
    "queue.views.all": {"en": "All requests", "ru": "Все заявки", "kk": "Барлық өтінімдер"},
    "queue.filters": {"en": "Filters", "ru": "Фильтры", "kk": "Сүзгілер"},
    "queue.filter.apply": {"en": "Apply filters", "ru": "Применить фильтры", "kk": "Сүзгілерді қолдану"},
    "queue.filter.reset": {"en": "Reset", "ru": "Сбросить", "kk": "Тазарту"},
    "queue.filter.any": {"en": "Any", "ru": "Любой", "kk": "Кез келген"},
    "queue.filter.q": {"en": "Search", "ru": "Поиск", "kk": "Іздеу"},
    "queue.filter.office": {"en": "Office", "ru": "Офис", "kk": "Кеңсе"},
    "queue.filter.category": {"en": "Category code", "ru": "Код категории", "kk": "Санат коды"},
    "queue.filter.assignee": {"en": "Assignee", "ru": "Исполнитель", "kk": "Орындаушы"},
    "queue.filter.sla": {"en": "SLA", "ru": "SLA", "kk": "SLA"},
    "queue.filter.sort": {"en": "Order", "ru": "Сортировка", "kk": "Сұрыптау"},
    "queue.assignee.me": {"en": "Me", "ru": "Я", "kk": "Мен"},
    "queue.assignee.none": {"en": "Unassigned", "ru": "Не назначено", "kk": "Тағайындалмаған"},
    "queue.sla.breached": {"en": "Breached", "ru": "Нарушен", "kk": "Бұзылған"},
    "queue.sla.at_risk": {"en": "At risk", "ru": "Под угрозой", "kk": "Қауіп төнген"},
    "queue.sort.created": {"en": "Newest first", "ru": "Сначала новые", "kk": "Алдымен жаңалары"},
    "queue.sort.updated": {"en": "Last changed first", "ru": "Сначала изменённые",
                           "kk": "Алдымен өзгертілгендер"},
    "queue.sort.due": {"en": "Nearest deadline first", "ru": "Сначала ближайший срок",
                       "kk": "Алдымен жақын мерзім"},
    "queue.col.select": {"en": "Select", "ru": "Выбрать", "kk": "Таңдау"},
    "queue.col.select_all": {"en": "Select all", "ru": "Выбрать все", "kk": "Барлығын таңдау"},
    "queue.col.number": {"en": "Number", "ru": "Номер", "kk": "Нөмір"},
    "queue.col.title": {"en": "Title", "ru": "Тема", "kk": "Тақырып"},
    "queue.col.status": {"en": "Status", "ru": "Статус", "kk": "Күйі"},
    "queue.col.priority": {"en": "Priority", "ru": "Приоритет", "kk": "Басымдық"},
    "queue.col.office": {"en": "Office", "ru": "Офис", "kk": "Кеңсе"},
    "queue.col.assignee": {"en": "Assignee", "ru": "Исполнитель", "kk": "Орындаушы"},
    "queue.col.created": {"en": "Created", "ru": "Создана", "kk": "Құрылған"},
    "queue.col.due": {"en": "Due", "ru": "Срок", "kk": "Мерзімі"},
    "queue.times": {"en": "Dates and times are in the time zone of each request's office.",
                    "ru": "Дата и время указаны по часовому поясу офиса заявки.",
                    "kk": "Күні мен уақыты өтінім кеңсесінің уақыт белдеуі бойынша көрсетілген."},
    "queue.empty": {"en": "No requests match.", "ru": "Нет подходящих заявок.", "kk": "Сәйкес өтінімдер жоқ."},
    "queue.next": {"en": "Next page", "ru": "Следующая страница", "kk": "Келесі бет"},
    "queue.first": {"en": "First page", "ru": "Первая страница", "kk": "Бірінші бет"},
    "queue.bulk": {"en": "With the selected requests", "ru": "С выбранными заявками",
                   "kk": "Таңдалған өтінімдермен"},
    "queue.bulk.action": {"en": "Action", "ru": "Действие", "kk": "Әрекет"},
    "queue.bulk.assign": {"en": "Assign", "ru": "Назначить", "kk": "Тағайындау"},
    "queue.bulk.status": {"en": "Change status", "ru": "Сменить статус", "kk": "Күйін өзгерту"},
    "queue.bulk.reply": {"en": "Post a canned reply", "ru": "Отправить шаблонный ответ",
                         "kk": "Дайын жауапты жіберу"},
    "queue.bulk.assignee": {"en": "Assign to", "ru": "Назначить на", "kk": "Кімге тағайындау"},
    "queue.bulk.new_status": {"en": "New status", "ru": "Новый статус", "kk": "Жаңа күйі"},
    "queue.bulk.reason": {"en": "Reason (for a status change)", "ru": "Причина (при смене статуса)",
                          "kk": "Себебі (күйді өзгерткенде)"},
    "queue.bulk.reply_id": {"en": "Canned reply", "ru": "Шаблонный ответ", "kk": "Дайын жауап"},
    "queue.bulk.run": {"en": "Apply to selected", "ru": "Применить к выбранным", "kk": "Таңдалғандарға қолдану"},
    "queue.bulk.done": {"en": "Done: {ok} of {total}.", "ru": "Выполнено: {ok} из {total}.",
                        "kk": "Орындалды: {total} ішінен {ok}."},
    "queue.bulk.item_ok": {"en": "{number}: done", "ru": "{number}: выполнено", "kk": "{number}: орындалды"},
    "queue.bulk.item_error": {"en": "{number}: {message}", "ru": "{number}: {message}", "kk": "{number}: {message}"},
})

# Labels of the status and priority codes, shared with the request page.
messages.register({
    "queue.status.new": {"en": "New", "ru": "Новая", "kk": "Жаңа"},
    "queue.status.in_progress": {"en": "In progress", "ru": "В работе", "kk": "Орындалуда"},
    "queue.status.waiting": {"en": "Waiting", "ru": "Ожидание", "kk": "Күтуде"},
    "queue.status.resolved": {"en": "Resolved", "ru": "Решена", "kk": "Шешілді"},
    "queue.status.closed": {"en": "Closed", "ru": "Закрыта", "kk": "Жабылды"},
    "queue.status.rejected": {"en": "Rejected", "ru": "Отклонена", "kk": "Қабылданбады"},
    "queue.status.cancelled": {"en": "Cancelled", "ru": "Отменена", "kk": "Болдырылмады"},
    "queue.status.duplicate": {"en": "Duplicate", "ru": "Дубликат", "kk": "Қайталама"},
    "queue.priority.low": {"en": "Low", "ru": "Низкий", "kk": "Төмен"},
    "queue.priority.normal": {"en": "Normal", "ru": "Обычный", "kk": "Қалыпты"},
    "queue.priority.high": {"en": "High", "ru": "Высокий", "kk": "Жоғары"},
    "queue.priority.urgent": {"en": "Urgent", "ru": "Срочный", "kk": "Шұғыл"},
})

# Names of the console's own query arguments, not filters of the list.
OWN_ARGS = ("view",)


def status_label(code):
    return t(f"queue.status.{code}") if code in STATUSES else code


def priority_label(code):
    return t(f"queue.priority.{code}") if code in PRIORITIES else code


def list_args(query):
    """The list's arguments from a query string, loaded exactly as ``GET /api/v1/requests`` loads
    them (``RequestListArgsSchema``); an empty form field means "no filter". 422 on a refusal."""
    given = MultiDict((key, value) for key, value in query.items(multi=True)
                      if value != "" and key not in OWN_ARGS)
    schema = RequestListArgsSchema()
    try:
        return schema.load(MultiDictProxy(given, schema), unknown=ma.EXCLUDE)
    except ma.ValidationError as exc:
        raise validation_error(exc) from None


def _view_link(view):
    values = dict(view.filters)
    if view.sort:
        values["sort"] = view.sort
    return url_for("console.queue", view=view.id, **values)


@bp.route("/requests")
def queue():
    args = list_args(request.args)
    page = queries.list_requests(g.user, args)
    saved = views.list_views(g.user)["items"]
    counts = {item["view_id"]: item for item in views.view_counts(g.user)["items"]}
    next_url = None
    if page["next_cursor"]:
        query = MultiDict(request.args)
        query.setlist("cursor", [page["next_cursor"]])
        next_url = url_for("console.queue", **query.to_dict(flat=False))
    first_url = None
    if request.args.get("cursor"):
        query = MultiDict(request.args)
        query.poplist("cursor")
        first_url = url_for("console.queue", **query.to_dict(flat=False))
    return render("queue.html", items=page["items"], next_url=next_url, first_url=first_url, args=args,
                  saved=[(view, counts.get(view.id), _view_link(view)) for view in saved],
                  current_view=request.args.get("view", ""), offices=offices_service.list_offices(g.user)["items"],
                  staff=users_service.list_active_staff(),
                  replies=replies.list_replies(g.user), statuses=STATUSES, priorities=PRIORITIES,
                  sla_filters=[(code, t(f"queue.sla.{code}")) for code in SLA_FILTERS],
                  sorts=[(code, t(f"queue.sort.{code}")) for code in SORTS], status_label=status_label,
                  priority_label=priority_label, localized=localized)


def _back():
    target = request.form.get("next") or ""
    return target if target.startswith("/console/requests") and "\\" not in target else url_for("console.queue")


@bp.route("/requests/bulk", methods=["POST"])
def queue_bulk():
    form = request.form
    action = form.get("action") or ""
    data = {"ids": form.getlist("ids"), "action": action}
    if action == "assign":
        chosen = form.get("assignee_id") or ""
        data["assignee_id"] = g.user.id if chosen == "me" else (None if chosen == "none" else chosen)
    elif action == "status":
        data["status"] = form.get("status") or ""
        if (form.get("body") or "").strip():
            data["body"] = form.get("body")
    elif action == "reply":
        data["reply_id"] = form.get("reply_id") or ""
    data["ids"] = [form_number(value) for value in data["ids"]]
    for key in ("assignee_id", "reply_id"):
        if isinstance(data.get(key), str):
            data[key] = form_number(data[key])
    loaded = load(BulkSchema(), data)
    results = bulk.run(g.user, loaded)["results"]
    done = sum(1 for item in results if item["ok"])
    flash(t("queue.bulk.done", ok=done, total=len(results)), "success" if done == len(results) else "error")
    for item in results:
        number = item["request"].number if item["ok"] else f"#{item['id']}"
        if item["ok"]:
            flash(t("queue.bulk.item_ok", number=number), "success")
        else:
            flash(t("queue.bulk.item_error", number=number, message=item["error"]["message"]), "error")
    return redirect(_back(), code=303)
