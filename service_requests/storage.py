"""Where attachment bytes live: a local directory or an S3-compatible bucket.

Both sit behind `Storage`, picked by config through `build_storage`. Objects
are private; S3 serves them only through short-lived signed URLs (PRIVACY.md
P5), the local store through the app. Nothing connects at import or
construction, so the app starts while the store is down.
"""
import logging
import os
import tempfile
import threading
from contextlib import contextmanager
from typing import Protocol
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

logger = logging.getLogger(__name__)

_CONTENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
# Only these mean "no such object". NoSuchBucket, AccessDenied, InvalidAccessKeyId,
# SignatureDoesNotMatch and 5xx mean the store is misconfigured or down.
_NOT_FOUND = frozenset({"NoSuchKey", "404", "NotFound"})


class StorageUnavailable(Exception):
    """The store could not be reached or refused us; the caller should answer 503."""


class Storage(Protocol):
    """Private object storage for attachment bytes."""

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store data under key, replacing any previous object."""

    def get(self, key: str) -> bytes:
        """Return the object's bytes; raise KeyError when there is none."""

    def delete(self, key: str) -> None:
        """Remove the object; a missing one is not an error."""

    def signed_url(self, key: str, filename: str | None = None) -> str | None:
        """Return a short-lived URL for the object, or None to serve the bytes through the app."""

    def exists(self, key: str) -> bool:
        """Tell whether an object is stored under key."""


def content_disposition(filename: str) -> str:
    """Return an inline Content-Disposition naming filename (RFC 6266, non-ASCII safe)."""
    cleaned = "".join(c for c in filename if c.isprintable() and c not in '"\\/').strip() or "photo"
    fallback = cleaned.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(cleaned, safe='')}"


class LocalStorage(Storage):
    """Files under a root directory; the app streams them itself (no signed URLs)."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)

    def _path(self, key: str) -> str:
        parts = key.split("/")
        if (not key or key.startswith("/") or "\\" in key or "\x00" in key
                or any(part in ("", ".", "..") for part in parts)):
            raise ValueError(f"invalid storage key: {key!r}")
        path = os.path.join(self.root, *parts)
        # Belt and braces against anything the checks above missed (e.g. a drive letter).
        if os.path.commonpath([self.root, os.path.abspath(path)]) != self.root:
            raise ValueError(f"invalid storage key: {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        directory = os.path.dirname(path)
        try:
            os.makedirs(directory, exist_ok=True)
            # Written next to the target and renamed into place, so a reader
            # never sees half a photo and a crash leaves no partial object.
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
        except OSError as exc:
            raise StorageUnavailable(f"local storage: {exc.strerror}") from exc
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise StorageUnavailable(f"local storage: {exc.strerror}") from exc

    def get(self, key: str) -> bytes:
        try:
            with open(self._path(key), "rb") as handle:
                return handle.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise KeyError(key) from None
        except OSError as exc:
            raise StorageUnavailable(f"local storage: {exc.strerror}") from exc

    def delete(self, key: str) -> None:
        try:
            os.unlink(self._path(key))
        except (FileNotFoundError, NotADirectoryError):
            pass
        except OSError as exc:
            raise StorageUnavailable(f"local storage: {exc.strerror}") from exc

    def signed_url(self, key: str, filename: str | None = None) -> str | None:
        self._path(key)
        return None

    def exists(self, key: str) -> bool:
        return os.path.isfile(self._path(key))


class S3Storage(Storage):
    """A private bucket on AWS S3 or an S3-compatible store, read through presigned URLs."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str = "us-east-1",
                 access_key_id: str | None = None, secret_access_key: str | None = None,
                 addressing_style: str = "path", public_endpoint_url: str | None = None,
                 url_expires_seconds: int = 300, connect_timeout: float = 2,
                 read_timeout: float = 5, max_attempts: int = 1):
        if not bucket:
            raise ValueError("bucket is required")
        self.bucket = bucket
        self.endpoint_url = endpoint_url
        self.public_endpoint_url = public_endpoint_url or endpoint_url
        self.url_expires_seconds = url_expires_seconds
        # None lets boto3's default chain (env, instance role) find credentials.
        self._session_args = {"aws_access_key_id": access_key_id,
                              "aws_secret_access_key": secret_access_key, "region_name": region}
        # The default CRC32 streaming-trailer checksums are rejected by many
        # non-AWS stores (PITFALLS.md); small timeouts keep an outage short.
        # One attempt by default: a request's time budget (below the worker
        # timeout) has no room for a retry, and clean-up is left to the
        # deletion outbox's purge, which retries on its own schedule.
        # botocore's retries["max_attempts"] counts RETRIES (1 means two tries);
        # total_max_attempts counts tries, which is what our max_attempts means.
        self._config = Config(
            signature_version="s3v4", s3={"addressing_style": addressing_style},
            request_checksum_calculation="when_required", response_checksum_validation="when_required",
            connect_timeout=connect_timeout, read_timeout=read_timeout,
            retries={"total_max_attempts": max_attempts, "mode": "standard"})
        self._lock = threading.Lock()
        self._clients: dict[str, object] = {}

    def _client(self, purpose: str):
        # boto3 sessions are not thread-safe while creating clients; the clients are.
        with self._lock:
            if purpose not in self._clients:
                session = boto3.session.Session(**self._session_args)
                endpoint = self.endpoint_url if purpose == "api" else self.public_endpoint_url
                self._clients[purpose] = session.client("s3", endpoint_url=endpoint, config=self._config)
            return self._clients[purpose]

    @contextmanager
    def _errors(self, action: str, key: str):
        """Turn botocore failures into KeyError (no such object) or StorageUnavailable."""
        try:
            yield
        except ParamValidationError:
            raise  # our bug (e.g. an empty key), not an outage
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "unknown")
            if code in _NOT_FOUND:
                raise KeyError(key) from None
            logger.warning("object storage %s failed: %s", action, code)
            raise StorageUnavailable(f"object storage {action} failed: {code}") from exc
        except BotoCoreError as exc:  # connection, timeout, credentials
            logger.warning("object storage %s failed: %s", action, type(exc).__name__)
            raise StorageUnavailable(f"object storage {action} failed: {type(exc).__name__}") from exc

    def put(self, key: str, data: bytes, content_type: str) -> None:
        with self._errors("put", key):
            self._client("api").put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        with self._errors("get", key):
            response = self._client("api").get_object(Bucket=self.bucket, Key=key)
            with response["Body"] as body:
                return body.read()

    def delete(self, key: str) -> None:
        try:
            with self._errors("delete", key):
                self._client("api").delete_object(Bucket=self.bucket, Key=key)
        except KeyError:
            pass  # S3 itself answers 204 for a missing key; some compatibles say 404

    def exists(self, key: str) -> bool:
        try:
            with self._errors("head", key):
                self._client("api").head_object(Bucket=self.bucket, Key=key)
        except KeyError:
            # HEAD has no body to name the error, so a missing bucket reads
            # "404" too; put() would then fail loudly with NoSuchBucket.
            return False
        return True

    def signed_url(self, key: str, filename: str | None = None) -> str | None:
        """Return a GET URL on the public endpoint, valid for url_expires_seconds.

        Signing is local (no request is sent), so it cannot tell whether the
        object exists.
        """
        params = {"Bucket": self.bucket, "Key": key}
        content_type = _CONTENT_TYPES.get(os.path.splitext(key)[1].lower())
        if content_type:
            params["ResponseContentType"] = content_type
        if filename:
            params["ResponseContentDisposition"] = content_disposition(filename)
        with self._errors("signing", key):  # fails only without any credentials
            return self._client("public").generate_presigned_url(
                "get_object", Params=params, ExpiresIn=self.url_expires_seconds)


def build_storage(kind: str, **settings) -> Storage:
    """Return the store named by config: "local" (root=...) or "s3" (S3Storage's arguments).

    Settings given as None are left out, so unset config falls back to the defaults.
    """
    settings = {name: value for name, value in settings.items() if value is not None}
    kind = (kind or "").strip().lower()
    if kind == "local":
        return LocalStorage(**settings)
    if kind == "s3":
        return S3Storage(**settings)
    raise ValueError(f"unknown storage kind {kind!r}: expected 'local' or 's3'")
