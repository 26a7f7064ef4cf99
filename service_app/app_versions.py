"""The upgrade gate: apps name their version and platform, and a version below the
platform's minimum answers 426 ``upgrade_required`` (API.md, "App versions").

The apps send ``X-App-Version`` and ``X-App-Platform`` (``android`` or ``ios``)
on every call. A call with neither (a script, a browser) passes ungated. A
version is ``MAJOR[.MINOR[.PATCH[.BUILD]]]``: one to four dot-separated numbers
of at most six ASCII digits each, optionally followed by ``-`` or ``+`` and a label
of letters, digits, dots and hyphens (``2.4.1``, ``2.4.1+317``, ``2.5.0-beta.2``),
at most 32 characters in all. Versions compare by their numbers, missing ones
read as 0 (``2.4`` = ``2.4.0``); the label is ignored. Anything else, or an
unknown platform, answers 400 ``bad_request``.
"""
import re

from flask import current_app, request

from .errors import error_response

PLATFORMS = ("android", "ios")
VERSION_HEADER, PLATFORM_HEADER = "X-App-Version", "X-App-Platform"
MAX_VERSION_LENGTH = 32
# [0-9], not \d: \d would take any Unicode digit (Arabic-Indic, fullwidth) and int() would read it.
_VERSION = re.compile(r"([0-9]{1,6}(?:\.[0-9]{1,6}){0,3})(?:[-+][0-9A-Za-z.-]{1,24})?")
# What an outdated app may still reach: the app's own configuration (to learn it must
# update), the privacy policy, the health checks and the API's documentation.
UNGATED = ("/api/v1/app-config", "/privacy", "/healthz", "/readyz", "/api/v1/openapi.json", "/api/v1/docs")


def parse_version(text):
    """The version's numbers as a comparable 4-tuple; ValueError when ``text`` is not a version."""
    match = _VERSION.fullmatch(text or "") if len(text or "") <= MAX_VERSION_LENGTH else None
    if match is None:
        raise ValueError("a version such as 2.4.1 (up to four numbers, an optional -label or +build)")
    numbers = [int(part) for part in match.group(1).split(".")]
    return tuple(numbers + [0] * (4 - len(numbers)))


def app_version(text):
    """The configuration type of ``MIN_APP_VERSION_*`` / ``LATEST_APP_VERSION_*``: a checked version text."""
    parse_version(text)
    return text


def minimum(platform, config=None):
    return (config or current_app.config)[f"MIN_APP_VERSION_{platform.upper()}"]


def latest(platform, config=None):
    return (config or current_app.config)[f"LATEST_APP_VERSION_{platform.upper()}"]


def _ungated(path):
    return any(path == prefix or path.startswith(prefix + "/") for prefix in UNGATED)


def check_app_version():
    """``before_request``: None to go on, or the 400 / 426 answer."""
    version, platform = request.headers.get(VERSION_HEADER), request.headers.get(PLATFORM_HEADER)
    if (version is None and platform is None) or _ungated(request.path):
        return None
    if platform is None or platform.strip().lower() not in PLATFORMS:
        return error_response(400, "bad_request", f"{PLATFORM_HEADER}: one of {', '.join(PLATFORMS)}",
                              {PLATFORM_HEADER: [f"one of {', '.join(PLATFORMS)}"]})
    platform = platform.strip().lower()
    try:
        given = parse_version((version or "").strip())
    except ValueError as exc:
        return error_response(400, "bad_request", f"{VERSION_HEADER}: {exc}", {VERSION_HEADER: [str(exc)]})
    needed = minimum(platform)
    if given < parse_version(needed):
        return error_response(426, "upgrade_required", f"this app version is too old; update to {needed} or later",
                              {"platform": platform, "min_version": needed, "latest_version": latest(platform)})
    return None


def init_app(app):
    app.before_request(check_app_version)
