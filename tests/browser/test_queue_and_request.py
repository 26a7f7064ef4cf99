"""The queue and the request page in a real browser: an administrator takes a request from the
queue through assignment, work, a canned reply and an internal note to resolution, and the API
shows every change."""
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.console.support import INTERNAL_NOTE, SECRET_DESCRIPTION, STAFF_REPLY, followed_request
from tests.support.photos import gps_photo, upload


def api(client, who, path):
    response = client.get(f"/api/v1{path}", headers=who.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_an_administrator_works_a_request_from_the_queue_to_resolved(page, live_server, client, world, submit):
    submit(title="Printer on the 3rd floor jams", category="IT-PC")
    submit(title="Water leak in the kitchen", priority="high")
    made = submit(title="AC blows warm air in room 204", description="Since Monday the AC gives no cold air.")
    assert upload(client, world.employee, made["id"], gps_photo()).status_code == 201
    reply = client.post("/api/v1/replies", headers=world.admin.headers, json={
        "title": {"en": "We are on it", "ru": "Уже занимаемся", "kk": "Айналысып жатырмыз"},
        "body": {"en": "Hello {author_name}, a technician is on the way for {number}.",
                 "ru": "Здравствуйте, {author_name}! Мастер уже идёт по заявке {number}.",
                 "kk": "Сәлеметсіз бе, {author_name}! {number} өтінімі бойынша шебер жолда."},
        "shared": True})
    assert reply.status_code == 201, reply.get_json()

    sign_in(page, world.admin.login)
    rows = page.get_by_test_id("queue-row")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text(made["number"])  # newest first
    assert_accessible(page)
    screenshot(page, "queue")

    rows.filter(has_text=made["number"]).click()
    page.wait_for_url(f"**/console/requests/{made['id']}")
    status = page.get_by_test_id("request-status")
    expect(status).to_have_attribute("data-status", "new")
    expect(page.get_by_test_id("status-action-resolved")).to_have_count(0)  # not a move from new
    # The photo is served to the signed-in browser (the console's route, the API's access check).
    expect(page.locator(".photos img")).to_have_count(1)
    page.wait_for_function("() => { const i = document.querySelector('.photos img');"
                           " return i && i.complete && i.naturalWidth > 0; }")

    page.get_by_test_id("assign-select").select_option(str(world.manager_fac_ala.id))
    page.get_by_test_id("assign-save").click()
    expect(page.locator(".flash.success")).to_be_visible()
    assert api(client, world.admin, f"/requests/{made['id']}")["assignee"]["id"] == world.manager_fac_ala.id
    expect(page.get_by_test_id("assign-select")).to_have_value(str(world.manager_fac_ala.id))

    page.get_by_test_id("status-action-in_progress").click()
    expect(status).to_have_attribute("data-status", "in_progress")
    assert api(client, world.admin, f"/requests/{made['id']}")["status"] == "in_progress"

    page.get_by_test_id("canned-select").select_option(str(reply.get_json()["id"]))
    page.get_by_test_id("canned-apply").click()
    expect(page.get_by_test_id("comment").first).to_contain_text(f"a technician is on the way for {made['number']}")

    page.get_by_test_id("reply-body").fill("Checked the unit: the compressor relay is worn, a spare is ordered.")
    page.get_by_test_id("reply-internal").check()
    page.get_by_test_id("reply-submit").click()
    note = page.locator(".comment.internal")
    expect(note).to_have_count(1)
    expect(note).to_contain_text("Internal note")
    expect(note).to_contain_text("compressor relay")

    page.get_by_test_id("reply-body").fill("The part arrives tomorrow; we will fit it in the morning.")
    page.get_by_test_id("reply-submit").click()
    comments = page.get_by_test_id("comment")
    expect(comments).to_have_count(3)
    expect(comments.nth(2)).to_have_attribute("data-internal", "false")
    expect(comments.nth(2)).not_to_contain_text("Internal note")
    assert_accessible(page)
    screenshot(page, "request", full_page=True)

    page.get_by_test_id("status-action-resolved").click()
    expect(status).to_have_attribute("data-status", "resolved")

    final = api(client, world.admin, f"/requests/{made['id']}")
    assert final["status"] == "resolved"
    assert final["assignee"]["id"] == world.manager_fac_ala.id
    thread = api(client, world.admin, f"/requests/{made['id']}/comments")["items"]
    assert [(c["internal"], c["author"]["id"]) for c in thread] == [(False, world.admin.id)] * 1 + \
        [(True, world.admin.id), (False, world.admin.id)]
    assert thread[0]["body"] == f"Hello Aigerim, a technician is on the way for {made['number']}."
    assert "compressor relay" in thread[1]["body"]
    events = api(client, world.admin, f"/requests/{made['id']}/events")["items"]
    moves = [(e["data"]["from"], e["data"]["to"]) for e in events if e["event"] == "status_changed"]
    assert moves == [("new", "in_progress"), ("in_progress", "resolved")]
    assert [e["data"]["assignee"]["id"] for e in events if e["event"] == "assigned"] == [world.manager_fac_ala.id]
    # The author reads the conversation without the internal note.
    seen = api(client, world.employee, f"/requests/{made['id']}/comments")["items"]
    assert [c["internal"] for c in seen] == [False, False]


def test_a_saved_view_and_a_filter_narrow_the_queue(page, live_server, client, world, submit):
    submit(title="Printer on the 3rd floor jams", category="IT-PC")
    urgent = submit(title="Water leak in the kitchen", priority="urgent")
    view = client.post("/api/v1/views", headers=world.admin.headers,
                       json={"name": "Urgent", "filters": {"priority": ["urgent"]}, "shared": True})
    assert view.status_code == 201, view.get_json()
    sign_in(page, world.admin.login)
    expect(page.get_by_test_id("queue-row")).to_have_count(2)
    page.get_by_test_id("saved-view").filter(has_text="Urgent").click()
    expect(page.get_by_test_id("queue-row")).to_have_count(1)
    expect(page.get_by_test_id("queue-row")).to_contain_text(urgent["number"])
    page.get_by_label("Search").fill("Printer")
    page.get_by_label("Priority").select_option("")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_test_id("queue-row")).to_have_count(1)
    expect(page.get_by_test_id("queue-row")).to_contain_text("Printer")
    assert_accessible(page)


def test_a_manager_who_follows_a_request_sees_the_follower_view_only(page, app, live_server, client, world, submit):
    """Outside the IT manager's scope, followed: no author, description, photos, form answers or
    internal notes, and no form to write with (API.md "Following and similar requests, tightened")."""
    followed = followed_request(app, client, world, submit, world.manager_it)
    sign_in(page, world.manager_it.login, path=f"/console/requests/{followed['id']}")
    expect(page.get_by_test_id("request-number")).to_have_text(followed["number"])
    expect(page.get_by_test_id("request-status")).to_have_attribute("data-status", "in_progress")
    main = page.locator("main")
    for hidden in ("Aigerim", world.employee.login, SECRET_DESCRIPTION, INTERNAL_NOTE, "What happened"):
        expect(main).not_to_contain_text(hidden)
    expect(page.get_by_test_id("comment")).to_have_count(1)
    expect(page.get_by_test_id("comment")).to_contain_text(STAFF_REPLY)
    expect(page.get_by_test_id("follower-note")).to_be_visible()
    expect(page.locator(".photos img")).to_have_count(0)
    expect(main.locator("form")).to_have_count(0)  # no reply, status, assignment, canned reply or merge
    assert_accessible(page)
