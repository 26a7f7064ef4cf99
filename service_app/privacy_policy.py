"""``GET /privacy``: the privacy policy in the reader's language, with its version
and date (PRIVACY.md P17). One Markdown file a language (``ru.md``, ``kk.md``,
``en.md``) with a small front matter block, in ``PRIVACY_POLICY_DIR`` (default:
the policy shipped with the service)."""
import os

from flask import Blueprint, current_app, jsonify, request

from .errors import ApiError, invalid
from .vocabulary import DEFAULT_LANGUAGE, LANGUAGES

bp = Blueprint("privacy", __name__)
SHIPPED = os.path.join(os.path.dirname(__file__), "privacy")


def _load(language):
    folder = current_app.config["PRIVACY_POLICY_DIR"] or SHIPPED
    try:
        with open(os.path.join(folder, f"{language}.md"), encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return None
    meta = {}
    if text.startswith("---\n"):
        head, _, text = text[4:].partition("\n---\n")
        meta = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
    return {"language": language, "version": meta.get("version", "").strip() or None,
            "date": meta.get("date", "").strip() or None, "text": text.strip()}


def current_version():
    """The version of the policy in force (its Russian text's, the default language), or None."""
    policy = _load(DEFAULT_LANGUAGE)
    return policy["version"] if policy else None


@bp.get("/privacy")
def privacy():
    """The privacy policy (``?lang=`` or ``Accept-Language``; Russian by default)."""
    asked = request.args.get("lang")
    if asked is not None and asked not in LANGUAGES:
        raise invalid("lang", f"one of {', '.join(LANGUAGES)}")
    language = asked or request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE
    policy = _load(language) or _load(DEFAULT_LANGUAGE)
    if policy is None:
        raise ApiError(404, "not_found", "no privacy policy is configured")
    response = jsonify(policy)
    response.headers["Content-Language"] = policy["language"]
    response.headers["Vary"] = "Accept-Language"
    return response
