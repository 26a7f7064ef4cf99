"""Hostile input, "Smaller" part of the hardening issue: antimeridian geofences,
an unbounded ``/me/data``, and racing idempotent ``PUT /sla-policies``. Through HTTP,
on SQLite and PostgreSQL (the thread race on PostgreSQL only)."""
import threading

import pytest
import sqlalchemy as sa

from notifications.models import Notification
from offices.models import Office
from service_app.extensions import db
from service_requests.models import Comment, ServiceRequest, SlaPolicy

BAND_POINT = "lat=45.2&lon=10.0"  # far from every office, inside the band a wrapped geofence would cover


def crossing_box():
    """2° wide across ±180 as the author meant it; read the planar way it spans 358°."""
    return {"type": "Polygon", "coordinates": [[[179, 45], [-179, 45], [-179, 45.5], [179, 45.5], [179, 45]]]}


def wrapped_band():
    """No edge crosses ±180, but the shape runs 358° of longitude the long way round."""
    return {"type": "Polygon", "coordinates": [[[-179, 45], [0, 45], [179, 45], [179, 45.5], [0, 45.5],
                                                [-179, 45.5], [-179, 45]]]}


def office_rows(app):
    with app.app_context():
        return [(o.id, o.code, o.geofence) for o in db.session.scalars(sa.select(Office).order_by(Office.id))]


def route(client, who):
    response = client.get(f"/api/v1/offices/route?{BAND_POINT}", headers=who.headers)
    assert response.status_code == 200
    return response.get_json()["office"]


def assert_invalid_geometry(response, *words):
    assert response.status_code == 422 and response.is_json
    error = response.get_json()["error"]
    assert error["code"] == "invalid_geometry" and "geofence" in error["details"]
    for word in words:
        assert word in error["message"]


@pytest.mark.parametrize("geofence, words", [(crossing_box, ("antimeridian", "RFC 7946")),
                                             (wrapped_band, ("km wide", "358° of longitude"))])
def test_smaller_antimeridian_geofence_on_post_is_422_invalid_geometry_and_writes_nothing(
        app, client, world, geofence, words):
    before, routed_before = office_rows(app), route(client, world.admin)
    assert routed_before is None
    response = client.post("/api/v1/offices", json={"code": "BAND", "name": "Band", "geofence": geofence()},
                           headers=world.admin.headers)
    assert_invalid_geometry(response, *words)
    assert office_rows(app) == before
    assert route(client, world.admin) is None


@pytest.mark.parametrize("geofence, words", [(crossing_box, ("antimeridian",)),
                                             (wrapped_band, ("358° of longitude",))])
def test_smaller_antimeridian_geofence_on_patch_is_422_invalid_geometry_and_writes_nothing(
        app, client, world, geofence, words):
    before = office_rows(app)
    response = client.patch(f"/api/v1/offices/{world.ala}", json={"geofence": geofence()},
                            headers=world.admin.headers)
    assert_invalid_geometry(response, *words)
    assert office_rows(app) == before
    assert route(client, world.admin) is None
    at_almaty = client.get("/api/v1/offices/route?lat=43.21&lon=76.91", headers=world.admin.headers).get_json()
    assert at_almaty["office"]["code"] == "ALA"


def test_smaller_geofence_cut_at_the_antimeridian_is_accepted_and_routes_only_there(client, world):
    east = [[179.9, 45], [180, 45], [180, 45.1], [179.9, 45.1], [179.9, 45]]
    west = [[-180, 45], [-179.9, 45], [-179.9, 45.1], [-180, 45.1], [-180, 45]]
    response = client.post("/api/v1/offices", json={"code": "DATE", "name": "Dateline", "geofence": {
        "type": "MultiPolygon", "coordinates": [[east], [west]]}}, headers=world.admin.headers)
    assert response.status_code == 201, response.get_json()
    for lon in (179.95, -179.95):
        found = client.get(f"/api/v1/offices/route?lat=45.05&lon={lon}", headers=world.admin.headers).get_json()
        assert found["office"]["code"] == "DATE" and found["matched_by"] == "geofence"
    assert route(client, world.admin) is None


# --- /me/data ---------------------------------------------------------------------------------------------

BUSY = 45


@pytest.fixture
def busy(app, world, submit):
    """The employee with ``BUSY`` requests, one comment on each and one notification each (bulk-inserted)."""
    first = submit()["id"]
    me = world.employee.id
    with app.app_context():
        row = db.session.get(ServiceRequest, first)
        generated = ("id", "search_vector")  # the database makes these
        columns = {c.key: getattr(row, c.key) for c in sa.inspect(ServiceRequest).column_attrs if c.key not in generated}
        db.session.execute(sa.insert(ServiceRequest), [dict(columns, title=f"Request {i}") for i in range(BUSY - 1)])
        ids = list(db.session.scalars(sa.select(ServiceRequest.id).where(ServiceRequest.author_id == me)))
        db.session.execute(sa.insert(Comment), [{"request_id": i, "author_id": me, "body": f"comment on {i}",
                                                 "internal": False} for i in ids])
        db.session.execute(sa.insert(Notification), [{"user_id": me, "event": "status_changed", "request_id": i,
                                                      "title": "Updated", "body": f"request {i}", "data": {}}
                                                     for i in ids])
        db.session.commit()
        held = {"requests": set(ids),
                "comments": set(db.session.scalars(sa.select(Comment.id).where(Comment.author_id == me))),
                "notifications": set(db.session.scalars(sa.select(Notification.id)
                                                        .where(Notification.user_id == me)))}
    assert all(len(v) == BUSY for v in held.values())
    return held


@pytest.mark.parametrize("limit", [None, 7, 100])
def test_smaller_me_data_of_a_busy_account_is_paged_and_every_page_adds_up_to_everything(client, world, busy, limit):
    size = limit or 20
    query = f"?limit={limit}" if limit else ""
    answer = client.get(f"/api/v1/me/data{query}", headers=world.employee.headers)
    assert answer.status_code == 200
    first = answer.get_json()
    got = {name: [item["id"] for item in first[name]] for name in busy}
    assert all(len(items) <= size for items in got.values())
    assert first["profile"]["id"] == world.employee.id
    for name in busy:
        cursor, pages = first["next_cursors"][name], 1
        while cursor:
            page = client.get(f"/api/v1/me/data/{name}?limit={size}&cursor={cursor}", headers=world.employee.headers)
            assert page.status_code == 200
            items = page.get_json()["items"]
            assert 0 < len(items) <= size
            got[name] += [item["id"] for item in items]
            cursor, pages = page.get_json()["next_cursor"], pages + 1
        assert pages == -(-BUSY // size)
        assert len(got[name]) == BUSY and set(got[name]) == busy[name]


@pytest.mark.parametrize("path, status, code", [
    ("/api/v1/me/data/secrets", 404, "not_found"),
    ("/api/v1/me/data/requests?cursor=bm90LWEtY3Vyc29y", 400, "bad_request"),
    ("/api/v1/me/data/notifications?cursor=WyJvZmZzZXQiLCAtNV0", 400, "bad_request"),
    ("/api/v1/me/data?limit=100000", 422, "validation_error"),
    ("/api/v1/me/data/comments?limit=0", 422, "validation_error"),
])
def test_smaller_me_data_refuses_bad_sections_cursors_and_limits_with_json(client, world, busy, path, status, code):
    response = client.get(path, headers=world.employee.headers)
    assert response.status_code == status and response.is_json
    assert response.get_json()["error"]["code"] == code


def test_smaller_me_data_pages_hold_only_the_callers_data(client, world, busy):
    first = client.get("/api/v1/me/data?limit=5", headers=world.employee.headers).get_json()
    cursor = first["next_cursors"]["comments"]
    other = client.get(f"/api/v1/me/data/comments?limit=5&cursor={cursor}", headers=world.other_employee.headers)
    assert other.status_code == 200 and other.get_json() == {"items": [], "next_cursor": None}


# --- PUT /sla-policies ------------------------------------------------------------------------------------

TARGETS = {"response_minutes": 30, "resolution_minutes": 480}


def policy_rows(app, priority, category=None):
    with app.app_context():
        return list(db.session.execute(
            sa.select(SlaPolicy.response_minutes, SlaPolicy.resolution_minutes)
            .where(SlaPolicy.priority == priority,
                   SlaPolicy.category_code.is_(None) if category is None else SlaPolicy.category_code == category)))


@pytest.mark.parametrize("category", [None, "FAC-AC"])
def test_smaller_repeated_identical_sla_policy_puts_are_200_and_keep_one_row(app, client, world, category):
    url = "/api/v1/sla-policies/high" + (f"?category={category}" if category else "")
    for _ in range(3):
        response = client.put(url, json=TARGETS, headers=world.admin.headers)
        assert response.status_code == 200, response.get_json()
        assert response.get_json() == {"priority": "high", "category": category, **TARGETS}
    assert policy_rows(app, "high", category) == [(30, 480)]
    changed = client.put(url, json={"response_minutes": 60, "resolution_minutes": 600}, headers=world.admin.headers)
    assert changed.status_code == 200 and policy_rows(app, "high", category) == [(60, 600)]


def test_smaller_refused_sla_policy_put_writes_nothing(app, client, world):
    response = client.put("/api/v1/sla-policies/high", json={"response_minutes": 60, "resolution_minutes": 10},
                          headers=world.admin.headers)
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "validation_error"
    assert policy_rows(app, "high") == []


THREADS = 8


@pytest.mark.postgres_only
@pytest.mark.parametrize("priority, category", [(p, c) for c in (None, "FAC-AC", "IT-PC")
                                                for p in ("low", "normal", "high", "urgent")])
def test_smaller_concurrent_identical_sla_policy_puts_all_answer_200_with_one_row(app, world, priority, category):
    url = f"/api/v1/sla-policies/{priority}" + (f"?category={category}" if category else "")
    start = threading.Barrier(THREADS)
    answers = [None] * THREADS

    def put(slot):
        client = app.test_client()
        start.wait()
        response = client.put(url, json=TARGETS, headers=world.admin.headers)
        answers[slot] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=put, args=(slot,)) for slot in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in answers] == [200] * THREADS, answers
    assert policy_rows(app, priority, category) == [(30, 480)]
