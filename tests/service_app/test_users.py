"""Accounts (API.md, Users): administrators manage them; nobody signs themselves up."""
import pytest

from tests.support.api import DEMO_PASSWORD

NEW_USER = {"login": "new.person", "full_name": "Новый Сотрудник", "password": "initial-pass-1",
            "role": "employee", "phone": "+7 701 555 12 34", "email": "new@santrade.kz", "language": "kk"}


@pytest.mark.parametrize("role, status", [("employee", 403), ("manager", 403), ("administrator", 200)])
def test_role_matrix_for_listing_users(client, auth, role, status):
    caller = auth(role)
    response = client.get("/api/v1/users", headers=caller.headers)
    assert response.status_code == status
    if status == 403:
        assert response.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("role, status", [("employee", 403), ("manager", 403), ("administrator", 201)])
def test_role_matrix_for_creating_users(client, auth, role, status):
    caller = auth(role)
    response = client.post("/api/v1/users", json=NEW_USER, headers=caller.headers)
    assert response.status_code == status
    listing = client.get("/api/v1/users?q=new.person", headers=auth("administrator").headers).get_json()
    assert len(listing["items"]) == (1 if status == 201 else 0)


@pytest.mark.parametrize("role, status", [("employee", 403), ("manager", 403), ("administrator", 200)])
def test_role_matrix_for_reading_and_editing_a_user(client, auth, make_user, role, status):
    caller = auth(role)
    target = make_user("employee")
    assert client.get(f"/api/v1/users/{target.id}", headers=caller.headers).status_code == status
    edit = client.patch(f"/api/v1/users/{target.id}", json={"full_name": "Renamed"}, headers=caller.headers)
    assert edit.status_code == status


def test_user_endpoints_need_a_token(client):
    for method, path in [("get", "/api/v1/users"), ("post", "/api/v1/users"),
                         ("get", "/api/v1/users/1"), ("patch", "/api/v1/users/1")]:
        response = getattr(client, method)(path, json={})
        assert response.status_code == 401, path


def test_created_user_can_sign_in_and_has_normalised_fields(client, auth, login):
    admin = auth("administrator")
    body = dict(NEW_USER, login="New.Person")
    created = client.post("/api/v1/users", json=body, headers=admin.headers)
    assert created.status_code == 201
    user = created.get_json()
    assert user["login"] == "new.person" and user["phone"] == "+77015551234"
    assert user["office_ids"] == [] and user["department_codes"] == [] and user["is_active"] is True
    assert set(user) == {"id", "login", "full_name", "email", "phone", "role", "office_id", "office_ids",
                         "department_codes", "language", "is_active", "available", "available_until", "created_at"}
    assert user["created_at"].endswith("+00:00")
    login("new.person", "initial-pass-1")


def test_duplicate_login_is_a_conflict(client, auth):
    admin = auth("administrator")
    assert client.post("/api/v1/users", json=NEW_USER, headers=admin.headers).status_code == 201
    again = client.post("/api/v1/users", json=dict(NEW_USER, login="NEW.PERSON"), headers=admin.headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"


@pytest.mark.parametrize("change, field", [
    ({"login": "x"}, "login"),
    ({"login": "bad login!"}, "login"),
    ({"password": "short"}, "password"),
    ({"role": "superuser"}, "role"),
    ({"phone": "call me"}, "phone"),
    ({"email": "not-an-email"}, "email"),
    ({"language": "de"}, "language"),
    ({"office_id": "1"}, "office_id"),
    ({"full_name": "   "}, "full_name"),
    ({"full_name": "x" * 201}, "full_name"),
    ({"office_ids": [1, "a"]}, "office_ids"),
    ({"birth_date": "1990-01-01"}, "birth_date"),
    ({"is_superuser": True}, "is_superuser"),
])
def test_invalid_user_body_names_the_field_and_writes_nothing(client, auth, change, field):
    admin = auth("administrator")
    response = client.post("/api/v1/users", json={**NEW_USER, **change}, headers=admin.headers)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["details"]
    assert error["message"].startswith(field)
    assert client.get("/api/v1/users?q=new", headers=admin.headers).get_json()["items"] == []


def test_missing_required_fields_are_listed(client, auth):
    response = client.post("/api/v1/users", json={}, headers=auth("administrator").headers)
    assert response.status_code == 422
    assert {"login", "full_name", "password", "role"} <= set(response.get_json()["error"]["details"])


def test_no_self_registration_endpoint(client):
    for path in ("/api/v1/auth/register", "/api/v1/auth/signup", "/api/v1/register"):
        assert client.post(path, json=NEW_USER).status_code == 404


def test_admin_sets_a_password_which_signs_the_user_out(client, auth, login):
    admin, employee = auth("administrator"), auth("employee")
    response = client.patch(f"/api/v1/users/{employee.id}", json={"password": "admin-set-pass-1"},
                            headers=admin.headers)
    assert response.status_code == 200
    assert client.get("/api/v1/me", headers=employee.headers).status_code == 401
    login(employee.login, "admin-set-pass-1")


def test_admin_cannot_lock_themselves_out(client, auth):
    admin = auth("administrator")
    for change in ({"is_active": False}, {"role": "employee"}):
        response = client.patch(f"/api/v1/users/{admin.id}", json=change, headers=admin.headers)
        assert response.status_code == 409
    assert client.get("/api/v1/me", headers=admin.headers).get_json()["role"] == "administrator"


def test_missing_user_is_404(client, auth):
    response = client.get("/api/v1/users/999999", headers=auth("administrator").headers)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_filters(client, auth, make_user):
    admin = auth("administrator", login="boss")
    make_user("manager", login="manager-one", full_name="Dana Karimova")
    make_user("employee", login="inactive-one", is_active=False)
    get = lambda query: [u["login"] for u in client.get(f"/api/v1/users?{query}", headers=admin.headers).get_json()["items"]]  # noqa: E731
    assert get("role=manager") == ["manager-one"]
    assert get("is_active=false") == ["inactive-one"]
    assert get("q=karim") == ["manager-one"]
    assert get("q=%25") == []
    assert client.get("/api/v1/users?role=king", headers=admin.headers).status_code == 422
    assert admin.login in get("role=administrator")


class TestPagination:
    @pytest.fixture
    def admin(self, auth, make_user):
        admin = auth("administrator", login="aaa-admin")
        for i in range(24):
            make_user("employee", login=f"emp-{i:02d}")
        return admin

    def pages(self, client, admin, limit):
        seen, cursor, count = [], None, 0
        while True:
            url = f"/api/v1/users?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
            body = client.get(url, headers=admin.headers).get_json()
            seen.extend(u["id"] for u in body["items"])
            count += 1
            cursor = body["next_cursor"]
            if cursor is None:
                return seen, count

    def test_first_middle_and_last_pages_cover_everything_once_newest_first(self, client, admin):
        seen, count = self.pages(client, admin, 10)
        assert count == 3 and len(seen) == 25 == len(set(seen))
        assert seen == sorted(seen, reverse=True)

    def test_exact_multiple_ends_with_null_cursor(self, client, admin):
        seen, count = self.pages(client, admin, 25)
        assert len(seen) == 25 and count == 1

    @pytest.mark.parametrize("query, status", [("limit=0", 422), ("limit=101", 422), ("limit=abc", 422),
                                               ("cursor=not-a-cursor", 400), ("cursor=W10", 400),
                                               ("limit=100", 200)])
    def test_invalid_and_oversized_pages(self, client, admin, query, status):
        response = client.get(f"/api/v1/users?{query}", headers=admin.headers)
        assert response.status_code == status
        if status != 200:
            assert response.get_json()["error"]["code"] in ("validation_error", "bad_request")


def test_me_and_its_editable_fields(client, auth):
    account = auth("employee", language="ru")
    response = client.patch("/api/v1/me", json={"language": "en", "email": "me@santrade.kz"}, headers=account.headers)
    assert response.status_code == 200 and response.get_json()["language"] == "en"
    assert client.get("/api/v1/me", headers=account.headers).get_json()["email"] == "me@santrade.kz"


@pytest.mark.parametrize("change", [{"role": "administrator"}, {"office_ids": []}, {"is_active": True},
                                    {"language": "fr"}, {"login": "other"}])
def test_me_cannot_change_anything_else(client, auth, change):
    account = auth("employee")
    response = client.patch("/api/v1/me", json=change, headers=account.headers)
    assert response.status_code == 422
    assert client.get("/api/v1/me", headers=account.headers).get_json()["role"] == "employee"


def test_my_data_holds_my_profile(client, auth):
    account = auth("employee", full_name="Асель Нурлановна", phone="+77017654321")
    data = client.get("/api/v1/me/data", headers=account.headers).get_json()
    assert data["profile"]["full_name"] == "Асель Нурлановна" and data["profile"]["phone"] == "+77017654321"
    assert DEMO_PASSWORD not in str(data) and "password" not in str(data)
