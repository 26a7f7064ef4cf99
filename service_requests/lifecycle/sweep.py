"""``flask sla sweep``: warn at 80% of a target, mark and announce breaches,
auto-close long-resolved requests. Idempotent and safe to run every minute,
and in parallel on PostgreSQL (rows are claimed with SKIP LOCKED)."""
import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from service_app.database import utcnow
from service_app.extensions import db

from . import status as lifecycle
from service_requests.models import ServiceRequest
from .notify import notify_sla

log = logging.getLogger(__name__)
R = ServiceRequest
# Rows claimed and committed at a time: short transactions, and a parallel sweep finds
# the rest unlocked.
BATCH_SIZE = 500

# (what, condition on a row that needs it, how to mark it, notification)
RULES = [
    ("response at risk", lambda now: sa.and_(R.status == "new", R.first_response_at.is_(None),
                                             R.response_risk_at <= now, R.response_risk_notified.is_(False)),
     {"response_risk_notified": True}, "sla_at_risk"),
    ("response breached", lambda now: sa.and_(R.status == "new", R.first_response_at.is_(None),
                                              R.response_due_at < now, R.response_breached.is_(False)),
     {"response_breached": True}, "sla_breached"),
    ("resolution at risk", lambda now: sa.and_(R.status.in_(("new", "in_progress")), R.resolution_risk_at <= now,
                                               R.resolution_risk_notified.is_(False)),
     {"resolution_risk_notified": True}, "sla_at_risk"),
    ("resolution breached", lambda now: sa.and_(R.status.in_(("new", "in_progress")), R.resolution_due_at < now,
                                                R.resolution_breached.is_(False)),
     {"resolution_breached": True}, "sla_breached"),
]


def _claim(condition, limit=BATCH_SIZE):
    stmt = sa.select(R).where(condition).order_by(R.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=R)
    return list(db.session.scalars(stmt))


def sweep(now=None):
    """Run every rule once; returns ``{what: count}``."""
    now = now or utcnow()
    done = {}
    for what, condition, marks, event in RULES:
        count = 0
        while rows := _claim(condition(now)):
            for req in rows:
                for field, value in marks.items():
                    setattr(req, field, value)
                notify_sla(req, event)
            db.session.commit()
            count += len(rows)
        done[what] = count
    cutoff = now - timedelta(days=current_app.config["AUTO_CLOSE_DAYS"])
    closed = 0
    while rows := _claim(sa.and_(R.status == "resolved", R.resolved_at < cutoff)):
        for req in rows:
            lifecycle.auto_close(req, now)
        db.session.commit()
        closed += len(rows)
    done["auto-closed"] = closed
    log.info("SLA sweep: %s", ", ".join(f"{k} {v}" for k, v in done.items()))
    return done
