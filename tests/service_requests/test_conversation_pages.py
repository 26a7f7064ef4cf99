"""Comments and events are paged like every list, oldest first; a photo you may not
see answers exactly like one that does not exist."""
import io

import pytest
from PIL import Image

COMMENTS = ["first", "second", "third", "fourth", "fifth"]


def comment(client, who, rid, body, internal=False):
    response = client.post(f"/api/v1/requests/{rid}/comments", json={"body": body, "internal": internal},
                           headers=who.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def pages(client, who, url, limit):
    """Every page of ``url``, following ``next_cursor`` until it is null."""
    result, cursor = [], None
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = client.get(url, headers=who.headers, query_string=query)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        result.append(body)
        cursor = body["next_cursor"]
        if cursor is None:
            return result


@pytest.fixture
def conversation(client, submit, world):
    rid = submit()["id"]
    for body in COMMENTS:
        comment(client, world.employee, rid, body)
    return rid


def test_comments_come_oldest_first_on_first_middle_and_last_pages(client, world, conversation):
    first, middle, last = pages(client, world.employee, f"/api/v1/requests/{conversation}/comments", limit=2)
    assert [c["body"] for c in first["items"]] == ["first", "second"] and first["next_cursor"]
    assert [c["body"] for c in middle["items"]] == ["third", "fourth"] and middle["next_cursor"]
    assert [c["body"] for c in last["items"]] == ["fifth"] and last["next_cursor"] is None


def test_a_page_of_exactly_the_rest_ends_the_list(client, world, conversation):
    bodies = [[c["body"] for c in page["items"]]
              for page in pages(client, world.employee, f"/api/v1/requests/{conversation}/comments", limit=5)]
    assert bodies == [COMMENTS]


def test_events_come_oldest_first_and_pages_join_into_the_whole_history(client, world, conversation):
    url = f"/api/v1/requests/{conversation}/events"
    whole = client.get(url, headers=world.employee.headers, query_string={"limit": 100}).get_json()
    assert whole["next_cursor"] is None
    events = whole["items"]
    assert [e["event"] for e in events] == ["created", "routed"] + ["commented"] * len(COMMENTS)
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    paged = pages(client, world.employee, url, limit=3)
    assert [len(page["items"]) for page in paged] == [3, 3, 1]
    assert [e for page in paged for e in page["items"]] == events


def test_internal_notes_stay_out_of_every_page_for_the_author(client, world, conversation):
    comment(client, world.admin, conversation, "staff only", internal=True)
    comment(client, world.employee, conversation, "sixth")
    for url in (f"/api/v1/requests/{conversation}/comments", f"/api/v1/requests/{conversation}/events"):
        author = [item for page in pages(client, world.employee, url, limit=2) for item in page["items"]]
        staff = [item for page in pages(client, world.admin, url, limit=2) for item in page["items"]]
        assert len(staff) == len(author) + 1
        assert all(not item["internal"] for item in author)
        assert [item for item in staff if not item["internal"]] == author
    bodies = [c["body"] for page in pages(client, world.employee, f"/api/v1/requests/{conversation}/comments", 2)
              for c in page["items"]]
    assert bodies == COMMENTS + ["sixth"]


def test_the_default_page_is_twenty_comments(client, world, submit):
    rid = submit()["id"]
    for n in range(21):
        comment(client, world.employee, rid, f"comment {n}")
    body = client.get(f"/api/v1/requests/{rid}/comments", headers=world.employee.headers).get_json()
    assert [c["body"] for c in body["items"]] == [f"comment {n}" for n in range(20)]
    assert body["next_cursor"]


def _jpeg():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 30)).save(out, "JPEG")
    return out.getvalue()


@pytest.mark.parametrize("suffix", ["", "/thumbnail"])
def test_a_photo_of_someone_elses_request_answers_like_a_missing_one(client, app, world, submit, tmp_path, suffix):
    app.config["STORAGE_LOCAL_ROOT"] = str(tmp_path / "attachments")
    rid = submit()["id"]
    uploaded = client.post(f"/api/v1/requests/{rid}/attachments", headers=world.employee.headers,
                           data={"file": (io.BytesIO(_jpeg()), "p.jpg", "image/jpeg")},
                           content_type="multipart/form-data")
    assert uploaded.status_code == 201, uploaded.get_json()
    photo_id = uploaded.get_json()["id"]
    assert client.get(f"/api/v1/attachments/{photo_id}{suffix}", headers=world.employee.headers).status_code == 200

    not_yours = client.get(f"/api/v1/attachments/{photo_id}{suffix}", headers=world.other_employee.headers)
    missing = client.get(f"/api/v1/attachments/{photo_id + 1000}{suffix}", headers=world.other_employee.headers)

    assert not_yours.status_code == missing.status_code == 404
    assert not_yours.get_json() == missing.get_json()
    assert not_yours.get_json()["error"]["code"] == "not_found"

    def headers(response):
        return {k: v for k, v in response.headers.items() if k.lower() != "x-request-id"}

    assert headers(not_yours) == headers(missing)
