"""The message catalogue: titles and bodies of every notification in ru, kk and en."""
from service_app.vocabulary import DEFAULT_LANGUAGE, LANGUAGES

# A comment's notification quotes its start: enough to read on a lock screen, and well
# under FCM's 4096-byte message limit in any script.
COMMENT_EXCERPT_CHARS = 200

# The parameters a feed entry keeps (``Notification.data``) to render its text when read.
# ``notice_id`` is kept for the deep link of a notice's notification (which has no request).
PARAMS = ("number", "title", "status", "comment", "count", "notice_id", "target")

STATUS_WORDS = {
    "new": {"ru": "новая", "kk": "жаңа", "en": "new"},
    "in_progress": {"ru": "в работе", "kk": "орындалуда", "en": "in progress"},
    "waiting": {"ru": "ждёт вашего ответа", "kk": "сіздің жауабыңызды күтуде", "en": "waiting for you"},
    "resolved": {"ru": "выполнена", "kk": "орындалды", "en": "resolved"},
    "closed": {"ru": "закрыта", "kk": "жабылды", "en": "closed"},
    "rejected": {"ru": "отклонена", "kk": "қабылданбады", "en": "rejected"},
    "cancelled": {"ru": "отменена", "kk": "тоқтатылды", "en": "cancelled"},
    "duplicate": {"ru": "объединена с другой", "kk": "басқа өтініммен біріктірілді", "en": "merged into another"},
}

CATALOGUE = {
    "request_created": {
        "ru": ("Новая заявка {number}", "{title}"),
        "kk": ("Жаңа өтінім {number}", "{title}"),
        "en": ("New request {number}", "{title}"),
    },
    "status_changed": {
        "ru": ("Заявка {number}: {status}", "«{title}» — статус: {status}"),
        "kk": ("{number} өтінімі: {status}", "«{title}» — мәртебесі: {status}"),
        "en": ("Request {number}: {status}", "“{title}” is now {status}"),
    },
    "assigned": {
        "ru": ("Вам назначена заявка {number}", "{title}"),
        "kk": ("Сізге {number} өтінімі тағайындалды", "{title}"),
        "en": ("Request {number} is assigned to you", "{title}"),
    },
    "comment_added": {
        "ru": ("Новый комментарий к {number}", "{comment}"),
        "kk": ("{number} өтініміне жаңа пікір", "{comment}"),
        "en": ("New comment on {number}", "{comment}"),
    },
    # A request merged into another (``target``, its number): its author follows that one now.
    "merged": {
        "ru": ("Заявка {number} объединена с {target}", "«{title}»: следите за заявкой {target}"),
        "kk": ("{number} өтінімі {target} өтінімімен біріктірілді", "«{title}»: {target} өтінімін қадағалаңыз"),
        "en": ("Request {number} was merged into {target}", "“{title}”: follow {target} for updates"),
    },
    # One push for many changes made in one bulk call (``outbox.one_push_each``).
    "bulk_updated": {
        "ru": ("Изменено заявок: {count}", "Откройте уведомления, чтобы увидеть изменения"),
        "kk": ("Өзгерген өтінімдер: {count}", "Өзгерістерді көру үшін хабарламаларды ашыңыз"),
        "en": ("{count} requests changed", "Open your notifications to see what changed"),
    },
    "sla_at_risk": {
        "ru": ("Срок по заявке {number} скоро истечёт", "{title}"),
        "kk": ("{number} өтінімінің мерзімі жақында бітеді", "{title}"),
        "en": ("Request {number} is close to its deadline", "{title}"),
    },
    "sla_breached": {
        "ru": ("Срок по заявке {number} нарушен", "{title}"),
        "kk": ("{number} өтінімінің мерзімі бұзылды", "{title}"),
        "en": ("Request {number} missed its deadline", "{title}"),
    },
    # An office notice a person followed is resolved (the title is the notice's, string or {ru, kk, en}).
    "notice_resolved": {
        "ru": ("Решено: {title}", "Объявление офиса больше не действует"),
        "kk": ("Шешілді: {title}", "Кеңсе хабарламасы енді күшінде емес"),
        "en": ("Resolved: {title}", "The office notice is no longer in force"),
    },
}

EVENTS = tuple(CATALOGUE)

# The link a notification opens in the app (API.md, "Devices and push").
DEEP_LINK = "santrade://requests/{}"
# A notification about an office notice has no request: it opens the notice.
NOTICE_DEEP_LINK = "santrade://notices/{}"


def deep_link(request_id, data):
    """What a notification opens: its request, else the notice named in its ``data``, else nothing."""
    if request_id is not None:
        return DEEP_LINK.format(request_id)
    notice_id = (data or {}).get("notice_id")
    return NOTICE_DEEP_LINK.format(notice_id) if notice_id is not None else None


def _in_language(text, language):
    """A text stored as one string or as ``{ru, kk, en}``, in ``language`` (else ru, en, kk)."""
    if not isinstance(text, dict):
        return text
    for choice in (language, DEFAULT_LANGUAGE, "en", "kk"):
        if text.get(choice):
            return text[choice]
    return next(iter(text.values()), "")


def render(event, language, params):
    """``(title, body)`` of ``event`` in ``language`` (the default language when unknown)."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    values = dict(params)
    if "title" in values:
        values["title"] = _in_language(values["title"], language)
    if "status" in values:
        values["status"] = STATUS_WORDS.get(values["status"], {}).get(language, values["status"])
    title, body = CATALOGUE[event][language]
    return title.format(**values), body.format(**values)


def render_or(event, language, params, fallback):
    """``render`` when ``params`` fill ``event``'s message, else ``fallback`` (a ``(title, body)``).

    Entries written before their parameters were kept have only the text
    rendered then; so has an event the catalogue no longer knows.
    """
    if event not in CATALOGUE:
        return fallback
    try:
        return render(event, language, params)
    except (KeyError, IndexError, ValueError):
        return fallback
