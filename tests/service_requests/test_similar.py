"""Similar requests before submitting (API.md "Employees"): the routed office's open recent
requests of the category, the most similar title first, nothing personal."""
from datetime import timedelta

import pytest

from service_app.database import utcnow
from service_app.extensions import db
from service_requests.models import ServiceRequest
from tests.support.api import assert_error, move
from tests.support.places import ALA_POINT, AST_POINT, NOWHERE

SIMILAR_KEYS = {"id", "number", "title", "status", "created_at", "followers_count", "following"}


def similar(client, who, **query):
    return client.get("/api/v1/requests/similar", query_string={"category": "FAC-AC", **query}, headers=who.headers)


def ids(response):
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def test_similar_shows_open_recent_requests_of_the_routed_office_and_category_and_nothing_personal(
        app, client, world, submit):
    mine = submit(title="AC is broken", description="Room 305, my desk by the window")["id"]
    submit(category="IT-PC", title="AC is broken")  # another category
    submit(location=AST_POINT)  # another office
    done = submit()["id"]
    move(client, world.admin, done, "rejected", comment="not ours")
    old = submit()["id"]
    with app.app_context():
        db.session.get(ServiceRequest, old).created_at = utcnow() - timedelta(days=15)
        db.session.commit()
    for who in (world.other_employee, world.admin_ast, world.manager_it, world.employee):
        response = similar(client, who, title="AC broken", **ALA_POINT)
        assert ids(response) == [mine]
        item = response.get_json()["items"][0]
        assert set(item) == SIMILAR_KEYS
        assert "Aigerim" not in str(response.get_json()) and "Room 305" not in str(response.get_json())
    # The place: office_id, else the caller's home office (the other employee's is Almaty).
    assert ids(similar(client, world.other_employee, office_id=world.ala)) == [mine]
    assert ids(similar(client, world.other_employee)) == [mine]
    assert ids(similar(client, world.other_employee, office_id=world.ast)) != [mine]


def test_at_most_five_most_similar_first(client, world, submit):
    titles = ["Printer on fire", "Window does not open", "Coffee machine", "Door squeaks", "Lamp flickers",
              "Chair broken"]
    made = {title: submit(title=title)["id"] for title in titles}
    wanted = submit(title="The AC in room 12 is broken")["id"]
    found = ids(similar(client, world.other_employee, title="AC broken in room 12", **ALA_POINT))
    assert len(found) == 5 and found[0] == wanted
    assert made["Chair broken"] in found[:2]  # shares "broken"


def test_following_figures_are_the_callers(client, world, submit):
    rid = submit()["id"]
    client.post(f"/api/v1/requests/{rid}/follow", headers=world.other_employee.headers)
    mine = similar(client, world.other_employee, **ALA_POINT).get_json()["items"][0]
    theirs = similar(client, world.admin_ast, **ALA_POINT).get_json()["items"][0]
    assert (mine["followers_count"], mine["following"]) == (1, True)
    assert (theirs["followers_count"], theirs["following"]) == (1, False)


def test_bad_places_and_input(client, world, auth):
    homeless = auth("employee")
    assert_error(similar(client, homeless, **NOWHERE), 422, "office_required")
    assert_error(similar(client, world.employee, lat=43.2), 422, "validation_error")
    assert_error(similar(client, world.employee, office_id=999_999), 422, "validation_error")
    assert_error(client.get("/api/v1/requests/similar", headers=world.employee.headers), 422, "validation_error")
    assert_error(similar(client, world.employee, lat="north", lon=1), 422, "validation_error")
    assert client.get("/api/v1/requests/similar", query_string={"category": "FAC-AC"}).status_code == 401


@pytest.mark.postgres_only
def test_postgres_ranks_by_trigram_similarity_of_the_titles(client, world, submit):
    far = submit(title="Кондиционер шумит ночью")["id"]
    near = submit(title="Не работает кондиционер в переговорной")["id"]
    other = submit(title="Протекает потолок")["id"]
    found = ids(similar(client, world.other_employee, title="не работает кондиционр", **ALA_POINT))
    assert found[:2] == [near, far] and found[-1] == other
    # Normalised as the search is: case and ё do not matter.
    assert ids(similar(client, world.other_employee, title="ПРОТЁКАЕТ ПОТОЛОК", **ALA_POINT))[0] == other


def test_the_category_is_found_whatever_its_case_as_when_a_request_is_made(client, world, submit):
    """A request is made with its category in any case (``fac-ac`` is FAC-AC); asking for similar
    ones in lower case finds them too."""
    rid = submit(category="fac-ac")["id"]
    for category in ("fac-ac", "Fac-Ac", "FAC-AC"):
        assert ids(similar(client, world.other_employee, category=category, **ALA_POINT)) == [rid]
