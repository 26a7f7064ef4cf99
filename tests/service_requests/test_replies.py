"""Canned replies: who may keep and share them, and applying one as one change."""
import pytest
import sqlalchemy as sa

from notifications.models import Notification
from service_app.extensions import db
from service_requests.staff.models import Reply
from tests.support.api import all_rows, assert_error, move
from tests.support.places import AST_POINT

URL = "/api/v1/replies"


def create(client, who, **body):
    body.setdefault("title", "Thanks")
    body.setdefault("body", "We are on it")
    return client.post(URL, json=body, headers=who.headers)


def created(client, who, **body):
    response = create(client, who, **body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def apply(client, who, request_id, reply_id, headers=None):
    return client.post(f"/api/v1/requests/{request_id}/replies/{reply_id}", headers={**who.headers, **(headers or {})})


def comments_of(client, who, request_id):
    return client.get(f"/api/v1/requests/{request_id}/comments", headers=who.headers).get_json()["items"]


# --- keeping replies ----------------------------------------------------------------------------------

def test_a_reply_as_answered(client, world):
    reply = created(client, world.manager_fac_ala, title={"ru": "Спасибо", "en": "Thanks"}, body="On it",
                    actions={"status": "in_progress", "assign_to_me": True}, internal=False)
    assert reply == {"id": reply["id"], "title": {"ru": "Спасибо", "en": "Thanks"},
                     "body": {"ru": "On it", "kk": "On it", "en": "On it"}, "internal": False,
                     "actions": {"status": "in_progress", "priority": None, "assign_to_me": True}, "shared": False,
                     "owner": {"id": world.manager_fac_ala.id, "full_name": "Test Person"}}


def test_employees_may_not_keep_replies(client, world):
    assert_error(client.get(URL, headers=world.employee.headers), 403, "forbidden")
    assert_error(create(client, world.employee), 403, "forbidden")


def test_only_administrators_share(app, client, world):
    assert_error(create(client, world.manager_fac_ala, shared=True), 403, "forbidden")
    own = created(client, world.manager_fac_ala)
    assert_error(client.patch(f"{URL}/{own['id']}", json={"shared": True}, headers=world.manager_fac_ala.headers),
                 403, "forbidden")
    assert created(client, world.admin, shared=True)["shared"] is True
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Reply).where(Reply.shared)) == 1


def test_each_sees_their_own_and_the_shared(client, world):
    shared = created(client, world.admin, title="Shared", shared=True)
    admins = created(client, world.admin, title="Admin's own")
    managers = created(client, world.manager_fac_ala, title="Manager's own")
    listed = lambda who: [r["id"] for r in client.get(URL, headers=who.headers).get_json()["items"]]  # noqa: E731
    assert listed(world.manager_fac_ala) == [shared["id"], managers["id"]]
    assert listed(world.admin) == [shared["id"], admins["id"]]
    assert listed(world.manager_it) == [shared["id"]]


def test_changing_and_removing(client, world):
    shared = created(client, world.admin, shared=True)
    admins = created(client, world.admin)
    managers = created(client, world.manager_fac_ala)
    manager = world.manager_fac_ala
    # Another person's own reply: not found, for a manager and an administrator alike.
    assert_error(client.patch(f"{URL}/{admins['id']}", json={"title": "x"}, headers=manager.headers), 404)
    assert_error(client.delete(f"{URL}/{managers['id']}", headers=world.admin.headers), 404)
    # A shared reply: managers use it but may not change it; any administrator may.
    assert_error(client.patch(f"{URL}/{shared['id']}", json={"title": "x"}, headers=manager.headers), 403)
    assert_error(client.delete(f"{URL}/{shared['id']}", headers=manager.headers), 403)
    other_admin = world.admin_ala
    renamed = client.patch(f"{URL}/{shared['id']}", json={"title": "Renamed", "actions": {"priority": "high"}},
                           headers=other_admin.headers)
    assert renamed.status_code == 200 and renamed.get_json()["title"]["en"] == "Renamed"
    assert renamed.get_json()["actions"] == {"status": None, "priority": "high", "assign_to_me": False}
    own = client.patch(f"{URL}/{managers['id']}", json={"body": {"kk": "Жұмыстамыз"}}, headers=manager.headers)
    assert own.status_code == 200 and own.get_json()["body"] == {"kk": "Жұмыстамыз"}
    assert client.delete(f"{URL}/{managers['id']}", headers=manager.headers).status_code == 204
    assert_error(client.delete(f"{URL}/{managers['id']}", headers=manager.headers), 404)
    assert client.delete(f"{URL}/{shared['id']}", headers=other_admin.headers).status_code == 204


@pytest.mark.parametrize("body, field", [
    ({"actions": {"status": "flying"}}, "actions"),
    ({"actions": {"status": "new"}}, "actions"),
    ({"actions": {"priority": "whenever"}}, "actions"),
    ({"actions": {"reboot": True}}, "actions"),
    ({"body": "x" * 5001}, "body"),
    ({"body": {"de": "Hallo"}}, "body"),
    ({"title": "x" * 201}, "title"),
    ({"title": ""}, "title"),
])
def test_bad_replies_are_refused(app, client, world, body, field):
    before = all_rows(app)
    error = assert_error(create(client, world.admin, **body), 422, "validation_error")
    assert field in error["details"]
    assert all_rows(app) == before


def test_a_long_body_is_kept(client, world):
    assert len(created(client, world.admin, body="y" * 5000)["body"]["ru"]) == 5000


# --- applying a reply ---------------------------------------------------------------------------------

BODY = {"ru": "{author_name}, заявка {number} «{title}» в работе ({office}).",
        "kk": "{author_name}, {number} «{title}» өтінімі орындалуда ({office}).",
        "en": "{author_name}, request {number} “{title}” is in progress ({office})."}


@pytest.mark.parametrize("language, expected", [
    ("ru", "Ivan, заявка {number} «Leak» в работе (Almaty)."),
    ("kk", "Ivan, {number} «Leak» өтінімі орындалуда (Almaty)."),
    ("en", "Ivan, request {number} “Leak” is in progress (Almaty)."),
])
def test_the_body_is_filled_in_the_authors_language(client, world, submit, auth, language, expected):
    author = auth("employee", office_id=world.ala, full_name="Ivan", language=language)
    req = submit(author, title="Leak")
    reply = created(client, world.admin, body=BODY)  # the caller reads English; the author's language counts
    response = apply(client, world.admin, req["id"], reply["id"])
    assert response.status_code == 200, response.get_json()
    assert comments_of(client, author, req["id"])[0]["body"] == expected.format(number=req["number"])


def test_a_language_the_reply_lacks_falls_back_to_russian(client, world, submit, auth):
    author = auth("employee", office_id=world.ala, language="kk")
    req = submit(author)
    reply = created(client, world.admin, body={"ru": "Номер {number}", "en": "Number {number}"})
    assert apply(client, world.admin, req["id"], reply["id"]).status_code == 200
    assert comments_of(client, author, req["id"])[0]["body"] == f"Номер {req['number']}"


def test_apply_with_actions_is_one_change_with_one_notification(app, client, world, submit):
    req = submit()
    rid = req["id"]
    reply = created(client, world.admin, shared=True, body="Taken: {number}",
                    actions={"status": "in_progress", "assign_to_me": True, "priority": "high"})
    manager = world.manager_fac_ala
    response = apply(client, manager, rid, reply["id"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "in_progress" and body["priority"] == "high"
    assert body["assignee"]["id"] == manager.id and response.headers["ETag"]
    events = client.get(f"/api/v1/requests/{rid}/events", headers=world.admin.headers).get_json()["items"]
    names = [e["event"] for e in events]
    assert names[-4:] == ["commented", "assigned", "updated", "status_changed"]
    comment = comments_of(client, world.employee, rid)[0]
    assert comment["body"] == f"Taken: {req['number']}"
    assert events[-1]["data"]["comment_id"] == comment["id"]
    with app.app_context():  # the author hears of the move (with its reason), not of a separate comment
        heard = db.session.scalars(sa.select(Notification.event).where(Notification.user_id == world.employee.id,
                                                                       Notification.request_id == rid)).all()
    assert heard == ["status_changed"]


def test_an_internal_reply_moves_the_status_with_a_note_the_author_cannot_read(client, world, submit):
    rid = submit()["id"]
    reply = created(client, world.admin, body="Vendor called", internal=True, actions={"status": "in_progress"})
    assert apply(client, world.admin, rid, reply["id"]).get_json()["status"] == "in_progress"
    assert comments_of(client, world.employee, rid) == []
    assert [c["body"] for c in comments_of(client, world.admin, rid)] == ["Vendor called"]


def test_a_refused_action_writes_nothing(app, client, world, submit):
    rid = submit()["id"]
    reply = created(client, world.admin, body="Done", actions={"status": "resolved", "priority": "low"})
    before = all_rows(app)
    assert_error(apply(client, world.admin, rid, reply["id"]), 409, "invalid_transition")
    assert all_rows(app) == before
    assert comments_of(client, world.admin, rid) == []


def test_a_final_request_takes_no_reply(app, client, world, submit):
    rid = submit()["id"]
    assert move(client, world.employee, rid, "cancelled").status_code == 200
    reply = created(client, world.admin)
    before = all_rows(app)
    assert_error(apply(client, world.admin, rid, reply["id"]), 409, "conflict")
    assert all_rows(app) == before


def test_not_visible_unknown_or_not_yours_is_404(client, world, submit):
    rid = submit()["id"]
    ast = submit(location=AST_POINT)["id"]
    shared = created(client, world.admin, shared=True)
    admins = created(client, world.admin)
    assert_error(apply(client, world.manager_it, rid, shared["id"]), 404, "not_found")
    assert_error(apply(client, world.admin_ala, ast, shared["id"]), 404, "not_found")
    assert_error(apply(client, world.manager_fac_ala, rid, admins["id"]), 404, "not_found")
    assert_error(apply(client, world.admin, rid, 987654), 404, "not_found")
    assert_error(apply(client, world.employee, rid, shared["id"]), 403, "forbidden")


def test_if_match_is_optional_and_a_stale_one_is_412(client, world, submit, etag_of):
    rid = submit()["id"]
    reply = created(client, world.admin)
    stale = etag_of(rid)
    assert apply(client, world.admin, rid, reply["id"], {"If-Match": stale}).status_code == 200
    assert_error(apply(client, world.admin, rid, reply["id"], {"If-Match": stale}), 412, "precondition_failed")
    assert apply(client, world.admin, rid, reply["id"], {"If-Match": etag_of(rid)}).status_code == 200
    assert len(comments_of(client, world.admin, rid)) == 2


def test_seed_demo_adds_canned_replies_once(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        replies = db.session.scalars(sa.select(Reply).order_by(Reply.id)).all()
        assert len(replies) == 3
        shared = [r for r in replies if r.shared]
        assert {r.actions.get("status") for r in shared} == {"in_progress", "resolved"}
        assert any(r.actions.get("assign_to_me") for r in shared)
        assert all(set(r.body) == {"ru", "kk", "en"} for r in replies)


def test_my_data_lists_the_replies_i_made_and_no_one_elses(client, world):
    """PRIVACY.md P16: a canned reply is text its owner wrote, kept under their name (shared ones too)."""
    mine = created(client, world.admin, title={"ru": "Спасибо", "en": "Thanks"}, body="On it, {author_name}",
                   internal=True, actions={"priority": "high"}, shared=True)
    created(client, world.admin_ala, title="Theirs", shared=True)
    data = client.get("/api/v1/me/data", headers=world.admin.headers).get_json()
    assert [(r["id"], r["title"], r["body"], r["internal"], r["actions"], r["shared"]) for r in data["replies"]] == [
        (mine["id"], {"ru": "Спасибо", "en": "Thanks"}, "On it, {author_name}", True, {"priority": "high"}, True)]
    assert client.get("/api/v1/me/data", headers=world.manager_it.headers).get_json()["replies"] == []
    page = client.get("/api/v1/me/data/replies", headers=world.admin.headers)
    assert page.status_code == 200, page.get_json()
    assert [r["id"] for r in page.get_json()["items"]] == [mine["id"]]
