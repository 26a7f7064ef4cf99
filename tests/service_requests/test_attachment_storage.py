"""Attachment storage (service_requests.photos.storage): the local directory and the S3
adapter against moto's real HTTP server on 127.0.0.1, without the app."""
import os
import socket
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from service_requests.photos import storage as storage_module
from service_requests.photos.storage import LocalStorage, S3Storage, StorageUnavailable, build_storage
from tests.support.s3 import isolated_aws_environment, start_moto

BUCKET = "santrade-attachments"
CREDENTIALS = {"access_key_id": "test", "secret_access_key": "test", "region": "us-east-1"}
SHA = "ab" + "0" * 62
KEY = f"requests/12/{SHA}.jpg"


@pytest.fixture(scope="module", autouse=True)
def aws_kept_out():
    with isolated_aws_environment():
        yield


@pytest.fixture(scope="module")
def moto_port(aws_kept_out):
    server, port = start_moto(bucket=BUCKET)
    yield port
    server.stop()


@pytest.fixture
def s3(moto_port):
    # The app talks to the store on one address; phones reach it on another.
    return S3Storage(BUCKET, endpoint_url=f"http://127.0.0.1:{moto_port}",
                     public_endpoint_url=f"http://localhost:{moto_port}", **CREDENTIALS)


def download(url):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=5) as response:
        return response.read(), response.headers


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_every_call_is_unavailable(store):
    for call in (lambda: store.put(KEY, b"x", "image/jpeg"), lambda: store.get(KEY),
                 lambda: store.delete(KEY)):
        with pytest.raises(StorageUnavailable):
            call()


# --- keys ---------------------------------------------------------------

# --- local directory ----------------------------------------------------

def test_local_put_get_delete(tmp_path):
    store = LocalStorage(str(tmp_path / "media"))
    with pytest.raises(KeyError):
        store.get(KEY)

    store.put(KEY, b"first", "image/jpeg")
    store.put(KEY, b"second", "image/jpeg")

    assert store.get(KEY) == b"second"
    assert (tmp_path / "media" / KEY).read_bytes() == b"second"
    assert store.signed_url(KEY) is None
    store.delete(KEY)
    store.delete(KEY)  # idempotent
    assert not (tmp_path / "media" / KEY).exists()
    with pytest.raises(KeyError):
        store.get(KEY)


def test_local_directory_is_not_an_object(tmp_path):
    store = LocalStorage(str(tmp_path))
    store.put(KEY, b"x", "image/jpeg")
    with pytest.raises(KeyError):
        store.get("requests/12")


def test_local_write_is_atomic_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    store = LocalStorage(str(tmp_path))
    store.put(KEY, b"old photo", "image/jpeg")
    directory = (tmp_path / KEY).parent
    assert sorted(p.name for p in directory.iterdir()) == [f"{SHA}.jpg"]

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage_module.os, "replace", disk_full)
    with pytest.raises(StorageUnavailable):
        store.put(KEY, b"new photo", "image/jpeg")

    assert store.get(KEY) == b"old photo"
    assert sorted(p.name for p in directory.iterdir()) == [f"{SHA}.jpg"]


@pytest.mark.parametrize("key", [
    "../outside.jpg", "requests/../../outside.jpg", "/etc/passwd", "requests//x.jpg",
    "requests/./x.jpg", "", "requests/x.jpg\x00",
])
def test_local_keys_cannot_leave_the_root(tmp_path, key):
    store = LocalStorage(str(tmp_path / "media"))
    for call in (lambda: store.put(key, b"x", "image/jpeg"), lambda: store.get(key),
                 lambda: store.delete(key)):
        with pytest.raises(ValueError):
            call()
    assert not (tmp_path / "outside.jpg").exists()
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*"))


@pytest.mark.skipif(os.name == "nt", reason="a backslash is a separator on Windows, refused there")
def test_local_backslash_is_a_plain_character_inside_the_root(tmp_path):
    key = "requests\\..\\x.jpg"
    store = LocalStorage(str(tmp_path / "media"))
    store.put(key, b"x", "image/jpeg")
    assert [p.name for p in (tmp_path / "media").iterdir()] == [key]
    assert store.get(key) == b"x"


def test_local_disk_failure_is_unavailable(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_bytes(b"")
    with pytest.raises(StorageUnavailable):
        LocalStorage(str(blocker)).put(KEY, b"x", "image/jpeg")


# --- S3 against moto ----------------------------------------------------

def test_s3_put_get_delete(s3):
    with pytest.raises(KeyError):
        s3.get(KEY)

    s3.put(KEY, b"\xff\xd8photo", "image/jpeg")

    assert s3.get(KEY) == b"\xff\xd8photo"
    s3.delete(KEY)
    s3.delete(KEY)  # idempotent
    with pytest.raises(KeyError):
        s3.get(KEY)


def test_s3_objects_are_private_and_typed(s3, moto_port):
    s3.put(KEY, b"photo", "image/jpeg")
    client = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{moto_port}", aws_access_key_id="test",
                          aws_secret_access_key="test", region_name="us-east-1")
    assert client.head_object(Bucket=BUCKET, Key=KEY)["ContentType"] == "image/jpeg"
    grants = client.get_object_acl(Bucket=BUCKET, Key=KEY)["Grants"]
    assert all("URI" not in grant["Grantee"] for grant in grants)  # no AllUsers / AuthenticatedUsers


def test_s3_signed_url_is_on_the_public_endpoint_and_downloads(s3, moto_port):
    s3.put(KEY, b"photo bytes", "image/jpeg")

    url = s3.signed_url(KEY)

    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}" == f"http://localhost:{moto_port}"
    assert parts.path == f"/{BUCKET}/{KEY}"  # path-style addressing
    assert query["X-Amz-Expires"] == ["300"] and query["X-Amz-Signature"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    body, headers = download(url)
    assert body == b"photo bytes"
    assert headers["Content-Type"] == "image/jpeg"


def test_s3_signed_url_without_public_endpoint_uses_the_api_one(moto_port):
    store = S3Storage(BUCKET, endpoint_url=f"http://127.0.0.1:{moto_port}", url_expires_seconds=60,
                      **CREDENTIALS)
    url = store.signed_url(KEY)
    assert url.startswith(f"http://127.0.0.1:{moto_port}/{BUCKET}/")
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["60"]


def test_s3_missing_bucket_is_an_outage_not_a_missing_object(moto_port):
    store = S3Storage("no-such-bucket", endpoint_url=f"http://127.0.0.1:{moto_port}", **CREDENTIALS)
    with pytest.raises(StorageUnavailable):
        store.get(KEY)
    with pytest.raises(StorageUnavailable):
        store.put(KEY, b"x", "image/jpeg")


def test_s3_closed_port_is_unavailable_quickly_but_signing_still_works():
    port = closed_port()
    store = S3Storage(BUCKET, endpoint_url=f"http://127.0.0.1:{port}", connect_timeout=0.5,
                      read_timeout=0.5, max_attempts=1, **CREDENTIALS)  # constructing does not connect
    assert_every_call_is_unavailable(store)
    assert store.signed_url(KEY).startswith(f"http://127.0.0.1:{port}/")  # signing is local


def test_s3_is_unavailable_after_the_server_stops():
    server, port = start_moto(bucket="outage-test")
    endpoint = f"http://127.0.0.1:{port}"
    # Generous timeouts: the calls before the stop must succeed on a loaded machine; after it the
    # port refuses connections, which fails at once whatever the timeout.
    store = S3Storage("outage-test", endpoint_url=endpoint, connect_timeout=5, read_timeout=5,
                      max_attempts=1, **CREDENTIALS)
    store.put(KEY, b"x", "image/jpeg")  # works while the server is up, and caches the client
    assert store.get(KEY) == b"x"

    server.stop()

    assert_every_call_is_unavailable(store)


def test_s3_that_accepts_but_never_answers_times_out():
    with socket.socket() as sock:  # the kernel completes the handshake; nobody ever replies
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        store = S3Storage(BUCKET, endpoint_url=f"http://127.0.0.1:{sock.getsockname()[1]}",
                          connect_timeout=0.3, read_timeout=0.3, max_attempts=1, **CREDENTIALS)
        assert_every_call_is_unavailable(store)


class S3ErrorHandler(BaseHTTPRequestHandler):
    """Answers every request with the S3 error the test sets on the server."""

    # HTTP/1.1 so the handler answers botocore's "Expect: 100-continue" on PUT
    # (otherwise botocore waits a second for it before sending the body).
    protocol_version = "HTTP/1.1"

    def _reply(self):
        self.server.requests_seen += 1
        status, code = self.server.s3_error
        body = f"<Error><Code>{code}</Code><Message>stub</Message></Error>".encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body) if self.command != "HEAD" else 0))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_PUT(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._reply()

    do_GET = do_HEAD = do_DELETE = _reply

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def s3_error_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), S3ErrorHandler)
    server.requests_seen = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("status, code", [
    (500, "InternalError"), (503, "SlowDown"), (403, "AccessDenied"), (403, "InvalidAccessKeyId"),
    (403, "SignatureDoesNotMatch"),
])
def test_s3_errors_that_are_not_a_missing_object_are_unavailable(s3_error_server, status, code):
    s3_error_server.s3_error = (status, code)
    store = S3Storage(BUCKET, endpoint_url=f"http://127.0.0.1:{s3_error_server.server_port}",
                      max_attempts=1, **CREDENTIALS)
    assert_every_call_is_unavailable(store)


@pytest.mark.parametrize("max_attempts", [1, 2])
def test_s3_max_attempts_counts_tries_not_retries(s3_error_server, max_attempts):
    s3_error_server.s3_error = (500, "InternalError")
    store = S3Storage(BUCKET, endpoint_url=f"http://127.0.0.1:{s3_error_server.server_port}",
                      max_attempts=max_attempts, **CREDENTIALS)
    before = s3_error_server.requests_seen
    with pytest.raises(StorageUnavailable):
        store.get(KEY)
    assert s3_error_server.requests_seen - before == max_attempts


def test_s3_missing_object_from_a_compatible_store_is_missing(s3_error_server):
    s3_error_server.s3_error = (404, "NoSuchKey")
    store = S3Storage(BUCKET, endpoint_url=f"http://127.0.0.1:{s3_error_server.server_port}",
                      max_attempts=1, **CREDENTIALS)
    with pytest.raises(KeyError):
        store.get(KEY)
    store.delete(KEY)


# --- choosing by config -------------------------------------------------

def test_build_storage_by_config(tmp_path):
    unset = dict.fromkeys(["STORAGE_LOCAL_ROOT", "S3_ENDPOINT_URL", "S3_REGION", "S3_ACCESS_KEY_ID",
                           "S3_SECRET_ACCESS_KEY", "S3_ADDRESSING_STYLE", "S3_PUBLIC_ENDPOINT_URL",
                           "S3_URL_EXPIRES_SECONDS", "S3_CONNECT_TIMEOUT", "S3_READ_TIMEOUT"])
    local = build_storage({**unset, "STORAGE_BACKEND": "local"}, str(tmp_path))
    assert isinstance(local, LocalStorage) and local.root == str(tmp_path / "attachments")
    s3 = build_storage({**unset, "STORAGE_BACKEND": "S3", "S3_BUCKET": BUCKET}, str(tmp_path))
    assert isinstance(s3, S3Storage) and s3.endpoint_url is None
    assert s3.url_expires_seconds == 300  # settings left as None take S3Storage's defaults
    with pytest.raises(ValueError):
        build_storage({**unset, "STORAGE_BACKEND": "ftp"}, str(tmp_path))
