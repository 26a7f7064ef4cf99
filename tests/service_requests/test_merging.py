"""Merging a duplicate into the request it repeats (API.md "Employees")."""
import pytest
import sqlalchemy as sa

from service_app.changes import SyncChange
from service_app.extensions import db
from service_requests.models import ServiceRequest
from tests.support.api import all_rows, assert_error, move
from tests.support.places import AST_POINT


def merge(client, who, rid, into):
    return client.post(f"/api/v1/requests/{rid}/merge", json={"into": into}, headers=who.headers)


def feed(client, who):
    return client.get("/api/v1/notifications", headers=who.headers).get_json()["items"]


def pair(submit, world):
    """The kept request (another employee's) and its duplicate (the employee's)."""
    kept = submit(world.other_employee, title="AC on the third floor is off")["id"]
    duplicate = submit(title="Third floor AC does not cool")["id"]
    return kept, duplicate


def test_the_duplicate_is_final_points_at_the_target_and_its_author_follows_it(client, world, submit):
    kept, dup = pair(submit, world)
    response = merge(client, world.admin_ala, dup, kept)
    assert response.status_code == 200, response.get_json()
    target = response.get_json()
    assert target["id"] == kept and target["followers_count"] == 1 and target["merged_into"] is None
    merged = client.get(f"/api/v1/requests/{dup}", headers=world.employee.headers).get_json()
    assert merged["status"] == "duplicate" and merged["merged_into"] == {"id": kept, "number": target["number"]}
    assert merged["closed_at"] is not None
    # The author reads the target as a follower (no author, no location), and is told where it went.
    followed = client.get(f"/api/v1/requests/{kept}", headers=world.employee.headers).get_json()
    assert followed["following"] is True and followed["author"] is None and "location" not in followed
    told = [n for n in feed(client, world.employee) if n["event"] == "merged"]
    assert len(told) == 1 and target["number"] in told[0]["title"] and told[0]["request_id"] == dup
    # The merge comment names the target, in the author's language (the client asks for English).
    comments = client.get(f"/api/v1/requests/{dup}/comments", headers=world.employee.headers).get_json()["items"]
    assert len(comments) == 1 and target["number"] in comments[0]["body"]
    # The target's next status change reaches the merged request's author.
    move(client, world.admin_ala, kept, "in_progress")
    assert ("status_changed", kept) in [(n["event"], n["request_id"]) for n in feed(client, world.employee)]


def test_the_comment_is_in_the_authors_language(client, world, submit, auth):
    kazakh = auth("employee", office_id=world.ala, language="kk")
    kept = submit(world.other_employee)["id"]
    dup = submit(kazakh)["id"]
    merge(client, world.admin, dup, kept)
    body = client.get(f"/api/v1/requests/{dup}/comments", headers=kazakh.headers).get_json()["items"][0]["body"]
    assert "біріктірілді" in body


MERGED_COMMENTS = {  # in the author's language, word for word
    "ru": "Эта заявка объединена с заявкой {target}: следите за ней там, вы подписаны на её обновления.",
    "kk": "Бұл өтінім {target} өтінімімен біріктірілді: жаңалықтарын сол жерден қадағалаңыз, сіз оған жазылдыңыз.",
    "en": "This request was merged into {target}: follow it there; you now get its updates.",
}


@pytest.mark.parametrize("language", MERGED_COMMENTS)
def test_the_comment_says_these_words(client, world, submit, auth, language):
    """The comment's text comes from the catalogues (the ``requests`` domain), as it was."""
    author = auth("employee", office_id=world.ala, language=language)
    kept = submit(world.other_employee)["id"]
    dup = submit(author)["id"]
    target = merge(client, world.admin, dup, kept).get_json()
    body = client.get(f"/api/v1/requests/{dup}/comments", headers=author.headers).get_json()["items"][0]["body"]
    assert body == MERGED_COMMENTS[language].format(target=target["number"])


def test_followers_of_the_duplicate_follow_the_target(client, world, submit, auth):
    kept, dup = pair(submit, world)
    fan = auth("employee", office_id=world.ast)
    client.post(f"/api/v1/requests/{dup}/follow", headers=fan.headers)
    merge(client, world.admin, dup, kept)
    assert client.get(f"/api/v1/requests/{kept}", headers=fan.headers).get_json()["following"] is True
    client.post(f"/api/v1/requests/{kept}/comments", json={"body": "Fixed the compressor"},
                headers=world.admin.headers)
    assert ("comment_added", kept) in [(n["event"], n["request_id"]) for n in feed(client, fan)]


def test_refusals_write_nothing(app, client, world, submit):
    kept, dup = pair(submit, world)
    closed = submit()["id"]
    move(client, world.admin, closed, "rejected", comment="not ours")
    other, elsewhere = submit()["id"], submit(location=AST_POINT)["id"]
    merge(client, world.admin, other, kept)
    cases = [
        (world.admin_ala, dup, dup, 409, "itself"),
        (world.admin_ala, dup, closed, 409, "rejected"),
        (world.admin_ala, closed, kept, 409, "rejected"),
        (world.admin_ala, other, dup, 409, "already merged"),
        (world.admin_ala, dup, other, 409, "merge into that request"),
        (world.admin_ala, dup, elsewhere, 404, None),   # the target is out of the caller's scope
        (world.admin_ast, elsewhere, dup, 404, None),   # the duplicate is
        (world.manager_it, dup, kept, 404, None),       # another department
        (world.admin_ala, dup, 999_999, 404, None),
        (world.employee, dup, kept, 403, None),
    ]
    for who, rid, into, status, words in cases:
        before = all_rows(app)
        error = assert_error(merge(client, who, rid, into), status)
        if words:
            assert words in error["message"], error
        assert all_rows(app) == before, (rid, into)
    before = all_rows(app)
    assert_error(client.post(f"/api/v1/requests/{dup}/merge", json={}, headers=world.admin.headers),
                 422, "validation_error")
    assert all_rows(app) == before


def test_duplicates_are_listed_and_reported_as_merged_not_met_or_breached(app, client, world, submit):
    kept, dup = pair(submit, world)
    with app.app_context():
        db.session.get(ServiceRequest, dup).response_breached = True
        db.session.commit()
    before = client.get("/api/v1/reports/sla", headers=world.admin.headers).get_json()["totals"]
    assert before["response_breached"] == 1 and before["merged"] == 0
    merge(client, world.admin, dup, kept)
    totals = client.get("/api/v1/reports/sla", headers=world.admin.headers).get_json()["totals"]
    assert (totals["merged"], totals["response_breached"], totals["total"], totals["open"]) == (1, 0, 2, 1)
    listed = client.get("/api/v1/requests", query_string={"status": "duplicate"}, headers=world.admin.headers)
    assert [r["id"] for r in listed.get_json()["items"]] == [dup]
    missed = client.get("/api/v1/requests", query_string={"response": "missed"}, headers=world.admin.headers)
    assert missed.get_json()["items"] == []
    statuses = client.get("/api/v1/app-config", headers=world.employee.headers).get_json()["statuses"]
    assert {"code": "duplicate", "final": True}.items() <= next(s for s in statuses if s["code"] == "duplicate").items()
    assert "merged" in client.get("/api/v1/reports/sla.csv", headers=world.admin.headers).get_data(as_text=True)


def test_sync_reports_the_merged_request_as_moved(app, client, world, submit):
    kept, dup = pair(submit, world)
    cursor = client.get("/api/v1/sync", headers=world.employee.headers).get_json()["cursor"]
    merge(client, world.admin, dup, kept)
    page = client.get("/api/v1/sync", query_string={"cursor": cursor}, headers=world.employee.headers).get_json()
    merged = {r["id"]: r for r in page["requests"]}
    assert merged[dup]["status"] == "duplicate" and merged[dup]["merged_into"]["id"] == kept
    assert any(n["event"] == "merged" for n in page["notifications"])
    with app.app_context():
        rows = db.session.scalars(sa.select(SyncChange).where(SyncChange.request_id == dup,
                                                              SyncChange.moved.is_(True))).all()
        assert len(rows) == 1 and rows[0].before_author_id == world.employee.id


def test_the_sla_sweep_leaves_a_duplicate_alone(app, client, world, submit):
    from datetime import timedelta

    from service_app.database import utcnow
    from service_requests.lifecycle.sweep import sweep

    kept, dup = pair(submit, world)
    merge(client, world.admin, dup, kept)
    with app.app_context():
        done = sweep(utcnow() + timedelta(days=60))
        assert db.session.get(ServiceRequest, dup).response_breached is False
        assert db.session.get(ServiceRequest, kept).response_breached is True
    assert done["response breached"] == 1
