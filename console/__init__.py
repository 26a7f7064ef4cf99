"""The staff web console at ``/console`` (API.md "The staff console").

Server-rendered pages for administrators and managers, built on the domain
packages' service functions. ``console.web`` holds the plumbing (session, CSRF,
language, errors); ``console.pages`` the pages; ``static/vendor`` the browser
libraries, taken from the npm registry at the versions in ``package.json``
(see ``static/vendor/README.md``).
"""
import importlib


def init_app(app):
    from . import web
    from .pages import PAGES

    for name in PAGES:
        importlib.import_module(f"{__name__}.pages.{name}")
    web.init_app(app)
    app.register_blueprint(web.bp)
