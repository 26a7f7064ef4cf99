"""Hostile ``X-App-Version`` and ``X-App-Platform`` headers: the upgrade gate answers 400, on every kind of route.
Every refusal is a 4xx JSON error and leaves every table as it was."""
import pytest

from tests.support.api import all_rows as snapshot
from tests.support.api import assert_error


@pytest.mark.parametrize("version", ["١.٢.٣", "𝟗.𝟗", "９９", "1.٢", "", " ", "1" * 10_000, "1.2.3.4.5", "1e5", "-1", "ü"])
def test_a_version_not_written_in_ascii_digits_is_400_on_every_kind_of_route(client, app, world, version):
    before = snapshot(app)
    headers = {**world.employee.headers, "X-App-Version": version, "X-App-Platform": "android"}
    for response in (client.get("/api/v1/me", headers=headers),
                     client.get("/api/v1/nowhere", headers=headers),
                     client.post("/api/v1/requests", json={}, headers=headers),
                     client.options("/api/v1/me", headers=headers)):
        error = assert_error(response, 400, "bad_request")
        assert "X-App-Version" in error["details"]
    assert snapshot(app) == before


@pytest.mark.parametrize("platform", ["", " ", "andröid", "x" * 10_000])
def test_an_unknown_platform_is_400(client, world, platform):
    headers = {**world.employee.headers, "X-App-Version": "9.9.9", "X-App-Platform": platform}
    assert_error(client.get("/api/v1/me", headers=headers), 400, "bad_request")
