"""Liveness and readiness probes for Render and operators."""
from flask import Blueprint, jsonify
from sqlalchemy import text

from .errors import DATABASE_RETRY_SECONDS, ApiError, retry_after
from .extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process is up (does not touch the database)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """The database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not ready"
        db.session.rollback()
        raise ApiError(503, "unavailable", "the database does not answer",
                       headers=retry_after(DATABASE_RETRY_SECONDS)) from exc
    finally:
        db.session.remove()
    return jsonify(status="ready")
