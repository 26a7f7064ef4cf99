"""A small company for tests: two offices, two departments, people in each role (fixtures).

Its air-conditioning category is discoverable (colleagues may find and follow its requests), the
IT one is not."""
import pytest

from offices.directory import bump_version
from offices.models import Department, Office
from service_app.extensions import db
from service_requests.catalogue.models import Category
from tests.support.accounts import sign_in
from tests.support.places import ALA_POINT, box


class World:
    """Ids and signed-in accounts of the test company."""


@pytest.fixture
def world(app, make_user):
    """The company, its seven people signed in (one transaction: see ``tests.support.accounts``)."""
    w = World()
    with app.app_context():
        ala = Office(code="ALA", name="Almaty", geofence=box(76.90, 43.20, 76.92, 43.22))
        ast = Office(code="AST", name="Astana", geofence=box(71.42, 51.12, 71.44, 51.14))
        db.session.add_all([ala, ast, Department(code="FAC", name="Facilities"), Department(code="IT", name="IT")])
        db.session.flush()
        db.session.add_all([Category(code="FAC-AC", name="AC", department_code="FAC", discoverable=True),
                            Category(code="IT-PC", name="PC", department_code="IT"),
                            Category(code="OLD", name="Old", department_code="FAC", is_active=False)])
        bump_version()
        w.ala, w.ast = ala.id, ast.id
        people = {
            "employee": make_user.add("employee", office_id=w.ala, full_name="Aigerim"),
            "other_employee": make_user.add("employee", office_id=w.ala),
            "admin": make_user.add("administrator", full_name="Admin All"),
            "admin_ala": make_user.add("administrator", office_ids=[w.ala]),
            "admin_ast": make_user.add("administrator", office_ids=[w.ast]),
            "manager_it": make_user.add("manager", department_codes=["IT"]),
            "manager_fac_ala": make_user.add("manager", office_ids=[w.ala], department_codes=["FAC"]),
        }
        for name, account in zip(people, sign_in(list(people.values())), strict=True):
            setattr(w, name, account)
    return w


@pytest.fixture
def hr(app, world):
    """An HR category, as a company has one: not discoverable (the default); its code."""
    with app.app_context():
        db.session.add(Department(code="HR", name="HR"))
        db.session.flush()
        db.session.add(Category(code="HR-DOCS", name="Certificates", department_code="HR"))
        bump_version()
        db.session.commit()
    return "HR-DOCS"


@pytest.fixture
def submit(client, world):
    """Submit a request as ``who`` (default: the employee); returns the response JSON, asserting 201."""

    def do(who=None, **body):
        payload = {"title": "AC is broken", "category": "FAC-AC", "location": ALA_POINT, **body}
        response = client.post("/api/v1/requests", json=payload, headers=(who or world.employee).headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return do


@pytest.fixture
def etag_of(client, world):
    def do(request_id, who=None):
        return client.get(f"/api/v1/requests/{request_id}", headers=(who or world.admin).headers).headers["ETag"]

    return do
