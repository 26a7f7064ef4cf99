"""Following a request (API.md "Employees"): who may follow, what a follower reads and hears
(the privacy of it, discoverable categories and the follow limit: test_following_privacy.py)."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from service_app.database import utcnow
from service_app.extensions import db
from service_requests.models import ServiceRequest
from tests.support.api import all_rows, assert_error, move
from tests.support.photos import gps_photo, upload


@pytest.fixture
def photo_store(app, tmp_path):
    app.config["STORAGE_LOCAL_ROOT"] = str(tmp_path / "photos")
    return tmp_path / "photos"


def follow(client, who, rid):
    return client.post(f"/api/v1/requests/{rid}/follow", headers=who.headers)


def unfollow(client, who, rid):
    return client.delete(f"/api/v1/requests/{rid}/follow", headers=who.headers)


def read(client, who, rid):
    return client.get(f"/api/v1/requests/{rid}", headers=who.headers)


def events_of(client, who):
    return [(n["event"], n["request_id"]) for n in
            client.get("/api/v1/notifications", headers=who.headers).get_json()["items"]]


def age(app, rid, days):
    with app.app_context():
        req = db.session.get(ServiceRequest, rid)
        req.created_at = utcnow() - timedelta(days=days)
        db.session.commit()


def test_following_is_idempotent_both_ways_and_counted(client, world, submit):
    rid = submit()["id"]
    assert read(client, world.other_employee, rid).status_code == 404
    assert follow(client, world.other_employee, rid).status_code == 204
    assert follow(client, world.other_employee, rid).status_code == 204
    body = read(client, world.other_employee, rid).get_json()
    assert (body["followers_count"], body["following"]) == (1, True)
    author_view = read(client, world.employee, rid).get_json()
    assert (author_view["followers_count"], author_view["following"]) == (1, False)
    assert unfollow(client, world.other_employee, rid).status_code == 204
    assert unfollow(client, world.other_employee, rid).status_code == 204
    assert read(client, world.other_employee, rid).status_code == 404
    assert read(client, world.employee, rid).get_json()["followers_count"] == 0


def test_the_author_following_their_own_request_stores_nothing(client, world, submit):
    rid = submit()["id"]
    assert follow(client, world.employee, rid).status_code == 204
    assert read(client, world.employee, rid).get_json()["followers_count"] == 0


def test_only_requests_one_could_find_may_be_followed(app, client, world, submit):
    old = submit()["id"]
    age(app, old, 15)  # older than SIMILAR_DAYS (14)
    rejected = submit()["id"]
    move(client, world.admin, rejected, "rejected", comment="not ours")
    for rid in (old, rejected, 999_999):
        before = all_rows(app)
        assert_error(follow(client, world.other_employee, rid), 404, "not_found")
        assert_error(unfollow(client, world.other_employee, rid), 404, "not_found")
        assert all_rows(app) == before
    # Those who may read a request follow it whatever its age (staff in scope here).
    assert follow(client, world.admin_ala, old).status_code == 204
    assert read(client, world.admin_ala, old).get_json()["following"] is True
    # A follower keeps it after it is closed, and may stop following it.
    recent = submit()["id"]
    follow(client, world.other_employee, recent)
    move(client, world.admin, recent, "rejected", comment="duplicate of a known outage")
    assert read(client, world.other_employee, recent).status_code == 200
    assert unfollow(client, world.other_employee, recent).status_code == 204
    assert read(client, world.other_employee, recent).status_code == 404


def test_a_follower_reads_without_location_photos_author_or_the_author_s_words(client, world, submit, photo_store):
    rid = submit(description="Room 305, next to the window")["id"]
    photo = upload(client, world.employee, rid, gps_photo()).get_json()
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "It is 30 degrees here"},
                headers=world.employee.headers)
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "A technician comes at 3"},
                headers=world.admin.headers)
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "Supplier Arctica", "internal": True},
                headers=world.admin.headers)
    follow(client, world.other_employee, rid)

    body = read(client, world.other_employee, rid).get_json()
    assert "location" not in body
    assert body["attachments"] == [] and body["author"] is None
    assert "Aigerim" not in str(body)
    assert client.get(photo["url"], headers=world.other_employee.headers).status_code == 404
    assert client.get(photo["thumbnail_url"], headers=world.other_employee.headers).status_code == 404
    comments = client.get(f"/api/v1/requests/{rid}/comments", headers=world.other_employee.headers).get_json()
    # The staff's public comments only: the author's own words are not a follower's to read.
    assert [c["body"] for c in comments["items"]] == ["A technician comes at 3"]
    assert comments["items"][0]["author"]["full_name"] == "Admin All"
    events = client.get(f"/api/v1/requests/{rid}/events", headers=world.other_employee.headers).get_json()
    assert events["items"] and not any(e["internal"] for e in events["items"])
    assert "Aigerim" not in str(events) + str(comments)
    # The author and staff still see everything.
    own = read(client, world.employee, rid).get_json()
    assert own["author"]["full_name"] == "Aigerim" and len(own["attachments"]) == 1 and "location" in own
    assert len(read(client, world.admin, rid).get_json()["attachments"]) == 1


def test_a_follower_s_photo_is_refused_as_any_write_of_theirs_404_and_nothing_stored(app, client, world, submit,
                                                                                       photo_store):
    """A follower writes nothing: a photo from them answers as their edits and comments do (404: the
    request is not theirs to change), not 403, which would tell them more than a write may."""
    rid = submit()["id"]
    follow(client, world.other_employee, rid)
    before = all_rows(app)
    assert_error(upload(client, world.other_employee, rid, gps_photo()), 404, "not_found")
    assert all_rows(app) == before
    assert not photo_store.exists() or not any(photo_store.rglob("*.jpg"))


def test_a_follower_only_reads(app, client, world, submit, etag_of):
    rid = submit()["id"]
    follow(client, world.other_employee, rid)
    who = world.other_employee.headers
    before = all_rows(app)
    assert client.patch(f"/api/v1/requests/{rid}", json={"title": "Mine now"},
                        headers={**who, "If-Match": etag_of(rid)}).status_code == 404
    assert client.post(f"/api/v1/requests/{rid}/status", json={"status": "cancelled"}, headers=who).status_code == 404
    assert client.post(f"/api/v1/requests/{rid}/comments", json={"body": "me too"}, headers=who).status_code == 404
    assert all_rows(app) == before


def test_a_follower_hears_of_status_changes_and_the_staff_s_public_comments_only(client, world, submit):
    rid = submit()["id"]
    follow(client, world.other_employee, rid)
    move(client, world.admin, rid, "in_progress")
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "Parts ordered"}, headers=world.admin.headers)
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "Costly", "internal": True},
                headers=world.admin.headers)
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "Thanks"}, headers=world.employee.headers)
    heard = events_of(client, world.other_employee)
    assert sorted(heard) == sorted([("status_changed", rid), ("comment_added", rid)])
    unfollow(client, world.other_employee, rid)
    move(client, world.admin, rid, "resolved")
    assert len(events_of(client, world.other_employee)) == 2


def test_the_request_list_counts_followers_per_page(client, world, submit):
    first, second = submit()["id"], submit()["id"]
    follow(client, world.other_employee, first)
    follow(client, world.admin_ast, first)
    follow(client, world.admin_ast, second)
    items = {r["id"]: r for r in client.get("/api/v1/requests", headers=world.admin.headers).get_json()["items"]}
    assert (items[first]["followers_count"], items[second]["followers_count"]) == (2, 1)
    assert not items[first]["following"]


def test_my_data_lists_what_i_follow(client, world, submit):
    rid = submit()["id"]
    follow(client, world.other_employee, rid)
    data = client.get("/api/v1/me/data", headers=world.other_employee.headers).get_json()
    assert [f["request_id"] for f in data["following"]] == [rid]
    assert client.get("/api/v1/me/data", headers=world.employee.headers).get_json()["following"] == []


def _statements_of(app, call):
    with app.app_context():
        engine = db.engine
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(seen)


def test_a_page_counts_its_followers_in_one_query_whatever_its_length(app, client, world, submit, auth):
    def listing():
        return client.get("/api/v1/requests", headers=world.admin.headers)

    for _ in range(2):
        follow(client, world.other_employee, submit()["id"])
    few = _statements_of(app, listing)
    for _ in range(6):
        follow(client, world.other_employee, submit()["id"])
    assert len(listing().get_json()["items"]) == 8
    assert _statements_of(app, listing) == few
