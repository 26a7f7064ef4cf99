"""The queue and request pages with the Flask test client: bad input gives a 4xx page and changes nothing."""
import re

import pytest

from tests.console.support import signed_in_client as console_client


@pytest.fixture
def admin(app, world):
    return console_client(app, world.admin.login)


def read(client, world, request_id):
    return client.get(f"/api/v1/requests/{request_id}", headers=world.admin.headers).get_json()


def test_the_queue_lists_requests_with_their_numbers(admin, submit):
    made = [submit(title=f"Request number {i}") for i in range(3)]
    browser, _ = admin
    page = browser.get("/console/requests").get_data(as_text=True)
    assert page.count('data-testid="queue-row"') == 3
    for item in made:
        assert item["number"] in page
    narrowed = browser.get("/console/requests?status=resolved").get_data(as_text=True)
    assert 'data-testid="queue-row"' not in narrowed


@pytest.mark.parametrize("query", ["status=nonsense", "priority=extreme", "office_id=abc", "sla=late",
                                   "sort=random", "assignee_id=somebody", "cursor=%00bad", "limit=5000"])
def test_bad_filter_values_give_a_4xx_page(admin, submit, query):
    submit()
    browser, _ = admin
    response = browser.get(f"/console/requests?{query}")
    assert 400 <= response.status_code < 500, (query, response.status_code)
    assert "text/html" in response.content_type
    assert 'data-testid="error-message"' in response.get_data(as_text=True)


def test_a_request_the_user_may_not_see_is_a_404_page(app, world, submit, client):
    made = submit()  # Almaty, facilities: outside the IT manager's scope
    browser, token = console_client(app, world.manager_it.login)
    response = browser.get(f"/console/requests/{made['id']}")
    assert response.status_code == 404
    assert "text/html" in response.content_type
    assert browser.get("/console/requests/999999").status_code == 404
    before = read(client, world, made["id"])
    moved = browser.post(f"/console/requests/{made['id']}/status", data={"csrf_token": token, "status": "in_progress"})
    assert moved.status_code == 404
    assert read(client, world, made["id"])["status"] == before["status"] == "new"


def test_a_move_not_allowed_is_a_409_page_and_nothing_changes(admin, world, submit, client):
    made = submit()
    browser, token = admin
    page = browser.get(f"/console/requests/{made['id']}").get_data(as_text=True)
    assert 'data-testid="status-action-in_progress"' in page
    assert 'data-testid="status-action-resolved"' not in page  # new -> resolved is no move
    response = browser.post(f"/console/requests/{made['id']}/status", data={"csrf_token": token, "status": "resolved"})
    assert response.status_code == 409
    assert "in_progress" in response.get_data(as_text=True)  # the message lists the allowed moves
    assert read(client, world, made["id"])["status"] == "new"
    events = client.get(f"/api/v1/requests/{made['id']}/events", headers=world.admin.headers).get_json()["items"]
    assert [e["event"] for e in events if e["event"] == "status_changed"] == []


def test_a_change_without_the_csrf_token_is_refused(admin, world, submit, client):
    made = submit()
    browser, _ = admin
    response = browser.post(f"/console/requests/{made['id']}/status", data={"status": "in_progress"})
    assert response.status_code == 403
    assert read(client, world, made["id"])["status"] == "new"


def test_bad_form_input_changes_nothing(admin, world, submit, client):
    made = submit()
    browser, token = admin
    url = f"/console/requests/{made['id']}"
    assert browser.post(url + "/status", data={"csrf_token": token, "status": "bogus"}).status_code == 422
    assert browser.post(url + "/status", data={"csrf_token": token, "status": "rejected"}).status_code == 422
    assert browser.post(url + "/comments", data={"csrf_token": token, "body": "   "}).status_code == 422
    assert browser.post(url + "/assign", data={"csrf_token": token, "assignee_id": str(world.employee.id),
                                               "etag": "stale"}).status_code == 412
    assert browser.post(url + "/assign", data={"csrf_token": token, "assignee_id": "x"}).status_code == 422
    assert browser.post(url + "/merge", data={"csrf_token": token, "into": "SR-x"}).status_code == 422
    assert browser.post(url + "/merge", data={"csrf_token": token, "into": str(made["id"])}).status_code == 409
    assert browser.post(url + "/replies", data={"csrf_token": token, "reply_id": "99999"}).status_code == 404
    after = read(client, world, made["id"])
    assert after["status"] == "new" and after["assignee"] is None and after["version"] == made["version"]
    comments = client.get(url.replace("/console", "/api/v1") + "/comments", headers=world.admin.headers).get_json()
    assert comments["items"] == []


def test_bulk_actions_report_each_item(admin, world, submit, client):
    mine, other = submit(), submit(title="Printer jammed", category="IT-PC")
    browser, token = admin
    response = browser.post("/console/requests/bulk", data={
        "csrf_token": token, "action": "status", "status": "in_progress", "ids": [str(mine["id"]), "999999"],
        "next": "/console/requests"})
    assert response.status_code == 303
    page = browser.get("/console/requests").get_data(as_text=True)
    assert "1 of 2" in page and f"{mine['number']}: done" in page
    assert read(client, world, mine["id"])["status"] == "in_progress"
    assert read(client, world, other["id"])["status"] == "new"
    bad = browser.post("/console/requests/bulk", data={"csrf_token": token, "action": "explode",
                                                       "ids": [str(other["id"])]})
    assert bad.status_code == 422
    none = browser.post("/console/requests/bulk", data={"csrf_token": token, "action": "assign", "assignee_id": "me"})
    assert none.status_code == 422
    assign = browser.post("/console/requests/bulk", data={"csrf_token": token, "action": "assign", "assignee_id": "me",
                                                          "ids": [str(other["id"])]})
    assert assign.status_code == 303
    assert read(client, world, other["id"])["assignee"]["id"] == world.admin.id


def test_saved_views_are_listed_with_counts(admin, world, submit, client):
    submit()
    made = client.post("/api/v1/views", json={"name": "New ones", "filters": {"status": ["new"]}},
                       headers=world.admin.headers)
    assert made.status_code == 201, made.get_json()
    browser, _ = admin
    page = browser.get("/console/requests").get_data(as_text=True)
    assert "New ones" in page
    assert re.search(r'New ones</a>\s*<span class="badge">1</span>', page)


def test_photos_are_shown_to_staff_who_may_see_the_request_only(app, admin, world, submit, client):
    from tests.support.photos import gps_photo, upload

    made = submit()
    uploaded = upload(client, world.employee, made["id"], gps_photo())
    assert uploaded.status_code == 201, uploaded.get_json()
    photo_id = uploaded.get_json()["id"]
    browser, _ = admin
    page = browser.get(f"/console/requests/{made['id']}").get_data(as_text=True)
    assert f"/console/attachments/{photo_id}/thumbnail" in page
    thumbnail = browser.get(f"/console/attachments/{photo_id}/thumbnail")
    assert thumbnail.status_code == 200 and thumbnail.content_type == "image/jpeg"
    assert browser.get(f"/console/attachments/{photo_id}").status_code == 200
    outsider, _ = console_client(app, world.manager_it.login)
    assert outsider.get(f"/console/attachments/{photo_id}/thumbnail").status_code == 404
    assert outsider.get(f"/console/attachments/{photo_id}").status_code == 404


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_pages_speak_every_language(admin, world, submit, client, language):
    made = submit()
    client.post(f"/api/v1/requests/{made['id']}/comments", json={"body": "A note", "internal": True},
                headers=world.admin.headers)
    browser, token = admin
    assert browser.post("/console/language", data={"csrf_token": token, "language": language,
                                                   "next": "/console/requests"}).status_code == 303
    for url in ("/console/requests", f"/console/requests/{made['id']}"):
        page = browser.get(url).get_data(as_text=True)
        assert f'<html lang="{language}">' in page
        leaked = re.findall(r">\s*((?:queue|request)\.[a-z_.]+)\s*<", page)
        assert not leaked, (url, leaked)


def test_a_request_is_merged_by_number_and_a_canned_reply_applied(admin, world, submit, client):
    first, second = submit(), submit(title="AC is broken again")
    reply = client.post("/api/v1/replies", headers=world.admin.headers, json={
        "title": "Taken", "body": "We took {number}.", "actions": {"assign_to_me": True, "status": "in_progress"}})
    assert reply.status_code == 201, reply.get_json()
    browser, token = admin
    url = f"/console/requests/{first['id']}"
    applied = browser.post(url + "/replies", data={"csrf_token": token, "reply_id": str(reply.get_json()["id"])})
    assert applied.status_code == 303
    after = read(client, world, first["id"])
    assert after["status"] == "in_progress" and after["assignee"]["id"] == world.admin.id
    merged = browser.post(f"/console/requests/{second['id']}/merge",
                          data={"csrf_token": token, "into": first["number"].lower()})
    assert merged.status_code == 303
    assert read(client, world, second["id"])["status"] == "duplicate"
    assert read(client, world, second["id"])["merged_into"]["id"] == first["id"]
    page = browser.get(f"/console/requests/{second['id']}").get_data(as_text=True)
    assert "duplicate" in page and first["number"] in page


def test_form_answers_are_shown_by_their_labels(admin, world, client, submit):
    form = [{"key": "symptom", "type": "choice", "required": False,
             "label": {"ru": "Что случилось", "kk": "Не болды", "en": "What happened"},
             "options": [{"value": "not_cooling", "label": {"ru": "Не охлаждает", "kk": "Салқындатпайды",
                                                            "en": "Does not cool"}}]}]
    changed = client.patch("/api/v1/categories/FAC-AC", json={"fields": form}, headers=world.admin.headers)
    assert changed.status_code == 200, changed.get_json()
    made = submit(fields={"symptom": "not_cooling"})
    browser, _ = admin
    page = browser.get(f"/console/requests/{made['id']}").get_data(as_text=True)
    assert "What happened" in page and "Does not cool" in page and "not_cooling" not in page


def _assignee_choices(page, select_id):
    """The values of a select's options on the page (``<select id=...>`` up to its end)."""
    block = re.search(rf'<select id="{select_id}".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', block)


def test_a_manager_is_given_no_list_of_the_staff_as_the_api_refuses_it(app, world, client):
    """GET /api/v1/users is administrators' only: the queue's assignee choices name no one else to a manager."""
    assert client.get("/api/v1/users", headers=world.manager_fac_ala.headers).status_code == 403
    browser, _ = console_client(app, world.manager_fac_ala.login)
    page = browser.get("/console/requests").get_data(as_text=True)
    others = [world.admin, world.admin_ala, world.admin_ast, world.manager_it]
    for person in others:
        assert person.login not in page, person.login
    for select_id in ("f-assignee", "bulk-assignee"):
        assert _assignee_choices(page, select_id) in (["", "me", "none"], ["me", "none"]), select_id
    with_filter = browser.get(f"/console/requests?assignee_id={world.admin.id}").get_data(as_text=True)
    assert str(world.admin.id) in _assignee_choices(with_filter, "f-assignee")  # the filter asked for stays chosen
    assert world.admin.login not in with_filter
    log = client.get("/api/v1/audit-log?action=user.list", headers=world.admin.headers).get_json()["items"]
    assert log == []


def test_an_administrators_list_of_the_staff_is_audited_as_the_apis(app, world, client):
    browser, _ = console_client(app, world.admin_ala.login)

    def audit_rows():
        return client.get("/api/v1/audit-log?action=user.list", headers=world.admin.headers).get_json()["items"]

    before = audit_rows()
    page = browser.get("/console/requests").get_data(as_text=True)
    assert str(world.manager_it.id) in _assignee_choices(page, "f-assignee")
    assert str(world.manager_it.id) in _assignee_choices(page, "bulk-assignee")
    assert world.employee.login not in page  # staff only
    after = audit_rows()  # newest first
    log = after[:len(after) - len(before)]
    assert [(entry["actor_id"], entry["target_type"]) for entry in log] == [(world.admin_ala.id, "user")]
    assert log[0]["details"]["filter"] == {"role": ["administrator", "manager"], "is_active": True}
