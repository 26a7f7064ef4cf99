"""How packages plug into each other: named hook points, one registry per app.

A package that offers something to another (a section of the personal-data
export, a check before an office is deleted, a listener on request history)
adds it in its own ``init_app`` with ``hooks(app).add(Hook.X, provider)``; the
package that uses it asks ``hooks().get(Hook.X)`` for the current app's
providers. Neither imports the other, and every hook point is declared below
with its contract, so a reader finds all the seams in one place.

The registry lives in ``app.extensions`` rather than in a module global:
two apps in one process (the test suite builds several) never see each
other's providers, and a test that adds one to the suite's shared app
leaves the next test untouched (the suite puts the registry back).
"""
import enum

from flask import current_app

EXTENSION_KEY = "plugins"


class Hook(enum.Enum):
    """The hook points; each value is the contract a provider keeps."""

    SEEDERS = "func() -> [lines]: demo data added by `flask seed-demo` after the demo accounts exist"
    PERSONAL_DATA = ("Section(name, query, dump): one section of GET /me/data; query(user) selects one model "
                     "with created_at and id, dump(rows) -> list renders one page")
    ERASE_REQUESTS = ("func(request_ids): delete what the package holds about requests being anonymised "
                      "(retention, PRIVACY.md P15); the caller commits")
    ERASE_ACCOUNTS = ("func(user_ids): delete what the package holds about accounts being anonymised "
                      "(retention, PRIVACY.md P15); the caller commits")
    REFERENCE_CHECKS = "func(data) -> {field: [message]}: unknown office or department references in a user body"
    SCOPE_LOSS = "func(user, actor): let go of what user held by role or scope, inside the transaction narrowing it"
    OFFICE_USAGE_CHECKS = ("func(office_id) -> str | None: what still refers to the office (e.g. '12 requests'), "
                           "which keeps it from being deleted")
    ROOM_USAGE_CHECKS = ("func(room_id) -> str | None: what still refers to the room (e.g. '3 requests'), "
                         "which keeps it from being deleted")
    DEADLINE_TARGETS = "func() -> minutes: the longest deadline an office's business hours must be able to meet"
    HISTORY_SUBSCRIBERS = ("func(request, event, actor, data, internal): told of every request history event, "
                           "inside the transaction of the change")
    OFFICE_LOOKUP = "func(code) -> office id | None: the office with that code (one provider)"


SINGLE = frozenset({Hook.OFFICE_LOOKUP})


class Hooks:
    """One app's providers, per hook point, in the order they were added."""

    def __init__(self):
        self._providers = {hook: [] for hook in Hook}

    def add(self, hook, provider):
        """Add ``provider`` at ``hook`` and return it (so this also works as a decorator's body).

        Adding the same provider twice, or a second one where only one may be,
        is a wiring mistake and raises ``ValueError`` at start-up.
        """
        hook = Hook(hook)
        providers = self._providers[hook]
        if provider in providers:
            raise ValueError(f"{provider!r} is already added at {hook.name}")
        if hook in SINGLE and providers:
            raise ValueError(f"{hook.name} takes one provider; {providers[0]!r} is already there")
        providers.append(provider)
        return provider

    def get(self, hook):
        """The providers at ``hook``, oldest first (a tuple: add through ``add`` only)."""
        return tuple(self._providers[Hook(hook)])

    def one(self, hook):
        """The provider of a single-provider hook, or None when no package offers it."""
        providers = self._providers[Hook(hook)]
        return providers[0] if providers else None


def hooks(app=None):
    """The registry of ``app``, or of the current app; created on first use."""
    app = app if app is not None else current_app
    return app.extensions.setdefault(EXTENSION_KEY, Hooks())
