"""A local stand-in for FCM v1 so firebase-admin's real messaging code runs offline.

Besides ``notifications.senders._mount_fcm_retry`` this is the one place that
touches firebase-admin private attributes (see ``attach``). ``FixedTokenCredential`` gives the SDK an OAuth token that never
expires and refreshes without network; ``FcmStub`` answers
``POST /v1/projects/<project>/messages:send`` on 127.0.0.1, records every
request and replies with programmable answers; ``fcm_error`` builds the error
bodies FCM really sends, in the shape the SDK parses
(``error.status`` and a ``google.firebase.fcm.v1.FcmError`` detail).
"""
from __future__ import annotations

import collections
import itertools
import json
import re
import sys
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import google.auth.credentials
import google.auth.exceptions
import requests.adapters
from firebase_admin import _http_client, credentials, messaging

from notifications.senders import FcmSender

FIXED_TOKEN = "fixed-test-access-token"
TEST_PROJECT = "santrade-test"
_FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
_BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"


class FixedGoogleCredentials(google.auth.credentials.Credentials):
    """A google-auth credential with a fixed token: ``expiry`` None never expires."""

    def __init__(self, token: str):
        super().__init__()
        self.token = token
        self.refresh_count = 0
        self.fail_refresh = False  # set with token=None to make every request fail auth
        self._lock = threading.Lock()

    def refresh(self, request) -> None:
        # AuthorizedSession refreshes after a 401; count it, never touch the network.
        with self._lock:
            self.refresh_count += 1
        if self.fail_refresh:
            raise google.auth.exceptions.RefreshError("refresh disabled in test")
        if self.token is None:
            self.token = FIXED_TOKEN


class FixedTokenCredential(credentials.Base):
    """A firebase credential whose Google credential always holds ``token``."""

    def __init__(self, token: str = FIXED_TOKEN):
        self.google_credential = FixedGoogleCredentials(token)

    def get_credential(self) -> FixedGoogleCredentials:
        return self.google_credential


@dataclass(frozen=True)
class Recorded:
    """One request the stub saw."""
    path: str
    headers: dict[str, str]  # lower-cased names
    body: dict


_ERRORS = {  # name -> (HTTP status, RPC status, FCM errorCode, message)
    "UNREGISTERED": (404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found."),
    "SENDER_ID_MISMATCH": (403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", "SenderId mismatch"),
    "INVALID_TOKEN": (400, "INVALID_ARGUMENT", "INVALID_ARGUMENT",
                      "The registration token is not a valid FCM registration token"),
    "INVALID_ARGUMENT": (400, "INVALID_ARGUMENT", "INVALID_ARGUMENT",
                         "Invalid value at 'message.data[0].value' (TYPE_STRING), 12"),
    "QUOTA_EXCEEDED": (429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED",
                       "Quota exceeded for quota metric 'Send requests'."),
    "UNAVAILABLE": (503, "UNAVAILABLE", "UNAVAILABLE", "The service is currently unavailable."),
    "INTERNAL": (500, "INTERNAL", "INTERNAL", "Internal error encountered."),
    "THIRD_PARTY_AUTH_ERROR": (401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR",
                               "Auth error from APNS or Web Push Service"),
}
FCM_ERROR_NAMES = tuple(_ERRORS)


def fcm_error(name: str, *, retry_after: str | None = None) -> tuple[int, dict, dict]:
    """Return ``(status, json_body, headers)`` as FCM v1 answers error ``name``.

    ``INVALID_TOKEN`` is FCM's INVALID_ARGUMENT for a malformed registration
    token; ``QUOTA_EXCEEDED`` carries ``Retry-After`` (default "30").
    """
    status, rpc_status, code, text = _ERRORS[name]
    details = [{"@type": _FCM_ERROR_TYPE, "errorCode": code}]
    if rpc_status == "INVALID_ARGUMENT":
        field = "message.token" if name == "INVALID_TOKEN" else "message.data[0].value"
        details.append({"@type": _BAD_REQUEST_TYPE,
                        "fieldViolations": [{"field": field, "description": text}]})
    headers = {}
    if name == "QUOTA_EXCEEDED" or retry_after is not None:
        headers["Retry-After"] = retry_after if retry_after is not None else "30"
    body = {"error": {"code": status, "message": text, "status": rpc_status, "details": details}}
    return status, body, headers


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # send_each opens up to 100 connections at once
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gave up (timeout tests) is expected; anything else is shown.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FcmStub:
    """FCM v1 on 127.0.0.1: records requests; answers from ``queue``, ``responder`` or 200.

    ``responder(body) -> (status, json_body, headers) | None`` sees the parsed
    request; None means the default success ``{"name": "projects/p/messages/n"}``.
    """

    _PATH = re.compile(r"^/v1/projects/([^/]+)/messages:send$")

    def __init__(self):
        self.requests: list[Recorded] = []
        self.queue: collections.deque = collections.deque()
        self.responder = None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def send_url(self, project_id: str) -> str:
        return f"{self.url}/v1/projects/{project_id}/messages:send"

    def start(self) -> FcmStub:
        server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="fcm-stub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)

    def requests_for(self, token: str) -> list[Recorded]:
        """The recorded requests addressed to device ``token``."""
        return [r for r in self.requests if r.body.get("message", {}).get("token") == token]

    def _answer(self, path: str, headers: dict, body: dict) -> tuple[int, dict, dict]:
        with self._lock:
            self.requests.append(Recorded(path, headers, body))
            queued = self.queue.popleft() if self.queue else None
        match = self._PATH.match(path)
        if match is None:
            return 404, {"error": {"code": 404, "message": "no such path", "status": "NOT_FOUND"}}, {}
        answer = queued or (self.responder(body) if self.responder else None)
        if answer is not None:
            return answer
        return 200, {"name": f"projects/{match.group(1)}/messages/{next(self._ids)}"}, {}


def _handler_for(stub: FcmStub):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as with the real endpoint
        wbufsize = 1 << 16  # headers and body in one segment: no 40 ms delayed-ACK stalls
        disable_nagle_algorithm = True

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"_unparsed": raw.decode("utf-8", "replace")}
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, payload, extra = stub._answer(self.path, headers, body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # keep test output clean
            pass

    return Handler


def attach(sender_or_app, stub: FcmStub):
    """Point the messaging service of a firebase app (or FcmSender) at ``stub``.

    Private attributes of firebase-admin 7.7's ``messaging._MessagingService``:
    ``_fcm_url`` (the send URL) and ``_client.session`` (google-auth's
    AuthorizedSession). The stub gets the retry policy mounted for
    fcm.googleapis.com (by ``FcmSender``, else the SDK's ``DEFAULT_RETRY_CONFIG``),
    so retries run as in production; proxies from the environment are off.
    """
    app = sender_or_app.app if hasattr(sender_or_app, "app") else sender_or_app
    service = messaging._get_messaging_service(app)
    service._fcm_url = stub.send_url(app.project_id)
    session = service._client.session
    session.trust_env = False
    production = session.adapters.get("https://fcm.googleapis.com")
    retries = production.max_retries if production is not None else _http_client.DEFAULT_RETRY_CONFIG
    pool = getattr(production, "_pool_maxsize", 100)  # the production pool's size, as FcmSender chose it
    session.mount(stub.url, requests.adapters.HTTPAdapter(
        pool_connections=pool, pool_maxsize=pool, max_retries=retries))
    return service


def stub_sender(stub: FcmStub, **options) -> FcmSender:
    """An ``FcmSender`` attached to ``stub``: fixed-token credential, a unique app name, the test project.

    ``options`` go to ``FcmSender`` (``credentials`` too); close the sender when done.
    """
    options.setdefault("credentials", FixedTokenCredential())
    options.setdefault("app_name", f"santrade-fcm-test-{uuid.uuid4().hex[:8]}")
    options.setdefault("project_id", TEST_PROJECT)
    sender = FcmSender(options.pop("credentials"), **options)
    attach(sender, stub)
    return sender
