"""Offices, their geofences and business calendars, departments, and the router
that turns an approximate location into an office."""
from service_app import plugins
from service_app.extensions import api

from . import models  # noqa: F401 - the package's tables
from .hooks import check_user_references, office_id_by_code
from .routes import blp
from .seed import seed_offices, seed_rooms


def init_app(app):
    """Register the offices API and plug offices into accounts, the CLI and the seed."""
    api.register_blueprint(blp)
    hooks = plugins.hooks(app)
    hooks.add(plugins.Hook.REFERENCE_CHECKS, check_user_references)
    hooks.add(plugins.Hook.SEEDERS, seed_offices)
    hooks.add(plugins.Hook.SEEDERS, seed_rooms)
    hooks.add(plugins.Hook.OFFICE_LOOKUP, office_id_by_code)
