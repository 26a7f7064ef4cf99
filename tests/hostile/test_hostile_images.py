"""Hostile photos through HTTP: each is refused with a
4xx JSON error, and no attachment row, history entry or stored object is written."""
import io
import sys

import pytest
import sqlalchemy as sa
from PIL import Image

from service_app.extensions import db
from service_requests.photos import images
from service_requests.models import Attachment, RequestEvent
from tests.support.photos import jpeg_scan_bomb, uniform_rgba_png

pytest_plugins = ["tests.company"]


JPEG_BOMB = jpeg_scan_bomb()
PNG_BOMB = uniform_rgba_png()


@pytest.fixture
def store_root(app, tmp_path):
    app.config["STORAGE_LOCAL_ROOT"] = str(tmp_path / "attachments")
    return tmp_path / "attachments"


@pytest.fixture
def upload(client, submit, world, app, store_root):
    """Post a file to a fresh request as its author; return the response, checking nothing was written."""

    def do(data, name, content_type):
        rid = submit()["id"]
        before = _rows(app)
        response = client.post(f"/api/v1/requests/{rid}/attachments", headers=world.employee.headers,
                               data={"file": (io.BytesIO(data), name, content_type)},
                               content_type="multipart/form-data")
        assert response.is_json, response.data[:200]
        assert _rows(app) == before
        assert not store_root.exists() or not [p for p in store_root.rglob("*") if p.is_file()]
        return response

    return do


def _rows(app):
    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                     for model in (Attachment, RequestEvent))


def _error(response, status):
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "details"}
    return error


def test_the_bombs_are_what_the_issue_describes():
    assert len(JPEG_BOMB) < 400_000 and JPEG_BOMB.count(b"\xff\xda") > 10_000
    assert len(PNG_BOMB) < 250_000
    with Image.open(io.BytesIO(PNG_BOMB)) as png:
        assert (png.mode, png.width * png.height) == ("RGBA", 40_000_000)
    with Image.open(io.BytesIO(JPEG_BOMB)) as jpeg:
        assert jpeg.info.get("progressive") and jpeg.size == (2000, 2000)


def test_progressive_jpeg_repeating_one_scan_10000_times_is_422_and_writes_nothing(upload):
    error = _error(upload(JPEG_BOMB, "scans.jpg", "image/jpeg"), 422)
    assert error["code"] == "validation_error"
    assert "more than 100 scans" in error["message"] and error["details"]["file"]


def test_a_decode_over_the_time_limit_is_stopped_422_and_writes_nothing(upload, app, monkeypatch):
    # Without the scan count, the kernel's CPU limit on the decoder process stops it.
    monkeypatch.setattr(images, "MAX_JPEG_SCANS", 1_000_000)
    app.config["ATTACHMENT_DECODE_TIMEOUT_SECONDS"] = 1
    error = _error(upload(JPEG_BOMB, "scans.jpg", "image/jpeg"), 422)
    assert error["code"] == "validation_error" and "takes too long to decode" in error["message"]


def test_uniform_40_megapixel_rgba_png_is_422_and_writes_nothing(upload):
    error = _error(upload(PNG_BOMB, "flat.png", "image/png"), 422)
    assert error["code"] == "validation_error"
    assert "more than the limit of 256 MB" in error["message"]


def test_no_decoder_process_is_503_with_retry_after_and_writes_nothing(upload, monkeypatch):
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    response = upload(JPEG_BOMB, "scans.jpg", "image/jpeg")
    assert _error(response, 503)["code"] == "unavailable"
    assert response.headers["Retry-After"] == "10"
