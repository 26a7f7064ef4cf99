"""POST /requests/bulk: each item alone, with the error it would get alone; one push per recipient per call."""
import pytest
import sqlalchemy as sa

from notifications.models import Delivery, Notification
from service_app.audit import AuditEntry
from service_app.changes import SyncChange
from service_app.extensions import db
from service_requests.models import Comment, RequestEvent, ServiceRequest
from service_requests.staff import bulk
from tests.support.api import all_rows, assert_error, move
from tests.support.places import AST_POINT

URL = "/api/v1/requests/bulk"


def bulk_call(client, who, **body):
    return client.post(URL, json=body, headers=who.headers)


def results_of(response):
    assert response.status_code == 200, response.get_json()
    return {item["id"]: item for item in response.get_json()["results"]}


def events_of(app, request_id, event=None):
    with app.app_context():
        stmt = sa.select(RequestEvent).where(RequestEvent.request_id == request_id)
        if event:
            stmt = stmt.where(RequestEvent.event == event)
        return [(row.event, row.data) for row in db.session.scalars(stmt.order_by(RequestEvent.id))]


def register_devices(client, who, *tokens):
    for token in tokens:
        response = client.post("/api/v1/devices", json={"token": token, "platform": "android"}, headers=who.headers)
        assert response.status_code in (200, 201), response.get_json()


def deliveries_of(app, user_id):
    with app.app_context():
        return db.session.execute(sa.select(Delivery.token, Notification.event, Notification.data)
                                  .join(Notification, Notification.id == Delivery.notification_id)
                                  .where(Notification.user_id == user_id)).all()


def test_assign_each_item_with_its_own_events(app, client, world, submit):
    ids = [submit()["id"] for _ in range(3)]
    results = results_of(bulk_call(client, world.admin, ids=ids, action="assign", assignee_id=world.manager_fac_ala.id))
    assert all(results[i]["ok"] and results[i]["request"]["assignee"]["id"] == world.manager_fac_ala.id
               for i in ids)
    for rid in ids:
        assigned = events_of(app, rid, "assigned")
        assert len(assigned) == 1 and assigned[0][1]["assignee"]["id"] == world.manager_fac_ala.id
    # Unassigning: assignee_id null.
    results = results_of(bulk_call(client, world.admin, ids=ids[:1], action="assign", assignee_id=None))
    assert results[ids[0]]["ok"] and results[ids[0]]["request"]["assignee"] is None


def test_assignee_out_of_scope_fails_like_a_single_edit(client, world, submit):
    rid = submit()["id"]
    item = results_of(bulk_call(client, world.admin, ids=[rid], action="assign", assignee_id=world.manager_it.id))[rid]
    assert item == {"id": rid, "ok": False, "error": {
        "code": "validation_error", "message": item["error"]["message"]}}
    assert "assignee_id" in item["error"]["message"]


def test_status_mixing_ok_404_and_409(app, client, world, submit):
    fresh, done, mine = submit()["id"], submit()["id"], submit()["id"]
    assert move(client, world.employee, done, "cancelled").status_code == 200
    missing = 999_999
    response = bulk_call(client, world.admin, ids=[fresh, done, missing, mine], action="status", status="in_progress",
                    body="On our way")
    results = results_of(response)
    assert [item["id"] for item in response.get_json()["results"]] == [fresh, done, missing, mine]
    assert results[fresh]["ok"] and results[fresh]["request"]["status"] == "in_progress"
    assert results[mine]["ok"]
    assert results[done]["ok"] is False and results[done]["error"]["code"] == "invalid_transition"
    single = move(client, world.admin, done, "in_progress").get_json()["error"]
    assert results[done]["error"]["message"] == single["message"]
    assert results[missing] == {"id": missing, "ok": False,
                                "error": {"code": "not_found", "message": results[missing]["error"]["message"]}}
    # The refused item wrote nothing: no event, no comment, no sync log row since the bulk call.
    assert [e for e, _ in events_of(app, done)] == ["created", "routed", "status_changed"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)
                                 .where(Comment.request_id == done)) == 0
        moved = events_of(app, fresh, "status_changed")
        assert moved[-1][1]["to"] == "in_progress" and "comment_id" in moved[-1][1]


def test_a_rolled_back_item_logs_no_sync_change(app, client, world, submit):
    done = submit()["id"]
    assert move(client, world.employee, done, "cancelled").status_code == 200
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.max(SyncChange.id)))
    ok = submit()["id"]
    with app.app_context():
        after_submit = db.session.scalar(sa.select(sa.func.max(SyncChange.id)))
    assert before != after_submit
    results_of(bulk_call(client, world.admin, ids=[done, ok], action="priority", priority="urgent"))
    with app.app_context():
        logged = set(db.session.scalars(sa.select(SyncChange.request_id).where(SyncChange.id > after_submit)))
    assert ok in logged and done not in logged


def test_priority_comment_and_internal_note(app, client, world, submit):
    rid = submit()["id"]
    assert results_of(bulk_call(client, world.admin, ids=[rid], action="priority", priority="urgent"))[rid]["request"][
        "priority"] == "urgent"
    assert events_of(app, rid, "updated")[-1][1]["priority"] == {"from": "normal", "to": "urgent"}
    assert results_of(bulk_call(client, world.admin, ids=[rid], action="comment", body="Parts ordered"))[rid]["ok"]
    assert results_of(bulk_call(client, world.admin, ids=[rid], action="comment", body="Vendor is slow",
                           internal=True))[rid]["ok"]
    seen = client.get(f"/api/v1/requests/{rid}/comments", headers=world.employee.headers).get_json()["items"]
    assert [c["body"] for c in seen] == ["Parts ordered"]
    staff = client.get(f"/api/v1/requests/{rid}/comments", headers=world.admin.headers).get_json()["items"]
    assert [c["body"] for c in staff] == ["Parts ordered", "Vendor is slow"]


def test_comment_on_final_request_is_409_for_that_item(client, world, submit):
    done, open_ = submit()["id"], submit()["id"]
    move(client, world.employee, done, "cancelled")
    results = results_of(bulk_call(client, world.admin, ids=[done, open_], action="comment", body="Hello"))
    assert results[done]["error"]["code"] == "conflict" and results[open_]["ok"]


def test_a_manager_out_of_scope_gets_404_per_item_and_changes_nothing(app, client, world, submit):
    fac_ala = submit()["id"]
    it_ala = submit(category="IT-PC")["id"]
    fac_ast = submit(location=AST_POINT)["id"]
    results = results_of(bulk_call(client, world.manager_fac_ala, ids=[fac_ala, it_ala, fac_ast], action="priority",
                              priority="high"))
    assert results[fac_ala]["ok"]
    for rid in (it_ala, fac_ast):
        assert results[rid]["error"]["code"] == "not_found"
        assert events_of(app, rid, "updated") == []
        with app.app_context():
            assert db.session.get(ServiceRequest, rid).priority == "normal"
    # The IT manager does see the IT request.
    assert results_of(bulk_call(client, world.manager_it, ids=[it_ala, fac_ala], action="priority",
                           priority="low"))[it_ala]["ok"]


def test_employees_may_not_call_it(client, world, submit):
    rid = submit()["id"]
    assert_error(bulk_call(client, world.employee, ids=[rid], action="comment", body="hi"), 403, "forbidden")


@pytest.mark.parametrize("body, field", [
    ({"ids": list(range(1, 102)), "action": "priority", "priority": "high"}, "ids"),
    ({"ids": [], "action": "priority", "priority": "high"}, "ids"),
    ({"ids": [1, 1], "action": "priority", "priority": "high"}, "ids"),
    ({"ids": [1], "action": "explode"}, "action"),
    ({"ids": [1], "action": "priority"}, "priority"),
    ({"ids": [1], "action": "assign"}, "assignee_id"),
    ({"ids": [1], "action": "status"}, "status"),
    ({"ids": [1], "action": "comment"}, "body"),
    ({"ids": [1], "action": "reply"}, "reply_id"),
    ({"ids": [1], "action": "status", "status": "flying"}, "status"),
])
def test_a_bad_call_is_refused_whole_and_writes_nothing(app, client, world, submit, body, field):
    rid = submit()["id"]
    body = {**body, "ids": [rid if i == 1 else i for i in body["ids"]]}
    before = all_rows(app)
    error = assert_error(bulk_call(client, world.admin, **body), 422, "validation_error")
    assert field in error["details"]
    assert all_rows(app) == before


def test_an_unknown_reply_refuses_the_call(app, client, world, submit):
    rid = submit()["id"]
    before = all_rows(app)
    assert_error(bulk_call(client, world.admin, ids=[rid], action="reply", reply_id=12345), 404, "not_found")
    assert all_rows(app) == before


def test_one_push_per_device_of_each_recipient_per_call(app, client, world, submit):
    ids = [submit()["id"] for _ in range(3)]
    register_devices(client, world.manager_fac_ala, "manager-phone", "manager-tablet")
    register_devices(client, world.employee, "author-phone", "author-tablet")
    with app.app_context():
        db.session.execute(sa.delete(Delivery))
        db.session.commit()
    results_of(bulk_call(client, world.admin, ids=ids, action="assign", assignee_id=world.manager_fac_ala.id))
    pushes = deliveries_of(app, world.manager_fac_ala.id)
    assert sorted(token for token, _, _ in pushes) == ["manager-phone", "manager-tablet"]
    assert {(event, data["count"]) for _, event, data in pushes} == {("bulk_updated", 3)}
    with app.app_context():  # the feed still lists each assignment
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.user_id == world.manager_fac_ala.id, Notification.event == "assigned")) == 3
    feed = client.get("/api/v1/notifications", headers=world.manager_fac_ala.headers).get_json()["items"]
    assert feed[0]["title"] == "3 requests changed" and feed[0]["request_id"] is None
    results_of(bulk_call(client, world.admin, ids=ids, action="status", status="in_progress"))
    author_pushes = deliveries_of(app, world.employee.id)
    assert sorted(token for token, _, _ in author_pushes) == ["author-phone", "author-tablet"]
    assert {event for _, event, _ in author_pushes} == {"bulk_updated"}


def test_a_single_change_in_a_bulk_call_pushes_its_own_notification(app, client, world, submit):
    ids = [submit()["id"], 999_999]
    register_devices(client, world.manager_fac_ala, "manager-phone")
    results_of(bulk_call(client, world.admin, ids=ids, action="assign", assignee_id=world.manager_fac_ala.id))
    assert [event for _, event, _ in deliveries_of(app, world.manager_fac_ala.id)] == ["assigned"]


def test_each_item_is_audited_on_its_request_with_the_call_s_batch(app, client, world, submit):
    ok, done = submit()["id"], submit()["id"]
    move(client, world.employee, done, "cancelled")
    results_of(bulk_call(client, world.admin, ids=[ok, done], action="priority", priority="low"))
    with app.app_context():
        entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "request.bulk")
                                     .order_by(AuditEntry.id)).all()
        assert [(e.actor_id, e.target_type, e.target_id) for e in entries] == [
            (world.admin.id, "request", ok), (world.admin.id, "request", done)]
        batch = entries[0].details["batch"]
        assert len(batch) == 32 and entries[1].details["batch"] == batch
        assert [e.details for e in entries] == [{"action": "priority", "ok": True, "batch": batch},
                                                {"action": "priority", "ok": False, "error": "conflict", "batch": batch}]


def test_bulk_reply_applies_to_each(app, client, world, submit):
    ids = [submit()["id"] for _ in range(2)]
    reply = client.post("/api/v1/replies", headers=world.admin.headers, json={
        "title": "Taken", "body": "{number} is ours", "actions": {"status": "in_progress"}}).get_json()
    results = results_of(bulk_call(client, world.admin, ids=ids, action="reply", reply_id=reply["id"]))
    for rid in ids:
        assert results[rid]["request"]["status"] == "in_progress"
        body = client.get(f"/api/v1/requests/{rid}/comments", headers=world.employee.headers).get_json()["items"]
        assert body[0]["body"] == f"SR-{rid:06d} is ours"


# --- no lock is held past its own item ------------------------------------------------------

def free_to_write(database_url, request_id):
    """Whether a connection of its own can lock (PostgreSQL: ``FOR UPDATE NOWAIT``) or write (SQLite,
    without waiting) the request's row at once: False when another transaction holds it (or the database)."""
    if database_url.startswith("sqlite"):
        other = sa.create_engine(database_url, connect_args={"timeout": 0}, poolclass=sa.pool.NullPool)
        statement = "UPDATE service_requests SET title = title WHERE id = :id"
    else:
        other = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
        statement = "SELECT id FROM service_requests WHERE id = :id FOR UPDATE NOWAIT"
    try:
        with other.begin() as conn:
            conn.execute(sa.text(statement), {"id": request_id})
        return True
    except sa.exc.OperationalError:  # SQLite's "database is locked", PostgreSQL's lock_not_available
        return False
    finally:
        other.dispose()


def test_an_item_done_is_free_before_the_next_one_starts(app, client, world, submit, monkeypatch, database_url):
    """Each item is its own transaction: its row lock ends with it, so while the call goes on another
    writer can lock (or, on SQLite, write) the requests already done, at once."""
    ids = [submit()["id"] for _ in range(4)]
    started, seen = [], []
    lookup = bulk.get_visible_request

    def next_item(user, request_id, **kwargs):
        if started:
            seen.append((db.session().in_transaction(), free_to_write(database_url, started[-1])))
        started.append(request_id)
        return lookup(user, request_id, **kwargs)

    monkeypatch.setattr(bulk, "get_visible_request", next_item)
    results = results_of(bulk_call(client, world.admin, ids=ids, action="priority", priority="high"))
    assert started == ids
    assert seen == [(False, True)] * 3  # (a transaction open?, the item before free?)
    assert all(results[rid]["ok"] and results[rid]["request"]["priority"] == "high" for rid in ids)


def test_a_call_cut_short_keeps_the_items_already_done(app, client, world, submit, monkeypatch):
    """Items are committed one by one: when the database fails in the middle of a call (503), the
    items before stay done, each with its history and audit entry; the rest are untouched."""
    ids = [submit()["id"] for _ in range(3)]
    apply = bulk._apply  # noqa: SLF001

    def failing(user, req, *args):
        if req.id == ids[1]:
            raise sa.exc.OperationalError("UPDATE service_requests", {}, Exception("server closed the connection"))
        return apply(user, req, *args)

    monkeypatch.setattr(bulk, "_apply", failing)
    response = bulk_call(client, world.admin, ids=ids, action="priority", priority="urgent")
    assert response.status_code == 503
    with app.app_context():
        priorities = {rid: db.session.get(ServiceRequest, rid).priority for rid in ids}
        audited = set(db.session.scalars(sa.select(AuditEntry.target_id).where(AuditEntry.action == "request.bulk")))
    assert priorities == {ids[0]: "urgent", ids[1]: "normal", ids[2]: "normal"}
    assert audited == {ids[0]}
    assert events_of(app, ids[0], "updated")[-1][1]["priority"] == {"from": "normal", "to": "urgent"}
    assert events_of(app, ids[1], "updated") == []
