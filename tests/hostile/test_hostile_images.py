"""Hostile photos through HTTP (issue 11, items 1 and 2): each is refused with a
4xx JSON error, and no attachment row, history entry or stored object is written."""
import io
import re
import struct
import sys
import zlib

import pytest
import sqlalchemy as sa
from PIL import Image

from service_app.extensions import db
from service_requests import images
from service_requests.models import Attachment, RequestEvent

pytest_plugins = ["tests.company"]


def jpeg_scan_bomb(size=(2000, 2000), repeat=10_000):
    """A progressive JPEG whose luma AC refinement scan is repeated `repeat` times before EOI.

    Uniform pixels make every scan a few bytes; each copy still makes libjpeg
    walk all of the image's coefficients (about 25 s of CPU for this one).
    """
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 130, 140)).save(buffer, "JPEG", progressive=True, quality=80)
    data = buffer.getvalue()
    scans, i = [], 2
    while data[i + 1] != 0xD9:
        (length,) = struct.unpack_from(">H", data, i + 2)
        end = i + 2 + length
        if data[i + 1] == 0xDA:
            end = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]").search(data, end).start()
            scans.append((i, end))
        i = end
    assert len(scans) == 10  # libjpeg's standard progression
    # Scan header: length, component count n, n (id, tables), then Ss, Se, Ah/Al.
    start, end = next((s, e) for s, e in scans
                      if data[s + 5 + 2 * data[s + 4]] > 0 and data[s + 7 + 2 * data[s + 4]] >> 4)
    return data[:-2] + data[start:end] * repeat + data[-2:]


def uniform_rgba_png(width=8000, height=5000):
    """A uniform RGBA PNG: 40 Mpx, 160 MB of pixels, in about 150 KB."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x80\x80\x80\xff" * width
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


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


def test_item01_progressive_jpeg_repeating_one_scan_10000_times_is_422_and_writes_nothing(upload):
    error = _error(upload(JPEG_BOMB, "scans.jpg", "image/jpeg"), 422)
    assert error["code"] == "validation_error"
    assert "more than 100 scans" in error["message"] and error["details"]["file"]


def test_item01_a_decode_over_the_time_limit_is_stopped_422_and_writes_nothing(upload, app, monkeypatch):
    # Without the scan count, the kernel's CPU limit on the decoder process stops it.
    monkeypatch.setattr(images, "MAX_JPEG_SCANS", 1_000_000)
    app.config["ATTACHMENT_DECODE_TIMEOUT_SECONDS"] = 1
    error = _error(upload(JPEG_BOMB, "scans.jpg", "image/jpeg"), 422)
    assert error["code"] == "validation_error" and "takes too long to decode" in error["message"]


def test_item02_uniform_40_megapixel_rgba_png_is_422_and_writes_nothing(upload):
    error = _error(upload(PNG_BOMB, "flat.png", "image/png"), 422)
    assert error["code"] == "validation_error"
    assert "more than the limit of 256 MB" in error["message"]


def test_no_decoder_process_is_503_with_retry_after_and_writes_nothing(upload, monkeypatch):
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    response = upload(JPEG_BOMB, "scans.jpg", "image/jpeg")
    assert _error(response, 503)["code"] == "unavailable"
    assert response.headers["Retry-After"] == "10"
