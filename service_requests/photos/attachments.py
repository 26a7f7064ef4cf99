"""Photos attached to requests: upload (validated, re-encoded without metadata,
deduplicated), download only for callers who may see the request, and removal.

An upload records its object keys in the deletion outbox (committed) before it
stores any bytes, stores them with no transaction open (so no row lock waits on
the store), then locks the request, inserts the row and withdraws the keys in
one commit. A store outage answers 503 and leaves no row; whatever was stored
is deleted later by the outbox's purge, so the request makes one attempt at
the store and no clean-up calls. Keys are unique per upload, so removing our
own objects never touches another upload's.
"""
import logging
import uuid

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from service_app import audit
from service_app.database import utcnow
from service_app.errors import PHOTO_RETRY_SECONDS, ApiError, retry_after
from service_app.extensions import db

from service_requests import access, history
from service_requests.history import Event
from . import outbox as storage_outbox
from .images import ImageRejected, process_image
from service_requests.models import Attachment
from .storage import StorageUnavailable, get_storage

log = logging.getLogger(__name__)
SUFFIXES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


def _unavailable(exc):
    log.error("attachment storage unavailable: %s", exc)
    return ApiError(503, "unavailable", "photo storage is unavailable, retry later",
                    headers=retry_after(PHOTO_RETRY_SECONDS))


def read_upload(file):
    """The uploaded file's bytes, refusing more than the limit without reading it all."""
    if file is None:
        raise ApiError(422, "validation_error", "file: a multipart field 'file' is required",
                       {"file": ["required"]})
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, "payload_too_large", f"file: larger than {limit // (1024 * 1024)} MB")
    return data


def upload(user, request_id, data):
    """Attach a photo; returns ``(attachment, created)`` (created False for the same bytes again)."""
    req = access.get_visible_request(user, request_id, followers=False)  # a follower writes nothing: 404
    access.require_may_attach(user, req)
    if req.is_final:
        raise ApiError(409, "conflict", f"the request is {req.status}; no more photos")
    cfg = current_app.config
    try:
        image = process_image(data, max_bytes=cfg["ATTACHMENT_MAX_BYTES"], max_pixels=cfg["ATTACHMENT_MAX_PIXELS"],
                              timeout_seconds=cfg["ATTACHMENT_DECODE_TIMEOUT_SECONDS"],
                              memory_mb=cfg["ATTACHMENT_DECODE_MEMORY_MB"],
                              concurrency=cfg["ATTACHMENT_DECODE_CONCURRENCY"])
    except ImageRejected as exc:
        raise ApiError(exc.status, exc.code, f"file: {exc.message}", {"file": [exc.message]},
                       headers=exc.headers) from None
    existing = _find(req.id, image.sha256)
    if existing is not None:
        return existing, False
    _check_count(req.id)  # early, so a full request costs no upload; checked again under the lock
    base = f"requests/{req.id}/{uuid.uuid4().hex}"
    keys = (base + SUFFIXES[image.content_type], base + "-thumb.jpg")
    pending = [row.id for row in storage_outbox.enqueue(keys, cfg["STORAGE_PURGE_GRACE_SECONDS"])]
    db.session.commit()
    store = get_storage()
    try:
        store.put(keys[0], image.content, image.content_type)
        store.put(keys[1], image.thumbnail, image.thumbnail_content_type)
    except StorageUnavailable as exc:
        raise _unavailable(exc) from None
    req = access.get_visible_request(user, request_id, for_update=True)  # serialise the count check
    existing = _find(req.id, image.sha256)
    if existing is not None:  # a concurrent upload of the same bytes won; ours are purged
        db.session.commit()
        return existing, False
    _check_count(req.id)
    attachment = Attachment(request_id=req.id, uploader_id=user.id, content_type=image.content_type,
                            size=len(image.content), width=image.width, height=image.height,
                            sha256=image.sha256, storage_key=keys[0], thumbnail_key=keys[1])
    try:
        db.session.add(attachment)
        db.session.flush()
        history.record(req, Event.ATTACHMENT_ADDED, user, {"attachment_id": attachment.id})
        req.updated_at = utcnow()  # a new version: the request's ETag covers its photos
        if storage_outbox.cancel(pending) != len(pending):
            db.session.rollback()
            log.error("upload outlived its purge grace period; the stored objects are being deleted")
            raise ApiError(503, "unavailable", "the upload took too long, retry",
                           headers=retry_after(PHOTO_RETRY_SECONDS))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = _find(request_id, image.sha256)
        if existing is None:
            raise
        return existing, False
    return attachment, True


def _check_count(request_id):
    limit = current_app.config["ATTACHMENT_MAX_PER_REQUEST"]
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)
                              .where(Attachment.request_id == request_id))
    if count >= limit:
        raise ApiError(409, "conflict", f"a request holds at most {limit} photos")


def _find(request_id, sha256):
    return db.session.scalar(sa.select(Attachment).where(Attachment.request_id == request_id,
                                                         Attachment.sha256 == sha256))


def delete(user, attachment_id):
    """Remove a photo: its author's request while ``new``, or staff responsible for the request at any time.

    404 unless the caller may see the request. The row goes, and its two object
    keys enter the deletion outbox due at once, in one commit: ``flask storage
    purge`` deletes the objects (retrying while the store is down), so no store
    call runs inside the request and the photo can never be half deleted. The
    request's version moves (its ETag covers its photos), its history records an
    ``attachment_removed`` event, and the audit log records who removed it.
    """
    attachment = access.get_visible_attachment(user, attachment_id)
    req = access.get_visible_request(user, attachment.request_id, for_update=True)
    access.require_may_remove_photo(user, req)
    attachment = db.session.scalar(sa.select(Attachment).where(Attachment.id == attachment_id)
                                   .execution_options(populate_existing=True))
    if attachment is None:  # removed by a concurrent call while we waited for the request's lock
        raise ApiError(404, "not_found", access.ATTACHMENT_NOT_FOUND)
    storage_outbox.enqueue([attachment.storage_key, attachment.thumbnail_key])
    details = {"request_id": req.id, "sha256": attachment.sha256}
    db.session.delete(attachment)
    history.record(req, Event.ATTACHMENT_REMOVED, user, {"attachment_id": attachment_id})
    audit.record(user, "attachment.delete", "attachment", attachment_id, details)
    req.updated_at = utcnow()
    db.session.commit()


def open_attachment(user, attachment_id, thumbnail=False):
    """What to send for a download: ``("redirect", url)`` or ``("bytes", data, content_type)``.

    404 unless the caller may see the request; staff views are audited (P14).
    """
    attachment = access.get_visible_attachment(user, attachment_id)
    req = attachment.request
    key = attachment.thumbnail_key if thumbnail else attachment.storage_key
    content_type = "image/jpeg" if thumbnail else attachment.content_type
    if not access.is_author(user, req):
        audit.record(user, "attachment.thumbnail" if thumbnail else "attachment.view", "attachment", attachment.id)
        db.session.commit()
    store = get_storage()
    try:
        url = store.signed_url(key)
        if url:
            return "redirect", url, None
        return "bytes", store.get(key), content_type
    except StorageUnavailable as exc:
        raise _unavailable(exc) from None
    except KeyError:
        raise ApiError(404, "not_found", "the photo is no longer stored") from None
