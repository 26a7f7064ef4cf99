"""Hostile faults through HTTP: dependencies that hang or fail,
bodies without a length, and what gunicorn refuses. Each answer is the JSON
envelope (503 with ``Retry-After`` for an unavailable dependency) and nothing
the caller asked for is written.

The hung-process versions (SIGSTOP on PostgreSQL and on the S3 server, under
gunicorn) are in tests/e2e/test_hang_faults.py.
"""
import io
import json
import socket
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from service_app import create_app
from service_app.database import utcnow
from service_app.db_timeouts import lift_for_maintenance
from service_app.extensions import db
from service_requests.photos import outbox as storage_outbox
from service_requests.models import Attachment, RequestEvent, ServiceRequest
from service_requests.photos.storage import LocalStorage, StorageUnavailable
from service_requests.photos.models import StorageDeletion
from tests.support.places import ALA_POINT


def photo(seed=0):
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (seed * 40 % 256, 90, 200)).save(out, "PNG")
    return out.getvalue()


def upload(client, who, rid, data):
    return client.post(f"/api/v1/requests/{rid}/attachments", headers=who.headers,
                       data={"file": (io.BytesIO(data), "p.png", "image/png")}, content_type="multipart/form-data")


def count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def assert_unavailable(response):
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "unavailable"
    assert int(response.headers["Retry-After"]) > 0


class RecordingStore(LocalStorage):
    """A local store that can fail from the n-th put on and runs a check during each put."""

    def __init__(self, root, fail_from=None, during_put=None):
        super().__init__(root)
        self.fail_from, self.during_put, self.puts, self.down = fail_from, during_put, 0, False

    def put(self, key, data, content_type):
        self.puts += 1
        if self.during_put:
            self.during_put(key)
        if self.fail_from is not None and self.puts >= self.fail_from:
            raise StorageUnavailable("object storage put failed: ReadTimeoutError")
        super().put(key, data, content_type)

    def delete(self, key):
        if self.down:
            raise StorageUnavailable("object storage delete failed: ConnectTimeoutError")
        super().delete(key)

    def stored(self):
        return sorted(p.relative_to(self.root).as_posix() for p in Path(self.root).rglob("*") if p.is_file())


@pytest.fixture
def store(app, tmp_path):
    store = RecordingStore(str(tmp_path / "objects"))
    app.extensions["attachment_storage"] = store
    return store


def later(app):
    return utcnow() + timedelta(seconds=app.config["STORAGE_PURGE_GRACE_SECONDS"] + 1)


# --- a store that times out ------------------------------------------------


def test_store_timing_out_halfway_is_503_json_and_writes_no_attachment(client, app, submit, world, store):
    rid = submit()["id"]
    events = count(app, RequestEvent)
    store.fail_from = 2  # the photo is stored, the thumbnail times out

    response = upload(client, world.employee, rid, photo())

    assert_unavailable(response)
    assert store.puts == 2  # one attempt each, no clean-up call spent inside the request
    assert count(app, Attachment) == 0 and count(app, RequestEvent) == events
    with app.app_context():
        pending = set(db.session.scalars(sa.select(StorageDeletion.key)))
    assert len(pending) == 2 and set(store.stored()) <= pending


def test_orphans_of_a_failed_upload_are_deleted_by_the_purge_retried_until_gone(
        client, app, submit, world, store):
    rid = submit()["id"]
    store.fail_from = 2
    assert_unavailable(upload(client, world.employee, rid, photo()))
    assert len(store.stored()) == 1
    with app.app_context():
        assert storage_outbox.purge(store) == (0, 0)  # within the grace period an upload may still be running
        store.down = True
        assert storage_outbox.purge(store, now=later(app)) == (0, 1)
        retry = db.session.scalars(sa.select(StorageDeletion).where(StorageDeletion.attempts == 1)).one()
        assert retry.last_error and retry.due_at > utcnow()
        store.down = False
        far = utcnow() + timedelta(seconds=storage_outbox.RETRY_MAX_SECONDS + 1)
        assert storage_outbox.purge(store, now=far) == (2, 0)
    assert store.stored() == [] and count(app, StorageDeletion) == 0


def test_cli_purge_reports_and_leaves_nothing_due(app, store, runner):
    with app.app_context():
        store.put("requests/1/orphan.png", b"x", "image/png")
        storage_outbox.enqueue(["requests/1/orphan.png"], delay_seconds=-1)
        db.session.commit()
    result = runner.invoke(args=["storage", "purge"])
    assert result.exit_code == 0 and "objects deleted: 1" in result.output
    assert store.stored() == [] and count(app, StorageDeletion) == 0


def test_a_successful_upload_withdraws_its_deletions(client, app, submit, world, store):
    rid = submit()["id"]
    response = upload(client, world.employee, rid, photo())
    assert response.status_code == 201
    assert count(app, StorageDeletion) == 0 and len(store.stored()) == 2


def test_no_transaction_or_row_lock_is_held_while_the_store_is_called(client, app, submit, world, store):
    rid = submit()["id"]
    seen = []

    def check(key):
        seen.append(db.session().in_transaction())
        if db.engine.dialect.name == "postgresql":
            other = sa.create_engine(db.engine.url)
            try:
                with other.begin() as conn:  # NOWAIT fails at once if the upload holds the row
                    conn.execute(sa.text("SELECT id FROM service_requests WHERE id = :id FOR UPDATE NOWAIT"),
                                 {"id": rid})
            finally:
                other.dispose()

    store.during_put = check
    response = upload(client, world.employee, rid, photo())
    assert response.status_code == 201, response.get_json()
    assert seen == [False, False]


def test_upload_outliving_its_grace_period_is_503_and_keeps_no_row(client, app, submit, world, store):
    rid = submit()["id"]
    app.config["STORAGE_PURGE_GRACE_SECONDS"] = -1  # as if the store calls had taken longer than the grace
    response = upload(client, world.employee, rid, photo())
    assert_unavailable(response)
    assert count(app, Attachment) == 0 and count(app, StorageDeletion) == 2


@pytest.mark.postgres_only
def test_statement_timeout_on_a_held_row_lock_is_503_json_and_writes_no_row(
        make_app, database_url, world, store, app):
    if not database_url.startswith("postgresql"):
        pytest.skip("statement_timeout is PostgreSQL's")
    slow = make_app(DB_STATEMENT_TIMEOUT=1)
    slow.extensions["attachment_storage"] = store
    client = slow.test_client()
    response = client.post("/api/v1/requests", json={"title": "Door is stuck", "category": "FAC-AC",
                                                     "location": ALA_POINT},
                           headers=world.employee.headers)
    assert response.status_code == 201, response.get_json()
    rid = response.get_json()["id"]
    holder = sa.create_engine(database_url)
    try:
        with holder.begin() as conn:
            conn.execute(sa.text("SELECT id FROM service_requests WHERE id = :id FOR UPDATE"), {"id": rid})
            answer = upload(client, world.employee, rid, photo(3))
    finally:
        holder.dispose()
    assert_unavailable(answer)
    assert count(app, Attachment) == 0


# --- a database that refuses or never answers ----------------------------


def silent_server():
    """A TCP port that accepts connections (the kernel's backlog) and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    return listener


@pytest.mark.parametrize("kind", ["silent", "closed"])
def test_database_that_never_answers_or_refuses_is_503_json_and_healthz_answers(kind, app):
    listener = silent_server()
    port = listener.getsockname()[1]
    if kind == "closed":
        listener.close()
    try:
        down = create_app({"ENV_NAME": "testing", "DB_CONNECT_TIMEOUT": 1,
                           "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{port}/santrade"})
        client = down.test_client()
        answers = []
        caller = threading.Thread(target=lambda: answers.append(
            client.post("/api/v1/auth/login", json={"login": "someone", "password": "whatever-123"})))
        caller.start()
        caller.join(timeout=60)
        assert not caller.is_alive(), "the sign-in did not end while the database stayed silent"
        assert_unavailable(answers[0])
        assert client.get("/healthz").status_code == 200
    finally:
        listener.close()


# --- smaller: bodies without a length -----------------------------------------------


def chunked(client, path, body, headers=None):
    return client.post(path, data=body, headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked",
                                                 **(headers or {})},
                       environ_overrides={"CONTENT_LENGTH": "", "wsgi.input_terminated": True})


def test_smaller_chunked_body_over_the_limit_is_413_json_like_a_sized_one_and_writes_nothing(
        client, app, world, submit):
    before = count(app, ServiceRequest)
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = json.dumps({"title": "x" * (limit + 10), "category": "FAC-AC"}).encode()

    answer = chunked(client, "/api/v1/requests", body, world.employee.headers)
    sized = client.post("/api/v1/requests", data=body, headers={**world.employee.headers,
                                                                "Content-Type": "application/json"})

    assert answer.status_code == 413 == sized.status_code
    assert answer.mimetype == "application/json"
    assert answer.get_json()["error"]["code"] == "payload_too_large" == sized.get_json()["error"]["code"]
    assert count(app, ServiceRequest) == before


def test_smaller_chunked_body_within_the_limit_is_read_whole(client, world):
    body = json.dumps({"title": "Chunked but small", "category": "FAC-AC", "location": ALA_POINT}).encode()
    answer = chunked(client, "/api/v1/requests", body, world.employee.headers)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["title"] == "Chunked but small"


# --- smaller: what gunicorn refuses --------------------------------------------------


@pytest.mark.parametrize("status,reason,code", [(400, "Bad Request", "bad_request"),
                                                (414, "URI Too Long", "uri_too_long"),
                                                (431, "Request Header Fields Too Large", "headers_too_large"),
                                                (500, "Internal Server Error", "internal_error")])
def test_smaller_gunicorn_refusals_are_the_json_envelope(status, reason, code):
    from gunicorn import util

    from service_app import gunicorn_errors

    original = util.write_error
    written = []
    try:
        gunicorn_errors.install()
        util.write_nonblock, saved = (lambda sock, data: written.append(data)), util.write_nonblock
        try:
            util.write_error(None, status, reason, "<script>quoted client bytes</script>")
        finally:
            util.write_nonblock = saved
    finally:
        util.write_error = original
    head, _, body = written[0].partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode())
    assert b"Content-Type: application/json" in head and f"Content-Length: {len(body)}".encode() in head
    assert json.loads(body) == {"error": {"code": code, "message": json.loads(body)["error"]["message"],
                                          "details": None}}
    assert b"script" not in body


def test_smaller_retention_with_the_store_down_deletes_the_rows_and_the_outbox_deletes_the_bytes_later(
        client, app, submit, world, store, runner):
    rid = submit()["id"]
    assert upload(client, world.employee, rid, photo(5)).status_code == 201
    with app.app_context():
        long_ago = utcnow() - timedelta(days=app.config["ATTACHMENT_RETENTION_DAYS"] + 1)
        db.session.execute(sa.update(ServiceRequest).where(ServiceRequest.id == rid)
                           .values(status="closed", closed_at=long_ago))
        db.session.commit()
    store.down = True
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "photos deleted: 1" in result.output and "stored objects deleted: 0" in result.output
    assert count(app, Attachment) == 0 and len(store.stored()) == 2 and count(app, StorageDeletion) == 2
    store.down = False
    with app.app_context():
        far = utcnow() + timedelta(seconds=storage_outbox.RETRY_MAX_SECONDS + 1)
        assert storage_outbox.purge(store, now=far) == (2, 0)
    assert store.stored() == [] and count(app, StorageDeletion) == 0


@pytest.mark.postgres_only
def test_maintenance_jobs_lift_the_request_timeouts_and_requests_keep_them(make_app, database_url):
    """Migrations and retention may run for minutes; a request's statement still ends at the timeout."""
    strict = make_app(DB_STATEMENT_TIMEOUT=1)
    with strict.app_context():
        with pytest.raises(sa.exc.OperationalError):
            db.session.execute(sa.text("SELECT pg_sleep(1.5)"))
        db.session.rollback()
        db.session.remove()
        with db.engine.connect() as connection:
            lift_for_maintenance(connection)
            assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "0"
            connection.exec_driver_sql("SELECT pg_sleep(1.5)")  # neither the server nor the client gives up
        db.engine.dispose()  # the retention run below starts from a fresh connection
        runner = strict.test_cli_runner()
        result = runner.invoke(args=["retention", "run"])
        assert result.exit_code == 0, result.output
        assert db.session.execute(sa.text("SHOW statement_timeout")).scalar() == "0"
