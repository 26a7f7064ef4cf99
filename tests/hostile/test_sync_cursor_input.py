"""Odd sync cursors: 400 and nothing written.
Every refusal is a 4xx JSON error and leaves every table as it was."""
from tests.support.api import all_rows as snapshot
from tests.support.api import assert_error


def test_sync_refuses_every_odd_cursor_with_400_and_writes_nothing(client, app, world, submit):
    submit()
    submit()
    mine = client.get("/api/v1/sync", headers=world.employee.headers, query_string={"limit": 1}).get_json()["cursor"]
    theirs = client.get("/api/v1/sync", headers=world.other_employee.headers).get_json()["cursor"]
    # The last base64url character may carry unused low bits (A and B can decode alike); its
    # top bit always counts, so the replacement flips it: A is 000000, w is 110000.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    flipped = mine[:-1] + ("w" if alphabet.find(mine[-1]) < 32 else "A")
    before = snapshot(app)
    for cursor in ["x" * 4096, "é" * 100, "\x00", "a\x00b", "eyJwIjoiZnVsbCJ9", theirs, mine[:-1], flipped,
                   " ", ".", "a.b.c", "１２３"]:
        response = client.get("/api/v1/sync", headers=world.employee.headers, query_string={"cursor": cursor})
        assert_error(response, 400, "bad_request")
    for raw in ["cursor=%ED%A0%80", "cursor=%FF%FE", "cursor=a&cursor=b"]:
        assert_error(client.get("/api/v1/sync?" + raw, headers=world.employee.headers), 400, "bad_request")
    assert_error(client.get("/api/v1/sync", headers=world.employee.headers, query_string={"cursor": "x" * 5000}),
                 422, "validation_error")
    for limit in ["1.5", "1e2", "9" * 30, "-1", "", "%00", "NaN"]:
        assert_error(client.get(f"/api/v1/sync?limit={limit}", headers=world.employee.headers),
                     422, "validation_error")
    assert snapshot(app) == before
