"""Health probes, OpenAPI, CLI and migrations."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from notifications.models import Device
from service_requests.models import RequestFollower, ServiceRequest
from service_app.extensions import db
from service_app.users.models import User


def test_healthz_does_not_touch_the_database(make_app):
    app = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none")
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "unavailable"


def test_readyz_when_the_database_answers(client):
    assert client.get("/readyz").get_json() == {"status": "ready"}


def test_openapi_describes_the_api_and_docs_are_served(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["info"]["title"] == "Santrade Service API"
    for path in ("/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout",
                 "/api/v1/auth/password-reset", "/api/v1/auth/password-reset/confirm",
                 "/api/v1/me", "/api/v1/me/password", "/api/v1/me/data",
                 "/api/v1/users", "/api/v1/users/{user_id}"):
        assert path in spec["paths"], path
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"swagger" in docs.data.lower()
    assert b"/api/v1/docs/assets/swagger-ui-bundle.js" in docs.data and b"cdn." not in docs.data
    bundle = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.data) > 100_000
    assert client.get("/api/v1/docs/assets/../config.py").status_code == 404


def test_cli_creates_a_user_who_can_sign_in(runner, login):
    result = runner.invoke(args=["users", "create", "--login", "first.admin", "--password", "bootstrap-pass-1",
                                 "--role", "administrator", "--full-name", "First Admin", "--phone", "+77010000099"])
    assert result.exit_code == 0, result.output
    assert login("first.admin", "bootstrap-pass-1")["user"]["role"] == "administrator"
    again = runner.invoke(args=["users", "create", "--login", "first.admin", "--password", "bootstrap-pass-1",
                                "--role", "administrator"])
    assert again.exit_code != 0 and "already taken" in again.output


def test_cli_refuses_a_short_password(runner, app):
    result = runner.invoke(args=["users", "create", "--login", "weak", "--password", "123", "--role", "employee"])
    assert result.exit_code != 0 and "password" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_seed_demo_is_idempotent_and_demo_users_sign_in(app, runner, login):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    for name, role in (("demo-employee", "employee"), ("demo-admin", "administrator"), ("demo-manager", "manager")):
        assert name in first.output
        assert login(name, "demo12345")["user"]["role"] == role
    with app.app_context():  # the demo phones receive (`make run` shows their pushes in the log)
        devices = db.session.scalars(sa.select(Device)).all()
        assert len(devices) == 3 and all(device.receiving for device in devices)
        # A pair of duplicates: the employee's merged into the manager's, which the employee follows.
        duplicate = db.session.scalar(sa.select(ServiceRequest).where(ServiceRequest.status == "duplicate"))
        follower = db.session.scalar(sa.select(RequestFollower).where(
            RequestFollower.request_id == duplicate.merged_into_id))
        assert follower.user_id == duplicate.author_id
    assert "merged into" in first.output


def test_seed_demo_refuses_in_production(make_app, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "p" * 40)
    monkeypatch.setenv("JWT_SECRET_KEY", "q" * 40)
    app = make_app(ENV_NAME="production")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "production" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


# Expression indexes autogenerate cannot compare (PostgreSQL rewrites the expression); each has
# a test that the query it serves uses it (the list's due order: test_the_due_order_reads_its_index).
EXPRESSION_INDEXES = {"ix_service_requests_due_id"}


def _compared(obj, name, type_, reflected, compare_to):
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _compared})
        diff = compare_metadata(context, db.metadata)
    assert diff == []
