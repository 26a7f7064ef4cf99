"""Odd ``If-None-Match``, ``Accept-Encoding`` and ``Accept-Language``: never a failure, the error envelope still quick.
Every refusal is a 4xx JSON error and leaves every table as it was."""
import time

import pytest

from tests.support.api import assert_error


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/offices", "/api/v1/categories", "/api/v1/departments",
                                  "/api/v1/app-config"])
def test_odd_if_none_match_and_accept_encoding_never_fail(client, world, path):
    for tag in ['W/"a", "b"', "garbage", "W/", '"', ",,,,", "x" * 20_000, "é", ", *"]:
        assert client.get(path, headers={**world.employee.headers, "If-None-Match": tag}).status_code == 200
    assert client.get(path, headers={**world.employee.headers, "If-None-Match": "*"}).status_code == 304
    for coding in ["br;q=0", "*", "gzip;q=abc", "identity;q=0", "gzip;q=" + "9" * 5000, ",".join(["gzip"] * 3000),
                   "*;q=0", "gzip;q=1e400", "é"]:
        for method in (client.get, client.head):
            assert method(path, headers={**world.employee.headers, "Accept-Encoding": coding}).status_code == 200


@pytest.mark.parametrize("language", ["x" * 100_000, "*;q=abc", ",".join(f"l{i};q=0.{i % 9}" for i in range(5000)),
                                      "ру", "kk;q=NaN", "en;q=inf", "é;q=1", ";;;;", "kk-" + "a" * 5000])
def test_an_odd_accept_language_still_gets_a_quick_error_envelope(client, language):
    started = time.monotonic()
    response = client.post("/api/v1/auth/login", json={"login": "(.*)+$[]{x}\\1", "password": "{message}"},
                           headers={"Accept-Language": language})
    assert_error(response, 401)
    assert time.monotonic() - started < 2
