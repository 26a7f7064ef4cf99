"""The served OpenAPI document is a contract code generators accept: a Python client generated
from it by openapi-python-client, without a single warning, drives a whole service request
through a real server on loopback, and its models are typed (``Request.assignee`` is a
``Person`` or None, ``sla`` an ``Sla``).

The app developers' generators (Kotlin, Swift, Dart) read the same document; this one runs in
the suite because it is pure Python. Binary answers are the one thing the generator is told
about: it has no model for ``image/*`` (photos, rooms' QR codes) or ``application/pdf`` (the QR
sheet), so those operations map them to raw bytes (``content_type_overrides``), as the apps'
generators do by themselves.
"""
import csv
import importlib
import io
import subprocess
import sys
import threading
import uuid

import httpx
import pytest
from openapi_spec_validator import validate
from werkzeug.serving import make_server

from tests.support.api import DEMO_PASSWORD
from tests.support.photos import gps_photo
from tests.support.places import ALA_POINT

pytestmark = pytest.mark.slow  # generating the client takes a few seconds: `make test` runs it, `make test-fast` not

PACKAGE = "santrade_service_api_client"
GENERATOR_CONFIG = """\
post_hooks: []
content_type_overrides:
  "image/*": application/octet-stream
  image/jpeg: application/octet-stream
  image/png: application/octet-stream
  application/pdf: application/octet-stream
"""


@pytest.fixture
def server(app):
    """The app served over HTTP on a free loopback port, for as long as the test runs."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def generated(server, tmp_path):
    """The client package openapi-python-client writes from the served document; yields it imported."""
    document = httpx.get(f"{server}/api/v1/openapi.json", timeout=10)
    assert document.status_code == 200
    validate(document.json())
    (tmp_path / "openapi.json").write_bytes(document.content)
    (tmp_path / "config.yaml").write_text(GENERATOR_CONFIG)
    run = subprocess.run(  # noqa: S603 - our own interpreter running the pinned generator on a file we wrote
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(tmp_path / "openapi.json"),
         "--meta", "none", "--config", str(tmp_path / "config.yaml"), "--output-path", str(tmp_path / PACKAGE)],
        capture_output=True, text=True, timeout=300, check=False)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    # It reports what it could not generate as "Warning(s) encountered ..." or "Error(s) encountered ...".
    assert "warning" not in output.lower(), output
    assert "error(s)" not in output.lower(), output
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.content)
    return response.parsed


def test_a_generated_client_drives_a_whole_request(app, world, server, generated):
    models = importlib.import_module(f"{PACKAGE}.models")
    types = importlib.import_module(f"{PACKAGE}.types")

    def op(tag, operation):
        """The generated module of an operation: api/<tag>/<operationId in snake_case>.py."""
        return importlib.import_module(f"{PACKAGE}.api.{tag}.{operation}")

    def sign_in(account):
        anonymous = generated.Client(base_url=server)
        answer = _ok(op("auth", "login").sync_detailed(
            client=anonymous, body=models.Login(login=account.login, password=DEMO_PASSWORD)))
        assert isinstance(answer, models.LoginResponse) and answer.user.id == account.id
        return answer, generated.AuthenticatedClient(base_url=server, token=answer.access_token)

    # The employee signs in and sees where a request from here would go.
    signed_in, employee = sign_in(world.employee)
    assert signed_in.token_type == "Bearer" and signed_in.user.role == models.UserRole.EMPLOYEE
    route = _ok(op("offices", "route_to_office").sync_detailed(client=employee, **ALA_POINT))
    assert isinstance(route.office, models.Office) and route.office.id == world.ala

    # A request, created twice with one Idempotency-Key: one request.
    body = models.RequestCreate(title="The AC drips on the desk", category="FAC-AC",
                                location=models.LocationIn(lat=ALA_POINT["lat"], lon=ALA_POINT["lon"]))
    key = str(uuid.uuid4())
    created = _ok(op("requests", "create_request").sync_detailed(client=employee, body=body, idempotency_key=key), 201)
    again = op("requests", "create_request").sync_detailed(client=employee, body=body, idempotency_key=key)
    assert again.parsed.id == created.id and again.headers.get("Idempotent-Replayed") == "true"
    assert isinstance(created, models.Request) and created.status == models.RequestStatus.NEW
    assert created.assignee is None and isinstance(created.author, models.Person)
    assert isinstance(created.sla, models.Sla) and created.sla.paused is False
    assert isinstance(created.location, models.Point)  # the author's own, coarsened
    assert isinstance(created.office, models.OfficeRef) and created.office.id == world.ala
    rid = created.id

    # A photo, then the list and the request itself.
    photo = types.File(payload=io.BytesIO(gps_photo()), file_name="ac.jpg", mime_type="image/jpeg")
    attachment = _ok(op("requests", "upload_attachment").sync_detailed(
        rid, client=employee, body=models.AttachmentUpload(file=photo)), 201)
    assert isinstance(attachment, models.Attachment) and attachment.content_type == "image/jpeg"
    page = _ok(op("requests", "list_requests").sync_detailed(client=employee))
    assert [r.id for r in page.items] == [rid] and page.next_cursor is None
    mine = _ok(op("requests", "get_request").sync_detailed(rid, client=employee))
    assert [a.id for a in mine.attachments] == [attachment.id]
    downloaded = op("requests", "download_attachment").sync_detailed(attachment.id, client=employee)
    assert downloaded.status_code == 200 and downloaded.content[:2] == b"\xff\xd8"

    # The administrator assigns, takes it on, comments and writes an internal note.
    _, admin = sign_in(world.admin)
    read = op("requests", "get_request").sync_detailed(rid, client=admin)
    assert read.status_code == 200 and read.parsed.location is types.UNSET  # staff never see the location
    assigned = _ok(op("requests", "update_request").sync_detailed(
        rid, client=admin, body=models.RequestUpdate(assignee_id=world.admin.id), if_match=read.headers["ETag"]))
    assert isinstance(assigned.assignee, models.Person) and assigned.assignee.id == world.admin.id
    moved = _ok(op("requests", "change_request_status").sync_detailed(
        rid, client=admin, body=models.StatusChange(status=models.StatusChangeStatus.IN_PROGRESS)))
    assert moved.status == models.RequestStatus.IN_PROGRESS
    _ok(op("requests", "add_comment").sync_detailed(
        rid, client=admin, body=models.CommentCreate(body="A technician comes at 15:00")), 201)
    note = _ok(op("requests", "add_comment").sync_detailed(
        rid, client=admin, body=models.CommentCreate(body="Check the drain pipe", internal=True)), 201)
    assert note.internal is True and isinstance(note.author, models.Person)

    # The employee sees the comment, not the note, and hears about it.
    conversation = _ok(op("requests", "list_comments").sync_detailed(rid, client=employee))
    assert [c.body for c in conversation.items] == ["A technician comes at 15:00"]
    feed = _ok(op("notifications", "list_notifications").sync_detailed(client=employee))
    assert feed.items and all(isinstance(n, models.Notification) for n in feed.items)
    assert {n.event for n in feed.items} >= {"comment_added"} and {n.request_id for n in feed.items} == {rid}
    synced = _ok(op("sync", "sync_changes").sync_detailed(client=employee))
    assert [r.id for r in synced.requests] == [rid] and isinstance(synced.requests[0], models.Request)
    assert synced.has_more is False and synced.unread_notifications >= 1 and synced.removed == []
    since = _ok(op("sync", "sync_changes").sync_detailed(client=employee, cursor=synced.cursor))
    assert since.requests == [] and since.notifications == []

    # Staff resolve; the employee closes it with a rating.
    _ok(op("requests", "change_request_status").sync_detailed(
        rid, client=admin, body=models.StatusChange(status=models.StatusChangeStatus.RESOLVED)))
    closed = _ok(op("requests", "change_request_status").sync_detailed(
        rid, client=employee, body=models.StatusChange(status=models.StatusChangeStatus.CLOSED, rating=5)))
    assert closed.status == models.RequestStatus.CLOSED and closed.rating == 5
    assert closed.closed_at is not None and isinstance(closed.assignee, models.Person)

    # The manager reads the SLA report, as JSON and as CSV.
    _, manager = sign_in(world.manager_fac_ala)
    report = _ok(op("sla", "get_sla_report").sync_detailed(client=manager))
    assert isinstance(report, models.SlaReport) and isinstance(report.totals, models.ReportRow)
    assert report.totals.total == 1 and report.totals.rated == 1 and report.totals.avg_rating == 5
    assert [row.key for row in report.groups] == [str(world.ala)]
    table = _ok(op("sla", "get_sla_report_csv").sync_detailed(client=manager))
    assert isinstance(table, str)
    rows = list(csv.DictReader(io.StringIO(table)))
    assert rows[0]["key"] == str(world.ala) and rows[-1]["key"] == "total" and rows[-1]["total"] == "1"

    # The employee's session: refresh with the refresh token (its own scheme), then sign out.
    refreshing = generated.AuthenticatedClient(base_url=server, token=signed_in.refresh_token)
    pair = _ok(op("auth", "refresh_tokens").sync_detailed(client=refreshing))
    assert isinstance(pair, models.TokenPair) and pair.refresh_token != signed_in.refresh_token
    renewed = generated.AuthenticatedClient(base_url=server, token=pair.access_token)
    _ok(op("auth", "logout").sync_detailed(client=renewed), 204)
    refused = op("users", "get_me").sync_detailed(client=renewed)
    assert refused.status_code == 401 and isinstance(refused.parsed, models.ErrorResponse)
    assert refused.parsed.error.code in {"token_revoked", "unauthorized", "invalid_token"}
