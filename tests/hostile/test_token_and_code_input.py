"""Push tokens, category codes, reset codes and refresh tokens with line breaks or other stray characters: 4xx and nothing stored.
Every refusal is a 4xx JSON error and leaves every table as it was."""
import pytest

from tests.support.api import all_rows as snapshot
from tests.support.api import assert_error


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
