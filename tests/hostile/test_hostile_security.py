"""Hostile checks of scopes, sign-in, sessions, notifications and audit.

Each test drives the API over HTTP, asserts the 4xx JSON error and that
nothing was written. Runs on SQLite and on PostgreSQL (``TEST_DATABASE_URL``).
"""
import logging

import pytest
import sqlalchemy as sa

from notifications.models import Notification
from offices.models import Office
from service_app.audit import AuditEntry
from service_app.auth.models import AuthSession, PasswordResetCode
from service_app.extensions import db
from service_app.users.models import User
from service_requests.models import Comment, RequestEvent, ServiceRequest
from service_requests.catalogue.models import Category
from tests.support.api import DEMO_PASSWORD, bearer
from tests.support.api import assert_error

USER_COLUMNS = [c.key for c in User.__table__.columns]


def snapshot(app, model, order_by="id"):
    """Every row of ``model`` as tuples: equal before and after means nothing was written."""
    columns = [c.key for c in model.__table__.columns]
    with app.app_context():
        rows = db.session.scalars(sa.select(model).order_by(getattr(model, order_by))).all()
        return [tuple(getattr(row, c) for c in columns) for row in rows]


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.fixture
def limited_app(make_app):
    """An app with rate limits on (the test config turns them off)."""

    def build(**settings):
        return make_app(RATELIMIT_ENABLED=True, **settings)

    return build


# --- office-scoped administrators ---------------------------------------------------------


class TestScopes:
    def test_scoped_admin_widening_own_scope_is_403_and_changes_nothing(self, client, app, world, submit):
        submit(location=None, office_id=world.ast)
        before = snapshot(app, User)
        response = client.patch(f"/api/v1/users/{world.admin_ala.id}", json={"office_ids": []},
                                headers=world.admin_ala.headers)
        assert_error(response, 403, "forbidden")
        assert snapshot(app, User) == before
        listed = client.get("/api/v1/requests", headers=world.admin_ala.headers).get_json()["items"]
        assert listed == []  # the Astana request stays out of reach

    @pytest.mark.parametrize("change", [{"department_codes": []}, {"department_codes": ["FAC"]},
                                        {"office_ids": [1, 2]}, {"role": "manager"}])
    def test_scoped_admin_cannot_change_own_role_or_scope(self, client, app, world, change):
        change = {k: ([world.ala, world.ast] if v == [1, 2] else v) for k, v in change.items()}
        before = snapshot(app, User)
        response = client.patch(f"/api/v1/users/{world.admin_ala.id}", json=change, headers=world.admin_ala.headers)
        assert response.status_code in (403, 409) and response.is_json
        assert snapshot(app, User) == before

    @pytest.mark.parametrize("change", [{"role": "administrator"}, {"role": "manager"},
                                        {"office_ids": [0]}, {"department_codes": ["IT"]}])
    def test_scoped_admin_cannot_give_an_employee_a_role_or_scope(self, client, app, world, change):
        change = {k: ([world.ala] if v == [0] else v) for k, v in change.items()}
        before = snapshot(app, User)
        response = client.patch(f"/api/v1/users/{world.employee.id}", json=change, headers=world.admin_ala.headers)
        assert_error(response, 403, "forbidden")
        assert snapshot(app, User) == before

    @pytest.mark.parametrize("target", ["ast_employee", "manager_fac_ala", "admin_ast", "admin"])
    def test_scoped_admin_cannot_edit_accounts_outside_scope_or_staff(self, client, app, world, make_user,
                                                                           target):
        ids = {"ast_employee": make_user("employee", office_id=world.ast).id,
               "manager_fac_ala": world.manager_fac_ala.id, "admin_ast": world.admin_ast.id, "admin": world.admin.id}
        before = snapshot(app, User)
        for change in ({"full_name": "Taken Over"}, {"is_active": False}, {"password": "new-password-1"}):
            response = client.patch(f"/api/v1/users/{ids[target]}", json=change, headers=world.admin_ala.headers)
            assert_error(response, 403, "forbidden")
        assert snapshot(app, User) == before

    def test_scoped_admin_cannot_move_an_employee_out_of_scope(self, client, app, world):
        before = snapshot(app, User)
        response = client.patch(f"/api/v1/users/{world.employee.id}", json={"office_id": world.ast},
                                headers=world.admin_ala.headers)
        assert_error(response, 403, "forbidden")
        assert snapshot(app, User) == before

    @pytest.mark.parametrize("body", [
        {"role": "administrator", "office_id": 0},
        {"role": "manager", "office_id": 0},
        {"role": "employee", "office_id": 0, "office_ids": [0]},
        {"role": "employee", "office_id": "ast"},
        {"role": "employee"},
    ])
    def test_scoped_admin_cannot_create_staff_or_accounts_elsewhere(self, client, app, world, body):
        body = {k: ({0: world.ala, "ast": world.ast}.get(v, v) if not isinstance(v, list) else [world.ala])
                for k, v in body.items()}
        before = snapshot(app, User)
        response = client.post("/api/v1/users", json={"login": "new.person", "full_name": "New Person",
                                                      "password": "long-enough-1", **body},
                               headers=world.admin_ala.headers)
        assert_error(response, 403, "forbidden")
        assert snapshot(app, User) == before

    def test_scoped_admin_still_manages_employees_of_own_office(self, client, app, world):
        created = client.post("/api/v1/users", json={"login": "ala.newcomer", "full_name": "Newcomer",
                                                     "password": "long-enough-1", "role": "employee",
                                                     "office_id": world.ala}, headers=world.admin_ala.headers)
        assert created.status_code == 201
        edited = client.patch(f"/api/v1/users/{world.employee.id}", json={"full_name": "Aigerim B."},
                              headers=world.admin_ala.headers)
        assert edited.status_code == 200 and edited.get_json()["full_name"] == "Aigerim B."

    def test_company_wide_admin_manages_roles_and_scopes(self, client, world):
        response = client.patch(f"/api/v1/users/{world.admin_ala.id}", json={"office_ids": []},
                                headers=world.admin.headers)
        assert response.status_code == 200 and response.get_json()["office_ids"] == []

    @pytest.mark.parametrize("office", ["ala", "ast"])
    def test_scoped_admin_cannot_edit_or_delete_offices(self, client, app, world, office):
        office_id = getattr(world, office)
        before = snapshot(app, Office)
        response = client.patch(f"/api/v1/offices/{office_id}", json={"name": "Taken"},
                                headers=world.admin_ala.headers)
        assert_error(response, 403, "forbidden")
        assert_error(client.delete(f"/api/v1/offices/{office_id}", headers=world.admin_ala.headers), 403, "forbidden")
        assert snapshot(app, Office) == before

    def test_scoped_admin_cannot_manage_categories_or_sla(self, client, app, world):
        before = snapshot(app, Category, order_by="code")
        assert_error(client.post("/api/v1/categories", json={"code": "FAC-X", "name": "X", "department_code": "FAC"},
                                 headers=world.admin_ala.headers), 403, "forbidden")
        assert_error(client.patch("/api/v1/categories/FAC-AC", json={"name": "Renamed"},
                                  headers=world.admin_ala.headers), 403, "forbidden")
        assert snapshot(app, Category, order_by="code") == before
        from service_requests.models import SlaPolicy

        policies = snapshot(app, SlaPolicy)
        assert_error(client.put("/api/v1/sla-policies/high", json={"response_minutes": 1, "resolution_minutes": 2},
                                headers=world.admin_ala.headers), 403, "forbidden")
        assert snapshot(app, SlaPolicy) == policies


# --- sign-in throttling --------------------------------------------------------------------


A, B = {"REMOTE_ADDR": "10.0.0.1"}, {"REMOTE_ADDR": "10.0.0.2"}


class TestThrottling:
    @pytest.fixture
    def app(self, limited_app):
        return limited_app(LOGIN_LIMIT_PER_ACCOUNT="10 per 15 minutes", LOGIN_LIMIT_PER_IP="50 per 15 minutes")

    def test_failures_from_one_address_never_refuse_the_right_password_elsewhere(self, client, app,
                                                                                         make_user):
        make_user("administrator", login="boss")
        for _ in range(10):
            assert client.post("/api/v1/auth/login", json={"login": "boss", "password": "wrong-guess"},
                               environ_base=A).status_code == 401
        sessions = count(app, AuthSession)
        # From the attacker's address the pair (account, address) is throttled, right password or not.
        assert_error(client.post("/api/v1/auth/login", json={"login": "boss", "password": DEMO_PASSWORD},
                                 environ_base=A), 429, "rate_limited")
        assert count(app, AuthSession) == sessions == 0
        # The owner, elsewhere, signs in.
        ok = client.post("/api/v1/auth/login", json={"login": "boss", "password": DEMO_PASSWORD}, environ_base=B)
        assert ok.status_code == 200 and count(app, AuthSession) == 1

    def test_address_limit_still_holds_across_accounts(self, client, app, make_user):
        app.config["LOGIN_LIMIT_PER_IP"] = "12 per 15 minutes"
        make_user("employee", login="victim")
        for i in range(12):
            client.post("/api/v1/auth/login", json={"login": f"guess{i}", "password": "wrong-guess"}, environ_base=A)
        assert_error(client.post("/api/v1/auth/login", json={"login": "victim", "password": DEMO_PASSWORD},
                                 environ_base=A), 429, "rate_limited")
        assert count(app, AuthSession) == 0

    def test_memory_storage_with_several_workers_warns_at_start(self, make_app, monkeypatch, caplog):
        monkeypatch.setenv("WEB_CONCURRENCY", "2")
        with caplog.at_level(logging.WARNING, logger="service_app.auth.throttling"):
            make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
        assert any("memory://" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)

    def test_one_worker_does_not_warn(self, make_app, monkeypatch, caplog):
        monkeypatch.setenv("WEB_CONCURRENCY", "1")
        with caplog.at_level(logging.WARNING, logger="service_app.auth.throttling"):
            make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
        assert not [r for r in caplog.records if "memory://" in r.getMessage()]


# --- equal work on both paths of the reset confirm ------------------------------------------


class _Sms:
    def __init__(self):
        self.sent = []

    def send(self, phone, text):
        self.sent.append((phone, text))


@pytest.fixture
def hash_calls(monkeypatch):
    """Counts code hashes (HMAC) and Argon2 uses during the reset confirm."""
    from service_app.auth import passwords, reset

    calls = {"code_hash": 0, "argon2": 0}
    code_hash, hasher = reset._code_hash, passwords._hasher

    def counting_code_hash(*args):
        calls["code_hash"] += 1
        return code_hash(*args)

    def counting_hasher():
        calls["argon2"] += 1
        return hasher()

    monkeypatch.setattr(reset, "_code_hash", counting_code_hash)
    monkeypatch.setattr(passwords, "_hasher", counting_hasher)
    return calls


@pytest.mark.parametrize("case", ["unknown_login", "known_login_no_code", "known_login_wrong_code"])
def test_reset_confirm_does_the_same_hashing_for_unknown_and_known_logins(client, app, make_user,
                                                                                 hash_calls, case):
    app.extensions["sms_sender"] = sms = _Sms()
    make_user("employee", login="forgetful", phone="+77011234567", language="en")
    if case == "known_login_wrong_code":
        assert client.post("/api/v1/auth/password-reset", json={"login": "forgetful"}).status_code == 202
        code = "".join(ch for ch in sms.sent[-1][1] if ch.isdigit())[-6:]
        wrong = f"{(int(code) + 1) % 10**6:06d}"
    else:
        wrong = "123456"
    users, codes = snapshot(app, User), snapshot(app, PasswordResetCode)
    hash_calls.update(code_hash=0, argon2=0)
    login = "nobody-here" if case == "unknown_login" else "forgetful"
    response = client.post("/api/v1/auth/password-reset/confirm",
                           json={"login": login, "code": wrong, "new_password": "fresh-password-77"})
    assert_error(response, 400, "invalid_code")
    assert hash_calls == {"code_hash": 1, "argon2": 0}
    assert snapshot(app, User) == users
    if case != "known_login_wrong_code":
        assert snapshot(app, PasswordResetCode) == codes
    else:  # the one write: the wrong try counts against the code
        assert count(app, PasswordResetCode, PasswordResetCode.attempts == 1) == len(codes) == 1


# --- notifications only to readers; assignment follows role and scope -------------------------


def _assign(client, world, rid, who):
    etag = client.get(f"/api/v1/requests/{rid}", headers=world.admin.headers).headers["ETag"]
    response = client.patch(f"/api/v1/requests/{rid}", json={"assignee_id": who.id},
                            headers={**world.admin.headers, "If-Match": etag})
    assert response.status_code == 200


@pytest.mark.parametrize("change", [{"role": "employee"}, {"office_ids": "ast"}, {"department_codes": ["IT"]},
                                    {"is_active": False}])
def test_demoted_ex_assignee_is_unassigned_and_hears_nothing_more(client, app, world, submit, change):
    change = {k: ([world.ast] if v == "ast" else v) for k, v in change.items()}
    rid = submit()["id"]
    _assign(client, world, rid, world.manager_fac_ala)
    assert client.patch(f"/api/v1/users/{world.manager_fac_ala.id}", json=change,
                        headers=world.admin.headers).status_code == 200
    req = client.get(f"/api/v1/requests/{rid}", headers=world.admin.headers).get_json()
    assert req["assignee"] is None
    with app.app_context():
        event = db.session.scalars(sa.select(RequestEvent).where(RequestEvent.request_id == rid,
                                                                 RequestEvent.event == "assigned")
                                   .order_by(RequestEvent.id.desc())).first()
        assert event.data["assignee"] is None and event.actor_id == world.admin.id
    if change.get("is_active") is not False:
        assert_error(client.get(f"/api/v1/requests/{rid}", headers=world.manager_fac_ala.headers), 404, "not_found")
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "Secret detail"}, headers=world.employee.headers)
    assert count(app, Notification, Notification.user_id == world.manager_fac_ala.id,
                 Notification.event == "comment_added") == 0


@pytest.mark.parametrize("edit", [{"office_id": "ast"}, {"category": "IT-PC"}])
def test_a_request_moved_out_of_its_assignees_scope_is_unassigned(client, app, world, submit, edit):
    edit = {k: (world.ast if v == "ast" else v) for k, v in edit.items()}
    rid = submit()["id"]
    _assign(client, world, rid, world.manager_fac_ala)
    etag = client.get(f"/api/v1/requests/{rid}", headers=world.admin.headers).headers["ETag"]
    response = client.patch(f"/api/v1/requests/{rid}", json=edit, headers={**world.admin.headers, "If-Match": etag})
    assert response.status_code == 200 and response.get_json()["assignee"] is None
    assert_error(client.get(f"/api/v1/requests/{rid}", headers=world.manager_fac_ala.headers), 404, "not_found")
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "Secret detail"}, headers=world.employee.headers)
    assert count(app, Notification, Notification.user_id == world.manager_fac_ala.id,
                 Notification.event == "comment_added") == 0


def test_a_reroute_within_the_assignees_scope_keeps_the_assignee(client, world, submit):
    rid = submit()["id"]
    _assign(client, world, rid, world.admin)
    etag = client.get(f"/api/v1/requests/{rid}", headers=world.admin.headers).headers["ETag"]
    response = client.patch(f"/api/v1/requests/{rid}", json={"office_id": world.ast},
                            headers={**world.admin.headers, "If-Match": etag})
    assert response.status_code == 200 and response.get_json()["assignee"]["id"] == world.admin.id


def test_no_notification_to_an_assignee_who_can_no_longer_read(client, app, world, submit):
    """Even if an assignment outlives the role (changed outside the API), nothing is written to them."""
    rid = submit()["id"]
    _assign(client, world, rid, world.manager_fac_ala)
    with app.app_context():
        db.session.get(User, world.manager_fac_ala.id).role = "employee"
        db.session.commit()
    response = client.post(f"/api/v1/requests/{rid}/comments", json={"body": "Secret detail"},
                           headers=world.employee.headers)
    assert response.status_code == 201
    assert count(app, Notification, Notification.user_id == world.manager_fac_ala.id,
                 Notification.event == "comment_added") == 0


def test_final_requests_keep_their_assignee_for_the_reports(client, app, world, submit):
    rid = submit()["id"]
    _assign(client, world, rid, world.manager_fac_ala)
    client.post(f"/api/v1/requests/{rid}/status", json={"status": "rejected", "comment": "duplicate"},
                headers=world.admin.headers)
    client.patch(f"/api/v1/users/{world.manager_fac_ala.id}", json={"role": "employee"}, headers=world.admin.headers)
    with app.app_context():
        assert db.session.get(ServiceRequest, rid).assignee_id == world.manager_fac_ala.id


# --- list and search views of accounts are audited ---------------------------------------------


def test_every_list_and_search_of_accounts_writes_one_audit_row_with_its_filter(client, app, world):
    before = count(app, AuditEntry)
    assert client.get("/api/v1/users", headers=world.admin.headers).status_code == 200
    assert client.get("/api/v1/users?q=aig&role=employee", headers=world.admin.headers).status_code == 200
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()[before:]
        got = [(r.actor_id, r.action, r.target_type, r.target_id, r.details["filter"]) for r in rows]
    assert got == [(world.admin.id, "user.list", "user", None, {}),
                   (world.admin.id, "user.search", "user", None, {"q": "aig", "role": "employee"})]
    log = client.get("/api/v1/audit-log?action=user.search", headers=world.admin.headers).get_json()["items"]
    assert log[0]["details"]["filter"] == {"q": "aig", "role": "employee"}


@pytest.mark.parametrize("query, status, code", [("limit=0", 422, "validation_error"),
                                                 ("cursor=not-a-cursor", 400, "bad_request"),
                                                 ("q=", 422, "validation_error")])
def test_refused_lists_write_no_audit_row(client, app, world, query, status, code):
    before = snapshot(app, AuditEntry)
    assert_error(client.get(f"/api/v1/users?{query}", headers=world.admin.headers), status, code)
    assert_error(client.get("/api/v1/users", headers=world.employee.headers), 403, "forbidden")
    assert snapshot(app, AuditEntry) == before


# --- a session must belong to the token's subject ----------------------------------------------


def _decode(app, token):
    from flask_jwt_extended import decode_token

    with app.app_context():
        return decode_token(token)


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_token_with_another_users_session_is_401_and_changes_nothing(client, app, world, kind):
    from flask_jwt_extended import create_access_token, create_refresh_token

    victim_sid = _decode(app, world.admin.tokens["access_token"])["sid"]
    with app.app_context():
        make = create_access_token if kind == "access" else create_refresh_token
        forged = make(identity=str(world.employee.id), additional_claims={"sid": victim_sid})
    sessions, users = snapshot(app, AuthSession), snapshot(app, User)
    if kind == "access":
        assert_error(client.get("/api/v1/me", headers=bearer(forged)), 401, "token_revoked")
        assert_error(client.patch("/api/v1/me", json={"language": "en"}, headers=bearer(forged)), 401,
                     "token_revoked")
    else:
        assert_error(client.post("/api/v1/auth/refresh", headers=bearer(forged)), 401, "token_revoked")
    assert snapshot(app, AuthSession) == sessions and snapshot(app, User) == users
    assert client.get("/api/v1/me", headers=world.admin.headers).status_code == 200


# --- comments: a per-person comment limit -------------------------------------------------------


class TestCommentLimit:
    @pytest.fixture
    def app(self, limited_app):
        return limited_app(COMMENT_LIMIT="3 per hour")

    def test_comments_past_the_limit_are_429_and_write_nothing(self, client, app, world, submit):
        rid = submit()["id"]
        _assign(client, world, rid, world.manager_fac_ala)
        # Refused comments do not use up the allowance.
        assert client.post(f"/api/v1/requests/{rid}/comments", json={"body": ""},
                           headers=world.employee.headers).status_code == 422
        for i in range(3):
            assert client.post(f"/api/v1/requests/{rid}/comments", json={"body": f"ping {i}"},
                               headers=world.employee.headers).status_code == 201
        comments, notes = snapshot(app, Comment), snapshot(app, Notification)
        events = count(app, RequestEvent)
        response = client.post(f"/api/v1/requests/{rid}/comments", json={"body": "ping again"},
                               headers=world.employee.headers)
        assert_error(response, 429, "rate_limited")
        assert int(response.headers["Retry-After"]) > 0
        assert snapshot(app, Comment) == comments and snapshot(app, Notification) == notes
        assert count(app, RequestEvent) == events
        # The limit is the author's own: staff still answer.
        assert client.post(f"/api/v1/requests/{rid}/comments", json={"body": "On our way"},
                           headers=world.manager_fac_ala.headers).status_code == 201


def test_the_audit_log_is_read_by_company_wide_administrators_only(client, world):
    assert client.get("/api/v1/audit-log", headers=world.admin.headers).status_code == 200
    assert_error(client.get("/api/v1/audit-log", headers=world.admin_ala.headers), 403, "forbidden")
    assert_error(client.get("/api/v1/audit-log", headers=world.manager_it.headers), 403, "forbidden")
