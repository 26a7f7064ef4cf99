"""Where attachment bytes live: a local directory or an S3-compatible bucket.

Both sit behind `Storage`, picked by config through `build_storage`. Objects
are private; S3 serves them only through short-lived signed URLs (PRIVACY.md
P5), the local store through the app. Nothing connects at import or
construction, so the app starts while the store is down. It is bound and fetched as
``service_app.adapters`` describes.
"""
import logging
import os
import posixpath
import tempfile
import threading
from collections.abc import Mapping
from contextlib import contextmanager
from typing import Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError
from werkzeug.security import safe_join

from service_app import adapters
from service_app.errors import PHOTO_RETRY_SECONDS, DependencyUnavailable

logger = logging.getLogger(__name__)

EXTENSION = "attachment_storage"

_CONTENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
# Only these mean "no such object". NoSuchBucket, AccessDenied, InvalidAccessKeyId,
# SignatureDoesNotMatch and 5xx mean the store is misconfigured or down.
_NOT_FOUND = frozenset({"NoSuchKey", "404", "NotFound"})


class StorageUnavailable(DependencyUnavailable):
    """The store could not be reached or refused us; the caller should answer 503."""

    message = "photo storage is unavailable, retry later"
    retry_seconds = PHOTO_RETRY_SECONDS


class Storage(Protocol):
    """Private object storage for attachment bytes."""

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store data under key, replacing any previous object."""

    def get(self, key: str) -> bytes:
        """Return the object's bytes; raise KeyError when there is none."""

    def delete(self, key: str) -> None:
        """Remove the object; a missing one is not an error."""

    def signed_url(self, key: str) -> str | None:
        """Return a short-lived URL for the object, or None to serve the bytes through the app."""


class LocalStorage(Storage):
    """Files under a root directory; the app streams them itself (no signed URLs)."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)

    def _path(self, key: str) -> str:
        """Return the file for key; ValueError unless it stays under the root.

        Besides ``safe_join``, a key must be in normal form (no empty, "." or
        ".." segment), so two keys never name one file, as they never name one
        object in S3; and NUL, which no file name can hold, is refused before
        a temporary file is written.
        """
        path = safe_join(self.root, key)
        if path is None or posixpath.normpath(key) != key or "\x00" in key:
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

    def signed_url(self, key: str) -> str | None:
        self._path(key)
        return None


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

    def signed_url(self, key: str) -> str | None:
        """Return a GET URL on the public endpoint, valid for url_expires_seconds.

        Signing is local (no request is sent), so it cannot tell whether the
        object exists.
        """
        params = {"Bucket": self.bucket, "Key": key}
        content_type = _CONTENT_TYPES.get(os.path.splitext(key)[1].lower())
        if content_type:
            params["ResponseContentType"] = content_type
        with self._errors("signing", key):  # fails only without any credentials
            return self._client("public").generate_presigned_url(
                "get_object", Params=params, ExpiresIn=self.url_expires_seconds)


def build_storage(config: Mapping, instance_path: str) -> Storage:
    """Return the store named by ``STORAGE_BACKEND``: "local" or "s3".

    The local root defaults to ``attachments`` in the app's instance folder;
    S3 settings left as None take ``S3Storage``'s defaults.
    """
    kind = (config["STORAGE_BACKEND"] or "").strip().lower()
    if kind == "local":
        return LocalStorage(config["STORAGE_LOCAL_ROOT"] or os.path.join(instance_path, "attachments"))
    if kind == "s3":
        settings = {
            "endpoint_url": config["S3_ENDPOINT_URL"], "region": config["S3_REGION"],
            "access_key_id": config["S3_ACCESS_KEY_ID"], "secret_access_key": config["S3_SECRET_ACCESS_KEY"],
            "addressing_style": config["S3_ADDRESSING_STYLE"], "public_endpoint_url": config["S3_PUBLIC_ENDPOINT_URL"],
            "url_expires_seconds": config["S3_URL_EXPIRES_SECONDS"], "connect_timeout": config["S3_CONNECT_TIMEOUT"],
            "read_timeout": config["S3_READ_TIMEOUT"]}
        return S3Storage(config["S3_BUCKET"], **{name: value for name, value in settings.items() if value is not None})
    raise ValueError(f"unknown STORAGE_BACKEND {kind!r}: expected 'local' or 's3'")


def init_app(app):
    adapters.bind(app, EXTENSION, lambda: build_storage(app.config, app.instance_path))


def get_storage() -> Storage:
    """The app's store (tests replace ``app.extensions[EXTENSION]``)."""
    return adapters.get(EXTENSION)
