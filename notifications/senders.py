"""Push senders: deliver notification pushes to phones behind one interface.

``LogSender`` only logs (development, tests); ``FcmSender`` sends through
Firebase Cloud Messaging with firebase-admin. Both take ``PushMessage``s and
return one ``PushOutcome`` per message, in order, so the caller decides what
to do with each device: keep it, retry later, or delete it. Per PRIVACY.md P13
FCM receives only a title, a body, the request's id, number and status, the
event, the notification's id and the app's deep link to the request, plus the
grouping id (``request-<id>``) and the recipient's unread count (the badge).
The payload is documented for app developers in the README (Notifications).
Nothing here touches the network at import or construction.

No send ever sleeps on a server's ``Retry-After``: firebase-admin's HTTP
layer would wait the raw value (a 429's 40 s) up to four times inside
``send_each`` while the worker holds its lease. ``FcmSender`` replaces the
SDK's retry policy on the FCM session with ``FCM_RETRY`` (one immediate retry
of a refused connection or a 500/503, no Retry-After waits) and returns the
wait as ``PushOutcome.retry_after``; the outbox schedules the row instead.

It is bound and fetched as ``service_app.adapters`` describes; the firebase
app is created on the first send, in the process that sends.
"""
from __future__ import annotations

import email.utils
import itertools
import json
import logging
import os
import re
import threading
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import firebase_admin
import requests
import requests.adapters
from firebase_admin import credentials as fb_credentials
from firebase_admin import exceptions, messaging
from urllib3.util.retry import Retry

from service_app import adapters

logger = logging.getLogger(__name__)

EXTENSION = "push_sender"

TITLE_MAX_CHARS = 100
BODY_MAX_CHARS = 500
# P13: nothing but these data keys may leave for FCM.
DATA_KEYS = frozenset({"notification_id", "request_id", "number", "event", "status", "deep_link"})
ANDROID_CHANNEL = "requests"
MAX_CHUNK = 500  # send_each refuses more
FCM_ORIGIN = "https://fcm.googleapis.com"

# The SDK's policy retries 500/503 four times with 0+1+2+4 s of backoff, and
# urllib3 also retries any 429/503 carrying Retry-After, sleeping that long.
# Here: at most one retry in all, immediately, and only of a connection that
# was refused before anything was sent or of a 500/503; a read timeout is not
# retried (FCM may have delivered). Everything else goes back to the outbox,
# which retries with its own backoff and honours Retry-After by scheduling.
FCM_RETRY = Retry(total=1, connect=1, read=0, status=1, other=0, redirect=0,
                  status_forcelist=[500, 503], backoff_factor=0,
                  respect_retry_after_header=False, raise_on_status=False,
                  allowed_methods=None)
# What one send_each chunk can block, in units of the HTTP timeout (each
# message of a chunk is sent in its own thread, so a chunk blocks as long as
# its slowest message). Per message: google-auth's AuthorizedSession sends up
# to 3 times (a 401 makes it refresh the token and resend, twice), each send
# is up to 2 attempts (FCM_RETRY), each attempt a connect and a read timeout:
# 3 x 2 x 2 = 12; plus up to 3 token refreshes of a connect and a read: 6.
TIMEOUTS_PER_CHUNK = 18


@dataclass(frozen=True)
class PushMessage:
    """One push to one device token; ``data`` values must be strings.

    ``collapse_id`` groups the pushes of one request (Android ``collapse_key``
    and notification ``tag``, APNs ``thread-id``); ``badge`` is the
    recipient's unread count (Android ``notification_count``, APNs ``badge``).
    """
    token: str
    title: str
    body: str
    data: dict[str, str]
    collapse_id: str | None = None
    badge: int | None = None


@dataclass(frozen=True)
class PushOutcome:
    """What happened to one message: "sent", "retry", "drop_device" or "failed"."""
    status: str
    message_id: str | None = None
    retry_after: float | None = None
    error: str | None = None


def truncate(text: str, limit: int) -> str:
    """Return ``text`` cut to at most ``limit`` characters, ending in "…" when cut."""
    text = text or ""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def fit_push(title: str, body: str) -> tuple[str, str]:
    """Return title and body cut to FCM-safe lengths (100 and 500 characters).

    Even in 4-byte characters that is 2.4 KB, well inside FCM's 4096-byte message.
    """
    return truncate(title, TITLE_MAX_CHARS), truncate(body, BODY_MAX_CHARS)


def token_hint(token: str) -> str:
    """Return a loggable hint of a device token: its last 6 characters only."""
    token = token or ""
    return "…" + token[-6:] if len(token) > 12 else "…"  # a short "token" would show whole


class PushSender(Protocol):
    """Sends pushes and returns one ``PushOutcome`` per message, in order."""

    def send(self, messages: list[PushMessage]) -> list[PushOutcome]:
        """Send every message; never raise for one message's failure."""


class LogSender(PushSender):
    """Logs each push at INFO instead of sending it (development and tests)."""

    _ids = itertools.count(1)

    def send(self, messages: list[PushMessage]) -> list[PushOutcome]:
        outcomes = []
        for message in messages:
            title, body = fit_push(message.title, message.body)
            logger.info("push to device %s: %s — %s data=%s collapse=%s badge=%s",
                        token_hint(message.token), title, body, _push_data(message),
                        message.collapse_id, message.badge)
            outcomes.append(PushOutcome("sent", message_id=f"log-{next(self._ids)}"))
        return outcomes


class FcmSender(PushSender):
    """Sends pushes with firebase-admin's ``messaging.send_each``.

    ``credentials`` is a service-account JSON file path, the JSON text itself,
    its parsed dict, or a ready ``firebase_admin.credentials.Base``. The
    credential is parsed here (fails fast, no network); the firebase app is
    created on the first send, and its FCM session gets ``FCM_RETRY``, so a
    send never sleeps on Retry-After or backoff; ``max_blocking_seconds``
    bounds how long one ``send`` can take (the worker's lease covers it).
    """

    def __init__(self, credentials: str | dict | fb_credentials.Base, *,
                 app_name: str = "santrade-fcm", http_timeout: float = 10,
                 chunk_size: int = 100, project_id: str | None = None, concurrent_sends: int = 1):
        if not 1 <= chunk_size <= MAX_CHUNK:
            raise ValueError(f"chunk_size must be within 1..{MAX_CHUNK}")
        self._credential = _load_credential(credentials)
        self._project_id = project_id or _project_of(self._credential)
        if not self._project_id:
            raise ValueError("FCM needs a project id: pass project_id or service-account credentials")
        self._app_name = app_name
        self._http_timeout = http_timeout
        self._chunk_size = chunk_size
        # One connection per message of every chunk in flight (send_each threads each message).
        self._connections = chunk_size * max(1, concurrent_sends)
        self._app: firebase_admin.App | None = None
        self._lock = threading.Lock()

    @property
    def app(self) -> firebase_admin.App:
        """The firebase app, created on first use (or an existing one of that name)."""
        with self._lock:
            if self._app is None:
                options = {"httpTimeout": self._http_timeout, "projectId": self._project_id}
                try:
                    self._app = firebase_admin.initialize_app(self._credential, options, self._app_name)
                except ValueError:  # already initialised in this process: reuse it
                    self._app = firebase_admin.get_app(self._app_name)
                _mount_fcm_retry(self._app, self._connections)
            return self._app

    def max_blocking_seconds(self, count: int) -> float:
        """The longest ``send`` of ``count`` messages can block (chunks go one after another)."""
        chunks = -(-max(count, 0) // self._chunk_size)
        return chunks * TIMEOUTS_PER_CHUNK * self._http_timeout

    def close(self) -> None:
        """Delete the firebase app if it was created (closes its HTTP sessions)."""
        with self._lock:
            app, self._app = self._app, None
        if app is not None:
            try:
                firebase_admin.delete_app(app)
            except ValueError:  # somebody else deleted it already
                pass

    def send(self, messages: list[PushMessage]) -> list[PushOutcome]:
        """Send in chunks of ``chunk_size``; one outcome per message, in order."""
        outcomes: list[PushOutcome | None] = [None] * len(messages)
        ready: list[tuple[int, messaging.Message]] = []
        with warnings.catch_warnings():
            # 7.7 deprecates token= for fid=, but Flutter clients only have tokens.
            # (catch_warnings swaps process-wide filters; harmless for this one filter.)
            warnings.filterwarnings("ignore", message=r"Message\.token is deprecated",
                                    category=DeprecationWarning)
            for index, message in enumerate(messages):
                try:
                    fcm_message = _fcm_message(message)
                    str(fcm_message)  # runs the SDK's validation, which would fail the whole batch
                except ValueError as error:
                    logger.error("FCM payload rejected before sending to %s: %s",
                                 token_hint(message.token), error)
                    outcomes[index] = PushOutcome("failed", error=str(error))
                else:
                    ready.append((index, fcm_message))
        if ready:
            app = self.app
            for start in range(0, len(ready), self._chunk_size):
                self._send_chunk(app, ready[start:start + self._chunk_size], messages, outcomes)
        return outcomes  # type: ignore[return-value]  # every slot is filled above

    def _send_chunk(self, app, chunk, messages, outcomes) -> None:
        try:
            batch = messaging.send_each([fcm for _, fcm in chunk], app=app)
        except Exception as error:  # noqa: BLE001 - credential refresh or transport: retry the whole chunk later
            logger.warning("FCM batch of %d failed, will retry: %s", len(chunk), error)
            for index, _ in chunk:
                outcomes[index] = PushOutcome("retry", error=str(error))
            return
        apns_alerts = 0
        for (index, _), response in zip(chunk, batch.responses, strict=True):
            outcome = _outcome(response)
            outcomes[index] = outcome
            if isinstance(response.exception, messaging.ThirdPartyAuthError):
                apns_alerts += 1
            elif outcome.status != "sent":
                log = logger.error if outcome.status == "failed" else logger.info
                log("FCM push to %s: %s (%s)", token_hint(messages[index].token),
                    outcome.status, outcome.error)
        if apns_alerts:
            logger.error("ALERT: FCM THIRD_PARTY_AUTH_ERROR for %d push(es): APNs/web push "
                         "credentials in Firebase are misconfigured; not retrying", apns_alerts)


def build_push_sender(config: Mapping) -> PushSender:
    """Return the sender named by ``PUSH_SENDER``: "log", or "fcm" (needs ``FIREBASE_CREDENTIALS``)."""
    kind = (config["PUSH_SENDER"] or "").strip().lower()
    if kind == "log":
        return LogSender()
    if kind == "fcm":
        if not config.get("FIREBASE_CREDENTIALS"):
            raise ValueError("the fcm push sender needs FIREBASE_CREDENTIALS")
        return FcmSender(config["FIREBASE_CREDENTIALS"], http_timeout=config["FCM_HTTP_TIMEOUT"],
                         concurrent_sends=config.get("PUSH_BATCHES_IN_FLIGHT", 1))
    raise ValueError(f"unknown PUSH_SENDER {kind!r}: expected 'log' or 'fcm'")


def init_app(app):
    adapters.bind(app, EXTENSION, lambda: build_push_sender(app.config))


def get_push_sender() -> PushSender:
    """The app's push sender (tests replace ``app.extensions[EXTENSION]``)."""
    return adapters.get(EXTENSION)


def _mount_fcm_retry(app: firebase_admin.App, connections: int = 100) -> None:
    """Give the messaging service's session ``FCM_RETRY`` for the FCM origin.

    firebase-admin 7.x keeps the session at ``_MessagingService._client.session``
    (private; the version is pinned) and mounts its own adapter for the FCM
    origin there; this one replaces it, with a pool of ``connections``. If the SDK
    ever moves it, failing here is better than sleeping on Retry-After.
    """
    service = messaging._get_messaging_service(app)
    session = getattr(getattr(service, "_client", None), "session", None)
    if not isinstance(session, requests.Session):
        raise RuntimeError("firebase-admin's messaging session moved: cannot disable its Retry-After sleeps")
    session.mount(FCM_ORIGIN, requests.adapters.HTTPAdapter(
        pool_connections=connections, pool_maxsize=connections, max_retries=FCM_RETRY))


def _load_credential(value) -> fb_credentials.Base:
    if isinstance(value, fb_credentials.Base):
        return value
    try:
        if isinstance(value, str) and value.lstrip().startswith("{"):
            value = json.loads(value)
        if isinstance(value, (str, dict, os.PathLike)):
            return fb_credentials.Certificate(value)
    except (ValueError, OSError) as error:
        # The message of a failed parse never carries the key itself.
        raise ValueError(f"FCM credentials are not a usable service account: {error}") from None
    raise ValueError("FCM credentials must be a path, JSON text, a dict or credentials.Base")


def _project_of(credential: fb_credentials.Base) -> str | None:
    # Only a certificate knows its project offline; ApplicationDefault may probe metadata.
    if isinstance(credential, fb_credentials.Certificate):
        return credential.project_id
    return os.environ.get("GOOGLE_CLOUD_PROJECT") or os.environ.get("GCLOUD_PROJECT")


def _push_data(message: PushMessage) -> dict[str, str]:
    """The data that may leave for FCM: ``DATA_KEYS`` only, every value a string."""
    data = {key: str(value) for key, value in (message.data or {}).items()
            if key in DATA_KEYS and value is not None}
    dropped = set(message.data or {}) - DATA_KEYS
    if dropped:
        logger.warning("dropping data keys %s from a push: only %s may go to FCM",
                       sorted(dropped), sorted(DATA_KEYS))
    return data


def _fcm_message(message: PushMessage) -> messaging.Message:
    """The typed firebase-admin message of the documented payload (README, Notifications)."""
    title, body = fit_push(message.title, message.body)
    return messaging.Message(
        token=message.token,
        notification=messaging.Notification(title=title, body=body),
        data=_push_data(message),
        android=messaging.AndroidConfig(
            priority="high",
            collapse_key=message.collapse_id,
            notification=messaging.AndroidNotification(
                channel_id=ANDROID_CHANNEL, sound="default", tag=message.collapse_id,
                notification_count=message.badge)),
        apns=messaging.APNSConfig(
            headers={"apns-priority": "10"},
            payload=messaging.APNSPayload(aps=messaging.Aps(
                sound="default", badge=message.badge, thread_id=message.collapse_id))),
    )


_BAD_TOKEN = re.compile(r"registration token.*not.*valid", re.IGNORECASE | re.DOTALL)


def _outcome(response: messaging.SendResponse) -> PushOutcome:
    error = response.exception
    if error is None:
        if response.message_id:
            return PushOutcome("sent", message_id=response.message_id)
        return PushOutcome("failed", error="FCM answered without a message id")
    text = f"{type(error).__name__}: {error}"
    if isinstance(error, (messaging.UnregisteredError, messaging.SenderIdMismatchError)):
        return PushOutcome("drop_device", error=text)
    if isinstance(error, exceptions.InvalidArgumentError):
        if _BAD_TOKEN.search(str(error)) or _names_token_field(error):
            return PushOutcome("drop_device", error=text)
        return PushOutcome("failed", error=text)  # our payload is wrong
    if isinstance(error, messaging.ThirdPartyAuthError):
        return PushOutcome("failed", error=text)  # APNs misconfigured: retrying cannot help
    # QuotaExceededError is a ResourceExhaustedError; a bare 429 is rate limiting too.
    if isinstance(error, (exceptions.ResourceExhaustedError, exceptions.UnavailableError,
                          exceptions.InternalError, exceptions.DeadlineExceededError)):
        return PushOutcome("retry", retry_after=_retry_after(error), error=text)
    if isinstance(error, exceptions.UnknownError) and isinstance(
            error.cause, (requests.ConnectionError, requests.Timeout)):
        return PushOutcome("retry", error=text)
    return PushOutcome("failed", error=text)


def _names_token_field(error: exceptions.FirebaseError) -> bool:
    """True when a 400's BadRequest details blame ``message.token``."""
    try:
        details = error.http_response.json()["error"]["details"]
        return any(violation.get("field") == "message.token"
                   for detail in details for violation in detail.get("fieldViolations", []))
    except Exception:  # noqa: BLE001 - no response, not JSON, other shape: not about the token
        return False


def _retry_after(error: exceptions.FirebaseError) -> float | None:
    """Seconds from the response's Retry-After header (delta or HTTP date), if any."""
    response = getattr(error, "http_response", None)
    value = response.headers.get("Retry-After") if response is not None else None
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
