"""Staff who follow a request outside their scope read exactly what the API gives a follower
(API.md "Following and similar requests, tightened", PRIVACY.md P18): number, title, status,
category, office, public staff comments and status events; never the description, photos,
form answers or internal notes, never who the author is (not as the author, not as the actor
of an event, not as the writer of a comment), and no form they could not use."""
import re

import pytest

from tests.console.support import (INTERNAL_NOTE, SECRET_DESCRIPTION, STAFF_REPLY, followed_request,
                                   signed_in_client)

WRITES = ("status", "assign", "comments", "replies", "merge")


@pytest.fixture
def followed(app, client, world, submit):
    return followed_request(app, client, world, submit, world.manager_it)  # IT only: facilities are outside


def test_a_staff_follower_reads_the_follower_view_and_never_the_author(app, client, world, followed):
    api = client.get(f"/api/v1/requests/{followed['id']}", headers=world.manager_it.headers).get_json()
    assert api["author"] is None and api["attachments"] == [] and api["fields"] == {}  # the API's follower view
    browser, _ = signed_in_client(app, world.manager_it.login)
    response = browser.get(f"/console/requests/{followed['id']}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for shown in (followed["number"], followed["title"], "FAC-AC", "ALA", STAFF_REPLY, 'data-status="in_progress"'):
        assert shown in page, shown
    assert 'data-event="status_changed"' in page
    # The author's name and login (as the author, as the actor of "created", in the conversation).
    for hidden in ("Aigerim", world.employee.login, SECRET_DESCRIPTION, INTERNAL_NOTE, "What happened",
                   "Does not cool", "/console/attachments/"):
        assert hidden not in page, hidden


def test_a_staff_follower_is_offered_no_form_and_every_write_is_a_404(app, client, world, followed):
    browser, token = signed_in_client(app, world.manager_it.login)
    page = browser.get(f"/console/requests/{followed['id']}").get_data(as_text=True)
    actions = re.findall(r'<form[^>]*action="([^"]*)"', page)
    assert not [action for action in actions if action.startswith(f"/console/requests/{followed['id']}/")], actions
    assert 'data-testid="canned-select"' not in page and 'data-testid="reply-body"' not in page
    assert 'data-testid="follower-note"' in page
    before = client.get(f"/api/v1/requests/{followed['id']}", headers=world.admin.headers).get_json()
    for write in WRITES:
        answer = browser.post(f"/console/requests/{followed['id']}/{write}", data={
            "csrf_token": token, "status": "waiting", "assignee_id": str(world.manager_it.id), "body": "Me too",
            "reply_id": "1", "into": "1", "etag": str(before["version"])})
        assert answer.status_code == 404, (write, answer.status_code)
    after = client.get(f"/api/v1/requests/{followed['id']}", headers=world.admin.headers).get_json()
    assert after["version"] == before["version"] and after["status"] == before["status"]


def test_the_queue_shows_a_staff_follower_nothing_more(app, world, followed):
    browser, _ = signed_in_client(app, world.manager_it.login)
    page = browser.get("/console/requests").get_data(as_text=True)
    for hidden in ("Aigerim", world.employee.login, SECRET_DESCRIPTION):
        assert hidden not in page, hidden


def test_staff_in_scope_still_read_it_in_full_with_their_forms(app, world, followed):
    browser, _ = signed_in_client(app, world.manager_fac_ala.login)
    page = browser.get(f"/console/requests/{followed['id']}").get_data(as_text=True)
    for shown in ("Aigerim", SECRET_DESCRIPTION, INTERNAL_NOTE, "What happened", "Does not cool",
                  "/console/attachments/", 'data-testid="reply-body"', 'data-testid="assign-select"',
                  'data-testid="status-action-waiting"'):
        assert shown in page, shown
    assert 'data-testid="follower-note"' not in page


def test_a_canned_reply_filled_with_the_authors_name_reaches_a_staff_follower_without_it(app, client, world, followed):
    body = {"ru": "{author_name}, заявка {number} принята.", "kk": "{author_name}, {number} қабылданды.",
            "en": "{author_name}, {number} is taken."}
    reply = client.post("/api/v1/replies", json={"title": "Taken", "body": body}, headers=world.admin.headers)
    applied = client.post(f"/api/v1/requests/{followed['id']}/replies/{reply.get_json()['id']}",
                          headers=world.admin.headers)
    assert applied.status_code == 200, applied.get_json()
    in_full, _ = signed_in_client(app, world.manager_fac_ala.login)
    staff_page = in_full.get(f"/console/requests/{followed['id']}").get_data(as_text=True)
    assert re.search(r"Aigerim[^<]*, (заявка )?" + followed["number"], staff_page)  # the staff read it filled in
    browser, _ = signed_in_client(app, world.manager_it.login)
    page = browser.get(f"/console/requests/{followed['id']}").get_data(as_text=True)
    assert followed["number"] in page and "Aigerim" not in page
