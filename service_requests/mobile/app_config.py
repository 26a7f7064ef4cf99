"""``GET /api/v1/app-config``: what the apps need before anyone signs in: the
versions to require and offer, the languages, the statuses and priorities with
their names, the limits the server enforces, the privacy policy's version and
whom to ask for help. Public (no token), never gated by the app's version,
conditional (ETag, 304)."""
import marshmallow as ma
from flask import current_app

from notifications.messages import STATUS_WORDS
from service_app import app_versions
from service_app.api import Blueprint, Output
from service_app.catalogues import Domain
from service_app.fields import LocalizedText, Text
from service_app.privacy_policy import current_version as privacy_policy_version
from service_app.vocabulary import LANGUAGES

from service_requests.models import FINAL_STATUSES, PRIORITIES, STATUSES
from service_requests.schemas import RequestCreateSchema

blp = Blueprint("app_config", __name__, url_prefix="/api/v1", description="The apps' configuration")

TEXTS = Domain("requests")


def priority_words(t):
    """A request's priority as the apps name it, by its code (``t``: the ``requests`` texts in one language)."""
    return {
        "low": t.pgettext("request priority", "low"),
        "normal": t.pgettext("request priority", "normal"),
        "high": t.pgettext("request priority", "high"),
        "urgent": t.pgettext("request priority", "urgent"),
    }


# The same words as ``{ru, kk, en}``, as the answer lists them (the statuses' come from ``notifications``).
PRIORITY_WORDS = {code: {language: priority_words(TEXTS.speaking(language))[code] for language in LANGUAGES}
                  for code in PRIORITIES}


class PlatformVersionsSchema(Output):
    android = Text()
    ios = Text()


class StatusSchema(Output):
    code = Text()
    label = LocalizedText()
    final = ma.fields.Boolean()


class PrioritySchema(Output):
    code = Text()
    label = LocalizedText()


class LimitsSchema(Output):
    attachment_max_bytes = ma.fields.Integer()
    attachment_max_per_request = ma.fields.Integer()
    title_max_length = ma.fields.Integer()
    description_max_length = ma.fields.Integer()


class AppConfigSchema(Output):
    min_app_version = ma.fields.Nested(PlatformVersionsSchema,
                                       metadata={"description": "below it every call but this one answers 426"})
    latest_app_version = ma.fields.Nested(PlatformVersionsSchema)
    languages = ma.fields.List(Text())
    statuses = ma.fields.List(ma.fields.Nested(StatusSchema))
    priorities = ma.fields.List(ma.fields.Nested(PrioritySchema))
    limits = ma.fields.Nested(LimitsSchema)
    privacy_policy_version = Text(allow_none=True)
    support_contact = Text(allow_none=True)


def _max_length(schema, name):
    """The largest length the request form accepts for ``name`` (from its validator, so they cannot drift)."""
    field = schema().fields[name]
    return next(v.max for v in field.validators if isinstance(v, ma.validate.Length))


def app_config():
    cfg = current_app.config
    return {
        "min_app_version": {p: app_versions.minimum(p) for p in app_versions.PLATFORMS},
        "latest_app_version": {p: app_versions.latest(p) for p in app_versions.PLATFORMS},
        "languages": list(LANGUAGES),
        "statuses": [{"code": s, "label": STATUS_WORDS[s], "final": s in FINAL_STATUSES} for s in STATUSES],
        "priorities": [{"code": p, "label": PRIORITY_WORDS[p]} for p in PRIORITIES],
        "limits": {
            "attachment_max_bytes": cfg["ATTACHMENT_MAX_BYTES"],
            "attachment_max_per_request": cfg["ATTACHMENT_MAX_PER_REQUEST"],
            "title_max_length": _max_length(RequestCreateSchema, "title"),
            "description_max_length": _max_length(RequestCreateSchema, "description"),
        },
        "privacy_policy_version": privacy_policy_version(),
        "support_contact": cfg["SUPPORT_CONTACT"] or None,
    }


@blp.route("/app-config", methods=["GET"])
@blp.doc(operationId="getAppConfig", security=[])
@blp.conditional
@blp.response(200, AppConfigSchema)
def get_app_config():
    """The apps' configuration: versions, languages, statuses, priorities, limits (no token needed)"""
    return app_config()
