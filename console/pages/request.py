"""One request: its details, photos, status moves, assignment, conversation, history, canned
replies and merging, each through the service function the API's route calls.

Reads: ``access.get_visible_request`` (404 for a request the reader may not see),
``RequestSchema`` for what the API shows, ``lifecycle.allowed_moves`` for the buttons,
``comments.list_comments`` / ``list_events``, ``replies.list_replies``. Changes: ``triage.move``
(POST /requests/{id}/status), ``triage.update_request`` (PATCH, If-Match from the page's
version), ``comments.post_comment``, ``replies.apply_reply``, ``merging.merge``; the form input
is loaded by the API's own schemas.
"""
import marshmallow as ma
from flask import current_app, flash, g, redirect, request, url_for
from werkzeug.datastructures import ETags

from service_app.errors import ApiError
from service_app.extensions import limiter, user_key
from service_requests import search
from service_requests.access import covering_staff, get_visible_request
from service_requests.catalogue import categories
from service_requests.history import Event
from service_requests.lifecycle import comments, merging
from service_requests.lifecycle import edits as triage
from service_requests.lifecycle import status as lifecycle
from service_requests.lifecycle.schemas import CommentCreateSchema, MergeSchema, StatusChangeSchema
from service_requests.photos import attachments
from service_requests.photos.responses import send_attachment
from service_requests.schemas import RequestSchema, RequestUpdateSchema
from service_requests.staff import replies

from .. import messages
from ..web import bp, localized, render, t, zone
from .admin_tools import load, validation_error
from .common import form_number
from .queue import priority_label, status_label

messages.register({
    "request.back": {"en": "Back to the queue", "ru": "Назад к очереди", "kk": "Кезекке оралу"},
    "request.details": {"en": "Details", "ru": "Сведения", "kk": "Мәліметтер"},
    "request.title": {"en": "Title", "ru": "Тема", "kk": "Тақырып"},
    "request.description": {"en": "Description", "ru": "Описание", "kk": "Сипаттама"},
    "request.category": {"en": "Category", "ru": "Категория", "kk": "Санат"},
    "request.priority": {"en": "Priority", "ru": "Приоритет", "kk": "Басымдық"},
    "request.office": {"en": "Office", "ru": "Офис", "kk": "Кеңсе"},
    "request.room": {"en": "Room", "ru": "Помещение", "kk": "Бөлме"},
    "request.author": {"en": "Author", "ru": "Автор", "kk": "Авторы"},
    "request.created": {"en": "Created", "ru": "Создана", "kk": "Құрылған"},
    "request.response_due": {"en": "Response due", "ru": "Срок реакции", "kk": "Жауап беру мерзімі"},
    "request.resolution_due": {"en": "Resolution due", "ru": "Срок решения", "kk": "Шешу мерзімі"},
    "request.breached": {"en": "SLA breached", "ru": "SLA нарушен", "kk": "SLA бұзылды"},
    "request.paused": {"en": "SLA paused", "ru": "SLA приостановлен", "kk": "SLA тоқтатылды"},
    "request.merged_into": {"en": "Merged into", "ru": "Объединена с", "kk": "Мына өтініммен біріктірілді:"},
    "request.times_in": {"en": "Times are the office's local time ({zone}).",
                         "ru": "Время указано по часовому поясу офиса ({zone}).",
                         "kk": "Уақыт кеңсенің уақыт белдеуі бойынша көрсетілген ({zone})."},
    "request.fields": {"en": "Form answers", "ru": "Ответы формы", "kk": "Пішін жауаптары"},
    "request.photos": {"en": "Photos", "ru": "Фотографии", "kk": "Фотосуреттер"},
    "request.photo": {"en": "Photo {n}", "ru": "Фото {n}", "kk": "{n}-фото"},
    "request.status": {"en": "Status", "ru": "Статус", "kk": "Күйі"},
    "request.moves": {"en": "Change status", "ru": "Сменить статус", "kk": "Күйін өзгерту"},
    "request.move_to": {"en": "Move to: {status}", "ru": "Перевести: {status}", "kk": "Ауыстыру: {status}"},
    "request.no_moves": {"en": "No status change is open to you now.", "ru": "Сейчас вам недоступна смена статуса.",
                         "kk": "Қазір күйді өзгерту сізге қолжетімсіз."},
    "request.reason": {"en": "Comment for the change (a rejection needs one)",
                       "ru": "Комментарий к смене (при отклонении обязателен)",
                       "kk": "Өзгеріс туралы түсініктеме (қабылдамаған жағдайда міндетті)"},
    "request.assignee": {"en": "Assignee", "ru": "Исполнитель", "kk": "Орындаушы"},
    "request.unassigned": {"en": "Unassigned", "ru": "Не назначено", "kk": "Тағайындалмаған"},
    "request.assign": {"en": "Assign", "ru": "Назначить", "kk": "Тағайындау"},
    "request.conversation": {"en": "Conversation", "ru": "Переписка", "kk": "Хат алмасу"},
    "request.no_comments": {"en": "No comments yet.", "ru": "Комментариев пока нет.", "kk": "Әзірге пікір жоқ."},
    "request.internal_note": {"en": "Internal note", "ru": "Внутренняя заметка", "kk": "Ішкі жазба"},
    "request.public_reply": {"en": "Reply", "ru": "Ответ", "kk": "Жауап"},
    "request.reply": {"en": "Write a reply", "ru": "Написать ответ", "kk": "Жауап жазу"},
    "request.reply_body": {"en": "Text", "ru": "Текст", "kk": "Мәтін"},
    "request.reply_internal": {"en": "Internal note (staff only)", "ru": "Внутренняя заметка (только для сотрудников)",
                               "kk": "Ішкі жазба (тек қызметкерлерге)"},
    "request.reply_submit": {"en": "Post", "ru": "Отправить", "kk": "Жіберу"},
    "request.canned": {"en": "Canned replies", "ru": "Шаблонные ответы", "kk": "Дайын жауаптар"},
    "request.canned_choose": {"en": "Reply to post", "ru": "Ответ для отправки", "kk": "Жіберілетін жауап"},
    "request.canned_apply": {"en": "Post canned reply", "ru": "Отправить шаблонный ответ",
                             "kk": "Дайын жауапты жіберу"},
    "request.canned_none": {"en": "No canned replies yet.", "ru": "Шаблонных ответов пока нет.",
                            "kk": "Дайын жауаптар әлі жоқ."},
    "request.merge": {"en": "Merge into another request", "ru": "Объединить с другой заявкой",
                      "kk": "Басқа өтініммен біріктіру"},
    "request.merge_into": {"en": "Number of the request it repeats (e.g. SR-000123)",
                           "ru": "Номер заявки, которую она повторяет (например, SR-000123)",
                           "kk": "Ол қайталайтын өтінімнің нөмірі (мысалы, SR-000123)"},
    "request.merge_submit": {"en": "Merge", "ru": "Объединить", "kk": "Біріктіру"},
    "request.merge_bad": {"en": "a request number such as SR-000123 or its id",
                          "ru": "номер заявки, например SR-000123, или её id",
                          "kk": "өтінім нөмірі (мысалы, SR-000123) немесе оның id"},
    "request.merged": {"en": "Merged into {number}.", "ru": "Объединено с {number}.",
                       "kk": "{number} өтінімімен біріктірілді."},
    "request.history": {"en": "History", "ru": "История", "kk": "Тарих"},
    "request.system": {"en": "System", "ru": "Система", "kk": "Жүйе"},
    "request.event.created": {"en": "Created", "ru": "Создана", "kk": "Құрылды"},
    "request.event.routed": {"en": "Routed", "ru": "Направлена", "kk": "Бағытталды"},
    "request.event.assigned": {"en": "Assigned", "ru": "Назначена", "kk": "Тағайындалды"},
    "request.event.status_changed": {"en": "Status changed", "ru": "Статус изменён", "kk": "Күйі өзгерді"},
    "request.event.rerouted": {"en": "Moved to another office", "ru": "Передана в другой офис",
                               "kk": "Басқа кеңсеге берілді"},
    "request.event.updated": {"en": "Edited", "ru": "Изменена", "kk": "Өзгертілді"},
    "request.event.commented": {"en": "Comment", "ru": "Комментарий", "kk": "Пікір"},
    "request.event.merged": {"en": "Merged", "ru": "Объединена", "kk": "Біріктірілді"},
    "request.event.merged_in": {"en": "Duplicate merged in", "ru": "Присоединён дубликат",
                                "kk": "Қайталама қосылды"},
    "request.event.attachment_added": {"en": "Photo added", "ru": "Добавлено фото", "kk": "Фото қосылды"},
    "request.event.attachment_removed": {"en": "Photo removed", "ru": "Фото удалено", "kk": "Фото жойылды"},
})

EVENT_KEYS = tuple(event.value for event in Event)  # each has its label (tests/service_requests/test_events.py)
ALL_PAGES = 20  # at most this many pages of 100 comments / events on the page


def _all(list_function, user, req):
    rows, cursor = [], None
    for _ in range(ALL_PAGES):
        page = list_function(user, req, {"limit": 100, "cursor": cursor})
        rows.extend(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    return rows


def assignable_staff(req):
    """Active staff whose scope covers the request (``access.covering_staff``, as the assignment checks)."""
    people = covering_staff(req.office_id, req.department_code)
    if req.assignee is not None and req.assignee.id not in {person.id for person in people}:
        people.insert(0, req.assignee)
    return people


def _category(req):
    try:
        return categories.get_category(req.category_code)
    except ApiError:
        return None


def _field_labels(category):
    return {field["key"]: localized(field.get("label") or field["key"]) for field in (category.fields or [])} \
        if category is not None else {}


def _option_labels(category):
    """``{field key: {option value: label}}`` of the category's choice fields, in the reader's language."""
    return {field["key"]: {option["value"]: localized(option.get("label") or option["value"])
                           for option in field.get("options") or ()}
            for field in (category.fields or [])} if category is not None else {}


# What an "updated" event names (its data's keys), by the page's own labels; other keys as they are.
CHANGE_KEYS = {"title": "request.title", "description": "request.description", "priority": "request.priority",
               "category": "request.category", "fields": "request.fields"}


def _change_label(key):
    return t(CHANGE_KEYS[key]) if key in CHANGE_KEYS else key


def _event_label(event):
    return t(f"request.event.{event}") if event in EVENT_KEYS else event


@bp.route("/requests/<int:request_id>")
def request_page(request_id):
    req = get_visible_request(g.user, request_id)
    data = RequestSchema().dump(req)
    category = _category(req)
    return render("request.html", req=req, data=data, tz=req.office.timezone, zone_name=str(zone(req.office.timezone)),
                  category_name=localized(category.name) if category is not None else req.category_code,
                  moves=lifecycle.allowed_moves(g.user, req), staff=assignable_staff(req),
                  comments_open=comments.is_open_for_comments(req), mergeable=merging.may_be_merged(req),
                  comments=_all(comments.list_comments, g.user, req), events=_all(comments.list_events, g.user, req),
                  replies=replies.list_replies(g.user), field_labels=_field_labels(category),
                  option_labels=_option_labels(category),
                  status_label=status_label, priority_label=priority_label, event_label=_event_label,
                  change_label=_change_label)


def _back(request_id):
    return redirect(url_for("console.request_page", request_id=request_id), code=303)


def _if_match():
    """The version the page was read at, as the API's If-Match: a stale page gets 412."""
    version = request.form.get("etag") or ""
    return ETags([version]) if version else None


@bp.route("/requests/<int:request_id>/status", methods=["POST"])
def request_status(request_id):
    body = {"status": request.form.get("status") or ""}
    if (request.form.get("comment") or "").strip():
        body["comment"] = request.form["comment"]
    data = load(StatusChangeSchema(), body)
    req = get_visible_request(g.user, request_id, for_update=True)
    triage.move(g.user, req, data, _if_match())
    flash(t("saved"), "success")
    return _back(request_id)


@bp.route("/requests/<int:request_id>/assign", methods=["POST"])
def request_assign(request_id):
    chosen = request.form.get("assignee_id") or ""
    data = load(RequestUpdateSchema(), {"assignee_id": None if chosen in ("", "none") else form_number(chosen)})
    req = get_visible_request(g.user, request_id, for_update=True)
    triage.update_request(g.user, req, data, _if_match())
    flash(t("saved"), "success")
    return _back(request_id)


@bp.route("/requests/<int:request_id>/comments", methods=["POST"])
@limiter.limit(lambda: current_app.config["COMMENT_LIMIT"], key_func=user_key,
               deduct_when=lambda response: response.status_code == 303)  # the API's limit on comments
def request_comment(request_id):
    data = load(CommentCreateSchema(), {"body": request.form.get("body") or "",
                                         "internal": request.form.get("internal") in ("1", "on", "true")})
    req = get_visible_request(g.user, request_id, for_update=True)
    comments.post_comment(g.user, req, data["body"], data["internal"])
    flash(t("saved"), "success")
    return _back(request_id)


@bp.route("/requests/<int:request_id>/replies", methods=["POST"])
def request_reply(request_id):
    reply_id = form_number(request.form.get("reply_id"))
    if not isinstance(reply_id, int):
        raise validation_error(ma.ValidationError({"reply_id": ["Not a valid integer."]}))
    reply = replies.get_usable_reply(g.user, reply_id)
    req = get_visible_request(g.user, request_id, for_update=True)
    replies.apply_reply(g.user, req, reply, _if_match())
    flash(t("saved"), "success")
    return _back(request_id)


@bp.route("/requests/<int:request_id>/merge", methods=["POST"])
def request_merge(request_id):
    into = search.request_id_of(request.form.get("into") or "")
    if into is None:
        raise validation_error(ma.ValidationError({"into": [t("request.merge_bad")]}))
    data = load(MergeSchema(), {"into": into})
    target = merging.merge(g.user, request_id, data["into"])
    flash(t("request.merged", number=target.number), "success")
    return _back(request_id)


@bp.route("/attachments/<int:attachment_id>")
def request_photo(attachment_id):
    """A photo for a signed-in browser, after the API's own check (``attachments.open_attachment``)."""
    return send_attachment(attachments.open_attachment(g.user, attachment_id))


@bp.route("/attachments/<int:attachment_id>/thumbnail")
def request_photo_thumbnail(attachment_id):
    return send_attachment(attachments.open_attachment(g.user, attachment_id, thumbnail=True))

