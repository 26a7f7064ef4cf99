"""GET /sync (API.md, the mobile apps' contract): a full sync in pages, then only what changed,
never a change missed (out-of-order commits included), removals from view, expiry, bad cursors."""
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from service_app.database import utcnow
from service_app.extensions import db
from service_requests.mobile import sync as sync_module
from service_requests.models import ServiceRequest
from tests.support.api import all_rows, assert_error, move
from tests.support.photos import gps_photo, upload
from tests.support.places import AST_POINT


def sync(client, who, cursor=None, limit=None, status=200):
    query = {k: v for k, v in (("cursor", cursor), ("limit", limit)) if v is not None}
    response = client.get("/api/v1/sync", query_string=query, headers=who.headers)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def sync_all(client, who, cursor=None, limit=None):
    """Follow ``has_more`` to the end; returns (every page's requests, removed, notifications, last cursor)."""
    requests, removed, notes = [], [], []
    while True:
        page = sync(client, who, cursor, limit)
        requests += page["requests"]
        removed += page["removed"]
        notes += page["notifications"]
        cursor = page["cursor"]
        if not page["has_more"]:
            return requests, removed, notes, cursor


def ids(items):
    return [item["id"] for item in items]


def test_full_sync_pages_through_exactly_what_the_caller_sees(client, world, submit):
    mine = [submit()["id"] for _ in range(3)]
    submit(world.other_employee)
    first = sync(client, world.employee, limit=2)
    assert ids(first["requests"]) == mine[:2] and first["has_more"] is True
    assert set(first) == {"requests", "removed", "notifications", "unread_notifications", "cursor", "has_more"}
    second = sync(client, world.employee, first["cursor"], limit=2)
    assert ids(second["requests"]) == mine[2:] and second["has_more"] is False
    # Up to date: the next sync brings nothing.
    assert sync(client, world.employee, second["cursor"])["requests"] == []


def test_full_sync_carries_the_newest_notifications_and_the_unread_count(client, world, submit):
    rid = submit()["id"]
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "on my way"}, headers=world.admin.headers)
    page = sync(client, world.employee)
    assert [n["event"] for n in page["notifications"]] == ["comment_added"]
    assert page["unread_notifications"] == 1


@pytest.mark.parametrize("change", ["field", "status", "assignment", "comment", "photo", "sla", "title"])
def test_each_kind_of_change_comes_once(client, app, world, submit, etag_of, change):
    rid = submit()["id"]
    other = submit()["id"]
    _, _, _, cursor = sync_all(client, world.employee)
    if change == "field":
        client.patch(f"/api/v1/requests/{rid}", json={"priority": "high"},
                     headers={**world.admin.headers, "If-Match": etag_of(rid)})
    elif change == "status":
        move(client, world.admin, rid, "in_progress")
    elif change == "assignment":
        client.patch(f"/api/v1/requests/{rid}", json={"assignee_id": world.admin_ala.id},
                     headers={**world.admin.headers, "If-Match": etag_of(rid)})
    elif change == "comment":
        client.post(f"/api/v1/requests/{rid}/comments", json={"body": "noted"}, headers=world.admin.headers)
    elif change == "photo":
        assert upload(client, world.employee, rid, gps_photo()).status_code == 201
    elif change == "sla":
        with app.app_context():
            db.session.get(ServiceRequest, rid).response_breached = True
            db.session.commit()
    elif change == "title":
        client.patch(f"/api/v1/requests/{rid}", json={"title": "AC is very broken"},
                     headers={**world.employee.headers, "If-Match": etag_of(rid, world.employee)})
    requests, removed, _, cursor = sync_all(client, world.employee, cursor)
    assert ids(requests) == [rid] and removed == []
    assert other not in ids(requests)
    assert sync(client, world.employee, cursor)["requests"] == []


def test_notifications_come_when_created_and_again_when_read(client, world, submit):
    rid = submit()["id"]
    _, _, _, cursor = sync_all(client, world.employee)
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "on my way"}, headers=world.admin.headers)
    page = sync(client, world.employee, cursor)
    assert [(n["event"], n["read_at"]) for n in page["notifications"]] == [("comment_added", None)]
    assert page["unread_notifications"] == 1
    assert client.post("/api/v1/notifications/read-all", headers=world.employee.headers).status_code == 204
    page = sync(client, world.employee, page["cursor"])
    assert len(page["notifications"]) == 1 and page["notifications"][0]["read_at"] is not None
    assert page["unread_notifications"] == 0
    # Nobody else's feed leaks into a sync.
    assert sync(client, world.other_employee)["notifications"] == []


def test_a_request_rerouted_out_of_scope_is_removed_and_appears_for_the_new_office(client, world, submit, etag_of):
    rid = submit()["id"]
    _, _, _, ala_cursor = sync_all(client, world.admin_ala)
    _, _, _, ast_cursor = sync_all(client, world.admin_ast)
    response = client.patch(f"/api/v1/requests/{rid}", json={"office_id": world.ast},
                            headers={**world.admin.headers, "If-Match": etag_of(rid)})
    assert response.status_code == 200
    requests, removed, _, _ = sync_all(client, world.admin_ala, ala_cursor)
    assert removed == [rid] and requests == []
    requests, removed, _, _ = sync_all(client, world.admin_ast, ast_cursor)
    assert ids(requests) == [rid] and removed == []
    # The author still sees it: changed, not removed.
    assert ids(sync(client, world.employee)["requests"]) == [rid]


def test_a_recategorised_request_leaves_its_assignees_view(client, world, submit, etag_of):
    """Re-categorised out of the assignee's department scope: unassigned, and gone from their phone."""
    rid = submit()["id"]
    response = client.patch(f"/api/v1/requests/{rid}", json={"assignee_id": world.manager_fac_ala.id},
                            headers={**world.admin.headers, "If-Match": etag_of(rid)})
    assert response.status_code == 200, response.get_json()
    requests, _, _, cursor = sync_all(client, world.manager_fac_ala)
    assert rid in ids(requests)
    response = client.patch(f"/api/v1/requests/{rid}", json={"category": "IT-PC"},
                            headers={**world.admin.headers, "If-Match": etag_of(rid)})
    assert response.status_code == 200 and response.get_json()["assignee"] is None
    requests, removed, _, _ = sync_all(client, world.manager_fac_ala, cursor)
    assert removed == [rid] and requests == []


def test_an_anonymised_request_is_removed_from_its_former_authors_phone(app, client, world, submit, runner):
    rid = submit()["id"]
    move(client, world.employee, rid, "cancelled")
    _, _, _, cursor = sync_all(client, world.employee)
    with app.app_context():
        db.session.get(ServiceRequest, rid).closed_at = utcnow() - timedelta(days=1900)
        db.session.commit()
    assert "requests anonymised: 1" in runner.invoke(args=["retention", "run"]).output
    requests, removed, _, _ = sync_all(client, world.employee, cursor)
    assert removed == [rid] and requests == []


def test_changes_out_of_sight_never_reach_the_caller(client, world, submit, etag_of):
    """Another office's request changing, and moving between offices the caller does not see: nothing."""
    rid = submit(location=AST_POINT)["id"]
    _, _, _, cursor = sync_all(client, world.admin_ala)
    move(client, world.admin, rid, "in_progress")
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "x"}, headers=world.admin.headers)
    requests, removed, notes, _ = sync_all(client, world.admin_ala, cursor)
    assert requests == [] and removed == [] and notes == []
    _, _, _, cursor = sync_all(client, world.other_employee)
    requests, removed, _, _ = sync_all(client, world.other_employee, cursor)
    assert requests == [] and removed == []


def test_paging_through_many_changes_misses_none(client, world, submit):
    rids = [submit()["id"] for _ in range(5)]
    _, _, _, cursor = sync_all(client, world.employee)
    for rid in rids:
        client.post(f"/api/v1/requests/{rid}/comments", json={"body": "still broken"}, headers=world.employee.headers)
    first = sync(client, world.employee, cursor, limit=2)
    assert first["has_more"] is True
    # A change committed between two pages of one sync waits for the next sync, and is not lost.
    extra = submit()["id"]
    requests, _, _, cursor = sync_all(client, world.employee, first["cursor"], limit=2)
    assert sorted(set(ids(first["requests"]) + ids(requests))) == rids
    requests, _, _, _ = sync_all(client, world.employee, cursor)
    assert ids(requests) == [extra]


def test_a_cursor_older_than_sync_cursor_days_is_410(client, world, submit, monkeypatch):
    submit()
    cursor = sync(client, world.employee)["cursor"]
    later = time.time() + 31 * 86_400
    monkeypatch.setattr(sync_module.time, "time", lambda: later)
    assert_error(client.get("/api/v1/sync", query_string={"cursor": cursor}, headers=world.employee.headers),
                 410, "sync_expired")


def test_a_changed_scope_voids_the_cursor(client, world, submit):
    submit()
    cursor = sync(client, world.admin_ala)["cursor"]
    response = client.patch(f"/api/v1/users/{world.admin_ala.id}", json={"office_ids": [world.ast]},
                            headers=world.admin.headers)
    assert response.status_code == 200, response.get_json()
    assert_error(client.get("/api/v1/sync", query_string={"cursor": cursor}, headers=world.admin_ala.headers),
                 410, "sync_expired")


@pytest.mark.parametrize("cursor", ["", "x", "eyJ1IjoxfQ.forged", "a" * 5000, "\x00", "ImZ1bGwi.AAAA"])
def test_forged_or_damaged_cursors_are_400(app, client, world, submit, cursor):
    submit()
    before = all_rows(app)
    response = client.get("/api/v1/sync", query_string={"cursor": cursor}, headers=world.employee.headers)
    if cursor == "":
        assert response.status_code == 200  # no cursor: a full sync
    elif len(cursor) > 4096:
        assert_error(response, 422, "validation_error")
    else:
        assert_error(response, 400, "bad_request")
    assert all_rows(app) == before


def test_someone_elses_cursor_is_400_and_gives_nothing(client, world, submit):
    submit()
    cursor = sync(client, world.employee)["cursor"]
    error = assert_error(client.get("/api/v1/sync", query_string={"cursor": cursor},
                                    headers=world.other_employee.headers), 400, "bad_request")
    assert "cursor" in error["details"]


@pytest.mark.parametrize("limit", [0, -1, 501, "ten"])
def test_limit_out_of_range_is_422(client, world, limit):
    assert_error(client.get("/api/v1/sync", query_string={"limit": limit}, headers=world.employee.headers),
                 422, "validation_error")


def test_sync_needs_a_token(client):
    assert_error(client.get("/api/v1/sync"), 401)


@pytest.mark.postgres_only
def test_a_slow_transaction_committing_after_a_faster_one_is_not_missed(app, client, world, submit):
    """Two transactions commit out of order: A takes its change-log id first, B commits first.

    A sync between B's and A's commits returns B; the next sync must still return A,
    although A's row has a smaller id than B's.
    """
    slow, fast = submit()["id"], submit()["id"]
    _, _, _, cursor = sync_all(client, world.employee)
    with app.app_context():
        slow_session = Session(db.engine)
        try:
            slow_session.get(ServiceRequest, slow).rating = None
            slow_session.get(ServiceRequest, slow).description = "written slowly"
            slow_session.flush()  # A: its change-log row exists, uncommitted
            slow_id = slow_session.scalar(sa.text("SELECT max(id) FROM sync_changes WHERE request_id = :r"),
                                          {"r": slow})
            fast_done = threading.Event()

            def fast_change():
                client.post(f"/api/v1/requests/{fast}/comments", json={"body": "quick"},
                            headers=world.employee.headers)
                fast_done.set()

            worker = threading.Thread(target=fast_change)
            worker.start()
            worker.join(timeout=30)
            assert fast_done.is_set()
            with db.engine.connect() as conn:
                fast_id = conn.scalar(sa.text("SELECT max(id) FROM sync_changes WHERE request_id = :r"), {"r": fast})
            assert slow_id < fast_id  # the order of ids is not the order of commits
            requests, _, _, cursor = sync_all(client, world.employee, cursor)
            assert ids(requests) == [fast]
            slow_session.commit()  # A commits last
        finally:
            slow_session.close()
    requests, _, _, _ = sync_all(client, world.employee, cursor)
    assert ids(requests) == [slow]


def test_sync_writes_nothing(app, client, world, submit):
    submit()
    before = all_rows(app)
    cursor = sync(client, world.employee)["cursor"]
    sync(client, world.employee, cursor)
    assert all_rows(app) == before


def test_a_new_name_of_the_author_or_office_reaches_staff(app, client, world, submit):
    rid = submit()["id"]
    _, _, _, cursor = sync_all(client, world.admin)
    client.patch(f"/api/v1/users/{world.employee.id}", json={"full_name": "Aigerim Bekova"},
                 headers=world.admin.headers)
    requests, _, _, cursor = sync_all(client, world.admin, cursor)
    assert [(r["id"], r["author"]["full_name"]) for r in requests] == [(rid, "Aigerim Bekova")]
    client.patch(f"/api/v1/offices/{world.ala}", json={"name": "Almaty HQ"}, headers=world.admin.headers)
    requests, _, _, _ = sync_all(client, world.admin, cursor)
    assert [(r["id"], r["office"]["name"]) for r in requests] == [(rid, "Almaty HQ")]


def test_an_internal_note_tells_staff_but_not_the_author(client, world, submit):
    rid = submit()["id"]
    _, _, _, employee_cursor = sync_all(client, world.employee)
    _, _, _, staff_cursor = sync_all(client, world.admin_ala)
    response = client.post(f"/api/v1/requests/{rid}/comments", json={"body": "check the drain", "internal": True},
                           headers=world.admin.headers)
    assert response.status_code == 201
    assert sync_all(client, world.employee, employee_cursor)[0] == []
    assert ids(sync_all(client, world.admin_ala, staff_cursor)[0]) == [rid]


def test_pages_hold_only_the_callers_changes(client, world, submit):
    """Busy colleagues do not make an employee page through their changes."""
    submit()
    _, _, _, cursor = sync_all(client, world.employee)
    for _ in range(5):
        submit(world.other_employee)
    page = sync(client, world.employee, cursor, limit=1)
    assert page["requests"] == [] and page["has_more"] is False


def test_a_change_after_a_rolled_back_savepoint_is_still_logged(app, client, world, submit):
    rid = submit()["id"]
    _, _, _, cursor = sync_all(client, world.employee)
    with app.app_context():
        req = db.session.get(ServiceRequest, rid)
        savepoint = db.session.begin_nested()
        req.description = "first try"
        db.session.flush()
        savepoint.rollback()
        db.session.get(ServiceRequest, rid).description = "second try"
        db.session.commit()
    assert ids(sync_all(client, world.employee, cursor)[0]) == [rid]


def test_a_move_made_without_reading_the_old_office_is_still_a_removal(app, client, world, submit):
    rid = submit()["id"]
    _, _, _, cursor = sync_all(client, world.admin_ala)
    with app.app_context():
        req = db.session.get(ServiceRequest, rid)
        db.session.commit()  # expires every attribute: the next set does not read the old value first
        req.office_id = world.ast
        db.session.commit()
    requests, removed, _, _ = sync_all(client, world.admin_ala, cursor)
    assert removed == [rid] and requests == []


def test_a_savepoint_whose_release_flush_fails_logs_nothing_of_its_changes(app, world, submit):
    """The release's own flush fails (and rolls the savepoint back): the rows collected inside the
    savepoint go with it, so the commit writes no sync row for a change that never happened."""
    from service_app.changes import SyncChange

    first, second = submit()["id"], submit()["id"]

    def rows_of(rid):
        return db.session.scalar(sa.select(sa.func.count()).select_from(SyncChange)
                                 .where(SyncChange.request_id == rid))

    with app.app_context():
        before = rows_of(first)
        with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
            db.session.get(ServiceRequest, first).description = "changed inside the savepoint"
            db.session.flush()
            db.session.get(ServiceRequest, second).title = None  # NOT NULL: the release's flush fails
        db.session.commit()
        assert rows_of(first) == before
        assert db.session.get(ServiceRequest, first).description != "changed inside the savepoint"
