"""Who sees what (API.md Visibility): each role x own / in scope / out of scope x each route."""
import pytest

from tests.support.places import AST_POINT

ROUTES = [
    ("get", "/api/v1/requests/{id}", None),
    ("get", "/api/v1/requests/{id}/comments", None),
    ("get", "/api/v1/requests/{id}/events", None),
    ("post", "/api/v1/requests/{id}/comments", {"body": "hello"}),
    ("post", "/api/v1/requests/{id}/status", {"status": "in_progress"}),
    ("patch", "/api/v1/requests/{id}", {"priority": "low"}),
]

# (viewer, request made by / where) -> can see
CASES = [
    ("employee", "own_ala_fac", True),
    ("other_employee", "own_ala_fac", False),
    ("admin", "own_ala_fac", True),
    ("admin_ala", "own_ala_fac", True),
    ("admin_ast", "own_ala_fac", False),
    ("admin_ast", "ast_fac", True),
    ("manager_it", "own_ala_fac", False),
    ("manager_it", "ala_it", True),
    ("manager_fac_ala", "own_ala_fac", True),
    ("manager_fac_ala", "ala_it", False),
    ("manager_fac_ala", "ast_fac", False),
]


@pytest.fixture
def requests_by_kind(submit, world):
    return {"own_ala_fac": submit()["id"], "ala_it": submit(category="IT-PC")["id"],
            "ast_fac": submit(location=AST_POINT)["id"]}


@pytest.mark.parametrize("viewer, kind, visible", CASES)
def test_visibility_matrix(client, world, requests_by_kind, etag_of, viewer, kind, visible):
    """Each route that names a request, for each viewer and kind of request (one setup per case)."""
    rid = requests_by_kind[kind]
    for method, path, body in ROUTES:
        headers = dict(getattr(world, viewer).headers)
        if method == "patch":
            headers["If-Match"] = etag_of(rid)
        response = getattr(client, method)(path.format(id=rid), json=body, headers=headers)
        if not visible:
            assert response.status_code == 404, (method, path, response.get_json())
            assert response.get_json()["error"]["code"] == "not_found"
        else:
            assert response.status_code != 404, (method, path)


@pytest.mark.parametrize("viewer, kind, visible", CASES)
def test_list_shows_exactly_the_visible_ones(client, world, requests_by_kind, viewer, kind, visible):
    ids = {r["id"] for r in client.get("/api/v1/requests?limit=100", headers=getattr(world, viewer).headers)
           .get_json()["items"]}
    assert (requests_by_kind[kind] in ids) == visible


def test_missing_and_foreign_requests_answer_alike(client, world, requests_by_kind):
    foreign = client.get(f"/api/v1/requests/{requests_by_kind['own_ala_fac']}", headers=world.other_employee.headers)
    missing = client.get("/api/v1/requests/999999", headers=world.other_employee.headers)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.get_json() == missing.get_json()


def test_assignee_sees_requests_outside_their_scope(client, app, world, requests_by_kind):
    from service_app.extensions import db
    from service_requests.models import ServiceRequest

    rid = requests_by_kind["ast_fac"]
    with app.app_context():
        db.session.get(ServiceRequest, rid).assignee_id = world.manager_it.id
        db.session.commit()
    assert client.get(f"/api/v1/requests/{rid}", headers=world.manager_it.headers).status_code == 200


def test_location_is_shown_to_the_author_only(client, world, requests_by_kind):
    rid = requests_by_kind["own_ala_fac"]
    assert "location" in client.get(f"/api/v1/requests/{rid}", headers=world.employee.headers).get_json()
    for viewer in ("admin", "admin_ala", "manager_fac_ala"):
        body = client.get(f"/api/v1/requests/{rid}", headers=getattr(world, viewer).headers).get_json()
        assert "location" not in body
        listed = client.get("/api/v1/requests", headers=getattr(world, viewer).headers).get_json()["items"]
        assert all("location" not in r for r in listed)


def test_employee_cannot_do_staff_edits(client, world, requests_by_kind, etag_of):
    rid = requests_by_kind["own_ala_fac"]
    response = client.patch(f"/api/v1/requests/{rid}", json={"priority": "urgent"},
                            headers={**world.employee.headers, "If-Match": etag_of(rid)})
    assert response.status_code == 403


def test_staff_cannot_edit_the_authors_words(client, world, requests_by_kind, etag_of):
    rid = requests_by_kind["own_ala_fac"]
    response = client.patch(f"/api/v1/requests/{rid}", json={"title": "Rewritten"},
                            headers={**world.admin.headers, "If-Match": etag_of(rid)})
    assert response.status_code == 403


def test_filters(client, world, submit, requests_by_kind):
    headers = world.admin.headers

    def ids(query):
        return {r["id"] for r in client.get(f"/api/v1/requests?{query}", headers=headers).get_json()["items"]}

    assert ids(f"office_id={world.ast}") == {requests_by_kind["ast_fac"]}
    assert ids("category=it-pc") == {requests_by_kind["ala_it"]}
    assert ids("status=new&status=waiting") == set(requests_by_kind.values())
    assert ids("status=closed") == set()
    assert ids(f"author_id={world.employee.id}") == set(requests_by_kind.values())
    assert ids("q=ac%20is") == set(requests_by_kind.values())
    assert ids("q=nothing-like-this") == set()
    assert ids("created_from=2000-01-01T00:00:00Z&created_to=2100-01-01T00:00:00Z") == set(requests_by_kind.values())
    assert ids("created_to=2000-01-01T00:00:00Z") == set()
    for bad in ("status=open", "priority=max", "limit=101", "created_from=yesterday", "office_id=x"):
        response = client.get(f"/api/v1/requests?{bad}", headers=headers)
        assert response.status_code == 422, bad


def test_keyset_pages_cover_every_request_once(client, world, submit):
    made = {submit(title=f"Request number {i}")["id"] for i in range(7)}
    seen, cursor = [], None
    while True:
        url = "/api/v1/requests?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, headers=world.employee.headers).get_json()
        seen += [r["id"] for r in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(made, reverse=True)
