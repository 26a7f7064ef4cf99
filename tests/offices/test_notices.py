"""Office notices through HTTP: posting, editing and resolving (administrators of the office),
reading by place (office, point, home office), following, and the followers told once on resolve."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from notifications import worker
from notifications.models import Delivery, Notification
from notifications.senders import LogSender
from service_app.database import utcnow
from service_app.extensions import db
from service_app.users.models import User
from service_requests.employees.models import Notice
from service_requests.employees.notices import active_notices
from tests.support.api import all_rows, assert_error
from tests.support.places import AST_POINT, NOWHERE

LIFT = {"ru": "Не работает лифт в блоке Б", "kk": "Б блогындағы лифт істемейді", "en": "The lift in block B is out"}


def later(**delta):
    return (utcnow() + timedelta(**delta)).isoformat()


@pytest.fixture
def post_notice(client, world):
    def do(office_id=None, who=None, **body):
        payload = {"title": LIFT, **body}
        response = client.post(f"/api/v1/offices/{office_id or world.ala}/notices", json=payload,
                               headers=(who or world.admin).headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return do


def listed(client, who, **query):
    response = client.get("/api/v1/notices", query_string=query, headers=who.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


# --- posting ------------------------------------------------------------------------------------

def room_in(client, world, office_id, code="305"):
    response = client.post(f"/api/v1/offices/{office_id}/rooms", json={"code": code, "name": "Переговорная"},
                           headers=world.admin.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_an_administrator_posts_a_notice_and_every_text_answers_as_localized_text(client, world, post_notice):
    room = room_in(client, world, world.ala)
    notice = post_notice(body="Use the stairs", category="fac-ac", room_id=room["id"], until=later(days=3))
    assert notice["title"] == LIFT and notice["body"] == {"ru": "Use the stairs", "kk": "Use the stairs",
                                                         "en": "Use the stairs"}
    assert notice["category"] == "FAC-AC" and notice["office_id"] == world.ala
    assert notice["room"] == {"id": room["id"], "code": "305",
                              "name": {"ru": "Переговорная", "kk": "Переговорная", "en": "Переговорная"}}
    assert notice["resolved_at"] is None and notice["until"] is not None
    assert notice["followers_count"] == 0 and notice["following"] is False
    plain = post_notice(title="Water is off", who=world.admin_ala)
    assert plain["title"] == {"ru": "Water is off", "kk": "Water is off", "en": "Water is off"}
    assert plain["body"] is None and plain["category"] is None and plain["until"] is None


@pytest.mark.parametrize("who", ["employee", "manager_fac_ala", "admin_ast"])
def test_only_an_administrator_of_the_office_posts_and_a_refusal_writes_nothing(app, client, world, who):
    before = all_rows(app)
    response = client.post(f"/api/v1/offices/{world.ala}/notices", json={"title": "Lift is out"},
                           headers=getattr(world, who).headers)
    assert_error(response, 403, "forbidden")
    assert all_rows(app) == before


def test_a_notice_of_an_unknown_office_is_a_404(client, world):
    assert_error(client.post("/api/v1/offices/99999/notices", json={"title": "Lift is out"},
                             headers=world.admin.headers), 404, "not_found")


@pytest.mark.parametrize("body, field", [
    ({"title": "ab"}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": {"ru": "ok", "en": "Lift is out"}}, "title"),
    ({"title": {"de": "Aufzug kaputt"}}, "title"),
    ({}, "title"),
    ({"title": "Lift is out", "body": "x" * 5001}, "body"),
    ({"title": "Lift is out", "category": "NOPE"}, "category"),
    ({"title": "Lift is out", "category": "OLD"}, "category"),
    ({"title": "Lift is out", "until": "2020-01-01T00:00:00Z"}, "until"),
    ({"title": "Lift is out", "until": "tomorrow"}, "until"),
    ({"title": "Lift is out", "room_id": 0}, "room_id"),
    ({"title": "Lift is out", "room_id": 99_999}, "room_id"),
    ({"title": "Lift is out", "room_id": "7"}, "room_id"),
    ({"title": "Lift is out", "colour": "red"}, "colour"),
])
def test_bad_notices_are_422_naming_the_field_and_write_nothing(app, client, world, body, field):
    before = all_rows(app)
    response = client.post(f"/api/v1/offices/{world.ala}/notices", json=body, headers=world.admin.headers)
    error = assert_error(response, 422, "validation_error")
    assert field in error["details"]
    assert all_rows(app) == before


# --- editing and resolving ----------------------------------------------------------------------

def test_an_active_notice_is_edited_and_a_bad_edit_writes_nothing(app, client, world, post_notice):
    notice = post_notice()
    response = client.patch(f"/api/v1/notices/{notice['id']}", json={"title": "Lift fixed by noon", "until": None},
                            headers=world.admin_ala.headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["title"]["en"] == "Lift fixed by noon" and response.get_json()["until"] is None
    # A category code in any case, as the create takes it (API.md: codes are case-insensitive).
    recategorised = client.patch(f"/api/v1/notices/{notice['id']}", json={"category": "it-pc"},
                                 headers=world.admin_ala.headers)
    assert recategorised.status_code == 200 and recategorised.get_json()["category"] == "IT-PC"
    before = all_rows(app)
    for body in ({"until": "2020-01-01T00:00:00Z"}, {"title": ""}, {"resolved": "maybe"}, {"category": "OLD"}):
        assert_error(client.patch(f"/api/v1/notices/{notice['id']}", json=body, headers=world.admin.headers), 422)
    assert all_rows(app) == before


@pytest.mark.parametrize("who", ["employee", "manager_fac_ala", "admin_ast"])
def test_only_an_administrator_of_the_office_edits_or_resolves(app, client, world, post_notice, who):
    notice = post_notice()
    before = all_rows(app)
    response = client.patch(f"/api/v1/notices/{notice['id']}", json={"resolved": True},
                            headers=getattr(world, who).headers)
    assert_error(response, 403, "forbidden")
    assert all_rows(app) == before


def test_unknown_notices_are_404_everywhere(client, world):
    assert_error(client.patch("/api/v1/notices/99999", json={"resolved": True}, headers=world.admin.headers), 404)
    assert_error(client.post("/api/v1/notices/99999/follow", headers=world.employee.headers), 404)
    assert_error(client.delete("/api/v1/notices/99999/follow", headers=world.employee.headers), 404)


def test_followers_are_told_once_when_the_notice_is_resolved(app, client, world, auth, post_notice):
    notice = post_notice()
    stranger = auth("employee", office_id=world.ast, language="kk")
    for who in (world.employee, stranger, world.admin):
        assert client.post(f"/api/v1/notices/{notice['id']}/follow", headers=who.headers).status_code == 204
    client.post("/api/v1/devices", json={"token": "phone-1", "platform": "android"}, headers=world.employee.headers)
    response = client.patch(f"/api/v1/notices/{notice['id']}", json={"resolved": True}, headers=world.admin.headers)
    assert response.status_code == 200, response.get_json()
    resolved = response.get_json()
    assert resolved["resolved_at"] is not None and resolved["followers_count"] == 3 and resolved["following"]
    again = client.patch(f"/api/v1/notices/{notice['id']}", json={"resolved": True}, headers=world.admin_ala.headers)
    assert again.status_code == 200 and again.get_json()["resolved_at"] == resolved["resolved_at"]
    with app.app_context():
        notes = db.session.execute(sa.select(Notification.user_id, Notification.event, Notification.request_id)
                                   .where(Notification.event == "notice_resolved")).all()
        assert sorted(notes) == sorted([(world.employee.id, "notice_resolved", None),
                                        (stranger.id, "notice_resolved", None)])  # not the resolver
        pushes = db.session.scalars(sa.select(Delivery.token).join(Notification)
                                    .where(Notification.event == "notice_resolved")).all()
        assert pushes == ["phone-1"]
    feed = client.get("/api/v1/notifications", headers=stranger.headers).get_json()["items"]
    assert [(n["event"], n["deep_link"]) for n in feed] == [("notice_resolved", f"santrade://notices/{notice['id']}")]
    assert feed[0]["title"] == f"Шешілді: {LIFT['kk']}"
    mine = client.get("/api/v1/notifications", headers=world.employee.headers).get_json()["items"]
    with app.app_context():
        language = db.session.get(User, world.employee.id).language
    assert mine[0]["title"].endswith(LIFT[language])


def test_a_resolved_notice_is_neither_edited_nor_reopened_nor_followed(app, client, world, post_notice):
    notice = post_notice()
    client.patch(f"/api/v1/notices/{notice['id']}", json={"resolved": True}, headers=world.admin.headers)
    before = all_rows(app)
    assert_error(client.patch(f"/api/v1/notices/{notice['id']}", json={"title": "Back again"},
                              headers=world.admin.headers), 409, "conflict")
    assert_error(client.patch(f"/api/v1/notices/{notice['id']}", json={"resolved": False},
                              headers=world.admin.headers), 409, "conflict")
    assert_error(client.post(f"/api/v1/notices/{notice['id']}/follow", headers=world.employee.headers), 409)
    assert all_rows(app) == before


# --- reading by place ---------------------------------------------------------------------------

def test_the_place_s_office_and_the_home_office_are_listed_newest_first(client, world, auth, post_notice):
    ala_old = post_notice(title="Old ALA notice")
    ala_new = post_notice(title="New ALA notice")
    ast = post_notice(office_id=world.ast, title="AST notice")
    # The ALA employee: home office ALA always; AST when the place routes there.
    assert [n["id"] for n in listed(client, world.employee)] == [ala_new["id"], ala_old["id"]]
    assert [n["id"] for n in listed(client, world.employee, **AST_POINT)] == [ast["id"], ala_new["id"], ala_old["id"]]
    assert [n["id"] for n in listed(client, world.employee, office_id=world.ast)] == [
        ast["id"], ala_new["id"], ala_old["id"]]
    # Somebody with no home office sees only the place's office; a point in no office shows nothing.
    admin = world.admin
    assert [n["id"] for n in listed(client, admin, office_id=world.ast)] == [ast["id"]]
    assert listed(client, admin, **NOWHERE) == [] and listed(client, admin) == []
    assert [n["id"] for n in listed(client, world.employee, **NOWHERE)] == [ala_new["id"], ala_old["id"]]


def test_expired_and_resolved_notices_are_not_listed(app, client, world, post_notice):
    expired = post_notice(title="Expired notice", until=later(hours=1))
    resolved = post_notice(title="Resolved notice")
    shown = post_notice(title="Still on", until=later(days=1))
    client.patch(f"/api/v1/notices/{resolved['id']}", json={"resolved": True}, headers=world.admin.headers)
    with app.app_context():
        db.session.get(Notice, expired["id"]).until = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert [n["id"] for n in listed(client, world.employee)] == [shown["id"]]
    assert_error(client.post(f"/api/v1/notices/{expired['id']}/follow", headers=world.employee.headers), 409)


@pytest.mark.parametrize("query, field", [({"office_id": 99999}, "office_id"), ({"lat": 43.2}, "lon"),
                                          ({"lon": 76.9}, "lat"), ({"lat": "north", "lon": 1}, "lat"),
                                          ({"lat": 91, "lon": 76.9}, "lat"), ({"office_id": 0}, "office_id")])
def test_a_bad_place_is_422(client, world, query, field):
    response = client.get("/api/v1/notices", query_string=query, headers=world.employee.headers)
    assert field in assert_error(response, 422, "validation_error")["details"]


def test_listing_needs_a_sign_in(client):
    assert_error(client.get("/api/v1/notices"), 401)


# --- following ----------------------------------------------------------------------------------

def test_anybody_follows_and_unfollows_idempotently_and_the_list_says_so(client, world, auth, post_notice):
    notice = post_notice()
    stranger = auth("employee", office_id=world.ast)
    url = f"/api/v1/notices/{notice['id']}/follow"
    for _ in range(2):
        assert client.post(url, headers=stranger.headers).status_code == 204
    assert client.post(url, headers=world.employee.headers).status_code == 204
    mine = listed(client, stranger, office_id=world.ala)[0]
    assert mine["following"] is True and mine["followers_count"] == 2
    assert listed(client, world.other_employee)[0]["following"] is False
    for _ in range(2):
        assert client.delete(url, headers=stranger.headers).status_code == 204
    mine = listed(client, stranger, office_id=world.ala)[0]
    assert mine["following"] is False and mine["followers_count"] == 1


def test_active_notices_serves_other_answers_with_counts_in_a_fixed_number_of_queries(app, client, world,
                                                                                       post_notice):
    ids = [post_notice(title=f"Notice number {i}")["id"] for i in range(5)]
    for notice_id in ids[:3]:
        client.post(f"/api/v1/notices/{notice_id}/follow", headers=world.employee.headers)
    statements = []
    with app.app_context():
        user = db.session.get(User, world.employee.id)
        def count(*args):
            statements.append(args[2])

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            found = active_notices([world.ala, world.ala, None], user)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
    assert [n["id"] for n in found] == ids[::-1]
    assert [n["following"] for n in found] == [False, False, True, True, True]
    assert {n["followers_count"] for n in found} == {0, 1}
    assert len(statements) == 3  # the notices, their counts, the caller's follows


# --- personal data ------------------------------------------------------------------------------

def test_me_data_lists_the_notices_i_follow(client, world, post_notice):
    """(That an anonymised account's follows go is a privacy promise: tests/test_privacy_promises.py.)"""
    notice = post_notice()
    other = post_notice(title="Water is off")
    client.post(f"/api/v1/notices/{notice['id']}/follow", headers=world.employee.headers)
    client.post(f"/api/v1/notices/{other['id']}/follow", headers=world.other_employee.headers)
    data = client.get("/api/v1/me/data", headers=world.employee.headers).get_json()
    assert [(f["notice_id"], f["office_id"], f["title"]) for f in data["followed_notices"]] == [
        (notice["id"], world.ala, LIFT)]
    assert client.get("/api/v1/me/data", headers=world.admin.headers).get_json()["followed_notices"] == []


def test_the_push_of_a_resolved_notice_opens_the_notice(app, client, world, post_notice):
    notice = post_notice()
    client.patch("/api/v1/me", json={"language": "en"}, headers=world.employee.headers)
    client.post(f"/api/v1/notices/{notice['id']}/follow", headers=world.employee.headers)
    client.post("/api/v1/devices", json={"token": "tok-notice", "platform": "ios"}, headers=world.employee.headers)
    client.patch(f"/api/v1/notices/{notice['id']}", json={"resolved": True}, headers=world.admin.headers)
    pushed = []

    class Capture:
        def send(self, messages):
            pushed.extend(messages)
            return LogSender().send(messages)

    app.extensions["push_sender"] = Capture()
    with app.app_context():
        assert worker.run_once() == 1
    [push] = pushed
    assert push.title == f"Resolved: {LIFT['en']}" and push.collapse_id is None
    assert push.data == {"notification_id": push.data["notification_id"], "request_id": "", "number": "",
                         "event": "notice_resolved", "status": "", "deep_link": f"santrade://notices/{notice['id']}"}


def test_seed_demo_adds_an_active_notice_followed_by_demo_employee_once(runner, client, login):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0 and "created notice" in first.output, first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "created notice" not in second.output
    employee = {"Authorization": f"Bearer {login('demo-employee', 'demo12345')['access_token']}"}
    [notice] = client.get("/api/v1/notices", headers=employee).get_json()["items"]
    assert notice["title"]["ru"] == "Не работает лифт в блоке Б" and notice["following"] is True
    assert notice["until"] is not None and notice["followers_count"] == 1


def test_migration_0022_downgrades_and_upgrades_again(app, client, world, post_notice):
    post_notice()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        downgrade(revision="0021_category_forms")
        assert not {"notices", "notice_follows"} & set(sa.inspect(db.engine).get_table_names())
        db.session.remove()
        db.engine.dispose()
        upgrade()
        db.session.remove()
        db.engine.dispose()
        tables = sa.inspect(db.engine)
        assert {c["name"] for c in tables.get_columns("notices")} >= {"room_id", "until", "resolved_at"}
        assert [fk["referred_table"] for fk in tables.get_foreign_keys("notices")
                if fk["constrained_columns"] == ["room_id"]] == ["rooms"]
    assert listed(client, world.employee) == []
    assert post_notice()["id"]


def test_a_notice_names_a_room_of_its_own_office_and_loses_it_with_the_room(app, client, world, post_notice):
    elsewhere = room_in(client, world, world.ast, code="101")
    refused = client.post(f"/api/v1/offices/{world.ala}/notices", json={"title": LIFT, "room_id": elsewhere["id"]},
                          headers=world.admin.headers)
    assert_error(refused, 422, "validation_error")
    assert "room_id" in refused.get_json()["error"]["details"]
    room = room_in(client, world, world.ala)
    notice = post_notice(room_id=room["id"])
    assert client.delete(f"/api/v1/rooms/{room['id']}", headers=world.admin.headers).status_code == 204
    assert [n["room"] for n in listed(client, world.employee) if n["id"] == notice["id"]] == [None]


def test_a_room_with_a_name_in_each_language_is_named_so_in_its_notices(client, world, post_notice):
    """A room's name is a string or ``{ru, kk, en}``; a notice names it as every other answer does
    (``LocalizedText``), not as the text of a Python dict."""
    name = {"ru": "Переговорная", "kk": "Кеңес бөлмесі", "en": "Meeting room"}
    response = client.post(f"/api/v1/offices/{world.ala}/rooms", json={"code": "410", "name": name},
                           headers=world.admin.headers)
    assert response.status_code == 201, response.get_json()
    room = response.get_json()
    posted = post_notice(room_id=room["id"])
    assert posted["room"] == {"id": room["id"], "code": "410", "name": name}
    assert [n["room"] for n in listed(client, world.employee) if n["id"] == posted["id"]] == [posted["room"]]
    tag = client.post(f"/api/v1/rooms/{room['id']}/qr-token", headers=world.admin.headers)
    assert tag.status_code in (200, 201), tag.get_json()
    scanned = client.get(f"/api/v1/qr/{tag.get_json()['qr_token']}", headers=world.employee.headers)
    assert scanned.status_code == 200, scanned.get_json()
    assert [n["room"] for n in scanned.get_json()["notices"] if n["id"] == posted["id"]] == [posted["room"]]



@pytest.mark.parametrize("body", [{}, None, {"resolved": 1}])
def test_a_notice_edit_that_changes_nothing_or_says_yes_with_a_number_is_a_422_and_changes_nothing(
        app, client, world, post_notice, body):
    notice = post_notice()
    before = all_rows(app)
    kwargs = {"json": body} if body is not None else {"data": b"", "content_type": "application/json"}
    response = client.patch(f"/api/v1/notices/{notice['id']}", headers=world.admin.headers, **kwargs)
    assert_error(response, 422, "validation_error")
    assert all_rows(app) == before
