"""Swagger UI's scripts and styles served by the service itself (from the
flask-swagger-ui package), so ``/api/v1/docs`` works without reaching a CDN and
under a strict Content-Security-Policy."""
import os

import flask_swagger_ui
from flask import Blueprint, send_from_directory

from .errors import ApiError

DIST = os.path.join(os.path.dirname(flask_swagger_ui.__file__), "dist")
ALLOWED = {"swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"}
PREFIX = "/api/v1/docs/assets/"

bp = Blueprint("docs_assets", __name__)


@bp.get(PREFIX + "<string:name>")
def asset(name):
    """One of Swagger UI's files (public, like the docs page)."""
    if name not in ALLOWED:

        raise ApiError(404, "not_found", "not found")
    return send_from_directory(DIST, name, max_age=86400)
