"""The suite's shared app (``tests/conftest.py``) comes back as it was built after every test:
what one test changes on it, the next test never sees. The tests run in file order, in pairs:
the first changes something, the second looks (``make test`` gives a file to one worker)."""
import pytest
from flask import Flask

from offices.directory import bump_version, get_router
from offices.models import Office
from service_app import plugins
from service_app.extensions import api, db, limiter
from tests.support.places import box

LEFT_BEHIND = object()
seen = {}


def _seeder():
    return ["left behind by a test"]


def _before():
    return None


def _teapot(error):
    return "teapot", 418


def test_a_test_changes_the_app_s_config_extensions_hooks_and_handlers(app, client):
    seen["app"] = app
    app.config["ROUTER_REFRESH_SECONDS"] = 12345
    app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] = "changed in place"
    app.extensions["push_sender"] = LEFT_BEHIND
    plugins.hooks(app).add(plugins.Hook.SEEDERS, _seeder)
    app.before_request(_before)
    app.register_error_handler(418, _teapot)
    assert client.get("/healthz").status_code == 200
    app.wsgi_app = LEFT_BEHIND


def _after(key):
    if key not in seen:
        pytest.skip("the test before this one ran in another process")
    return seen[key]


def test_the_next_test_gets_it_back_as_built(app):
    assert app is _after("app")  # the same app, put back
    assert app.config["ROUTER_REFRESH_SECONDS"] == 2
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping") is True
    assert app.extensions.get("push_sender") is not LEFT_BEHIND
    assert _seeder not in plugins.hooks(app).get(plugins.Hook.SEEDERS)
    assert _before not in app.before_request_funcs[None]
    assert 418 not in app.error_handler_spec[None]
    assert app.wsgi_app is not LEFT_BEHIND
    assert app.test_client().get("/healthz").status_code == 200


def test_an_office_routed_in_one_test(app):
    with app.app_context():
        db.session.add(Office(code="ONE", name="One", geofence=box(76.90, 43.20, 76.92, 43.22)))
        bump_version()
        db.session.commit()
        assert get_router().route(43.21, 76.91).office_id is not None


def test_is_not_routed_to_by_the_next_test_s_router(app):
    """The router cache lives in ``app.extensions``: a stale one would route here to the office of the
    test before (SQLite gives the new office the same id, and the change counter starts again at 1)."""
    with app.app_context():
        office = Office(code="TWO", name="Two", geofence=box(71.42, 51.12, 71.44, 51.14))
        db.session.add(office)
        bump_version()
        db.session.commit()
        router = get_router()
        assert router.route(51.13, 71.43).office_id == office.id
        assert router.route(43.21, 76.91, home_office_id=office.id).matched_by == "home_office"


def test_a_test_adds_a_url_rule(make_app):
    app = make_app()
    seen["with_rule"] = app
    app.add_url_rule("/_test/left-behind", "left_behind", lambda: "here")
    assert app.test_client().get("/_test/left-behind").status_code == 200


def test_the_next_test_gets_a_new_app(app):
    assert app is not _after("with_rule")
    assert app.test_client().get("/_test/left-behind").status_code == 404


def test_an_app_with_its_own_settings_rebinds_the_global_extensions(make_app):
    limited = make_app(RATELIMIT_ENABLED=True)
    assert limiter.enabled and api._app is limited  # noqa: SLF001 - flask-smorest keeps its app there


def test_the_next_test_finds_them_bound_to_the_shared_app(app):
    assert not limiter.enabled
    assert api._app is app  # noqa: SLF001
    assert isinstance(app, Flask)
