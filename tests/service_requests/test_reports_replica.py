"""REPORTS_DATABASE_URL: the reports and the dashboard read the replica, everything else the primary.

The replica is a SQLite file whatever the primary is: the reports choose their SQL by the
dialect of the session they read through."""
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from offices.models import Department, Office
from service_app.database import reports_session
from service_app.extensions import db
from service_app.users.models import User
from service_requests.models import ServiceRequest
from service_requests.catalogue.models import Category
from tests.service_requests import test_dashboard as dash
from tests.service_requests import test_sla_reports as sla

at, PERIOD, dashboard = sla.at, dash.PERIOD, dash.dashboard
company, history, dataset = sla.company, sla.history, dash.dataset


@pytest.fixture
def app(make_app, tmp_path):
    """Every test here runs with REPORTS_DATABASE_URL set; the replica is empty unless a test fills it."""
    return make_app(REPORTS_DATABASE_URL=f"sqlite:///{tmp_path / 'replica.db'}")


@pytest.fixture
def replica(app):
    """The replica's schema, and a copy of the primary's offices, departments, categories and users."""
    with app.app_context():
        engine = app.extensions["reports_engine"]
        db.metadata.create_all(engine)
        return engine


def copy_reference_data(app, engine):
    with app.app_context(), engine.begin() as conn:
        for model in (Department, Office, Category, User):
            rows = [dict(row) for row in db.session.execute(sa.select(model.__table__)).mappings()]
            conn.execute(sa.delete(model.__table__))
            if rows:
                conn.execute(sa.insert(model.__table__), rows)


def test_reports_read_the_replica_and_lists_the_primary(app, client, company, dataset, replica):
    ids, employee, manager, _ = company
    copy_reference_data(app, replica)
    with Session(replica) as session:  # the replica holds one request the primary does not, and none of its own
        session.add(ServiceRequest(title="On the replica", category_code="FAC-AC", department_code="FAC",
                                   priority="low", status="new", office_id=ids["B"], routed_by="manual",
                                   author_id=employee.id, created_at=at(10), updated_at=at(10)))
        session.commit()
    assert report_total(client, manager, "sla") == 1
    csv_body = client.get(f"/api/v1/reports/sla.csv?{PERIOD}", headers=manager.headers).get_data(as_text=True)
    assert csv_body.splitlines()[-1].startswith("total,total,1,")
    backlog = client.get("/api/v1/reports/backlog", headers=manager.headers).get_json()
    assert backlog["totals"]["total"] == 1
    cards = {c["key"]: c["value"] for c in dashboard(client, manager)["cards"]}
    assert cards["created"] == 1 and cards["open_now"] == 1
    # The request list (and everything else) reads the primary: its six requests.
    assert len(client.get("/api/v1/requests?limit=100", headers=manager.headers).get_json()["items"]) == 6


def report_total(client, who, name):
    response = client.get(f"/api/v1/reports/{name}?{PERIOD}", headers=who.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["totals"]["total"]


@pytest.mark.postgres_only
def test_a_postgresql_replica_is_read_only(make_app, database_url):
    """On PostgreSQL the reports' transactions are READ ONLY: a report could never write there."""
    replica_app = make_app(REPORTS_DATABASE_URL=database_url)
    with replica_app.app_context(), reports_session() as session:
        assert session.scalar(sa.text("SHOW transaction_read_only")) == "on"
        with pytest.raises(sa.exc.InternalError, match="read-only transaction"):
            session.execute(sa.text("UPDATE users SET full_name = full_name"))


def test_the_replica_pool_checks_its_connections_like_the_primary(app):
    """A replica that restarted or failed over costs a reconnect, not a 500: its pool pings before use."""
    with app.app_context():
        assert db.engine.pool._pre_ping is True
        assert app.extensions["reports_engine"].pool._pre_ping is True
