"""Hostile input against what issue 13 added: the sync cursor, the upgrade gate, conditional
GETs and compression, photo removal, device registration, refresh and error messages in
the caller's language. Every refusal is a 4xx JSON error and leaves every table as it was."""
import io
import time

import pytest
from PIL import Image

from tests.support.api import all_rows as snapshot
from tests.support.api import assert_error

# ASCII digits written with other Unicode digits: Arabic-Indic, fullwidth, mathematical bold.
_OTHER_DIGITS = {"arabic": "٠١٢٣٤٥٦٧٨٩", "fullwidth": "０１２３４５６７８９", "bold": "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗"}


def _spelled(number, digits):
    return "".join(digits[int(d)] for d in str(number))


def _photo(client, world, rid):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 200, 10)).save(out, "JPEG")
    response = client.post(f"/api/v1/requests/{rid}/attachments", headers=world.employee.headers,
                           data={"file": (io.BytesIO(out.getvalue()), "p.jpg", "image/jpeg")},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


# --- the upgrade gate -------------------------------------------------------------------------

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


# --- ids in paths -----------------------------------------------------------------------------

@pytest.mark.parametrize("digits", sorted(_OTHER_DIGITS))
def test_an_id_in_a_path_written_in_other_unicode_digits_is_404_and_removes_nothing(
        client, app, world, submit, tmp_path, digits):
    app.config["STORAGE_LOCAL_ROOT"] = str(tmp_path / "attachments")
    rid = submit()["id"]
    photo = _photo(client, world, rid)
    before = snapshot(app)
    spelled_rid, spelled_photo = _spelled(rid, _OTHER_DIGITS[digits]), _spelled(photo, _OTHER_DIGITS[digits])
    assert_error(client.get(f"/api/v1/requests/{spelled_rid}", headers=world.employee.headers), 404, "not_found")
    assert_error(client.get(f"/api/v1/attachments/{spelled_photo}", headers=world.employee.headers),
                 404, "not_found")
    assert_error(client.delete(f"/api/v1/attachments/{spelled_photo}", headers=world.employee.headers),
                 404, "not_found")
    assert snapshot(app) == before
    assert client.get(f"/api/v1/attachments/{photo}", headers=world.employee.headers).status_code == 200


@pytest.mark.parametrize("attachment_id", ["0", "-1", "2147483648", "9223372036854775808", "9" * 40, "abc", "1.5", "%00"])
def test_a_photo_id_that_cannot_be_one_is_404(client, app, world, attachment_id):
    before = snapshot(app)
    assert_error(client.delete(f"/api/v1/attachments/{attachment_id}", headers=world.employee.headers),
                 404, "not_found")
    assert snapshot(app) == before


def test_removing_a_photo_twice_is_204_then_404_and_someone_elses_photo_is_404(
        client, app, world, submit, tmp_path):
    app.config["STORAGE_LOCAL_ROOT"] = str(tmp_path / "attachments")
    photo = _photo(client, world, submit()["id"])
    before = snapshot(app)
    assert_error(client.delete(f"/api/v1/attachments/{photo}", headers=world.other_employee.headers),
                 404, "not_found")
    assert snapshot(app) == before
    assert client.delete(f"/api/v1/attachments/{photo}", headers=world.employee.headers).status_code == 204
    after = snapshot(app)
    assert_error(client.delete(f"/api/v1/attachments/{photo}", headers=world.employee.headers), 404, "not_found")
    assert snapshot(app) == after


def test_a_photo_removal_that_loses_a_race_for_its_request_is_409_and_removes_nothing(
        client, app, world, submit, tmp_path, monkeypatch):
    """Two removals (or a removal and an upload) at once: on SQLite nothing orders them and the
    request's version has moved under the slower one when it writes (StaleDataError)."""
    import sqlalchemy as sa

    from service_requests.photos import attachments
    from service_requests import history

    app.config["STORAGE_LOCAL_ROOT"] = str(tmp_path / "attachments")
    photo = _photo(client, world, submit()["id"])
    record = history.record

    def moved_under_us(req, *args, **kwargs):
        sa.orm.attributes.set_committed_value(req, "version", req.version - 1)  # as another writer would
        return record(req, *args, **kwargs)

    monkeypatch.setattr(attachments.history, "record", moved_under_us)
    before = snapshot(app)
    response = client.delete(f"/api/v1/attachments/{photo}", headers=world.employee.headers)
    assert_error(response, 409, "conflict")
    assert snapshot(app) == before
    monkeypatch.setattr(attachments.history, "record", record)
    assert client.delete(f"/api/v1/attachments/{photo}", headers=world.employee.headers).status_code == 204


# --- devices ----------------------------------------------------------------------------------

@pytest.mark.parametrize("token", ["abc\n", "abc\r\n", "\nabc", "a b", "abc\x00", "é"])
def test_a_push_token_with_a_line_break_or_other_stray_character_is_422_and_stores_nothing(
        client, app, world, token):
    before = snapshot(app)
    response = client.post("/api/v1/devices", json={"token": token, "platform": "android"},
                           headers=world.employee.headers)
    error = assert_error(response, 422, "validation_error")
    assert "token" in error["details"]
    assert snapshot(app) == before


@pytest.mark.parametrize("token", ["%00", "a%00b", "%ED%A0%80", "é", "x" * 5000, "a/b/c", ".."])
def test_removing_a_push_token_that_cannot_be_one_is_204_and_changes_nothing_on_either_database(
        client, app, world, token):
    assert client.post("/api/v1/devices", json={"token": "tok-kept", "platform": "android"},
                       headers=world.employee.headers).status_code == 201
    before = snapshot(app)
    response = client.delete(f"/api/v1/devices/{token}", headers=world.employee.headers)
    assert response.status_code == 204, response.get_data(as_text=True)
    assert snapshot(app) == before


@pytest.mark.parametrize("code", ["NEW\n", "NEW\r\n", "\nNEW"])
def test_a_category_code_with_a_line_break_is_422_and_stores_nothing(client, app, world, code):
    before = snapshot(app)
    response = client.post("/api/v1/categories", json={"code": code, "name": "New", "department": "FAC"},
                           headers=world.admin.headers)
    assert_error(response, 422, "validation_error")
    assert snapshot(app) == before


def test_a_reset_code_with_a_line_break_is_422_and_stores_nothing(client, app, world):
    before = snapshot(app)
    response = client.post("/api/v1/auth/password-reset/confirm",
                           json={"login": "nobody", "code": "123456\n", "new_password": "a-long-new-password-1"})
    error = assert_error(response, 422, "validation_error")
    assert "code" in error["details"]
    assert snapshot(app) == before


@pytest.mark.parametrize("token", ["x", "a.b.c", "\u00e9", "x" * 10_000])
def test_refresh_with_a_token_that_is_not_one_is_401(client, app, world, token):
    before = snapshot(app)
    assert_error(client.post("/api/v1/auth/refresh", headers={"Authorization": f"Bearer {token}"}), 401)
    assert snapshot(app) == before


# --- sync ---------------------------------------------------------------------------------------

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


# --- conditional requests, compression, languages ---------------------------------------------

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
