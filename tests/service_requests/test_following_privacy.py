"""Privacy of following (API.md "Following and similar requests, tightened", PRIVACY.md P18).

Colleagues find and follow only open, recent requests of a category an administrator made
``discoverable``; a follower (staff outside the request's scope included) reads its number, title,
status, category, office, room, public staff comments and status events, and never learns its
author, description, location, photos, form answers, rating or anything filled from the author's
name: not in the request, its comments, its history, the list's search or the notifications.
"""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from service_app.database import utcnow
from service_app.extensions import db
from service_requests.models import Comment, ServiceRequest
from tests.support.api import all_rows, assert_error, move
from tests.support.photos import gps_photo, upload

AUTHOR = "Aigerim"  # the world employee's full name
SECRET = "I am pregnant, need it by Friday"
FORM = [
    {"key": "symptom", "type": "choice", "label": "What is wrong", "required": True,
     "options": [{"value": "noisy", "label": "Noisy"}, {"value": "leaking", "label": "Leaking"}]},
    {"key": "note", "type": "text", "label": "Note"},
    {"key": "unit_id", "type": "text", "label": "Inventory number", "staff_only": True},
]
NEUTRAL = {"ru": "коллега", "kk": "әріптес", "en": "colleague"}
FOLLOWERS = ("other_employee", "admin_ast", "manager_it")  # an employee; staff outside the scope


@pytest.fixture
def photo_store(app, tmp_path):
    app.config["STORAGE_LOCAL_ROOT"] = str(tmp_path / "photos")
    return tmp_path / "photos"


@pytest.fixture
def form(client, world):
    response = client.patch("/api/v1/categories/FAC-AC", json={"fields": FORM}, headers=world.admin.headers)
    assert response.status_code == 200, response.get_json()


def follow(client, who, rid):
    return client.post(f"/api/v1/requests/{rid}/follow", headers=who.headers)


def read(client, who, rid, what=""):
    return client.get(f"/api/v1/requests/{rid}{what}", headers=who.headers)


def items(client, who, rid, what):
    response = read(client, who, rid, what)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def feed(client, who):
    return client.get("/api/v1/notifications", headers=who.headers).get_json()["items"]


def set_discoverable(client, who, code, value):
    return client.patch(f"/api/v1/categories/{code}", json={"discoverable": value}, headers=who.headers)


def similar(client, who, category, **query):
    response = client.get("/api/v1/requests/similar", query_string={"category": category, **query},
                          headers=who.headers)
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


# --- what may be found and followed ------------------------------------------------------------


@pytest.mark.parametrize("who", FOLLOWERS)
def test_a_colleague_may_not_follow_an_hr_request_404_and_nothing_stored(app, client, world, submit, hr, who):
    rid = submit(category=hr, title="HR certificate", description=SECRET)["id"]
    colleague = getattr(world, who)
    before = all_rows(app)
    response = follow(client, colleague, rid)
    assert response.status_code == 404
    assert_error(response, 404, "not_found")
    assert all_rows(app) == before
    assert_error(read(client, colleague, rid), 404, "not_found")
    # Its author and the staff responsible read it in full: they may follow it (the author's stores nothing).
    assert follow(client, world.employee, rid).status_code == 204
    assert follow(client, world.admin, rid).status_code == 204
    assert read(client, world.admin, rid).get_json()["following"] is True


def test_hr_requests_are_neither_similar_nor_among_a_tag_s_open_requests(client, world, submit, hr):
    room = client.post(f"/api/v1/offices/{world.ala}/rooms", json={"code": "305", "name": "Office 305"},
                       headers=world.admin.headers).get_json()
    token = client.post(f"/api/v1/rooms/{room['id']}/qr-token", headers=world.admin.headers).get_json()["qr_token"]
    ac = submit(qr_token=token)["id"]
    certificate = submit(category=hr, qr_token=token, title="AC certificate", description=SECRET)["id"]
    for who in (world.other_employee, world.admin_ast, world.admin, world.employee):
        assert similar(client, who, hr, office_id=world.ala, title="AC certificate") == []
        assert similar(client, who, "hr-docs", office_id=world.ala) == []
        assert similar(client, who, "FAC-AC", office_id=world.ala) == [ac]
        tag = client.get(f"/api/v1/qr/{token}", headers=who.headers).get_json()
        assert [r["id"] for r in tag["open_requests"]] == [ac]
    assert certificate != ac


def test_an_administrator_makes_a_category_discoverable_in_the_api(app, client, world, submit, hr):
    listed = {c["code"]: c for c in client.get("/api/v1/categories", headers=world.employee.headers).get_json()["items"]}
    assert (listed["FAC-AC"]["discoverable"], listed["IT-PC"]["discoverable"], listed[hr]["discoverable"]) == (
        True, False, False)
    rid = submit(category=hr)["id"]
    assert_error(follow(client, world.other_employee, rid), 404, "not_found")

    for who in (world.employee, world.manager_fac_ala, world.admin_ala):  # not a company-wide administrator
        before = all_rows(app)
        assert_error(set_discoverable(client, who, hr, True), 403, "forbidden")
        assert all_rows(app) == before

    changed = set_discoverable(client, world.admin, hr, True)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["discoverable"] is True
    assert client.get(f"/api/v1/categories/{hr}", headers=world.employee.headers).get_json()["discoverable"] is True
    assert follow(client, world.other_employee, rid).status_code == 204
    assert similar(client, world.other_employee, hr, office_id=world.ala) == [rid]

    made = client.post("/api/v1/categories", json={"code": "FAC-LIFT", "name": "Lift", "department": "FAC",
                                                   "discoverable": True}, headers=world.admin.headers)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["discoverable"] is True
    made = client.post("/api/v1/categories", json={"code": "HR-PASS", "name": "Badge", "department": "HR"},
                       headers=world.admin.headers)
    assert made.get_json()["discoverable"] is False


def test_followers_lose_a_request_whose_category_stops_being_discoverable(app, client, world, submit):
    rid = submit(description=SECRET)["id"]
    assert follow(client, world.other_employee, rid).status_code == 204
    assert set_discoverable(client, world.admin, "FAC-AC", False).status_code == 200
    for what in ("", "/comments", "/events"):
        assert_error(read(client, world.other_employee, rid, what), 404, "not_found")
    assert_error(follow(client, world.other_employee, rid), 404, "not_found")
    move(client, world.admin, rid, "in_progress")
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "On our way"}, headers=world.admin.headers)
    assert feed(client, world.other_employee) == []
    # The follow can still be undone (and is gone then).
    assert client.delete(f"/api/v1/requests/{rid}/follow", headers=world.other_employee.headers).status_code == 204
    assert set_discoverable(client, world.admin, "FAC-AC", True).status_code == 200
    assert read(client, world.other_employee, rid).status_code == 404


def test_followers_of_a_duplicate_do_not_follow_a_target_that_is_not_discoverable(client, world, submit, hr, auth):
    colleague = auth("employee", office_id=world.ala, full_name="Colleague")
    source = submit(colleague)["id"]
    target = submit(category=hr, description=SECRET)["id"]
    assert follow(client, world.other_employee, source).status_code == 204
    merged = client.post(f"/api/v1/requests/{source}/merge", json={"into": target}, headers=world.admin.headers)
    assert merged.status_code == 200, merged.get_json()
    for who in (world.other_employee, colleague):
        assert_error(read(client, who, target), 404, "not_found")


# --- what a follower reads ---------------------------------------------------------------------


def test_the_follower_view_has_no_description_author_location_photos_answers_or_rating(
        client, world, submit, form, photo_store, etag_of):
    rid = submit(description=SECRET, fields={"symptom": "noisy", "note": "desk of Aigerim by the window"})["id"]
    upload(client, world.employee, rid, gps_photo())
    for who in FOLLOWERS:
        assert follow(client, getattr(world, who), rid).status_code == 204
    assert client.patch(f"/api/v1/requests/{rid}", json={"fields": {"unit_id": "INV-7"}},
                        headers={**world.admin.headers, "If-Match": etag_of(rid)}).status_code == 200
    move(client, world.admin, rid, "in_progress")
    move(client, world.admin, rid, "resolved")
    move(client, world.employee, rid, "closed", rating=2)

    views = {who: read(client, getattr(world, who), rid).get_json() for who in FOLLOWERS}
    view = views["other_employee"]
    assert view["description"] is None
    assert view["author"] is None and view["attachments"] == [] and view["fields"] == {}
    assert view["rating"] is None and "location" not in view
    assert (view["number"], view["title"], view["status"], view["category"], view["office"]["id"]) == (
        f"SR-{rid:06d}", "AC is broken", "closed", "FAC-AC", world.ala)
    text = str(view)
    assert AUTHOR not in text and "pregnant" not in text and "window" not in text and "INV-7" not in text
    # Staff who follow a request outside their scope get exactly the follower view.
    assert views["admin_ast"] == view and views["manager_it"] == view
    # Its author and its staff still read all of it.
    own = read(client, world.employee, rid).get_json()
    assert own["description"] == SECRET and own["author"]["full_name"] == AUTHOR and own["rating"] == 2
    assert own["fields"]["note"] == "desk of Aigerim by the window" and len(own["attachments"]) == 1
    assert read(client, world.admin, rid).get_json()["fields"]["unit_id"] == "INV-7"


@pytest.mark.parametrize("who", FOLLOWERS)
def test_a_follower_reads_the_staff_s_public_comments_not_the_author_s(client, world, submit, who):
    rid = submit(description=SECRET)["id"]
    follower = getattr(world, who)
    assert follow(client, follower, rid).status_code == 204
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "It is me, Aigerim, room 305"},
                headers=world.employee.headers)
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "A technician comes at 3"},
                headers=world.manager_fac_ala.headers)
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "Supplier Arctica", "internal": True},
                headers=world.admin.headers)
    comments = items(client, follower, rid, "/comments")
    assert [c["body"] for c in comments] == ["A technician comes at 3"]
    events = items(client, follower, rid, "/events")
    assert [e["event"] for e in events] == ["created", "routed", "commented"]
    assert all(e["actor"] is None for e in events[:2])
    text = str(comments) + str(events)
    assert AUTHOR not in text and "room 305" not in text
    # The follower hears of the staff's comment, not of the author's.
    assert [(n["event"], n["body"]) for n in feed(client, follower)] == [("comment_added", "A technician comes at 3")]
    # The author and the staff read the whole conversation.
    assert len(items(client, world.employee, rid, "/comments")) == 2
    assert len(items(client, world.admin, rid, "/comments")) == 3


def test_a_form_answer_edit_shows_followers_an_updated_event_without_values(client, world, submit, form, etag_of):
    rid = submit(fields={"symptom": "noisy", "note": "the old note"})["id"]
    assert client.patch(f"/api/v1/requests/{rid}", json={"description": SECRET},
                        headers={**world.employee.headers, "If-Match": etag_of(rid)}).status_code == 200
    assert follow(client, world.other_employee, rid).status_code == 204
    assert client.patch(f"/api/v1/requests/{rid}", json={"fields": {"note": "the new note"}, "priority": "high"},
                        headers={**world.admin.headers, "If-Match": etag_of(rid)}).status_code == 200
    for who in FOLLOWERS:
        follow(client, getattr(world, who), rid)
        updated = [e for e in items(client, getattr(world, who), rid, "/events") if e["event"] == "updated"]
        # The author's edit of the description, then the staff's of an answer and the priority.
        assert [e["data"] for e in updated] == [{}, {"priority": {"from": "normal", "to": "high"}}]
        assert updated[0]["actor"] is None and updated[1]["actor"]["full_name"] == "Admin All"
    author_sees = [e["data"] for e in items(client, world.employee, rid, "/events") if e["event"] == "updated"]
    assert author_sees[0]["description"]["to"] == SECRET
    assert author_sees[1]["fields"] == {"note": {"from": "the old note", "to": "the new note"}}


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_a_canned_reply_s_author_name_reaches_followers_as_a_neutral_word(client, world, submit, auth, language):
    author = auth("employee", office_id=world.ala, full_name="Ivan Petrov", language=language)
    rid = submit(author, title="Leak")["id"]
    for who in FOLLOWERS:
        assert follow(client, getattr(world, who), rid).status_code == 204
    body = {"ru": "{author_name}, заявка {number} в работе.", "kk": "Сәлеметсіз бе, {author_name}! {number}.",
            "en": "Hello {author_name}, {number} “{title}” is in progress."}
    reply = client.post("/api/v1/replies", json={"title": "Taken", "body": body}, headers=world.admin.headers)
    applied = client.post(f"/api/v1/requests/{rid}/replies/{reply.get_json()['id']}", headers=world.admin.headers)
    assert applied.status_code == 200, applied.get_json()

    number = f"SR-{rid:06d}"
    full = {"ru": f"Ivan Petrov, заявка {number} в работе.", "kk": f"Сәлеметсіз бе, Ivan Petrov! {number}.",
            "en": f"Hello Ivan Petrov, {number} “Leak” is in progress."}[language]
    neutral = {"ru": f"Коллега, заявка {number} в работе.", "kk": f"Сәлеметсіз бе, әріптес! {number}.",
               "en": f"Hello colleague, {number} “Leak” is in progress."}[language]
    assert [c["body"] for c in items(client, author, rid, "/comments")] == [full]
    assert [c["body"] for c in items(client, world.admin, rid, "/comments")] == [full]
    for who in FOLLOWERS:
        follower = getattr(world, who)
        assert [c["body"] for c in items(client, follower, rid, "/comments")] == [neutral]
        heard = feed(client, follower)
        assert [(n["event"], n["body"]) for n in heard] == [("comment_added", neutral)]
        synced = client.get("/api/v1/sync", headers=follower.headers).get_json()
        assert [n["body"] for n in synced["notifications"]] == [neutral]
        assert rid not in [r["id"] for r in synced["requests"]]  # followed requests are not synced
        assert "Ivan" not in str(heard) + str(synced)
    assert [n["body"] for n in feed(client, author)] == [full]


def test_a_follower_finds_no_request_by_its_author_or_description(client, world, submit):
    rid = submit(description="The pregnant colleague's desk")["id"]
    for who in FOLLOWERS:
        follower = getattr(world, who)
        follow(client, follower, rid)
        for q in ("pregnant", AUTHOR, "AC is broken", f"SR-{rid:06d}"):
            found = client.get("/api/v1/requests", query_string={"q": q}, headers=follower.headers)
            assert rid not in [r["id"] for r in found.get_json()["items"]]


def test_a_follower_s_notifications_name_no_author_and_quote_no_description(client, world, submit):
    rid = submit(description=SECRET)["id"]
    follow(client, world.other_employee, rid)
    move(client, world.admin, rid, "in_progress")
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "Which floor?"}, headers=world.admin.headers)
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": SECRET}, headers=world.employee.headers)
    move(client, world.admin, rid, "rejected", comment="Not ours")
    heard = feed(client, world.other_employee)
    assert sorted(n["event"] for n in heard) == ["comment_added", "status_changed", "status_changed"]
    assert AUTHOR not in str(heard) and "pregnant" not in str(heard)


def test_retention_leaves_followers_nothing_of_an_anonymised_request(app, client, world, submit, runner):
    rid = submit(title="AC of Aigerim")["id"]
    follow(client, world.other_employee, rid)
    reply = client.post("/api/v1/replies", json={"title": "Taken", "body": "Hello {author_name}: {title}"},
                        headers=world.admin.headers).get_json()
    client.post(f"/api/v1/requests/{rid}/replies/{reply['id']}", headers=world.admin.headers)
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "Thanks!"}, headers=world.employee.headers)
    move(client, world.employee, rid, "cancelled")
    with app.app_context():
        db.session.get(ServiceRequest, rid).closed_at = utcnow() - timedelta(days=1900)
        db.session.commit()
    assert "requests anonymised: 1" in runner.invoke(args=["retention", "run"]).output
    assert_error(read(client, world.other_employee, rid), 404, "not_found")
    assert client.get("/api/v1/me/data", headers=world.other_employee.headers).get_json()["following"] == []
    with app.app_context():
        assert db.session.scalars(sa.select(Comment.follower_body).where(Comment.request_id == rid)).all() == [None, None]
