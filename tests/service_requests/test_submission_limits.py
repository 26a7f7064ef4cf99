"""The create and upload limits count accepted requests and photos only (API.md, Additions: Tokens),
and Retry-After appears on 429 and 503 only."""
import pytest

from tests.support.api import assert_error
from tests.support.photos import gps_photo, upload
from tests.support.places import ALA_POINT


@pytest.fixture
def app(make_app, tmp_path):
    return make_app(RATELIMIT_ENABLED=True, REQUEST_CREATE_LIMIT="2 per hour", UPLOAD_LIMIT="2 per hour",
                    STORAGE_LOCAL_ROOT=str(tmp_path / "attachments"))


def create(client, who, key=None, **body):
    headers = {**who.headers, **({"Idempotency-Key": key} if key else {})}
    return client.post("/api/v1/requests", json={"title": "AC is broken", "category": "FAC-AC",
                                                 "location": ALA_POINT, **body}, headers=headers)


def test_refusals_and_replays_do_not_count_against_the_create_limit(client, world):
    for _ in range(3):
        assert create(client, world.employee, title="no").status_code == 422  # refused: not counted
        assert create(client, world.employee, category="NOPE").status_code == 422
    first = create(client, world.employee, key="k-1")
    assert first.status_code == 201 and first.headers["Idempotent-Replayed"] == "false"
    for _ in range(3):  # the phone retrying the same submission
        replay = create(client, world.employee, key="k-1")
        assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert create(client, world.employee, key="k-1", title="Another body").status_code == 409
    assert create(client, world.employee, key="k-2").status_code == 201  # the second accepted one
    limited = create(client, world.employee, key="k-3")
    assert_error(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) > 0
    assert create(client, world.other_employee).status_code == 201  # per person


def test_duplicates_and_refusals_do_not_count_against_the_upload_limit(client, world):
    rid = create(client, world.employee).get_json()["id"]
    photo = gps_photo()
    assert upload(client, world.employee, rid, photo).status_code == 201
    for _ in range(3):
        assert upload(client, world.employee, rid, photo).status_code == 200  # the same bytes again
        assert upload(client, world.employee, rid, b"not an image").status_code == 415
        assert upload(client, world.employee, 999_999, gps_photo(colour=(1, 2, 3))).status_code == 404
    assert upload(client, world.employee, rid, gps_photo(colour=(0, 200, 0))).status_code == 201
    limited = upload(client, world.employee, rid, gps_photo(colour=(0, 0, 200)))
    assert_error(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) > 0


def test_retry_after_only_on_429_and_503(client, world):
    answers = {
        "200 list": client.get("/api/v1/requests", headers=world.employee.headers),
        "201 create": create(client, world.employee),
        "401 no token": client.get("/api/v1/me"),
        "404": client.get("/api/v1/requests/999999", headers=world.employee.headers),
        "422": create(client, world.employee, title="no"),
        "400": client.post("/api/v1/requests", data="{", content_type="application/json",
                           headers=world.employee.headers),
    }
    for name, response in answers.items():
        assert "Retry-After" not in response.headers, name
    assert create(client, world.employee).status_code == 201
    assert "Retry-After" in create(client, world.employee).headers  # the 429
