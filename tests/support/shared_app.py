"""One app for the whole test session, put back as it was built after every test.

``create_app`` costs 100-400 ms, mostly the OpenAPI document; the suite has
thousands of tests. What a test may change on an app, and how it is undone:

- ``app.config``: a deep copy taken when the app was built is put back.
- ``app.extensions``: the keys and objects it had when built are put back, and
  the containers among them (the adapter builders, flask-smorest's registry,
  the plug-in hooks) get their content back. What was added since goes: an
  adapter a test set or one built lazily on first use (the next test builds its
  own from its config), the office router's cache, the password hashers.
- Request hooks, error handlers, template globals, CLI commands a test added,
  a wrapped ``wsgi_app``: put back.
- URL rules and blueprints cannot be taken out of a Flask app: a test that adds
  any gets the app discarded, and the next one builds a new app.
- Flask refuses set-up calls after an app's first request; each test starts with
  the app marked as not yet having served one, as a new app would be.
- The extension objects are module globals that every app binds at start-up
  (the limiter keeps its storage and ``enabled``, flask-smorest's ``Api`` its
  app and OpenAPI spec, JWT its callbacks): after a test that built another app
  they are put back as the shared app left them, and the limiter's storage is
  emptied. So is the root logger's level and handler, which start-up sets.
"""
import copy
import logging

from flask import Flask

from service_app.extensions import api, compress, db, jwt, limiter, migrate
from service_app.plugins import Hooks

GLOBAL_EXTENSIONS = (api, compress, jwt, limiter, migrate)
_HOOK_ATTRIBUTES = ("before_request_funcs", "after_request_funcs", "teardown_request_funcs",
                    "url_value_preprocessors", "url_default_functions", "template_context_processors")
_LIST_ATTRIBUTES = ("teardown_appcontext_funcs", "shell_context_processors")


def _contents(value):
    """A copy of what a mutable container in ``app.extensions`` holds, or None."""
    if isinstance(value, Hooks):
        return {hook: list(providers) for hook, providers in value._providers.items()}  # noqa: SLF001
    if isinstance(value, (dict, set, list)):
        return type(value)(value)
    return None


def _put_back(value, contents):
    if isinstance(value, Hooks):
        value._providers = {hook: list(providers) for hook, providers in contents.items()}  # noqa: SLF001
    elif isinstance(value, dict):
        value.clear()
        value.update(contents)
    elif isinstance(value, set):
        value.clear()
        value.update(contents)
    elif isinstance(value, list):
        value[:] = contents


class Snapshot:
    """What a freshly built app holds, to be put back after each test."""

    def __init__(self, app: Flask):
        self.config = copy.deepcopy(dict(app.config))
        self.extensions = dict(app.extensions)
        self.extension_contents = {key: _contents(value) for key, value in app.extensions.items()}
        self.hooks = {name: {key: list(funcs) for key, funcs in getattr(app, name).items()}
                      for name in _HOOK_ATTRIBUTES}
        self.lists = {name: list(getattr(app, name)) for name in _LIST_ATTRIBUTES}
        self.error_handlers = {bp: {code: dict(handlers) for code, handlers in codes.items()}
                               for bp, codes in app.error_handler_spec.items()}
        self.rules = self._rules(app)
        self.view_functions = dict(app.view_functions)
        self.blueprints = dict(app.blueprints)
        self.jinja_globals = dict(app.jinja_env.globals)
        self.cli_commands = dict(app.cli.commands)
        self.wsgi_app = app.wsgi_app
        self.json = app.json
        self.globals = {ext: dict(vars(ext)) for ext in GLOBAL_EXTENSIONS}
        root = logging.getLogger()
        self.log_level = root.level
        self.log_handlers = [h for h in root.handlers if getattr(h, "_santrade", False)]

    @staticmethod
    def _rules(app):
        return [(rule.rule, rule.endpoint, tuple(sorted(rule.methods or ()))) for rule in app.url_map.iter_rules()]

    def restorable(self, app):
        """False when the test added URL rules or blueprints, which cannot be taken back out."""
        return self._rules(app) == self.rules and app.blueprints == self.blueprints

    def restore(self, app):
        app.config.clear()
        app.config.update(copy.deepcopy(self.config))
        app.extensions.clear()
        app.extensions.update(self.extensions)
        for key, contents in self.extension_contents.items():
            if contents is not None:
                _put_back(self.extensions[key], contents)
        for name, saved in self.hooks.items():
            registry = getattr(app, name)
            registry.clear()
            registry.update({key: list(funcs) for key, funcs in saved.items()})
        for name, saved in self.lists.items():
            getattr(app, name)[:] = saved
        app.error_handler_spec.clear()
        for bp, codes in self.error_handlers.items():
            for code, handlers in codes.items():
                app.error_handler_spec[bp][code] = dict(handlers)
        app.view_functions.clear()
        app.view_functions.update(self.view_functions)
        app.jinja_env.globals.clear()
        app.jinja_env.globals.update(self.jinja_globals)
        app.cli.commands.clear()
        app.cli.commands.update(self.cli_commands)
        app.wsgi_app = self.wsgi_app
        app.json = self.json
        app._got_first_request = False  # noqa: SLF001 - a new app would accept set-up calls

    def restore_globals(self):
        for ext, saved in self.globals.items():
            state = vars(ext)
            if state.keys() != saved.keys() or any(state[key] is not value for key, value in saved.items()):
                state.clear()
                state.update(saved)
        if limiter.enabled and getattr(limiter, "_storage", None) is not None:
            limiter.reset()
        root = logging.getLogger()
        ours = [h for h in root.handlers if getattr(h, "_santrade", False)]
        if ours != self.log_handlers:
            for handler in ours:
                root.removeHandler(handler)
            for handler in self.log_handlers:
                root.addHandler(handler)
        root.setLevel(self.log_level)


class SharedApp:
    """The session's app, built on first use by ``build(database_url)``."""

    def __init__(self, build):
        self._build = build
        self._url = None
        self._app = None
        self._snapshot = None

    def use_database(self, url):
        self._url = url

    def app(self):
        if self._app is None:
            self._app = self._build(self._url)
            self._snapshot = Snapshot(self._app)
        return self._app

    def reset(self):
        """After a test that used the app: close its sessions and connections and put it back as built."""
        app = self._app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if self._snapshot.restorable(app):
            self._snapshot.restore(app)
        else:
            self.close()

    def restore_globals(self):
        if self._snapshot is not None:
            self._snapshot.restore_globals()

    def close(self):
        if self._app is not None:
            with self._app.app_context():
                db.engine.dispose()
        self._app = self._snapshot = None
