"""External services (SMS, photo storage, push) share one shape.

Each adapter module (``service_app/auth/sms.py``, ``service_requests/photos/storage.py``,
``notifications/senders.py``) holds a ``Protocol``, its implementations,
``build_<x>(config)``, an ``init_app(app)`` that binds the builder here once,
and one getter. The adapter is built on first use, once per app: config is read
as it stands then (the CLI and tests adjust it after ``create_app``), and a
process that never sends a push never parses Firebase credentials. Building
never connects: Firebase and S3 clients open on the first call, in the process
that makes it. Tests replace an adapter by setting ``app.extensions[key]``.
"""
import threading
from collections.abc import Callable

from flask import Flask, current_app

_BUILDERS = "adapter_builders"  # app.extensions key: {adapter key: builder}
_lock = threading.Lock()


def bind(app: Flask, key: str, build: Callable[[], object]) -> None:
    """Make ``build()`` the way ``app`` gets the adapter stored under ``app.extensions[key]``."""
    app.extensions.setdefault(_BUILDERS, {})[key] = build


def get(key: str):
    """Return the current app's adapter for ``key``, building it on first use."""
    extensions = current_app.extensions
    adapter = extensions.get(key)
    if adapter is None:
        with _lock:  # two first requests must not build two FCM apps
            adapter = extensions.get(key)
            if adapter is None:
                adapter = extensions[key] = extensions[_BUILDERS][key]()
    return adapter
