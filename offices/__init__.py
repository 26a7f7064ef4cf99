"""Offices, their geofences and business calendars, departments, and the router
that turns an approximate location into an office."""


def init_app(app):
    """Register the offices API and plug offices into accounts, the CLI and the seed."""
    from service_app.extensions import api
    from service_app.seed import register_seeder
    from service_app.users.scope_checks import register_reference_check

    from .hooks import check_user_references, office_id_by_code
    from .routes import blp
    from .seed import seed_offices

    api.register_blueprint(blp)
    register_reference_check(check_user_references)
    register_seeder(seed_offices)
    app.extensions["office_lookup"] = office_id_by_code
