"""The titles and bodies of every notification, in the recipient's language.

The texts are the ``notifications`` domain of ``service_app.catalogues``
(``service_app/translations/<lang>/LC_MESSAGES/notifications.po``); each event's
function below names its English texts, and a number of things takes its plural form
(``ngettext``: "1 request changed", "Изменены 2 заявки", "Изменено 5 заявок").
Notifications are rendered outside any request (the outbox, the delivery worker, the
feed), so the language is always given: the recipient's.
"""
from service_app.catalogues import Domain
from service_app.vocabulary import DEFAULT_LANGUAGE, LANGUAGES, in_language

TEXTS = Domain("notifications")

# A comment's notification quotes its start: enough to read on a lock screen, and well
# under FCM's 4096-byte message limit in any script.
COMMENT_EXCERPT_CHARS = 200

# The parameters a feed entry keeps (``Notification.data``) to render its text when read.
# ``notice_id`` is kept for the deep link of a notice's notification (which has no request).
PARAMS = ("number", "title", "status", "comment", "count", "notice_id", "target")


def status_words(t):
    """A request's status as a notification says it, by its code (``t``: a language's texts)."""
    return {
        "new": t.pgettext("request status", "new"),
        "in_progress": t.pgettext("request status", "in progress"),
        "waiting": t.pgettext("request status", "waiting for you"),
        "resolved": t.pgettext("request status", "resolved"),
        "closed": t.pgettext("request status", "closed"),
        "rejected": t.pgettext("request status", "rejected"),
        "cancelled": t.pgettext("request status", "cancelled"),
        "duplicate": t.pgettext("request status", "merged into another"),
    }


# The same words as ``{ru, kk, en}`` (the app's configuration lists them, GET /app-config).
STATUS_WORDS = {code: {language: status_words(TEXTS.speaking(language))[code] for language in LANGUAGES}
                for code in status_words(TEXTS.speaking(DEFAULT_LANGUAGE))}


# Each event's ``(title, body)``, from ``t`` (a language's texts) and ``v`` (its parameters, the
# ``{name}`` placeholders: one missing raises, and ``render_or`` shows the text stored instead). A body
# that is the request's own title or the comment is that text as it is.
CATALOGUE = {
    "request_created": lambda t, v: (t.gettext("New request {number}").format(**v), v["title"]),
    "status_changed": lambda t, v: (t.gettext("Request {number}: {status}").format(**v),
                                    t.gettext("“{title}” is now {status}").format(**v)),
    "assigned": lambda t, v: (t.gettext("Request {number} is assigned to you").format(**v), v["title"]),
    "comment_added": lambda t, v: (t.gettext("New comment on {number}").format(**v), v["comment"]),
    # A request merged into another (``target``, its number): its author follows that one now.
    "merged": lambda t, v: (t.gettext("Request {number} was merged into {target}").format(**v),
                            t.gettext("“{title}”: follow {target} for updates").format(**v)),
    # One push for many changes made in one bulk call (``outbox.one_push_each``).
    "bulk_updated": lambda t, v: (t.ngettext("{count} request changed", "{count} requests changed", int(v["count"])).format(**v),
                                  t.gettext("Open your notifications to see what changed")),
    "sla_at_risk": lambda t, v: (t.gettext("Request {number} is close to its deadline").format(**v), v["title"]),
    "sla_breached": lambda t, v: (t.gettext("Request {number} missed its deadline").format(**v), v["title"]),
    # An office notice a person followed is resolved (the title is the notice's, string or {ru, kk, en}).
    "notice_resolved": lambda t, v: (t.gettext("Resolved: {title}").format(**v),
                                     t.gettext("The office notice is no longer in force")),
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


def render(event, language, params):
    """``(title, body)`` of ``event`` in ``language`` (the default language when unknown)."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    t = TEXTS.speaking(language)
    values = dict(params)
    if "title" in values:
        values["title"] = in_language(values["title"], language)
    if "status" in values:
        values["status"] = status_words(t).get(values["status"], values["status"])
    return CATALOGUE[event](t, values)


def render_or(event, language, params, fallback):
    """``render`` when ``params`` fill ``event``'s message, else ``fallback`` (a ``(title, body)``).

    Entries written before their parameters were kept have only the text
    rendered then; so has an event the catalogue no longer knows.
    """
    if event not in CATALOGUE:
        return fallback
    try:
        return render(event, language, params)
    except (KeyError, IndexError, ValueError, TypeError):
        return fallback
