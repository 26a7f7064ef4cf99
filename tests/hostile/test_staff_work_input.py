"""Hostile input against staff work (saved views, bulk actions, canned replies,
assignment rules, availability, the list's filters and its CSV): every refusal is a 4xx JSON
error that leaves every table as it was, and what is accepted does only what it says."""
import json

import pytest
import sqlalchemy as sa

from service_app.extensions import db
from tests.support.api import all_rows as snapshot
from tests.support.api import assert_error

BIG = 2**63
ODD = [None, [], {}, [1], {"a": 1}, "", "\x00", "\ud800", 0, -1, BIG, 1.5, "ü" * 6000, [[[]]]]


def _post(client, url, body, who, method="post"):
    """``body`` as JSON with every non-ASCII character escaped, so a lone surrogate reaches the server."""
    return client.open(url, method=method.upper(), data=json.dumps(body),
                       headers={**who.headers, "Content-Type": "application/json"})


def _bulk(client, who, **body):
    return _post(client, "/api/v1/requests/bulk", body, who)


def _feed(client, who):
    return client.get("/api/v1/notifications", headers=who.headers).get_json()["items"]


# --- saved views ------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ODD + [True, "me", "x" * 201])
@pytest.mark.parametrize("name", ["status", "assignee_id", "office_id", "sla", "updated_since", "limit", "sort", "",
                                  "x" * 51, "field.Bad-Key"])
def test_a_view_with_an_odd_filter_is_a_422_and_saves_nothing(client, app, world, name, value):
    if name in ("assignee_id", "office_id") and value in ("me", [1]):
        pytest.skip("a real filter")
    before = snapshot(app)
    response = _post(client, "/api/v1/views", {"name": "n", "filters": {name: value}}, world.admin)
    assert_error(response, 422, "validation_error")
    assert snapshot(app) == before


@pytest.mark.parametrize("filters", [{"sla": ["breached", "at_risk"]}, {"resolved": [True, False]},
                                     {"author_id": [1, 2]}, {"q": ["a", "b"]}])
def test_several_values_of_a_filter_that_takes_one_are_a_422_not_a_view_that_applies_the_first(
        client, app, world, filters):
    """The list reads one value of these names; a view saying two would show the first one's requests only."""
    before = snapshot(app)
    error = assert_error(_post(client, "/api/v1/views", {"name": "n", "filters": filters}, world.admin),
                         422, "validation_error")
    assert set(error["details"]["filters"]) == set(filters)
    assert snapshot(app) == before


@pytest.mark.parametrize("body", [None, [], "x", 5, {"name": [1], "filters": {}}, {"name": "n", "filters": []},
                                  {"name": "n"}, {"name": "n", "filters": {}, "sort": "DUE"},
                                  {"name": "n", "filters": {}, "sort": ["due"]}, {"name": "\x00", "filters": {}}])
def test_a_view_body_that_is_not_one_is_a_422(client, app, world, body):
    before = snapshot(app)
    assert_error(_post(client, "/api/v1/views", body, world.admin), 422)
    assert snapshot(app) == before


@pytest.mark.parametrize("data, content_type", [("not json", "application/json"), ("{}", "text/plain"),
                                                (b"\xff\xfe", "application/json"), ("", "application/json")])
def test_a_view_body_that_is_not_json_is_a_4xx_json_error(client, app, world, data, content_type):
    before = snapshot(app)
    response = client.post("/api/v1/views", data=data, headers={**world.admin.headers, "Content-Type": content_type})
    assert 400 <= response.status_code < 500 and response.is_json, response.get_data(as_text=True)
    assert snapshot(app) == before


@pytest.mark.parametrize("view_id", ["0", "-1", str(BIG), "abc", "1.5"])
def test_a_view_id_that_cannot_be_one_is_404(client, world, view_id):
    assert_error(client.patch(f"/api/v1/views/{view_id}", json={"name": "x"}, headers=world.admin.headers), 404)
    assert_error(client.get(f"/api/v1/views/{view_id}/requests", headers=world.admin.headers), 404)


# --- bulk actions -----------------------------------------------------------------------------

@pytest.mark.parametrize("ids", [None, "1", ["1"], [1.0], [1.5], [True], [0], [-1], [BIG], list(range(1, 102)),
                                 [1, 1], [], {}, [[1]], [None]])
def test_bulk_ids_that_are_not_a_list_of_up_to_100_distinct_ids_are_refused_whole(client, app, world, submit, ids):
    submit()
    before = snapshot(app)
    assert_error(_bulk(client, world.admin, ids=ids, action="priority", priority="high"), 422, "validation_error")
    assert snapshot(app) == before


@pytest.mark.parametrize("action, field", [("assign", "assignee_id"), ("status", "status"), ("priority", "priority"),
                                           ("comment", "body"), ("reply", "reply_id")])
@pytest.mark.parametrize("value", [[], {}, "", "\x00", -1, BIG, 1.5, "x" * 6000, True])
def test_bulk_action_parameters_of_the_wrong_type_are_refused_whole(client, app, world, submit, action, field, value):
    rid = submit()["id"]
    before = snapshot(app)
    assert_error(_bulk(client, world.admin, ids=[rid], action=action, **{field: value}), 422, "validation_error")
    assert snapshot(app) == before


def test_a_bulk_status_move_asked_as_internal_is_refused_rather_than_telling_its_author(client, app, world, submit):
    """A status move's reason is shown to the request's author: asked for as an internal note, the
    call is refused whole (422 on ``internal``) rather than publishing the note."""
    rid = submit()["id"]
    before = snapshot(app)
    error = assert_error(_bulk(client, world.admin, ids=[rid], action="status", status="in_progress",
                               body="the caller is lying", internal=True), 422, "validation_error")
    assert "internal" in error["details"]
    assert snapshot(app) == before
    comments = client.get(f"/api/v1/requests/{rid}/comments", headers=world.employee.headers).get_json()["items"]
    assert comments == []


@pytest.mark.parametrize("action, extra", [("assign", {"assignee_id": None}), ("priority", {"priority": "high"}),
                                           ("status", {"status": "in_progress"})])
def test_internal_is_refused_with_every_action_but_comment(client, app, world, submit, action, extra):
    rid = submit()["id"]
    before = snapshot(app)
    assert_error(_bulk(client, world.admin, ids=[rid], action=action, internal=True, **extra), 422, "validation_error")
    assert snapshot(app) == before


@pytest.mark.parametrize("value", [0, 1, "true", "yes", "off", None])
def test_a_yes_or_no_that_is_not_json_true_or_false_is_a_422_and_writes_nothing(client, app, world, submit, value):
    """``internal: 0`` is no answer to "internal note?": only JSON true or false is (bulk comments,
    comments, canned replies, availability)."""
    rid = submit()["id"]
    before = snapshot(app)
    error = assert_error(_bulk(client, world.admin, ids=[rid], action="comment", body="noted", internal=value),
                         422, "validation_error")
    assert "internal" in error["details"]
    error = assert_error(client.post(f"/api/v1/requests/{rid}/comments", json={"body": "noted", "internal": value},
                                     headers=world.admin.headers), 422, "validation_error")
    assert "internal" in error["details"]
    error = assert_error(client.post("/api/v1/replies", json={"title": "t", "body": "b", "shared": value},
                                     headers=world.admin.headers), 422, "validation_error")
    assert "shared" in error["details"]
    error = assert_error(client.put("/api/v1/me/availability", json={"available": value},
                                    headers=world.admin.headers), 422, "validation_error")
    assert "available" in error["details"]
    assert snapshot(app) == before


def test_a_bulk_reply_of_another_persons_own_reply_is_404_and_writes_nothing(client, app, world, submit):
    rid = submit()["id"]
    reply = client.post("/api/v1/replies", json={"title": "t", "body": "b"}, headers=world.admin_ala.headers).get_json()
    before = snapshot(app)
    assert_error(_bulk(client, world.admin, ids=[rid], action="reply", reply_id=reply["id"]), 404, "not_found")
    assert snapshot(app) == before


def test_bulk_changes_reach_the_authors_sync(client, world, submit):
    rid = submit()["id"]
    cursor = client.get("/api/v1/sync", headers=world.employee.headers).get_json()["cursor"]
    assert _bulk(client, world.admin, ids=[rid], action="priority", priority="urgent").status_code == 200
    page = client.get("/api/v1/sync", query_string={"cursor": cursor}, headers=world.employee.headers).get_json()
    assert [(r["id"], r["priority"]) for r in page["requests"]] == [(rid, "urgent")]


def test_a_bulk_calls_summary_notification_reaches_the_authors_sync(client, world, submit):
    first, second = submit()["id"], submit()["id"]
    cursor = client.get("/api/v1/sync", headers=world.employee.headers).get_json()["cursor"]
    assert _bulk(client, world.admin, ids=[first, second], action="comment", body="On it").status_code == 200
    page = client.get("/api/v1/sync", query_string={"cursor": cursor}, headers=world.employee.headers)
    assert page.status_code == 200, page.get_json()
    events = sorted(n["event"] for n in page.get_json()["notifications"])
    assert events == ["bulk_updated", "comment_added", "comment_added"]
    assert sorted(r["id"] for r in page.get_json()["requests"]) == [first, second]


# --- canned replies ---------------------------------------------------------------------------

@pytest.mark.parametrize("body", [{"ru": "x", "de": "y"}, {"xx": "y"}, {"ru": ""}, {"ru": 5}, {"ru": "\x00"},
                                  {"ru": "\ud800"}, {"ru": ["x"]}, {"ru": {"ru": "x"}}, [], None, 5, "x" * 5001])
def test_a_reply_body_that_is_not_localized_text_is_a_422(client, app, world, body):
    before = snapshot(app)
    assert_error(_post(client, "/api/v1/replies", {"title": "t", "body": body}, world.admin), 422, "validation_error")
    assert snapshot(app) == before


TRICKY = ["{0}", "{__class__}", "{number!r}", "{{number}}", "{", "}", "{number", "number}", "{title.__class__}",
          "{number:>99999999}", "%s %(number)s", "{author_name.__dict__}", "{office[0]}"]


@pytest.mark.parametrize("text", TRICKY)
def test_a_reply_with_braces_is_posted_as_written_apart_from_its_placeholders(client, world, submit, text):
    rid = submit()["id"]
    reply = client.post("/api/v1/replies", json={"title": "t", "body": text}, headers=world.admin.headers)
    assert reply.status_code == 201, reply.get_json()
    applied = client.post(f"/api/v1/requests/{rid}/replies/{reply.get_json()['id']}", headers=world.admin.headers)
    assert applied.status_code == 200, applied.get_json()
    comments = client.get(f"/api/v1/requests/{rid}/comments", headers=world.admin.headers).get_json()["items"]
    expected = text.replace("{{number}}", "{" + applied.get_json()["number"] + "}")
    assert [c["body"] for c in comments] == [expected]


def test_placeholders_in_the_filled_values_are_not_filled_again(client, world, submit):
    """The author writes the title: a placeholder in it is text, not a second placeholder."""
    request = submit(title="{author_name} in {office}, see {number}")
    reply = client.post("/api/v1/replies", json={"title": "t", "body": "Re: {title} ({number})"},
                        headers=world.admin.headers).get_json()
    applied = client.post(f"/api/v1/requests/{request['id']}/replies/{reply['id']}", headers=world.admin.headers)
    assert applied.status_code == 200, applied.get_json()
    comments = client.get(f"/api/v1/requests/{request['id']}/comments", headers=world.admin.headers).get_json()
    assert [c["body"] for c in comments["items"]] == [
        f"Re: {{author_name}} in {{office}}, see {{number}} ({request['number']})"]


def test_a_reply_whose_placeholders_fill_it_past_the_comment_limit_is_a_422_and_posts_nothing(
        client, app, world, submit):
    """A 5,000-character body of ``{title}`` would post a comment of 140,000 characters on each request
    (and so on every request of a bulk call), past the limit of any comment."""
    rid = submit(title="x" * 200)["id"]
    reply = client.post("/api/v1/replies", json={"title": "t", "body": "{title}" * 700},
                        headers=world.admin.headers)
    assert reply.status_code == 201, reply.get_json()
    error = assert_error(client.post(f"/api/v1/requests/{rid}/replies/{reply.get_json()['id']}",
                                     headers=world.admin.headers), 422, "validation_error")
    assert "body" in error["details"]
    results = _bulk(client, world.admin, ids=[rid], action="reply", reply_id=reply.get_json()["id"]).get_json()
    assert results["results"][0]["ok"] is False
    assert results["results"][0]["error"]["code"] == "validation_error"
    with app.app_context():
        from service_requests.models import Comment
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


def test_an_internal_reply_tells_the_author_nothing(client, world, submit):
    rid = submit()["id"]
    reply = client.post("/api/v1/replies", json={"title": "t", "body": "note for {author_name}", "internal": True,
                                                 "actions": {"priority": "high"}},
                        headers=world.admin.headers).get_json()
    before = _feed(client, world.employee)
    assert client.post(f"/api/v1/requests/{rid}/replies/{reply['id']}", headers=world.admin.headers).status_code == 200
    assert _feed(client, world.employee) == before
    assert _bulk(client, world.admin, ids=[rid], action="reply", reply_id=reply["id"]).status_code == 200
    assert _bulk(client, world.admin, ids=[rid], action="comment", body="secret", internal=True).status_code == 200
    assert _feed(client, world.employee) == before


def _count_statements(app, call):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.get_json()
    return len(statements)


def test_listing_replies_costs_the_same_statements_whatever_the_number_of_owners(client, app, world, auth):
    reader = world.manager_it
    client.post("/api/v1/replies", json={"title": "t", "body": "b", "shared": True}, headers=world.admin.headers)
    client.get("/api/v1/replies", headers=reader.headers)  # warm caches
    one = _count_statements(app, lambda: client.get("/api/v1/replies", headers=reader.headers))
    for _ in range(4):
        other = auth("administrator")
        assert client.post("/api/v1/replies", json={"title": "t", "body": "b", "shared": True},
                           headers=other.headers).status_code == 201
    many = _count_statements(app, lambda: client.get("/api/v1/replies", headers=reader.headers))
    assert many == one


# --- assignment rules and availability --------------------------------------------------------

@pytest.mark.parametrize("pool", [None, "1", ["1"], [BIG], [-1], [0], [1.5], [True], [[1]], {"1": 1},
                                  list(range(1, 200))])
def test_a_pool_that_is_not_a_list_of_ids_is_a_422(client, app, world, pool):
    before = snapshot(app)
    assert_error(_post(client, f"/api/v1/assignment-rules/{world.ala}/FAC", {"mode": "round_robin", "pool": pool},
                       world.admin, "put"), 422, "validation_error")
    assert snapshot(app) == before


def test_a_pool_listing_someone_twice_or_out_of_scope_is_a_422(client, app, world):
    before = snapshot(app)
    url = f"/api/v1/assignment-rules/{world.ala}/FAC"
    twice = [world.manager_fac_ala.id, world.manager_fac_ala.id]
    assert_error(client.put(url, json={"mode": "round_robin", "pool": twice}, headers=world.admin.headers), 422)
    assert_error(client.put(url, json={"mode": "round_robin", "pool": [world.manager_it.id]},
                            headers=world.admin.headers), 422)
    assert_error(client.put(url, json={"mode": "round_robin", "pool": [world.employee.id]},
                            headers=world.admin.headers), 422)
    assert snapshot(app) == before


@pytest.mark.parametrize("department", ["fac%00", "x" * 300, "%C3%BC", "F-A", "..", "FAC%20", "-1", "%F0%9F%98%80"])
def test_a_department_of_odd_shape_is_404(client, app, world, department):
    before = snapshot(app)
    assert_error(client.put(f"/api/v1/assignment-rules/{world.ala}/{department}", json={"mode": "manual"},
                            headers=world.admin.headers), 404, "not_found")
    assert snapshot(app) == before


def test_an_administrator_may_not_set_the_rule_of_an_office_outside_their_scope(client, app, world):
    before = snapshot(app)
    assert_error(client.put(f"/api/v1/assignment-rules/{world.ast}/FAC", json={"mode": "manual"},
                            headers=world.admin_ala.headers), 403, "forbidden")
    assert_error(client.put(f"/api/v1/assignment-rules/{world.ala}/FAC", json={"mode": "manual"},
                            headers=world.manager_fac_ala.headers), 403, "forbidden")
    assert snapshot(app) == before


@pytest.mark.parametrize("body", [{"available": False, "until": "2000-01-01T00:00:00Z"},
                                  {"available": False, "until": "9999-01-01T00:00:00Z"},
                                  {"available": False, "until": "2100-12-31T23:59:59-12:00"},
                                  {"available": True, "until": "2090-01-01T00:00:00Z"},
                                  {"available": "x"}, {}, {"available": None}, {"available": False, "until": 5},
                                  {"available": False, "until": [1]}, {"available": False, "until": "\x00"},
                                  {"available": False, "until": "\ud800"}])
def test_odd_availability_is_a_422(client, app, world, body):
    before = snapshot(app)
    assert_error(_post(client, "/api/v1/me/availability", body, world.manager_it, "put"), 422)
    assert snapshot(app) == before


# --- the list's filters and its CSV ----------------------------------------------------------

BAD_QUERIES = ["assignee_id=0", f"assignee_id={BIG}", "assignee_id=-1", "assignee_id=%00", "assignee_id=ME",
               "assignee_id=%D9%A1", "sla=x", "updated_since=x", "updated_since=9999-01-01T00:00:00Z",
               "updated_since=0001-01-01T00:00:00Z", "sort=x", "sort=", "status=new&status=x", "office_id=abc",
               "office_id=" + "&office_id=".join(["1"] * 51), "category=%00", "priority=", "response=x",
               "rated=maybe"]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_odd_list_filters_are_a_422_on_the_list_and_its_csv(client, world, query):
    for who in (world.admin, world.manager_fac_ala):
        assert_error(client.get(f"/api/v1/requests?{query}", headers=who.headers), 422, "validation_error")
        assert_error(client.get(f"/api/v1/requests.csv?{query}", headers=who.headers), 422, "validation_error")


@pytest.mark.parametrize("first, then", [(a, b) for a in ("created", "updated", "due")
                                         for b in ("created", "updated", "due") if a != b])
def test_a_cursor_of_another_sort_is_a_400(client, world, submit, first, then):
    submit(), submit()
    cursor = client.get(f"/api/v1/requests?sort={first}&limit=1", headers=world.admin.headers).get_json()["next_cursor"]
    assert cursor
    assert_error(client.get(f"/api/v1/requests?sort={then}&limit=1&cursor={cursor}", headers=world.admin.headers),
                 400, "bad_request")


def test_employees_get_no_csv(client, world):
    assert_error(client.get("/api/v1/requests.csv", headers=world.employee.headers), 403, "forbidden")
