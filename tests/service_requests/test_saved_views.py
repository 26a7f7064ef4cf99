"""Saved views of the request list (API.md "Staff work"), through HTTP, as each role.

The company (``tests/company.py``): ``admin`` sees everything, ``admin_ala`` and ``admin_ast``
one office each, ``manager_fac_ala`` facilities in Almaty, ``manager_it`` IT everywhere.
"""
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from service_app.extensions import db
from service_requests.models import ServiceRequest
from service_requests.staff.models import SavedView
from service_requests.schemas import RequestListArgsSchema
from service_requests.staff.views import COUNT_CAP, MAX_VIEWS_PER_OWNER
from tests.support.api import all_rows, assert_error
from tests.support.places import ALA_POINT

VIEWS = "/api/v1/views"


def make_view(client, who, status=201, **body):
    body.setdefault("name", "My view")
    body.setdefault("filters", {})
    response = client.post(VIEWS, json=body, headers=who.headers)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def ids_of(response):
    assert response.status_code == 200, response.get_json()
    return {item["id"] for item in response.get_json()["items"]}


def counts_of(client, who):
    response = client.get(f"{VIEWS}/counts", headers=who.headers)
    assert response.status_code == 200, response.get_json()
    return {item["view_id"]: (item["count"], item["capped"]) for item in response.get_json()["items"]}


@pytest.fixture
def spread(world, submit):
    """Requests in Almaty (facilities and IT) and in Astana (facilities)."""
    ast_point = {"lat": 51.13, "lon": 71.43}
    return {
        "ala_fac": submit(title="Almaty AC")["id"],
        "ala_it": submit(title="Almaty PC", category="IT-PC")["id"],
        "ast_fac": submit(title="Astana AC", location=ast_point, office_id=world.ast)["id"],
    }


# --- the views themselves ------------------------------------------------------------------------

def test_a_manager_saves_reads_renames_and_deletes_a_view(client, world):
    manager = world.manager_fac_ala
    view = make_view(client, manager, name="  Open AC  ", filters={"status": ["new", "in_progress"],
                                                                    "office_id": world.ala, "resolved": False})
    assert view["name"] == "Open AC"
    assert view["filters"] == {"office_id": str(world.ala), "resolved": "false", "status": ["new", "in_progress"]}
    assert (view["sort"], view["shared"]) == (None, False)
    assert view["owner"]["id"] == manager.id and view["created_at"]
    assert [v["id"] for v in client.get(VIEWS, headers=manager.headers).get_json()["items"]] == [view["id"]]

    renamed = client.patch(f"{VIEWS}/{view['id']}", json={"name": "AC", "filters": {"priority": "high"}},
                           headers=manager.headers)
    assert renamed.status_code == 200, renamed.get_json()
    assert (renamed.get_json()["name"], renamed.get_json()["filters"]) == ("AC", {"priority": "high"})

    assert client.delete(f"{VIEWS}/{view['id']}", headers=manager.headers).status_code == 204
    assert client.get(VIEWS, headers=manager.headers).get_json()["items"] == []
    assert_error(client.delete(f"{VIEWS}/{view['id']}", headers=manager.headers), 404, "not_found")


def test_an_employee_is_refused_every_route(client, world):
    view = make_view(client, world.admin, shared=True)
    employee = world.employee
    for method, path, body in [("GET", VIEWS, None), ("POST", VIEWS, {"name": "x", "filters": {}}),
                               ("GET", f"{VIEWS}/counts", None),
                               ("PATCH", f"{VIEWS}/{view['id']}", {"name": "x"}),
                               ("DELETE", f"{VIEWS}/{view['id']}", None),
                               ("GET", f"{VIEWS}/{view['id']}/requests", None)]:
        assert_error(client.open(path, method=method, json=body, headers=employee.headers), 403, "forbidden")


def test_another_persons_view_is_not_found_for_everybody_else(app, client, world):
    mine = make_view(client, world.manager_fac_ala, name="Mine")
    admins_own = make_view(client, world.admin, name="Admin's own")
    before = all_rows(app)
    for who, view in [(world.admin, mine), (world.manager_it, mine), (world.manager_fac_ala, admins_own),
                      (world.admin_ala, admins_own)]:
        for method, path, body in [("PATCH", f"{VIEWS}/{view['id']}", {"name": "Taken"}),
                                   ("DELETE", f"{VIEWS}/{view['id']}", None),
                                   ("GET", f"{VIEWS}/{view['id']}/requests", None)]:
            error = assert_error(client.open(path, method=method, json=body, headers=who.headers), 404, "not_found")
            assert error["message"] == "no such view"
        assert view["id"] not in ids_of(client.get(VIEWS, headers=who.headers))
        assert view["id"] not in counts_of(client, who)
    assert all_rows(app) == before


def test_only_administrators_share_and_change_shared_views(app, client, world):
    manager = world.manager_fac_ala
    before = all_rows(app)
    assert_error(client.post(VIEWS, json={"name": "For all", "filters": {}, "shared": True},
                             headers=manager.headers), 403, "forbidden")
    assert all_rows(app) == before
    own = make_view(client, manager, name="Own")
    before = all_rows(app)
    assert_error(client.patch(f"{VIEWS}/{own['id']}", json={"shared": True}, headers=manager.headers), 403)
    assert all_rows(app) == before

    shared = make_view(client, world.admin, name="For all", shared=True, filters={"status": "new"})
    assert shared["shared"] is True
    for who in (manager, world.manager_it, world.admin_ast):
        assert shared["id"] in ids_of(client.get(VIEWS, headers=who.headers))
    before = all_rows(app)
    assert_error(client.patch(f"{VIEWS}/{shared['id']}", json={"name": "Mine now"}, headers=manager.headers),
                 403, "forbidden")
    assert_error(client.delete(f"{VIEWS}/{shared['id']}", headers=manager.headers), 403, "forbidden")
    assert all_rows(app) == before

    # Any administrator changes a shared view, not only its owner.
    renamed = client.patch(f"{VIEWS}/{shared['id']}", json={"name": "New today"}, headers=world.admin_ast.headers)
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "New today"
    assert renamed.get_json()["owner"]["id"] == world.admin.id
    assert client.delete(f"{VIEWS}/{shared['id']}", headers=world.admin_ala.headers).status_code == 204
    assert shared["id"] not in ids_of(client.get(VIEWS, headers=manager.headers))


def test_a_view_lists_own_and_shared_only(client, world):
    own = make_view(client, world.manager_it, name="Own")
    shared = make_view(client, world.admin_ala, name="Shared", shared=True)
    private = make_view(client, world.admin_ala, name="Private")
    assert ids_of(client.get(VIEWS, headers=world.manager_it.headers)) == {own["id"], shared["id"]}
    assert ids_of(client.get(VIEWS, headers=world.admin_ala.headers)) == {shared["id"], private["id"]}


def test_a_person_keeps_at_most_the_limit_of_views(app, client, world):
    manager = world.manager_it
    with app.app_context():
        db.session.execute(sa.insert(SavedView), [
            {"owner_id": manager.id, "name": f"v{i}", "filters": {}, "shared": False}
            for i in range(MAX_VIEWS_PER_OWNER)])
        db.session.commit()
    before = all_rows(app)
    error = assert_error(client.post(VIEWS, json={"name": "One more", "filters": {}}, headers=manager.headers),
                         409, "conflict")
    assert error["details"] == {"limit": MAX_VIEWS_PER_OWNER}
    assert all_rows(app) == before
    make_view(client, world.manager_fac_ala, name="Somebody else's first")


@pytest.mark.parametrize("body, field", [
    ({"name": "   ", "filters": {}}, "name"),
    ({"name": "x" * 101, "filters": {}}, "name"),
    ({"filters": {}}, "name"),
    ({"name": "No filters"}, "filters"),
    ({"name": "List", "filters": ["status", "new"]}, "filters"),
    ({"name": "Nested", "filters": {"status": {"in": ["new"]}}}, "filters"),
    ({"name": "Null", "filters": {"status": None}}, "filters"),
    ({"name": "Empty list", "filters": {"status": []}}, "filters"),
    ({"name": "NUL", "filters": {"q": "a\u0000b"}}, "filters"),
    ({"name": "Page", "filters": {"limit": 5}}, "filters"),
    ({"name": "Page", "filters": {"cursor": "abc"}}, "filters"),
    ({"name": "Unknown", "filters": {"colour": "red"}}, "filters"),
    ({"name": "Sort twice", "filters": {"sort": "created"}}, "filters"),
    ({"name": "Shared", "filters": {}, "shared": "maybe"}, "shared"),
    ({"name": "Extra", "filters": {}, "owner_id": 1}, "owner_id"),
])
def test_bad_bodies_are_refused_and_change_nothing(app, client, world, body, field):
    view = make_view(client, world.admin, name="Kept", filters={"status": "new"})
    before = all_rows(app)
    error = assert_error(client.post(VIEWS, json=body, headers=world.admin.headers), 422, "validation_error")
    assert field in error["details"], error
    if field in body:  # the same wrong value in a PATCH (a missing one is no error there)
        error = assert_error(client.patch(f"{VIEWS}/{view['id']}", json={field: body[field]},
                                          headers=world.admin.headers), 422, "validation_error")
        assert list(error["details"]) == [field], error
    assert all_rows(app) == before


BAD_QUERIES = [
    {"status": "bogus"},
    {"status": ["new", "lost"]},
    {"office_id": "Almaty"},
    {"office_id": 0},
    {"assignee_id": "somebody"},
    {"priority": "whenever"},
    {"created_from": "yesterday"},
    {"resolved": "perhaps"},
    {"q": " ".join(["x"] * 11)},
    {"category": "not a code!"},
]


@pytest.mark.parametrize("filters", BAD_QUERIES)
def test_filters_the_list_would_refuse_get_the_lists_own_details(app, client, world, filters):
    listed = assert_error(client.get("/api/v1/requests", query_string=filters, headers=world.admin.headers), 422)
    view = make_view(client, world.admin, name="Kept", filters={"status": "new"})
    before = all_rows(app)
    created = assert_error(client.post(VIEWS, json={"name": "Bad", "filters": filters},
                                       headers=world.admin.headers), 422, listed["code"])
    assert (created["message"], created["details"]) == (listed["message"], listed["details"])
    changed = assert_error(client.patch(f"{VIEWS}/{view['id']}", json={"filters": filters},
                                        headers=world.admin.headers), 422, listed["code"])
    assert changed["details"] == listed["details"]
    assert all_rows(app) == before


def test_the_details_follow_the_callers_language_as_the_lists_do(client, world):
    ru = {"Accept-Language": "ru", **world.admin.headers}
    with_language = world.admin.headers | {"Accept-Language": "ru"}
    listed = assert_error(client.get("/api/v1/requests", query_string={"status": "bogus"}, headers=ru), 422)
    created = assert_error(client.post(VIEWS, json={"name": "Bad", "filters": {"status": "bogus"}},
                                       headers=with_language), 422)
    assert created["details"] == listed["details"]


def test_the_views_sort_is_the_lists_sort(app, client, world):
    """``sort`` is checked by the list's own schema: refused like ``GET /requests?sort=`` when the list
    sorts, refused outright while it has no sort."""
    before = all_rows(app)
    created = assert_error(client.post(VIEWS, json={"name": "Sorted", "filters": {}, "sort": "sideways"},
                                       headers=world.admin.headers), 422, "validation_error")
    if "sort" in RequestListArgsSchema().fields:
        listed = assert_error(client.get("/api/v1/requests", query_string={"sort": "sideways"},
                                         headers=world.admin.headers), 422)
        assert created["details"] == listed["details"]
    else:
        assert list(created["details"]) == ["sort"]
    assert all_rows(app) == before


# --- reading a view: always the caller's own scope ---------------------------------------------------

def test_a_shared_view_shows_each_reader_only_their_own_scope(client, world, spread):
    view = make_view(client, world.admin, name="Everything open", shared=True,
                     filters={"status": ["new", "in_progress", "waiting"]})
    expected = {
        world.admin: set(spread.values()),
        world.admin_ala: {spread["ala_fac"], spread["ala_it"]},
        world.admin_ast: {spread["ast_fac"]},
        world.manager_fac_ala: {spread["ala_fac"]},
        world.manager_it: {spread["ala_it"]},
    }
    for who, ids in expected.items():
        shown = ids_of(client.get(f"{VIEWS}/{view['id']}/requests", headers=who.headers))
        assert shown == ids, who.login
        listed = ids_of(client.get("/api/v1/requests", query_string={"status": ["new", "in_progress", "waiting"]},
                                   headers=who.headers))
        assert shown == listed, who.login
        assert counts_of(client, who)[view["id"]] == (len(ids), False), who.login


def test_a_views_filters_apply_and_its_pages_follow_the_cursor(client, world, spread, submit):
    extra = submit(title="Almaty AC again", priority="urgent")["id"]
    view = make_view(client, world.manager_fac_ala, name="Office", filters={"office_id": world.ala})
    first = client.get(f"{VIEWS}/{view['id']}/requests", query_string={"limit": 1}, headers=world.manager_fac_ala.headers)
    page = first.get_json()
    assert [item["id"] for item in page["items"]] == [extra] and page["next_cursor"]
    second = client.get(f"{VIEWS}/{view['id']}/requests", query_string={"limit": 1, "cursor": page["next_cursor"]},
                        headers=world.manager_fac_ala.headers).get_json()
    assert [item["id"] for item in second["items"]] == [spread["ala_fac"]] and second["next_cursor"] is None
    urgent = make_view(client, world.admin, name="Urgent", filters={"priority": "urgent"})
    assert ids_of(client.get(f"{VIEWS}/{urgent['id']}/requests", headers=world.admin.headers)) == {extra}
    assert_error(client.get(f"{VIEWS}/{urgent['id']}/requests", query_string={"limit": 0},
                            headers=world.admin.headers), 422, "validation_error")
    assert_error(client.get(f"{VIEWS}/{urgent['id']}/requests", query_string={"cursor": "forged"},
                            headers=world.admin.headers), 400, "bad_request")


def test_a_views_category_matches_in_any_case_as_the_create_and_the_list_match_it(client, world, spread):
    """API.md: ``category`` in views is matched as the create matches it (codes are case-insensitive)."""
    view = make_view(client, world.admin, name="Facilities", filters={"category": ["fac-ac"]})
    mixed = make_view(client, world.admin, name="Both", filters={"category": ["Fac-Ac", "it-pc"]})
    assert ids_of(client.get(f"{VIEWS}/{view['id']}/requests", headers=world.admin.headers)) == \
        {spread["ala_fac"], spread["ast_fac"]}
    assert ids_of(client.get(f"{VIEWS}/{mixed['id']}/requests", headers=world.admin.headers)) == set(spread.values())
    assert counts_of(client, world.admin) == {view["id"]: (2, False), mixed["id"]: (3, False)}


def test_assigned_to_one_person_reads_as_that_person_for_every_reader(client, world, spread, etag_of):
    """A view stores ids as given: ``assignee_id=5`` is person 5 for whoever reads it (``me`` is the reader)."""
    patched = client.patch(f"/api/v1/requests/{spread['ala_it']}", json={"assignee_id": world.manager_it.id},
                           headers={"If-Match": etag_of(spread["ala_it"]), **world.admin.headers})
    assert patched.status_code == 200, patched.get_json()
    view = make_view(client, world.admin, name="IT manager's", shared=True,
                     filters={"assignee_id": world.manager_it.id})
    assert view["filters"] == {"assignee_id": str(world.manager_it.id)}
    assert ids_of(client.get(f"{VIEWS}/{view['id']}/requests", headers=world.manager_it.headers)) == {spread["ala_it"]}
    assert ids_of(client.get(f"{VIEWS}/{view['id']}/requests", headers=world.admin_ast.headers)) == set()


# --- counts ----------------------------------------------------------------------------------------

def _bulk_requests(app, world, n, **columns):
    now = datetime.now(UTC)
    with app.app_context():
        db.session.execute(sa.insert(ServiceRequest), [
            {"title": f"Bulk {i}", "description": "", "category_code": "FAC-AC", "department_code": "FAC",
             "priority": "normal", "status": "new", "office_id": world.ala, "routed_by": "manual",
             "author_id": world.employee.id, "created_at": now - timedelta(seconds=i),
             "updated_at": now, "version": 1, **columns}
            for i in range(n)])
        db.session.commit()


def test_counts_stop_at_the_cap_and_say_so(app, client, world):
    _bulk_requests(app, world, COUNT_CAP - 1, priority="high")
    _bulk_requests(app, world, 2, priority="low")
    everything = make_view(client, world.admin, name="All", filters={})
    high = make_view(client, world.admin, name="High", filters={"priority": "high"})
    low = make_view(client, world.admin, name="Low", filters={"priority": "low"})
    none = make_view(client, world.admin, name="Closed", filters={"status": "closed"})
    counts = counts_of(client, world.admin)
    assert counts == {everything["id"]: (COUNT_CAP, True), high["id"]: (COUNT_CAP - 1, False),
                      low["id"]: (2, False), none["id"]: (0, False)}
    # In the caller's scope: the same views count nothing for the administrator of Astana.
    shared = client.patch(f"{VIEWS}/{everything['id']}", json={"shared": True}, headers=world.admin.headers)
    assert shared.status_code == 200
    assert counts_of(client, world.admin_ast) == {everything["id"]: (0, False)}
    assert counts_of(client, world.admin_ala) == {everything["id"]: (COUNT_CAP, True)}


def test_counts_of_a_caller_without_views_are_empty(client, world):
    assert counts_of(client, world.manager_it) == {}


def test_counts_leave_out_a_view_the_list_no_longer_accepts(app, client, world, submit):
    submit()
    good = make_view(client, world.admin, name="Good", filters={"status": "new"})
    stale = make_view(client, world.admin, name="Stale", filters={"status": "new"})
    with app.app_context():
        db.session.get(SavedView, stale["id"]).filters = {"status": "archived"}
        db.session.commit()
    assert counts_of(client, world.admin) == {good["id"]: (1, False)}
    error = assert_error(client.get(f"{VIEWS}/{stale['id']}/requests", headers=world.admin.headers), 422)
    assert "status" in error["details"]


# --- demo data ---------------------------------------------------------------------------------------

def test_seed_demo_adds_views_once(app, runner, client, login):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "created view" not in second.output
    admin = {"Authorization": f"Bearer {login('demo-admin', 'demo12345')['access_token']}"}
    manager = {"Authorization": f"Bearer {login('demo-manager', 'demo12345')['access_token']}"}
    admin_views = {v["name"]: v for v in client.get(VIEWS, headers=admin).get_json()["items"]}
    assert {"Срочные", "Новые в Алматы"} <= set(admin_views)
    assert admin_views["Новые в Алматы"]["shared"] is True
    manager_views = {v["name"] for v in client.get(VIEWS, headers=manager).get_json()["items"]}
    assert "Новые в Алматы" in manager_views and "Open in my departments" in manager_views
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SavedView)) == len(
            set(admin_views) | manager_views) + ("Мои открытые" in admin_views and "Мои открытые" in manager_views)
    counted = client.get(f"{VIEWS}/counts", headers=manager).get_json()["items"]
    assert len(counted) == len(manager_views)


def test_a_view_of_a_request_the_caller_lost_sight_of(client, world, submit):
    """The point of reading filters at read time: the admin's view, read by a manager, leaves out the
    request the manager cannot open, and shows it again to the admin."""
    rid = submit(title="Somewhere", location=ALA_POINT, category="IT-PC")["id"]
    view = make_view(client, world.admin, name="IT", shared=True, filters={"category": "IT-PC"})
    assert ids_of(client.get(f"{VIEWS}/{view['id']}/requests", headers=world.admin.headers)) == {rid}
    assert ids_of(client.get(f"{VIEWS}/{view['id']}/requests", headers=world.manager_fac_ala.headers)) == set()
    assert_error(client.get(f"/api/v1/requests/{rid}", headers=world.manager_fac_ala.headers), 404)


def test_my_data_lists_the_views_i_made_and_no_one_elses(client, world):
    mine = make_view(client, world.admin, name="Mine", filters={"status": "new"}, shared=True)
    make_view(client, world.admin_ala, name="Theirs", shared=True)
    data = client.get("/api/v1/me/data", headers=world.admin.headers).get_json()
    assert [(v["id"], v["name"], v["filters"], v["shared"]) for v in data["views"]] == [
        (mine["id"], "Mine", {"status": "new"}, True)]
    assert client.get("/api/v1/me/data", headers=world.manager_it.headers).get_json()["views"] == []
