"""The console's texts: gettext in the reader's language, and the labels of the codes it shows.

The texts themselves are in the ``console`` domain of ``service_app.catalogues``
(``service_app/translations/<lang>/LC_MESSAGES/console.po``): a view or a template asks for the
English text (``_("Saved.")``, ``ngettext(...)`` for a number of things, ``pgettext(context, ...)``
where one English word needs two translations) and gets it in the reader's language (``g.lang``, set
by ``console.web``). ``{name}`` placeholders are filled from the keyword arguments after translation.
``make messages`` finds every such call in the console's code and templates (README, "Texts and
translations"); tests/console/test_messages.py checks that each has its Russian and Kazakh.

The functions below name the codes the console shows (statuses, roles, report columns...): each
label is written once here, so the views and templates look them up by code.
"""
from flask import g

from service_app.catalogues import Domain
from service_app.vocabulary import DEFAULT_LANGUAGE

TEXTS = Domain("console")
# Each language by its own name, whatever the page's language (no translation).
LANGUAGE_NAMES = {"ru": "Русский", "kk": "Қазақша", "en": "English"}
NONE = "—"  # a value that is not there


def language():
    """The reader's language: the console's choice for this request (``g.lang``), else the default."""
    return g.get("lang", DEFAULT_LANGUAGE)


def gettext(message, /, **values):
    """``message`` (English) in the reader's language, ``{name}`` placeholders filled from ``values``."""
    return TEXTS.gettext(language(), message, **values)


_ = gettext


def pgettext(context, message, /, **values):
    """:func:`gettext` of a message that needs a ``context`` ("request status", "button"...)."""
    return TEXTS.pgettext(language(), context, message, **values)


def ngettext(singular, plural, n, /, **values):
    """The form for the number ``n``: Russian has three (1 заявка, 2 заявки, 5 заявок), Kazakh and English two."""
    return TEXTS.ngettext(language(), singular, plural, n, **values)


def npgettext(context, singular, plural, n, /, **values):
    return TEXTS.npgettext(language(), context, singular, plural, n, **values)


def label(labels, code):
    """The label of ``code`` among ``labels()`` (one of the functions below); the code itself when it has none."""
    return labels().get(code, code)


def status_labels():
    """A request's status, by its code (the request's list and page)."""
    return {
        "new": pgettext("request status", "New"),
        "in_progress": pgettext("request status", "In progress"),
        "waiting": pgettext("request status", "Waiting"),
        "resolved": pgettext("request status", "Resolved"),
        "closed": pgettext("request status", "Closed"),
        "rejected": pgettext("request status", "Rejected"),
        "cancelled": pgettext("request status", "Cancelled"),
        "duplicate": pgettext("request status", "Duplicate"),
    }


def priority_labels():
    """A request's priority, by its code."""
    return {
        "low": _("Low"),
        "normal": _("Normal"),
        "high": _("High"),
        "urgent": _("Urgent"),
    }


def sla_filter_labels():
    """The queue's SLA filter, by its value."""
    return {
        "breached": _("Breached"),
        "at_risk": _("At risk"),
    }


def sort_labels():
    """The queue's orders, by their value."""
    return {
        "created": _("Newest first"),
        "updated": _("Last changed first"),
        "due": _("Nearest deadline first"),
    }


def event_labels():
    """The events of a request's history, by their kind."""
    return {
        "created": pgettext("request history", "Created"),
        "routed": _("Routed"),
        "assigned": _("Assigned"),
        "status_changed": _("Status changed"),
        "rerouted": _("Moved to another office"),
        "updated": _("Edited"),
        "commented": _("Comment"),
        "merged": _("Merged"),
        "merged_in": _("Duplicate merged in"),
        "attachment_added": _("Photo added"),
        "attachment_removed": _("Photo removed"),
    }


def figure_labels():
    """The dashboard's figures (its cards and its chart's series), by their key."""
    return {
        "created": pgettext("count of requests", "Created"),
        "resolved": pgettext("count of requests", "Resolved"),
        "open_now": _("Open now"),
        "response_met_pct": _("Response on time, %"),
        "resolution_met_pct": _("Resolved on time, %"),
        "median_resolution_minutes": _("Median resolution, min"),
        "avg_rating": _("Average rating"),
        "reopened_pct": _("Reopened, %"),
    }


def column_labels():
    """The SLA table's columns, by their key."""
    return {
        "label": _("Group"),
        "total": pgettext("table column", "Total"),
        "open": _("Open"),
        "resolved": pgettext("count of requests", "Resolved"),
        "response_met_pct": _("Response on time, %"),
        "resolution_met_pct": _("Resolved on time, %"),
        "median_response_minutes": _("Median response, min"),
        "median_resolution_minutes": _("Median resolution, min"),
        "response_breached": _("Response breached"),
        "resolution_breached": _("Resolution breached"),
        "avg_rating": _("Average rating"),
    }


def group_labels():
    """What the SLA table groups by."""
    return {
        "office": _("Office"),
        "department": _("Department"),
        "category": _("Category"),
        "priority": _("Priority"),
        "assignee": _("Assignee"),
        "room": _("Room"),
    }


def role_labels():
    """The roles of accounts."""
    return {
        "employee": _("Employee"),
        "administrator": _("Administrator"),
        "manager": _("Manager"),
    }


def mode_labels():
    """The assignment rules' modes."""
    return {
        "manual": _("Manual"),
        "round_robin": _("In turn"),
        "least_open": _("Fewest open requests"),
    }


def tone_labels():
    """How a dashboard figure moved since the previous period."""
    return {"better": _("better"), "worse": _("worse"), "same": _("no change")}


# The label functions, by name (the templates' globals).
LABELS = ("status_labels", "priority_labels", "sla_filter_labels", "sort_labels", "event_labels", "figure_labels",
          "column_labels", "group_labels", "role_labels", "mode_labels", "tone_labels")
