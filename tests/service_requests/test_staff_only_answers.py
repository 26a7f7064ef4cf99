"""An edit of staff-only form answers is staff's business only (PRIVACY.md P18, forms.py): the author's
request does not change, not in ``GET /requests/{id}`` (same version, same ETag, same ``updated_at``)
nor in the author's sync; staff see the change in theirs, and their ETag guards their edits."""
import pytest

from tests.support.api import assert_error

FORM = [
    {"key": "symptom", "type": "choice", "label": "What is wrong", "required": True,
     "options": [{"value": "noisy", "label": "Noisy"}, {"value": "leaking", "label": "Leaking"}]},
    {"key": "unit_id", "type": "text", "label": "Inventory number", "staff_only": True},
]


@pytest.fixture
def rid(client, world):
    response = client.patch("/api/v1/categories/FAC-AC", json={"fields": FORM}, headers=world.admin.headers)
    assert response.status_code == 200, response.get_json()
    response = client.post("/api/v1/requests", json={"title": "AC is broken", "category": "FAC-AC",
                                                     "location": {"lat": 43.21, "lon": 76.91},
                                                     "fields": {"symptom": "noisy"}}, headers=world.employee.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def read(client, who, rid):
    response = client.get(f"/api/v1/requests/{rid}", headers=who.headers)
    assert response.status_code == 200, response.get_json()
    return response.headers["ETag"], response.get_json()


def edit(client, who, rid, etag, body):
    return client.patch(f"/api/v1/requests/{rid}", json=body, headers={**who.headers, "If-Match": etag})


def sync_all(client, who, cursor=None):
    """Every page of ``who``'s sync: (requests, removed, last cursor)."""
    requests, removed = [], []
    while True:
        response = client.get("/api/v1/sync", query_string={"cursor": cursor} if cursor else {}, headers=who.headers)
        assert response.status_code == 200, response.get_json()
        page = response.get_json()
        requests += page["requests"]
        removed += page["removed"]
        cursor = page["cursor"]
        if not page["has_more"]:
            return requests, removed, cursor


def test_an_edit_of_staff_only_answers_is_no_change_for_the_author(client, world, rid):
    author_etag, before = read(client, world.employee, rid)
    _, _, author_cursor = sync_all(client, world.employee)
    _, _, staff_cursor = sync_all(client, world.admin_ala)
    staff_etag, _ = read(client, world.admin_ala, rid)

    response = edit(client, world.admin_ala, rid, staff_etag, {"fields": {"unit_id": "AC-0305"}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["fields"] == {"symptom": "noisy", "unit_id": "AC-0305"}

    # The author: nothing changed, not in the sync, not in the request, not in its ETag.
    assert sync_all(client, world.employee, author_cursor)[:2] == ([], [])
    etag, after = read(client, world.employee, rid)
    assert (etag, after["version"], after["updated_at"]) == (author_etag, before["version"], before["updated_at"])
    assert after == before
    unchanged = client.get(f"/api/v1/requests/{rid}", headers={**world.employee.headers, "If-None-Match": author_etag})
    assert unchanged.status_code == 304
    # Staff: the change comes with their sync, the new answer with it.
    requests, removed, _ = sync_all(client, world.admin_ala, staff_cursor)
    assert [(r["id"], r["fields"]) for r in requests] == [(rid, {"symptom": "noisy", "unit_id": "AC-0305"})]
    assert removed == []


def test_staff_etag_follows_the_staff_only_answers(client, world, rid):
    """Two staff members: the one who read before the other's edit of a staff-only answer is told
    (412), and a cached copy is not served as current (no 304)."""
    first_etag, _ = read(client, world.admin_ala, rid)
    second_etag, _ = read(client, world.manager_fac_ala, rid)
    assert first_etag == second_etag
    response = edit(client, world.manager_fac_ala, rid, second_etag, {"fields": {"unit_id": "AC-1"}})
    assert response.status_code == 200, response.get_json()
    new_etag = response.headers["ETag"]
    assert new_etag != first_etag

    stale = edit(client, world.admin_ala, rid, first_etag, {"fields": {"unit_id": "AC-2"}})
    assert_error(stale, 412, "precondition_failed")
    cached = client.get(f"/api/v1/requests/{rid}", headers={**world.admin_ala.headers, "If-None-Match": first_etag})
    assert cached.status_code == 200 and cached.get_json()["fields"]["unit_id"] == "AC-1"
    assert cached.headers["ETag"] == new_etag
    # With the current tag the edit goes through; the author's tag never moved.
    assert edit(client, world.admin_ala, rid, new_etag, {"fields": {"unit_id": "AC-2"}}).status_code == 200
    assert read(client, world.admin_ala, rid)[1]["fields"]["unit_id"] == "AC-2"


def test_an_edit_of_a_public_answer_is_still_a_change_for_the_author(client, world, rid):
    author_etag, before = read(client, world.employee, rid)
    _, _, author_cursor = sync_all(client, world.employee)
    staff_etag, _ = read(client, world.admin_ala, rid)
    response = edit(client, world.admin_ala, rid, staff_etag, {"fields": {"symptom": "leaking", "unit_id": "AC-3"}})
    assert response.status_code == 200, response.get_json()
    requests, _, _ = sync_all(client, world.employee, author_cursor)
    assert [(r["id"], r["fields"]) for r in requests] == [(rid, {"symptom": "leaking"})]
    etag, after = read(client, world.employee, rid)
    assert etag != author_etag and after["version"] == before["version"] + 1
