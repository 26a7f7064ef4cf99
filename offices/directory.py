"""The per-process router over the active offices, kept fresh.

Each process builds the router once and rebuilds it only when the
``offices`` change counter moves. The counter is read at most every
``ROUTER_REFRESH_SECONDS`` (default 2), so an office edit reaches every worker
within that time (API.md promises 5 s) at the cost of one primary-key read.
"""
import threading
import time

import sqlalchemy as sa
from flask import current_app
from shapely.geometry import shape

from service_app.extensions import db

from .models import ChangeCounter, Office
from .routing import OfficeArea, Router

COUNTER = "offices"


def bump_version():
    """Record that offices changed (call inside the transaction that changes them)."""
    updated = db.session.execute(sa.update(ChangeCounter).where(ChangeCounter.name == COUNTER)
                                 .values(version=ChangeCounter.version + 1))
    if updated.rowcount == 0:
        db.session.add(ChangeCounter(name=COUNTER, version=1))


def current_version():
    return db.session.scalar(sa.select(ChangeCounter.version).where(ChangeCounter.name == COUNTER)) or 0


class RouterCache:
    def __init__(self):
        self.lock = threading.Lock()
        self.router = None
        self.version = None
        self.checked_at = 0.0

    def get(self, refresh_seconds, max_distance_m):
        now = time.monotonic()
        if self.router is not None and now - self.checked_at < refresh_seconds:
            return self.router
        with self.lock:
            version = current_version()  # read before loading, so a concurrent edit is seen next time
            if self.router is None or version != self.version:
                self.router = _build(max_distance_m)
                self.version = version
            self.checked_at = now
            return self.router


def _build(max_distance_m):
    offices = db.session.execute(sa.select(Office.id, Office.geofence).where(Office.is_active.is_(True)))
    return Router([OfficeArea(id=row.id, geometry=shape(row.geofence)) for row in offices],
                  max_distance_m=max_distance_m)


def get_router():
    """The router for this process, rebuilt when an office changed."""
    cache = current_app.extensions.setdefault("office_router", RouterCache())
    cfg = current_app.config
    return cache.get(cfg["ROUTER_REFRESH_SECONDS"], cfg["ROUTING_MAX_DISTANCE_M"])
