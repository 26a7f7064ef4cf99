"""Edits with If-Match, assignment and re-routing, idempotent creation, and bad input."""
import threading

import pytest
import sqlalchemy as sa

from service_app.extensions import db
from service_requests.models import IdempotencyKey, RequestEvent, ServiceRequest
from tests.support.places import ALA_POINT, AST_POINT


def count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


class TestIfMatch:
    def test_missing_if_match_is_428(self, client, submit, world):
        rid = submit()["id"]
        response = client.patch(f"/api/v1/requests/{rid}", json={"priority": "low"}, headers=world.admin.headers)
        assert response.status_code == 428 and response.get_json()["error"]["code"] == "precondition_required"

    def test_stale_if_match_is_412_and_changes_nothing(self, client, submit, world, etag_of):
        rid = submit()["id"]
        stale = etag_of(rid)
        assert client.patch(f"/api/v1/requests/{rid}", json={"priority": "high"},
                            headers={**world.admin.headers, "If-Match": stale}).status_code == 200
        response = client.patch(f"/api/v1/requests/{rid}", json={"priority": "low"},
                                headers={**world.admin.headers, "If-Match": stale})
        assert response.status_code == 412 and response.get_json()["error"]["code"] == "precondition_failed"
        assert client.get(f"/api/v1/requests/{rid}", headers=world.admin.headers).get_json()["priority"] == "high"

    def test_etag_changes_with_every_change(self, client, submit, world, etag_of):
        rid = submit()["id"]
        first = etag_of(rid)
        client.post(f"/api/v1/requests/{rid}/status", json={"status": "in_progress"}, headers=world.admin.headers)
        assert etag_of(rid) != first
        stale = client.post(f"/api/v1/requests/{rid}/status", json={"status": "waiting"},
                            headers={**world.admin.headers, "If-Match": first})
        assert stale.status_code == 412

    def test_author_edits_words_only_while_new(self, client, submit, world, etag_of):
        rid = submit()["id"]
        ok = client.patch(f"/api/v1/requests/{rid}", json={"title": "AC is leaking", "description": "Water on floor"},
                          headers={**world.employee.headers, "If-Match": etag_of(rid)})
        assert ok.status_code == 200 and ok.get_json()["title"] == "AC is leaking"
        assert ok.headers["ETag"] == etag_of(rid)
        client.post(f"/api/v1/requests/{rid}/status", json={"status": "in_progress"}, headers=world.admin.headers)
        late = client.patch(f"/api/v1/requests/{rid}", json={"title": "Changed later"},
                            headers={**world.employee.headers, "If-Match": etag_of(rid)})
        assert late.status_code == 409


class TestTriage:
    def patch(self, client, who, rid, etag, **body):
        return client.patch(f"/api/v1/requests/{rid}", json=body, headers={**who.headers, "If-Match": etag})

    def test_assign_to_staff_in_scope(self, client, submit, world, etag_of):
        rid = submit()["id"]
        response = self.patch(client, world.admin, rid, etag_of(rid), assignee_id=world.manager_fac_ala.id)
        assert response.status_code == 200 and response.get_json()["assignee"]["id"] == world.manager_fac_ala.id
        events = client.get(f"/api/v1/requests/{rid}/events", headers=world.admin.headers).get_json()["items"]
        assert events[-1]["event"] == "assigned" and events[-1]["data"]["assignee"]["id"] == world.manager_fac_ala.id
        unassign = self.patch(client, world.admin, rid, etag_of(rid), assignee_id=None)
        assert unassign.get_json()["assignee"] is None

    @pytest.mark.parametrize("who", ["employee", "manager_it", "admin_ast"])
    def test_assignee_must_be_staff_covering_the_request(self, client, submit, world, etag_of, who):
        rid = submit()["id"]
        response = self.patch(client, world.admin, rid, etag_of(rid), assignee_id=getattr(world, who).id)
        assert response.status_code == 422 and "assignee_id" in response.get_json()["error"]["details"]

    def test_reroute_is_manual_and_recorded(self, client, submit, world, etag_of):
        rid = submit()["id"]
        response = self.patch(client, world.admin, rid, etag_of(rid), office_id=world.ast)
        body = response.get_json()
        assert body["office"]["code"] == "AST" and body["routed_by"] == "manual"
        events = client.get(f"/api/v1/requests/{rid}/events", headers=world.admin.headers).get_json()["items"]
        assert events[-1]["event"] == "rerouted" and events[-1]["data"]["to"]["code"] == "AST"
        # The Almaty administrator no longer sees it.
        assert client.get(f"/api/v1/requests/{rid}", headers=world.admin_ala.headers).status_code == 404

    def test_recategorising_moves_the_department(self, client, submit, world, etag_of):
        rid = submit()["id"]
        body = self.patch(client, world.admin, rid, etag_of(rid), category="IT-PC").get_json()
        assert body["category"] == "IT-PC" and body["department"]["code"] == "IT"
        assert client.get(f"/api/v1/requests/{rid}", headers=world.manager_it.headers).status_code == 200

    @pytest.mark.parametrize("body, field", [
        ({"category": "OLD"}, "category"), ({"category": "NOPE"}, "category"),
        ({"office_id": 9999}, "office_id"), ({"priority": "asap"}, "priority"),
        ({"assignee_id": "1"}, "assignee_id"), ({"status": "closed"}, "status"), ({}, "_schema"),
    ])
    def test_bad_edits(self, client, app, submit, world, etag_of, body, field):
        rid = submit()["id"]
        events_before = count(app, RequestEvent)
        response = self.patch(client, world.admin, rid, etag_of(rid), **body)
        assert response.status_code == 422 and field in response.get_json()["error"]["details"]
        assert count(app, RequestEvent) == events_before
        assert client.get(f"/api/v1/requests/{rid}", headers=world.admin.headers).get_json()["version"] == 1


class TestIdempotency:
    BODY = {"title": "No toner", "category": "IT-PC", "location": ALA_POINT}

    def post(self, client, who, key, body=None):
        return client.post("/api/v1/requests", json=body or self.BODY, headers={**who.headers, "Idempotency-Key": key})

    def test_same_key_same_body_gives_the_same_request(self, client, app, world):
        first = self.post(client, world.employee, "retry-1")
        second = self.post(client, world.employee, "retry-1", dict(reversed(list(self.BODY.items()))))
        assert first.status_code == second.status_code == 201
        assert first.get_json()["id"] == second.get_json()["id"]
        assert second.headers["Idempotent-Replayed"] == "true"
        assert count(app, ServiceRequest) == 1

    def test_same_key_other_body_is_409(self, client, app, world):
        self.post(client, world.employee, "retry-2")
        response = self.post(client, world.employee, "retry-2", {**self.BODY, "title": "Other"})
        assert response.status_code == 409 and response.get_json()["error"]["code"] == "idempotency_key_reused"
        assert count(app, ServiceRequest) == 1

    def test_keys_are_per_user(self, client, app, world):
        a = self.post(client, world.employee, "shared-key").get_json()["id"]
        b = self.post(client, world.other_employee, "shared-key").get_json()["id"]
        assert a != b and count(app, IdempotencyKey) == 2

    @pytest.mark.parametrize("key", ["", "x" * 201, "ключ", "tab\there"])
    def test_malformed_key_is_400(self, client, app, world, key):
        response = client.post("/api/v1/requests", json=self.BODY,
                               headers={**world.employee.headers, "Idempotency-Key": key})
        assert response.status_code == 400
        assert count(app, ServiceRequest) == 0

    def test_concurrent_identical_retries_make_one_request(self, app, world):
        """Two threads post the same key at once: one request, both answers name it, no 500."""
        barrier = threading.Barrier(8)
        results = []

        def worker():
            client = app.test_client()
            barrier.wait()
            response = client.post("/api/v1/requests", json=self.BODY,
                                   headers={**world.employee.headers, "Idempotency-Key": "burst"})
            results.append((response.status_code, response.get_json().get("id")))

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert {status for status, _ in results} == {201}, results
        assert len({rid for _, rid in results}) == 1
        assert count(app, ServiceRequest) == 1


@pytest.mark.parametrize("change, field", [
    ({"title": None}, "title"), ({"title": ""}, "title"), ({"title": "ab"}, "title"), ({"title": "x" * 201}, "title"),
    ({"title": 5}, "title"), ({"description": "x" * 5001}, "description"), ({"category": None}, "category"),
    ({"category": "NOPE"}, "category"), ({"category": "OLD"}, "category"), ({"priority": "asap"}, "priority"),
    ({"location": {"lat": 91, "lon": 76.9}}, "location"), ({"location": {"lat": 43.2, "lon": 181}}, "location"),
    ({"location": {"lat": "43.2", "lon": "x"}}, "location"), ({"location": {"lat": 43.2}}, "location"),
    ({"location": [43.2, 76.9]}, "location"), ({"office_id": 9999}, "office_id"), ({"office_id": "1"}, "office_id"),
    ({"author_id": 1}, "author_id"), ({"status": "closed"}, "status"),
    ({"location": {"lat": 76.91, "lon": 43.21}}, "lat"),
])
def test_bad_create_bodies_write_nothing(client, app, world, change, field):
    body = {"title": "AC is broken", "category": "FAC-AC", "location": ALA_POINT, **change}
    body = {k: v for k, v in body.items() if not (k == "category" and v is None and "category" not in change)}
    response = client.post("/api/v1/requests", json=body, headers=world.employee.headers)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["details"]
    assert count(app, ServiceRequest) == 0 and count(app, RequestEvent) == 0


def test_missing_title_and_category(client, world):
    response = client.post("/api/v1/requests", json={}, headers=world.employee.headers)
    assert response.status_code == 422
    assert {"title", "category"} <= set(response.get_json()["error"]["details"])


def test_staff_submit_too(client, submit, world):
    req = submit(who=world.manager_it, location=AST_POINT)
    assert req["author"]["id"] == world.manager_it.id
    assert client.get(f"/api/v1/requests/{req['id']}", headers=world.manager_it.headers).status_code == 200
