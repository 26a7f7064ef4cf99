"""A hung PostgreSQL and a hung object store, with the service under gunicorn.

The test starts its own PostgreSQL cluster in a temporary folder (never a
shared one), moto's S3 server as a separate process, and the service with
``gunicorn -c gunicorn.conf.py`` (one worker, so ``/healthz`` answering while
a call waits shows the threads at work). Each dependency is frozen with
SIGSTOP: a call that needs it answers 503 JSON with ``Retry-After`` and
``/healthz`` answers meanwhile; after SIGCONT the service recovers. Objects a
failed upload left in the store are deleted by the deletion outbox's purge.

Timeouts below only keep a broken run from hanging; nothing asserts a duration.
"""
import io
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from service_requests.models import FINAL_STATUSES

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
BUCKET = "fault-photos"
PASSWORD = "fault-pass-123"  # nosec B105 - a throwaway account in a throwaway cluster

COUNT_ROWS = "SELECT count(*) FROM attachments WHERE request_id = %s"

pytestmark = pytest.mark.slow


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, what, limit=60.0):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def http(method, url, body=None, headers=None, timeout=60):
    """``(status, headers, parsed JSON or raw bytes)``; never raises on an HTTP status."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
            status, head, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        status, head, raw = exc.code, exc.headers, exc.read()
    try:
        return status, head, json.loads(raw)
    except ValueError:
        return status, head, raw


def json_call(method, url, payload=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps(payload).encode() if payload is not None else None
    return http(method, url, body, headers)


def photo_body(seed):
    """A small PNG distinct per seed, as a multipart body."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (seed * 37 % 256, seed * 91 % 256, 120)).save(buffer, "PNG")
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p{seed}.png\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + buffer.getvalue() + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def children_of(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@contextmanager
def frozen(pids):
    """SIGSTOP every process in ``pids()`` (looked up at entry); SIGCONT them on the way out."""
    stopped = pids()
    for pid in stopped:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in stopped:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass


class Stack:
    """PostgreSQL, moto and the service, each a process of its own, under one temp folder."""

    def __init__(self, root, workdir):
        self.root, self.workdir = Path(root), Path(workdir)
        self.procs = []
        self.pg_home = self.pg_data = self.workdir / "pg-home"
        self.pg_owner = None
        self.pg_port, self.s3_port, self.port = free_port(), free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("S3_", "DB_", "AWS_"))},
            "APP_ENV": "development", "FLASK_APP": "wsgi",
            "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{self.pg_port}/postgres",
            "STORAGE_BACKEND": "s3", "S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": f"http://127.0.0.1:{self.s3_port}",
            "S3_ACCESS_KEY_ID": "test", "S3_SECRET_ACCESS_KEY": "test", "S3_REGION": "us-east-1",
            "S3_CONNECT_TIMEOUT": "1", "S3_READ_TIMEOUT": "3", "STORAGE_PURGE_GRACE_SECONDS": "5",
            "DB_CONNECT_TIMEOUT": "2", "DB_STATEMENT_TIMEOUT": "3", "DB_POOL_TIMEOUT": "3",
            "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "1024", "RATELIMIT_STORAGE_URI": "memory://",
            "WEB_CONCURRENCY": "1", "PUSH_SENDER": "log", "PYTHONUNBUFFERED": "1",
        }
        self.bin = self.root / ".venv" / "bin"

    def spawn(self, name, args, **kwargs):
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=self.root, env=self.env, **kwargs)
        self.procs.append((proc, log))
        return proc

    def run(self, *args):
        return subprocess.run(args, cwd=self.root, env=self.env, check=True, capture_output=True, timeout=120)

    def flask(self, *args):
        return self.run(str(self.bin / "flask"), *args)

    def pg_ctl(self, *args):
        """Run a PostgreSQL server program, as the ``postgres`` account when we are root (initdb refuses root)."""
        owner = {}
        if os.geteuid() == 0:
            owner = {"user": self.pg_owner.pw_uid, "group": self.pg_owner.pw_gid}
        return subprocess.run(args, cwd=self.pg_home, env=self.env, check=True, capture_output=True,
                              timeout=120, **owner)

    def start(self):
        self.pg_home = self.workdir / "pg-home"
        self.pg_home.mkdir()
        self.pg_data = self.pg_home / "data"
        if os.geteuid() == 0:
            os.chmod(self.workdir, 0o711)  # noqa: S103 - the postgres account must reach its folder inside
            os.chown(self.pg_home, self.pg_owner.pw_uid, self.pg_owner.pw_gid)
        self.pg_ctl(str(PG_BIN / "initdb"), "-D", str(self.pg_data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.pg_ctl(str(PG_BIN / "pg_ctl"), "-D", str(self.pg_data), "-w", "-l", str(self.pg_home / "postgres.log"),
                    "-o", f"-p {self.pg_port} -k {self.pg_home} -c listen_addresses=127.0.0.1", "start")
        self.moto = self.spawn("moto", [str(self.bin / "moto_server"), "-H", "127.0.0.1", "-p", str(self.s3_port)])
        wait_until(lambda: socket.create_connection(("127.0.0.1", self.s3_port), timeout=1).close() or True, "moto")
        self.s3().create_bucket(Bucket=BUCKET)
        self.flask("db", "upgrade")
        self.flask("seed-demo")
        self.flask("users", "create", "--login", "fault.admin", "--password", PASSWORD, "--role", "administrator")
        self.web = self.spawn("gunicorn", [str(self.bin / "gunicorn"), "-c", "gunicorn.conf.py",
                                           "--bind", f"127.0.0.1:{self.port}", "wsgi:app"])
        wait_until(lambda: http("GET", self.base + "/healthz", timeout=2)[0] == 200, "gunicorn")

    def stop(self):
        for proc, log in reversed(self.procs):
            try:
                os.kill(proc.pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
        if (self.pg_data / "postmaster.pid").exists():
            for pid in self.postgres_pids():
                os.kill(pid, signal.SIGCONT)
            try:
                self.pg_ctl(str(PG_BIN / "pg_ctl"), "-D", str(self.pg_data), "-m", "immediate", "stop")
            except subprocess.CalledProcessError:
                pass

    def postgres_pids(self):
        postmaster = int((self.pg_data / "postmaster.pid").read_text().split()[0])
        return [postmaster, *children_of(postmaster)]

    def s3(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.env["S3_ENDPOINT_URL"], aws_access_key_id="test",
                            aws_secret_access_key="test", region_name="us-east-1")

    def sql(self, query, params=None):
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"], connect_timeout=10) as conn:
            return conn.execute(query, params).fetchall()

    def sign_in(self):
        status, _, body = json_call("POST", self.base + "/api/v1/auth/login",
                                    {"login": "fault.admin", "password": PASSWORD})
        assert status == 200, body
        return body["access_token"]

    def upload(self, token, request_id, seed):
        body, content_type = photo_body(seed)
        return http("POST", f"{self.base}/api/v1/requests/{request_id}/attachments", body,
                    {"Content-Type": content_type, "Authorization": f"Bearer {token}"})


@pytest.fixture(scope="module")
def stack():
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        pytest.skip(f"PostgreSQL server binaries not found in {PG_BIN} (set PG_BIN)")
    if not (ROOT / ".venv" / "bin" / "moto_server").exists():
        pytest.skip("moto_server is not installed in .venv")
    workdir = tempfile.mkdtemp(prefix="hang-faults-")
    stack = Stack(ROOT, workdir)
    if os.geteuid() == 0:
        try:
            stack.pg_owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres account to run the throwaway cluster")
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def call_while_frozen(stack, pids, method, path, **kwargs):
    """Make the call with the processes frozen; ``/healthz`` is asked while the call waits."""
    answer, health = {}, []
    with frozen(pids):
        def call():
            if "upload" in kwargs:
                answer["value"] = stack.upload(*kwargs["upload"])
            else:
                answer["value"] = json_call(method, stack.base + path, token=kwargs.get("token"))

        worker = threading.Thread(target=call)
        worker.start()
        time.sleep(0.5)  # let the call reach the frozen dependency
        health.append((http("GET", stack.base + "/healthz", timeout=60)[0], worker.is_alive()))
        worker.join(timeout=90)
        assert not worker.is_alive(), "the call did not end while the dependency was frozen"
    return answer["value"], health[0]


def assert_unavailable(answer):
    status, headers, body = answer
    assert status == 503, (status, body)
    assert headers["Content-Type"].startswith("application/json")
    assert body["error"]["code"] == "unavailable"
    assert int(headers["Retry-After"]) > 0


def open_request_id(stack, token):
    status, _, body = json_call("GET", stack.base + "/api/v1/requests?limit=100", token=token)
    assert status == 200, body
    return next(item["id"] for item in body["items"] if item["status"] not in FINAL_STATUSES)


def test_hung_postgresql_answers_503_json_and_healthz_stays_live_then_recovers(stack):
    token = stack.sign_in()
    assert json_call("GET", stack.base + "/api/v1/requests", token=token)[0] == 200

    answer, (health, call_pending) = call_while_frozen(stack, stack.postgres_pids, "GET", "/api/v1/requests",
                                                       token=token)

    assert_unavailable(answer)
    assert health == 200 and call_pending  # /healthz answered while the call still waited on the database
    wait_until(lambda: json_call("GET", stack.base + "/api/v1/requests", token=token)[0] == 200,
               "the service to recover after SIGCONT")


def test_hung_store_answers_503_writes_no_row_then_uploads_and_purges_the_orphans(stack):
    token = stack.sign_in()
    request_id = open_request_id(stack, token)
    rows_before = stack.sql(COUNT_ROWS, (request_id,))[0][0]

    answer, (health, call_pending) = call_while_frozen(
        stack, lambda: [stack.moto.pid], "POST", None, upload=(token, request_id, 1))

    assert_unavailable(answer)
    assert health == 200 and call_pending
    assert stack.sql(COUNT_ROWS, (request_id,))[0][0] == rows_before
    failed_keys = {key for (key,) in stack.sql("SELECT key FROM storage_deletions")}
    assert len(failed_keys) == 2  # the photo and its thumbnail await deletion

    status, _, body = stack.upload(token, request_id, 2)
    assert status == 201, body
    assert stack.sql(COUNT_ROWS, (request_id,))[0][0] \
        == rows_before + 1

    # Whatever of the failed upload reached the store is deleted once its grace has passed.
    s3 = stack.s3()
    s3.put_object(Bucket=BUCKET, Key=sorted(failed_keys)[0], Body=b"left over")  # as if the frozen put landed

    def purged():
        stack.flask("storage", "purge")
        return not stack.sql("SELECT key FROM storage_deletions")

    wait_until(purged, "the deletion outbox to empty", limit=60)
    stored = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    referenced = {key for row in stack.sql("SELECT storage_key, thumbnail_key FROM attachments") for key in row}
    assert not stored & failed_keys
    assert stored == referenced


def raw_exchange(stack, data):
    """Send raw bytes to gunicorn and return its whole answer (it closes after an error page)."""
    with socket.create_connection(("127.0.0.1", stack.port), timeout=30) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), head.decode("latin-1"), body


@pytest.mark.parametrize("request_bytes,status,code", [
    (b"GET /api/v1/requests?" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431, "headers_too_large"),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n", 400, "bad_request"),
])
def test_what_gunicorn_refuses_is_answered_in_the_json_envelope(stack, request_bytes, status, code):
    line, head, body = raw_exchange(stack, request_bytes)
    assert line.startswith(f"HTTP/1.1 {status} ")
    assert "Content-Type: application/json" in head
    assert json.loads(body)["error"]["code"] == code


def test_a_chunked_body_over_the_limit_is_413_json_under_gunicorn(stack):
    payload = b'{"login": "' + b"x" * (11 * 1024 * 1024 + 65536) + b'"}'  # MAX_CONTENT_LENGTH is 11 MiB
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part)
                      for part in (payload[i:i + 65536] for i in range(0, len(payload), 65536)))
    line, head, body = raw_exchange(stack, b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                                           b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                                           b"Connection: close\r\n\r\n" + chunks + b"0\r\n\r\n")
    assert line.startswith("HTTP/1.1 413 ")
    assert json.loads(body)["error"]["code"] == "payload_too_large"
