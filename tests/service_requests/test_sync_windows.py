"""GET /sync with a cursor reads the caller's window by their own visibility keys (mobile.sync,
service_app.changes): what moves between offices and departments reaches those who had it and those
who have it now, a follower's window holds their notifications only, rows of the release before the
keys are still found, and its cursors are void (410)."""
import hashlib
import re
import time

import pytest
import sqlalchemy as sa

from service_app.changes import SyncChange
from service_app.database import utcnow
from service_app.extensions import db
from service_requests.mobile import sync as sync_module
from tests.support.api import assert_error, move


KEY_INDEXES = {index.name for index in SyncChange.__table__.indexes} - {"ix_sync_changes_txid",
                                                                     "ix_sync_changes_created_at"}


def sync_all(client, who, cursor=None, limit=None):
    """Every page of ``who``'s sync: (requests, removed, notifications, last cursor, pages)."""
    requests, removed, notes, pages = [], [], [], 0
    while True:
        query = {k: v for k, v in (("cursor", cursor), ("limit", limit)) if v is not None}
        response = client.get("/api/v1/sync", query_string=query, headers=who.headers)
        assert response.status_code == 200, response.get_json()
        page = response.get_json()
        requests += page["requests"]
        removed += page["removed"]
        notes += page["notifications"]
        cursor, pages = page["cursor"], pages + 1
        if not page["has_more"]:
            return requests, removed, notes, cursor, pages


def ids(items):
    return [item["id"] for item in items]


def cursors(client, *people):
    return {who: sync_all(client, who)[3] for who in people}


def edit(client, who, rid, body, etag_of):
    response = client.patch(f"/api/v1/requests/{rid}", json=body, headers={**who.headers, "If-Match": etag_of(rid)})
    assert response.status_code == 200, response.get_json()


def test_a_request_moved_and_changed_in_one_window_reaches_both_offices(client, world, submit, etag_of):
    rid = submit()["id"]
    left, arrived, author = world.admin_ala, world.admin_ast, world.employee
    before = cursors(client, left, arrived, author, world.other_employee)
    edit(client, world.admin, rid, {"office_id": world.ast}, etag_of)
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "on the way"}, headers=world.admin.headers)
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "bring a ladder", "internal": True},
                headers=world.admin.headers)
    requests, removed, _, _, _ = sync_all(client, left, before[left])
    assert (requests, removed) == ([], [rid])
    requests, removed, _, _, _ = sync_all(client, arrived, before[arrived])
    assert (ids(requests), removed) == ([rid], [])
    requests, removed, _, _, _ = sync_all(client, author, before[author])
    assert (ids(requests), removed) == ([rid], [])
    assert sync_all(client, world.other_employee, before[world.other_employee])[:2] == ([], [])


def test_a_request_moved_there_and_back_is_where_it_is_now(client, world, submit, etag_of):
    rid = submit()["id"]
    before = cursors(client, world.admin_ala, world.admin_ast)
    edit(client, world.admin, rid, {"office_id": world.ast}, etag_of)
    edit(client, world.admin, rid, {"office_id": world.ala}, etag_of)
    requests, removed, _, _, _ = sync_all(client, world.admin_ala, before[world.admin_ala])
    assert (ids(requests), removed) == ([rid], [])
    # Astana had it for a while: told it is gone again (a phone deletes what it may not have).
    requests, removed, _, _, _ = sync_all(client, world.admin_ast, before[world.admin_ast])
    assert (requests, removed) == ([], [rid])


def test_a_department_scope_follows_a_recategorised_request_in_and_out(client, world, submit, etag_of):
    rid = submit()["id"]
    cursor = sync_all(client, world.manager_it)[3]
    edit(client, world.admin, rid, {"category": "IT-PC"}, etag_of)
    requests, removed, _, cursor, _ = sync_all(client, world.manager_it, cursor)
    assert (ids(requests), removed) == ([rid], [])
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "which PC?", "internal": True},
                headers=world.admin.headers)
    requests, removed, _, cursor, _ = sync_all(client, world.manager_it, cursor)
    assert (ids(requests), removed) == ([rid], [])
    edit(client, world.admin, rid, {"category": "FAC-AC"}, etag_of)
    requests, removed, _, _, _ = sync_all(client, world.manager_it, cursor)
    assert (requests, removed) == ([], [rid])


def test_the_authors_window_keeps_their_request_whoever_handles_it(client, world, submit, etag_of):
    rid = submit()["id"]
    cursor = sync_all(client, world.employee)[3]
    edit(client, world.admin, rid, {"assignee_id": world.manager_fac_ala.id}, etag_of)
    edit(client, world.admin, rid, {"assignee_id": world.admin_ala.id}, etag_of)
    move(client, world.admin_ala, rid, "in_progress")
    requests, removed, notes, cursor, _ = sync_all(client, world.employee, cursor)
    assert (ids(requests), removed) == ([rid], [])
    assert {n["request_id"] for n in notes} <= {rid}
    assert sync_all(client, world.employee, cursor)[:2] == ([], [])


def test_a_followers_window_brings_their_notifications_not_the_request(client, world, submit):
    """As the full sync (visible_condition) lists no followed request, neither does a window; the
    follower's notifications of it do come."""
    rid = submit()["id"]
    assert client.post(f"/api/v1/requests/{rid}/follow", headers=world.other_employee.headers).status_code == 204
    cursor = sync_all(client, world.other_employee)[3]
    assert move(client, world.admin, rid, "in_progress").status_code == 200
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "parts ordered"}, headers=world.admin.headers)
    requests, removed, notes, _, _ = sync_all(client, world.other_employee, cursor)
    assert (requests, removed) == ([], [])
    assert sorted(n["event"] for n in notes) == ["comment_added", "status_changed"]
    assert {n["request_id"] for n in notes} == {rid}


def test_staff_page_through_every_range_of_their_scope_missing_nothing(client, world, submit, etag_of):
    """Several ranges (the office with its department, moves out of it, notifications), pages of 2."""
    rids = [submit()["id"] for _ in range(5)]
    staff = world.manager_fac_ala
    cursor = sync_all(client, staff)[3]
    for rid in rids:
        client.post(f"/api/v1/requests/{rid}/comments", json={"body": "still broken"}, headers=world.employee.headers)
    edit(client, world.admin, rids[1], {"office_id": world.ast}, etag_of)
    edit(client, world.admin, rids[3], {"category": "IT-PC"}, etag_of)
    extra = submit()["id"]
    requests, removed, _, _, pages = sync_all(client, staff, cursor, limit=2)
    assert pages > 3
    assert sorted(set(removed)) == [rids[1], rids[3]]
    assert sorted(set(ids(requests))) == sorted([rids[0], rids[2], rids[4], extra])


def test_rows_written_before_the_keys_are_still_found(app, client, world, submit):
    """A process of the release before the keys, still running while a deploy is under way,
    writes rows without them (``keyed`` false): they reach whoever sees the request, as before."""
    rid = submit()["id"]
    people = (world.employee, world.admin_ala, world.admin_ast, world.other_employee, world.manager_it)
    before = cursors(client, *people)
    with app.app_context():
        # What that release's commit wrote: no keys (``keyed`` takes its default, false).
        db.session.execute(sa.insert(SyncChange.__table__), [{"request_id": rid, "created_at": utcnow()}])
        db.session.commit()
        assert db.session.scalar(sa.select(SyncChange.keyed).order_by(SyncChange.id.desc()).limit(1)) is False
    found = {who: ids(sync_all(client, who, before[who])[0]) for who in people}
    assert found == {world.employee: [rid], world.admin_ala: [rid], world.admin_ast: [],
                     world.other_employee: [], world.manager_it: []}


def test_a_change_keeps_the_keys_of_its_request(app, client, world, submit, etag_of):
    rid = submit()["id"]
    edit(client, world.admin, rid, {"office_id": world.ast, "assignee_id": None}, etag_of)
    with app.app_context():
        row = db.session.scalars(sa.select(SyncChange).where(SyncChange.request_id == rid, SyncChange.moved)).one()
        assert (row.keyed, row.author_id, row.office_id, row.department_code, row.before_office_id) == (
            True, world.employee.id, world.ast, "FAC", world.ala)


def test_a_cursor_from_before_the_keys_is_410(app, client, world, submit):
    """Its window would hold rows without keys: the phone syncs afresh instead."""
    submit()
    user = world.employee
    with app.app_context():
        position = sync_module._position()
        db.session.rollback()
        old_fingerprint = hashlib.sha256(f"{user.id}|employee|[]|[]".encode()).hexdigest()[:16]
        cursor = sync_module._serializer().dumps({"s": position, "ts": int(time.time()), "u": user.id,
                                                  "f": old_fingerprint})
    assert_error(client.get("/api/v1/sync", query_string={"cursor": cursor}, headers=user.headers), 410, "sync_expired")


@pytest.mark.postgres_only
@pytest.mark.parametrize("who", ["employee", "admin_ala", "manager_it", "manager_fac_ala"])
def test_the_window_reads_sync_changes_by_index_only(app, client, world, submit, who):
    """The plan of a window never scans ``sync_changes`` whole: every read of it is a range of one
    of its key indexes. (Sequential scans are priced out, so the answer does not depend on how
    few rows a test has: a condition no index can serve would still show as a Seq Scan.)"""
    submit()
    caller = getattr(world, who)
    cursor = sync_all(client, caller)[3]
    with app.app_context():
        from service_app.users.models import User

        user = db.session.get(User, caller.id)
        state = {**sync_module._decode(user, cursor), "n": sync_module._position(), "tn": int(time.time()), "a": 0}
        compiled = sync_module._window(user, state, 101).compile(db.engine, compile_kwargs={"literal_binds": True})
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        plan = db.session.execute(sa.text("EXPLAIN " + str(compiled))).scalars().all()
        db.session.rollback()
    text = "\n".join(plan)
    assert "Seq Scan on sync_changes" not in text and "pk_sync_changes" not in text, text
    indexes = set(re.findall(r"(?:using|Bitmap Index Scan on) (\w+)", text))
    assert "ix_sync_changes_user_txid" in indexes, text
    # The keys' indexes (and the small one of rows without keys), never the log's whole txid range.
    assert indexes <= KEY_INDEXES | {"pk_service_requests"}, text
