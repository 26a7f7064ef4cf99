"""Property-based contract test: every operation of the served OpenAPI document
(``GET /api/v1/openapi.json``), called by schemathesis as each role, answers
without a 5xx, with a documented status code and content type, and with a body
that matches the documented schema.

* ``test_every_operation_keeps_its_contract[<METHOD> <path>][all-roles]`` — one
  test per operation; schemathesis generates valid and invalid cases (a few per
  operation, derandomized, so a run is reproducible) and each case is sent as
  the employee, then the manager, then the administrator (a failure names the
  role in a note).
* ``test_explicit_case_keeps_its_contract[<name>]`` — hand-written cases for
  answers that random data does not reach (CSV reports, signed photo
  redirects, If-Match, idempotency keys, the status machine, ...), checked the
  same way, plus the status the case is written to provoke.

The schema is loaded once, in-process, from an app built at import time (the
document does not depend on the database); every case is sent to the per-test
``app`` fixture, whose database holds ``world`` plus two requests (one with a
photo, a staff comment and a status change) and a device. Generated path
parameters (and a few body fields: category, office_id, assignee_id,
department) are steered onto those objects and onto one id that does not
exist, so both the found and the not-found branches run.

Checks: schemathesis' ``not_a_server_error``, ``status_code_conformance``,
``content_type_conformance`` and ``response_schema_conformance``, and two of
ours:

* ``success_status_is_documented`` — every operation documents a ``default``
  error response, which turns ``status_code_conformance`` into a no-op; a
  1xx-3xx answer must still be listed explicitly (``default`` describes
  errors). ``CONTRACT_STRICT_STATUS=1`` requires error statuses to be listed
  too (a report of error answers documented only by ``default``).
* ``response_body_is_documented`` — a response with a body must document its
  content (the schemathesis checks skip responses documented without one).

Run: ``.venv/bin/python -m pytest tests/e2e/test_api_contract.py -q -p no:cacheprovider``
(1-2 minutes on SQLite); one operation: ``-k "every and reports"``.
``CONTRACT_MAX_EXAMPLES`` sets the number of generated cases per operation (default 6).
"""
import io
import os
from dataclasses import dataclass, field

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, settings
from PIL import Image
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from notifications.models import Notification
from service_app import create_app
from service_app.extensions import db
from tests.support.api import DEMO_PASSWORD
from tests.support.places import ALA_POINT, AST_POINT, NOWHERE, box

pytestmark = pytest.mark.slow  # minutes: `make test` runs it, `make test-fast` leaves it out

MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", "6"))
STRICT_STATUS = os.environ.get("CONTRACT_STRICT_STATUS") == "1"
MISSING = 987654  # an id that no seeded object has

# The schema's own examples, then fuzzing with valid and invalid data. The "coverage" phase is
# off: it enumerates hundreds of boundary cases per operation, far over the time budget.
CONFIG = schemathesis.Config.from_dict({
    "seed": 20240601,
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
})


def _spec_app():
    """An app that only serves the OpenAPI document (in-memory database, never touched)."""
    return create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _spec_app(), config=CONFIG)


@schemathesis.check
def success_status_is_documented(ctx, response, case):
    """A 1xx-3xx answer must be listed for the operation: ``default`` only describes errors.

    With ``CONTRACT_STRICT_STATUS=1`` error answers must be listed as well.
    """
    documented = set(case.operation.responses.status_codes) - {"default"}
    status = response.status_code
    if status >= 400 and not STRICT_STATUS:
        return None
    if str(status) in documented or f"{str(status)[0]}XX" in {code.upper() for code in documented}:
        return None
    raise AssertionError(
        f"Undocumented status code {status} for {case.operation.label}: only `default` (the error envelope) "
        f"covers it. Documented: {', '.join(sorted(documented))}")


@schemathesis.check
def response_body_is_documented(ctx, response, case):
    """A response with a body must document its media type (and so its schema).

    ``content_type_conformance`` and ``response_schema_conformance`` pass silently when the
    documented response has no ``content`` at all, which leaves such a body undescribed.
    """
    if not response.content or case.operation.schema.get_content_types(case.operation, response):
        return None
    raise AssertionError(
        f"{case.operation.label} answered {response.status_code} with a "
        f"{response.headers.get('content-type', ['?'])[0]} body, but the document describes no content "
        "for this response: declare its media type and schema")


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, success_status_is_documented, response_body_is_documented]

# The account each role runs as. The employee wrote request 1 (ALA, FAC-AC, with a photo);
# another employee wrote request 2 (ALA, IT-PC). The administrator sees everything; the manager
# (ALA, FAC) sees request 1 only.
ROLES = {"employee": "employee", "administrator": "admin", "manager": "manager_fac_ala"}
ROLE_ORDER = ["employee", "manager", "administrator"]  # the administrator's changes come last


def png_bytes(colour=(10, 120, 200), size=(32, 24)):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


@dataclass
class Seeded:
    """What the contract test's database holds, besides ``world``."""

    world: object
    request_ids: list
    attachment_id: int
    notification_ids: list
    path_values: dict = field(default_factory=dict)
    body_values: dict = field(default_factory=dict)


@pytest.fixture
def seeded(app, client, world, submit, tmp_path):
    """world + two requests (one with a photo, a staff comment and a status change) + a device."""
    app.config["STORAGE_LOCAL_ROOT"] = str(tmp_path / "attachments")
    first = submit(description="Cold air stopped in the meeting room")
    second = submit(world.other_employee, title="PC will not boot", category="IT-PC", priority="high")
    upload = client.post(f"/api/v1/requests/{first['id']}/attachments", headers=world.employee.headers,
                         data={"file": (io.BytesIO(png_bytes()), "photo.png", "image/png")},
                         content_type="multipart/form-data")
    assert upload.status_code == 201, upload.get_json()
    comment = client.post(f"/api/v1/requests/{first['id']}/comments", headers=world.admin.headers,
                          json={"body": "We are on it"})
    assert comment.status_code == 201, comment.get_json()
    moved = client.post(f"/api/v1/requests/{first['id']}/status", headers=world.admin.headers,
                        json={"status": "in_progress"})
    assert moved.status_code == 200, moved.get_json()
    device = client.post("/api/v1/devices", headers=world.employee.headers,
                         json={"token": "contract-device-token", "platform": "android"})
    assert device.status_code in (200, 201), device.get_json()
    with app.app_context():
        notification_ids = sorted(db.session.scalars(sa.select(Notification.id)))
    w = world
    s = Seeded(world=w, request_ids=[first["id"], second["id"]], attachment_id=upload.get_json()["id"],
               notification_ids=notification_ids)
    s.path_values = {
        "request_id": [*s.request_ids, MISSING],
        "attachment_id": [s.attachment_id, MISSING],
        "notification_id": [*notification_ids, MISSING],
        "user_id": [w.employee.id, w.other_employee.id, w.admin.id, w.manager_it.id, MISSING],
        "office_id": [w.ala, w.ast, MISSING],
        "priority": ["low", "normal", "high", "urgent", "nope"],
        "token": ["contract-device-token", "unknown-token"],
        ("/api/v1/categories/{code}", "code"): ["FAC-AC", "IT-PC", "OLD", "NOPE"],
        ("/api/v1/departments/{code}", "code"): ["FAC", "IT", "NOPE"],
    }
    s.body_values = {
        "category": ["FAC-AC", "IT-PC", "OLD", None],
        "department": ["FAC", "IT", None],
        "office_id": [w.ala, w.ast, None],
        "assignee_id": [w.admin.id, w.manager_fac_ala.id, w.employee.id, None],
    }
    return s


def _pick(choices, value):
    """A choice determined by the generated value (``None`` in ``choices`` keeps the value)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value >= 0:
        index = value
    elif isinstance(value, str):
        index = len(value)
    else:
        return value
    choice = choices[index % len(choices)]
    return value if choice is None or type(choice) is not type(value) else choice


def steer(case, seeded):
    """Map generated path parameters and a few body fields onto seeded objects.

    Values that cannot be valid (negative numbers, strings where an integer is declared) are left
    alone: they exercise the 404 and 422 answers.
    """
    for name, value in list((case.path_parameters or {}).items()):
        choices = seeded.path_values.get((case.operation.path, name)) or seeded.path_values.get(name)
        if choices:
            case.path_parameters[name] = _pick(choices, value)
    if isinstance(case.body, dict):
        for name, choices in seeded.body_values.items():
            if name in case.body:
                case.body[name] = _pick(choices, case.body[name])


def fresh_headers(app, account_id, refresh=False):
    """A new session for the account, so a case that logged out an earlier one starves no other."""
    from service_app.auth import tokens
    from service_app.users.models import User

    with app.app_context():
        user = db.session.get(User, account_id)
        access, refresh_token = tokens.start_session(user)
        db.session.commit()
    # identity: schemathesis calls the WSGI app, and no HTTP client sits between to undo a
    # content coding (compression has its own tests, test_conditional_and_compression).
    return {"Authorization": f"Bearer {refresh_token if refresh else access}", "Accept-Encoding": "identity"}


def etag_of(client, app, seeded, request_id):
    response = client.get(f"/api/v1/requests/{request_id}", headers=fresh_headers(app, seeded.world.admin.id))
    return response.headers.get("ETag")


@pytest.mark.parametrize("roles", [ROLE_ORDER], ids=["all-roles"])  # also gives each test its own node id
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_contract(case, roles, app, client, seeded):
    """Each generated case is sent as the employee, then the manager, then the administrator."""
    steer(case, seeded)
    for role in roles:
        account = getattr(seeded.world, ROLES[role])
        # POST /auth/refresh is the one route that takes the refresh token.
        headers = fresh_headers(app, account.id, refresh=case.operation.path == "/api/v1/auth/refresh")
        if case.method == "PATCH" and case.operation.path == "/api/v1/requests/{request_id}":
            # If-Match is required but not declared in the document, so schemathesis never sends
            # it; add the current ETag so that the 200 answer is checked too (428: explicit case).
            request_id = case.path_parameters.get("request_id")
            etag = etag_of(client, app, seeded, request_id) if isinstance(request_id, int) else None
            if etag:
                headers["If-Match"] = etag
        try:
            case.call_and_validate(app=app, headers=headers, checks=CHECKS)
        except Exception as exc:
            exc.add_note(f"(sent as the {role}: {ROLES[role]})")
            raise


# --- explicit cases -------------------------------------------------------------------------------

class Explicit:
    """Helpers for the hand-written cases: each builder prepares the data and returns ``(role, case)``."""

    def __init__(self, app, client, seeded):
        self.app, self.client, self.seeded, self.w = app, client, seeded, seeded.world

    def case(self, method, path, **kwargs):
        return schema[path][method].Case(**kwargs)

    def headers(self, role, **extra):
        return {**fresh_headers(self.app, getattr(self.w, ROLES[role]).id), **extra}

    def etag(self, request_id):
        return etag_of(self.client, self.app, self.seeded, request_id)

    def new_request(self, who="employee", **body):
        payload = {"title": "Door does not lock", "category": "FAC-AC", "location": ALA_POINT, **body}
        response = self.client.post("/api/v1/requests", json=payload, headers=self.headers(who))
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def move(self, request_id, role, status, **extra):
        response = self.client.post(f"/api/v1/requests/{request_id}/status", headers=self.headers(role),
                                    json={"status": status, **extra})
        assert response.status_code == 200, response.get_json()

    @staticmethod
    def ok(response):
        """Assert that a setup call succeeded."""
        assert 200 <= response.status_code < 300, (response.status_code, response.get_json(silent=True))
        return response

    def use_signed_urls(self):
        """Serve photos as S3 does: a 302 to a presigned URL (signing is local, no server needed)."""
        from service_requests.photos.storage import S3Storage

        self.app.extensions["attachment_storage"] = S3Storage(
            "photos", endpoint_url="http://127.0.0.1:9", access_key_id="test", secret_access_key="test")


def _sla_report_csv(x):
    return "manager", x.case("GET", "/api/v1/reports/sla.csv", query={"group_by": "category"})


def _sla_report_by_assignee(x):
    x.ok(x.client.patch(f"/api/v1/requests/{x.seeded.request_ids[0]}", json={"assignee_id": x.w.admin.id},
                        headers=x.headers("administrator", **{"If-Match": x.etag(x.seeded.request_ids[0])})))
    return "administrator", x.case("GET", "/api/v1/reports/sla", query={"group_by": "assignee"})


def _sla_report_by_each_grouping(group_by):
    def build(x):
        return "manager", x.case("GET", "/api/v1/reports/sla", query={"group_by": group_by})
    return build


def _backlog_report_for_office(x):
    return "administrator", x.case("GET", "/api/v1/reports/backlog", query={"office_id": x.w.ala})


def _photo_as_signed_redirect(x):
    x.use_signed_urls()
    return "employee", x.case("GET", "/api/v1/attachments/{attachment_id}",
                              path_parameters={"attachment_id": x.seeded.attachment_id})


def _thumbnail_as_signed_redirect(x):
    x.use_signed_urls()
    return "administrator", x.case("GET", "/api/v1/attachments/{attachment_id}/thumbnail",
                                   path_parameters={"attachment_id": x.seeded.attachment_id})


def _photo_from_local_storage(x):
    return "manager", x.case("GET", "/api/v1/attachments/{attachment_id}",
                             path_parameters={"attachment_id": x.seeded.attachment_id})


def _photo_upload_same_bytes_again(x):
    x.ok(x.client.post(f"/api/v1/requests/{x.seeded.request_ids[0]}/attachments", headers=x.headers("employee"),
                       data={"file": (io.BytesIO(png_bytes((1, 2, 3))), "a.png", "image/png")},
                       content_type="multipart/form-data"))
    return "administrator", x.case("POST", "/api/v1/requests/{request_id}/attachments",
                                   path_parameters={"request_id": x.seeded.request_ids[0]},
                                   body={"file": png_bytes((1, 2, 3))}, media_type="multipart/form-data")


def _photo_upload_not_an_image(x):
    return "employee", x.case("POST", "/api/v1/requests/{request_id}/attachments",
                              path_parameters={"request_id": x.seeded.request_ids[0]},
                              body={"file": b"%PDF-1.4 not a photo"}, media_type="multipart/form-data")


def _photo_upload_to_a_final_request(x):
    rid = x.new_request()
    x.move(rid, "employee", "cancelled")
    return "employee", x.case("POST", "/api/v1/requests/{request_id}/attachments",
                              path_parameters={"request_id": rid},
                              body={"file": png_bytes()}, media_type="multipart/form-data")


def _edit_without_if_match(x):
    return "administrator", x.case("PATCH", "/api/v1/requests/{request_id}",
                                   path_parameters={"request_id": x.seeded.request_ids[0]}, body={"priority": "high"})


def _edit_with_stale_if_match(x):
    return "administrator", x.case("PATCH", "/api/v1/requests/{request_id}",
                                   path_parameters={"request_id": x.seeded.request_ids[0]},
                                   headers={"If-Match": '"0"'}, body={"priority": "high"})


def _edit_by_staff(x):
    rid = x.seeded.request_ids[0]
    return "manager", x.case("PATCH", "/api/v1/requests/{request_id}", path_parameters={"request_id": rid},
                             headers={"If-Match": x.etag(rid)},
                             body={"priority": "urgent", "assignee_id": x.w.manager_fac_ala.id})


def _edit_by_author_while_new(x):
    rid = x.new_request()
    return "employee", x.case("PATCH", "/api/v1/requests/{request_id}", path_parameters={"request_id": rid},
                              headers={"If-Match": x.etag(rid)}, body={"title": "Door still does not lock"})


def _edit_by_author_fields_of_staff(x):
    rid = x.new_request()
    return "employee", x.case("PATCH", "/api/v1/requests/{request_id}", path_parameters={"request_id": rid},
                              headers={"If-Match": x.etag(rid)}, body={"priority": "urgent"})


def _status_with_stale_if_match(x):
    return "administrator", x.case("POST", "/api/v1/requests/{request_id}/status",
                                   path_parameters={"request_id": x.seeded.request_ids[0]},
                                   headers={"If-Match": '"0"'}, body={"status": "waiting"})


def _status_move_not_allowed(x):
    return "employee", x.case("POST", "/api/v1/requests/{request_id}/status",
                              path_parameters={"request_id": x.seeded.request_ids[0]}, body={"status": "resolved"})


def _close_with_rating(x):
    rid = x.new_request()
    x.move(rid, "administrator", "in_progress")
    x.move(rid, "administrator", "waiting")
    x.move(rid, "administrator", "in_progress")
    x.move(rid, "administrator", "resolved")
    return "employee", x.case("POST", "/api/v1/requests/{request_id}/status", path_parameters={"request_id": rid},
                              body={"status": "closed", "rating": 5, "comment": "Thank you"})


def _reject_with_comment(x):
    rid = x.new_request()
    return "manager", x.case("POST", "/api/v1/requests/{request_id}/status", path_parameters={"request_id": rid},
                             body={"status": "rejected", "comment": "Not our department"})


def _events_of_a_closed_request(x):
    rid = x.new_request()
    x.move(rid, "administrator", "in_progress")
    x.move(rid, "administrator", "resolved")
    x.move(rid, "employee", "closed", rating=4)
    return "employee", x.case("GET", "/api/v1/requests/{request_id}/events", path_parameters={"request_id": rid})


def _events_as_staff(x):
    x.ok(x.client.post(f"/api/v1/requests/{x.seeded.request_ids[0]}/comments", headers=x.headers("manager"),
                       json={"body": "internal note", "internal": True}))
    return "manager", x.case("GET", "/api/v1/requests/{request_id}/events",
                             path_parameters={"request_id": x.seeded.request_ids[0]})


def _internal_comment_by_staff(x):
    return "administrator", x.case("POST", "/api/v1/requests/{request_id}/comments",
                                   path_parameters={"request_id": x.seeded.request_ids[0]},
                                   body={"body": "Check the warranty", "internal": True})


def _internal_comment_by_employee(x):
    return "employee", x.case("POST", "/api/v1/requests/{request_id}/comments",
                              path_parameters={"request_id": x.seeded.request_ids[0]},
                              body={"body": "Let me see the notes", "internal": True})


def _submit_with_every_field(x):
    return "employee", x.case("POST", "/api/v1/requests", headers={"Idempotency-Key": "contract-1"},
                              body={"title": "Leaking tap", "description": "Kitchen, 3rd floor",
                                    "category": "FAC-AC", "priority": "urgent",
                                    "location": {**AST_POINT, "accuracy_m": 12.5}})


def _submit_by_staff_with_office(x):
    return "manager", x.case("POST", "/api/v1/requests", body={"title": "Projector", "category": "IT-PC",
                                                               "office_id": x.w.ast})


def _submit_from_nowhere_without_home_office(x):
    return "administrator", x.case("POST", "/api/v1/requests", body={"title": "Where am I", "category": "FAC-AC",
                                                                     "location": NOWHERE})


def _submit_idempotency_key_reused(x):
    x.ok(x.client.post("/api/v1/requests", json={"title": "First body", "category": "FAC-AC", "location": ALA_POINT},
                       headers=x.headers("employee", **{"Idempotency-Key": "contract-reused"})))
    return "employee", x.case("POST", "/api/v1/requests", headers={"Idempotency-Key": "contract-reused"},
                              body={"title": "Another body", "category": "FAC-AC", "location": ALA_POINT})


def _submit_idempotency_key_replayed(x):
    body = {"title": "Same body", "category": "FAC-AC", "location": ALA_POINT}
    x.ok(x.client.post("/api/v1/requests", json=body,
                       headers=x.headers("employee", **{"Idempotency-Key": "contract-same"})))
    return "employee", x.case("POST", "/api/v1/requests", headers={"Idempotency-Key": "contract-same"}, body=body)


def _submit_bad_idempotency_key(x):
    return "employee", x.case("POST", "/api/v1/requests", headers={"Idempotency-Key": "x" * 201},
                              body={"title": "Bad key", "category": "FAC-AC", "location": ALA_POINT})


def _submit_inactive_category(x):
    return "employee", x.case("POST", "/api/v1/requests", body={"title": "Old one", "category": "OLD",
                                                                "location": ALA_POINT})


def _list_requests_with_every_filter(x):
    return "administrator", x.case("GET", "/api/v1/requests", query={
        "status": ["new", "in_progress"], "office_id": x.w.ala, "author_id": x.w.employee.id, "priority": "normal",
        "category": "FAC-AC", "created_from": "2000-01-01T00:00:00Z", "created_to": "2100-01-01T00:00:00Z",
        "q": "AC", "limit": 1})


def _list_requests_bad_cursor(x):
    return "employee", x.case("GET", "/api/v1/requests", query={"cursor": "not-a-cursor"})


def _route_inside_geofence(x):
    return "employee", x.case("GET", "/api/v1/offices/route", query=dict(ALA_POINT))


def _route_from_nowhere(x):
    return "administrator", x.case("GET", "/api/v1/offices/route", query=dict(NOWHERE))


def _create_office(x):
    return "administrator", x.case("POST", "/api/v1/offices", body={
        "code": "SHY", "name": "Shymkent", "address": "Tauke Khan 1", "timezone": "Asia/Almaty",
        "geofence": box(69.58, 42.30, 69.60, 42.32), "business_hours": {"mon": [["09:00", "18:00"]]},
        "holidays": ["2026-12-16"]})


def _create_office_invalid_geometry(x):
    return "administrator", x.case("POST", "/api/v1/offices", body={
        "code": "BAD", "name": "Bow tie", "geofence": {"type": "Polygon", "coordinates": [[
            [0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}})


def _delete_office_with_requests(x):
    return "administrator", x.case("DELETE", "/api/v1/offices/{office_id}", path_parameters={"office_id": x.w.ala})


def _delete_office_without_requests(x):
    return "administrator", x.case("DELETE", "/api/v1/offices/{office_id}", path_parameters={"office_id": x.w.ast})


def _create_user_duplicate_login(x):
    return "administrator", x.case("POST", "/api/v1/users", body={
        "login": x.w.employee.login, "full_name": "Twin", "password": "long-enough-password", "role": "employee"})


def _create_user_with_every_field(x):
    return "administrator", x.case("POST", "/api/v1/users", body={
        "login": "new-manager", "full_name": "New Manager", "password": "long-enough-password", "role": "manager",
        "phone": "+77011234567", "email": "m@example.com", "office_id": x.w.ala, "office_ids": [x.w.ala],
        "department_codes": ["FAC"], "language": "kk"})


def _deactivate_user(x):
    return "administrator", x.case("PATCH", "/api/v1/users/{user_id}", path_parameters={"user_id": x.w.manager_it.id},
                                   body={"is_active": False})


def _list_users_filtered(x):
    return "administrator", x.case("GET", "/api/v1/users", query={"role": "employee", "office_id": x.w.ala,
                                                                  "q": "Aig", "is_active": "true", "limit": 1})


def _my_data(x):
    return "employee", x.case("GET", "/api/v1/me/data")


def _login_ok(x):
    return "employee", x.case("POST", "/api/v1/auth/login", body={"login": x.w.employee.login,
                                                                  "password": DEMO_PASSWORD})


def _password_reset_confirm_wrong_code(x):
    return "employee", x.case("POST", "/api/v1/auth/password-reset/confirm", body={
        "login": x.w.employee.login, "code": "000000", "new_password": "another-long-password"})


def _device_registered_again(x):
    return "administrator", x.case("POST", "/api/v1/devices", body={
        "token": "contract-device-token", "platform": "ios", "app_version": "1.2.3", "os_version": "17.4",
        "device_model": "iPhone"})


def _notifications_unread(x):
    return "employee", x.case("GET", "/api/v1/notifications", query={"unread": "true"})


def _policy_for_a_category(x):
    return "administrator", x.case("PUT", "/api/v1/sla-policies/{priority}", path_parameters={"priority": "high"},
                                   query={"category": "FAC-AC"},
                                   body={"response_minutes": 30, "resolution_minutes": 120})


def _policies_after_override(x):
    x.ok(x.client.put("/api/v1/sla-policies/high?category=FAC-AC", headers=x.headers("administrator"),
                      json={"response_minutes": 30, "resolution_minutes": 120}))
    return "manager", x.case("GET", "/api/v1/sla-policies")


def _category_with_translated_name(x):
    return "administrator", x.case("POST", "/api/v1/categories", body={
        "code": "FAC-LIGHT", "name": {"ru": "Свет", "kk": "Жарық", "en": "Light"}, "department": "FAC"})


def _category_without_department(x):
    return "administrator", x.case("POST", "/api/v1/categories", body={"code": "MISC", "name": "Other"})


def _department_with_translated_name(x):
    return "administrator", x.case("POST", "/api/v1/departments", body={
        "code": "HR", "name": {"ru": "Кадры", "kk": "Кадрлар", "en": "HR"}})


EXPLICIT = {
    "sla report as CSV": (200, _sla_report_csv),
    "sla report by assignee": (200, _sla_report_by_assignee),
    **{f"sla report by {g}": (200, _sla_report_by_each_grouping(g)) for g in ("department", "category", "priority")},
    "backlog report for an office": (200, _backlog_report_for_office),
    "photo as a signed redirect (S3)": (302, _photo_as_signed_redirect),
    "thumbnail as a signed redirect (S3)": (302, _thumbnail_as_signed_redirect),
    "photo from local storage": (200, _photo_from_local_storage),
    "photo upload, same bytes again": (200, _photo_upload_same_bytes_again),
    "photo upload, not an image": (415, _photo_upload_not_an_image),
    "photo upload to a final request": (409, _photo_upload_to_a_final_request),
    "edit without If-Match": (428, _edit_without_if_match),
    "edit with a stale If-Match": (412, _edit_with_stale_if_match),
    "edit by staff": (200, _edit_by_staff),
    "edit by the author while new": (200, _edit_by_author_while_new),
    "edit by the author of a staff field": (403, _edit_by_author_fields_of_staff),
    "status with a stale If-Match": (412, _status_with_stale_if_match),
    "status move not allowed": (409, _status_move_not_allowed),
    "close with rating": (200, _close_with_rating),
    "reject with comment": (200, _reject_with_comment),
    "events of a closed request": (200, _events_of_a_closed_request),
    "events as staff": (200, _events_as_staff),
    "internal comment by staff": (201, _internal_comment_by_staff),
    "internal comment by an employee": (403, _internal_comment_by_employee),
    "submit with every field": (201, _submit_with_every_field),
    "submit by staff with an office": (201, _submit_by_staff_with_office),
    "submit from nowhere without a home office": (422, _submit_from_nowhere_without_home_office),
    "submit, idempotency key reused": (409, _submit_idempotency_key_reused),
    "submit, idempotency key replayed": (201, _submit_idempotency_key_replayed),
    "submit, bad idempotency key": (400, _submit_bad_idempotency_key),
    "submit, inactive category": (422, _submit_inactive_category),
    "list requests with every filter": (200, _list_requests_with_every_filter),
    "list requests, bad cursor": (400, _list_requests_bad_cursor),
    "route inside a geofence": (200, _route_inside_geofence),
    "route from nowhere": (200, _route_from_nowhere),
    "create office": (201, _create_office),
    "create office, invalid geometry": (422, _create_office_invalid_geometry),
    "delete office with requests": (409, _delete_office_with_requests),
    "delete office without requests": (204, _delete_office_without_requests),
    "create user, duplicate login": (409, _create_user_duplicate_login),
    "create user with every field": (201, _create_user_with_every_field),
    "deactivate user": (200, _deactivate_user),
    "list users, filtered": (200, _list_users_filtered),
    "my data": (200, _my_data),
    "login": (200, _login_ok),
    "password reset confirm, wrong code": (400, _password_reset_confirm_wrong_code),
    "device registered again": (200, _device_registered_again),
    "notifications, unread": (200, _notifications_unread),
    "policy for a category": (200, _policy_for_a_category),
    "policies after an override": (200, _policies_after_override),
    "category with a translated name": (201, _category_with_translated_name),
    "category without a department": (201, _category_without_department),
    "department with a translated name": (201, _department_with_translated_name),
}


@pytest.mark.parametrize("name", list(EXPLICIT))
def test_explicit_case_keeps_its_contract(name, app, client, seeded):
    expected, build = EXPLICIT[name]
    x = Explicit(app, client, seeded)
    role, case = build(x)
    response = case.call_and_validate(app=app, headers=x.headers(role), checks=CHECKS)
    assert response.status_code == expected, (
        f"{case.method} {case.formatted_path} as the {role}: expected {expected}, got {response.status_code}: "
        f"{response.content[:300]!r}")
