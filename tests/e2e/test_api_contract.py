"""Property-based contract test: every operation of the served OpenAPI document
(``GET /api/v1/openapi.json``), called by schemathesis as each role, must
answer without a 5xx, with a documented status code and content type, and with
a body that matches the documented schema.

The schema is loaded once from an app built at import time (the document does
not depend on the database); every generated case is then sent to the
per-test ``app`` fixture, whose database holds a small company (``world``),
two requests with an attachment, a comment and a notification, so that small
ids such as 1 and 2 resolve.

Run: ``.venv/bin/python -m pytest tests/e2e/test_api_contract.py -q -p no:cacheprovider``
(about a minute on SQLite). ``CONTRACT_MAX_EXAMPLES`` raises the number of
generated cases per operation and role (default 6).
"""
import io
import os

import pytest
import sqlalchemy as sa
import schemathesis
from hypothesis import HealthCheck, settings
from PIL import Image
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from service_app import create_app
from notifications.models import Notification
from service_app.extensions import db

MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", "6"))
MISSING = 987654  # an id no seeded object has

# Phases: the schema's own examples, then fuzzing (valid and invalid data). The
# "coverage" phase is off: it enumerates hundreds of boundary cases per operation.
CONFIG = schemathesis.Config.from_dict({
    "seed": 20240601,
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True,
                   "database": "none"},
})


def _spec_app():
    """An app that only serves the OpenAPI document (in-memory database, never touched)."""
    return create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _spec_app(), config=CONFIG)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]

# The account of each role that the case runs as; see ``seeded`` for what each one can see.
ROLES = {"employee": "employee", "administrator": "admin", "manager": "manager_fac_ala"}


def png_bytes(colour=(10, 120, 200), size=(32, 24)):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


class Seeded:
    """What the contract test's database holds, besides ``world``."""


@pytest.fixture
def seeded(app, client, world, submit, tmp_path):
    """world + two requests (one with a photo, a public comment and a status change) → ids 1, 2 resolve."""
    app.config["STORAGE_LOCAL_ROOT"] = str(tmp_path / "attachments")
    s = Seeded()
    s.world = world
    first = submit(description="Cold air stopped in the meeting room")
    second = submit(world.other_employee, title="PC will not boot", category="IT-PC", priority="high")
    s.request_ids = [first["id"], second["id"]]
    upload = client.post(f"/api/v1/requests/{first['id']}/attachments", headers=world.employee.headers,
                         data={"file": (io.BytesIO(png_bytes()), "photo.png", "image/png")},
                         content_type="multipart/form-data")
    assert upload.status_code == 201, upload.get_json()
    comment = client.post(f"/api/v1/requests/{first['id']}/comments", headers=world.admin.headers,
                          json={"body": "We are on it"})
    assert comment.status_code == 201, comment.get_json()
    etag = client.get(f"/api/v1/requests/{first['id']}", headers=world.admin.headers).headers["ETag"]
    moved = client.post(f"/api/v1/requests/{first['id']}/status", headers={**world.admin.headers, "If-Match": etag},
                        json={"status": "in_progress"})
    assert moved.status_code == 200, moved.get_json()
    device = client.post("/api/v1/devices", headers=world.employee.headers,
                         json={"token": "contract-device-token", "platform": "android"})
    assert device.status_code in (200, 201), device.get_json()
    with app.app_context():
        notification_ids = sorted(db.session.scalars(sa.select(Notification.id)))
    w = world
    # Path parameters are steered to these values: existing objects of several owners, and one
    # that does not exist, so that both the found and the not-found branches run.
    s.path_values = {
        "request_id": [*s.request_ids, MISSING],
        "attachment_id": [upload.get_json()["id"], MISSING],
        "notification_id": [*notification_ids, MISSING],
        "user_id": [w.employee.id, w.other_employee.id, w.admin.id, w.manager_it.id, MISSING],
        "office_id": [w.ala, w.ast, MISSING],
        "priority": ["low", "normal", "high", "urgent", "nope"],
        "token": ["contract-device-token", "unknown-token"],
        ("/api/v1/categories/{code}", "code"): ["FAC-AC", "IT-PC", "OLD", "NOPE"],
        ("/api/v1/departments/{code}", "code"): ["FAC", "IT", "NOPE"],
    }
    return s


def steer_path_parameters(case, path_values):
    """Map generated path parameters onto ``path_values`` (deterministically, from the generated value).

    Values that cannot be valid (negative numbers, non-integers where an integer is declared) are
    left alone: they exercise the 404/422 answers.
    """
    for name, value in list((case.path_parameters or {}).items()):
        choices = path_values.get((case.operation.path, name)) or path_values.get(name)
        if not choices:
            continue
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            case.path_parameters[name] = choices[value % len(choices)]
        elif isinstance(value, str) and isinstance(choices[0], str):
            case.path_parameters[name] = choices[len(value) % len(choices)]


def fresh_headers(app, account_id, refresh=False):
    """A new session for the account, so a case that logged out an earlier one does not starve the rest."""
    from service_app.auth import tokens
    from service_app.users.models import User

    with app.app_context():
        user = db.session.get(User, account_id)
        access, refresh_token = tokens.start_session(user)
        db.session.commit()
    return {"Authorization": f"Bearer {refresh_token if refresh else access}"}


def current_etag(client, app, admin_id, request_id):
    response = client.get(f"/api/v1/requests/{request_id}", headers=fresh_headers(app, admin_id))
    return response.headers.get("ETag")


@pytest.mark.parametrize("role", sorted(ROLES))
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_contract(case, role, app, client, seeded):
    account = getattr(seeded.world, ROLES[role])
    steer_path_parameters(case, seeded.path_values)
    # POST /auth/refresh is the one route that takes a refresh token.
    headers = fresh_headers(app, account.id, refresh=case.operation.path == "/api/v1/auth/refresh")
    if case.method == "PATCH" and case.operation.path == "/api/v1/requests/{request_id}":
        # If-Match is required by the route but not declared in the document, so schemathesis cannot
        # send it: add the current ETag so that the 200 branch is exercised too.
        etag = current_etag(client, app, seeded.world.admin.id, case.path_parameters.get("request_id"))
        if etag and not (case.headers or {}).get("If-Match"):
            headers["If-Match"] = etag
    r = case.call_and_validate(app=app, headers=headers, checks=CHECKS)
    open('/tmp/calls.log','a').write(f'{role} {case.method} {case.operation.path} {case.formatted_path} {r.status_code} {r.headers.get("content-type")} {r.content[:200]!r}\n')
