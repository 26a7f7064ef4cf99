"""Photos through HTTP: upload, EXIF stripped, dedupe, limits, S3 with signed
redirects (moto's server on loopback), outages, and audit of staff views."""
import io
import os
import urllib.request

import pytest
import sqlalchemy as sa
from PIL import Image

from service_app.audit import AuditEntry
from service_app.extensions import db
from service_requests.models import Attachment
from service_requests.photos.storage import S3Storage
from tests.support.photos import gps_photo, upload
from tests.support.s3 import isolated_aws_environment, start_moto

def count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def store_root(app, tmp_path):
    app.config["STORAGE_LOCAL_ROOT"] = str(tmp_path / "attachments")
    return tmp_path / "attachments"


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_photo_comes_back_upright_without_gps_or_camera(client, submit, world, store_root):
    rid = submit()["id"]
    response = upload(client, world.employee, rid, gps_photo())
    assert response.status_code == 201
    meta = response.get_json()
    assert meta["content_type"] == "image/jpeg" and (meta["width"], meta["height"]) == (200, 300)
    assert meta["url"] == f"/api/v1/attachments/{meta['id']}"
    image_response = client.get(meta["url"], headers=world.employee.headers)
    assert image_response.status_code == 200 and image_response.headers["Cache-Control"] == "private, no-store"
    image = Image.open(io.BytesIO(image_response.data))
    assert image.size == (200, 300) and not image.getexif()
    assert b"PhoneMaker" not in image_response.data and b"Exif" not in image_response.data
    # Orientation 6 means "rotate 90 degrees clockwise to view": the blue corner ends top-right.
    r, g, b = image.getpixel((195, 5))
    assert b > 150 and r < 100
    thumb = client.get(meta["thumbnail_url"], headers=world.employee.headers)
    assert thumb.status_code == 200 and Image.open(io.BytesIO(thumb.data)).format == "JPEG"
    for path in stored_files(store_root):
        assert b"PhoneMaker" not in path.read_bytes()
    request_view = client.get(f"/api/v1/requests/{rid}", headers=world.employee.headers).get_json()
    assert [a["id"] for a in request_view["attachments"]] == [meta["id"]]


def test_same_bytes_again_return_the_existing_attachment(client, app, submit, world, store_root):
    rid = submit()["id"]
    data = gps_photo()
    first = upload(client, world.employee, rid, data)
    again = upload(client, world.admin, rid, data, name="other-name.jpg")
    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json()["id"] == again.get_json()["id"]
    assert count(app, Attachment) == 1 and len(stored_files(store_root)) == 2


@pytest.mark.parametrize("data, name, status", [
    (b"", "empty.jpg", 415),
    (b"just some text, not a photo", "notes.jpg", 415),
    (gps_photo()[:700], "truncated.jpg", 415),
    (b"GIF89a" + b"\x00" * 100, "anim.gif", 415),
])
def test_bad_files_are_refused_and_nothing_is_stored(client, app, submit, world, store_root, data, name, status):
    rid = submit()["id"]
    response = upload(client, world.employee, rid, data, name=name)
    assert response.status_code == status and response.get_json()["error"]["code"] == "unsupported_media_type"
    assert count(app, Attachment) == 0 and stored_files(store_root) == []


def test_png_bomb_is_refused(client, app, submit, world, store_root):
    rid = submit()["id"]
    out = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(out, "PNG")  # 50 megapixels in a few kilobytes
    response = upload(client, world.employee, rid, out.getvalue(), name="bomb.png", content_type="image/png")
    assert response.status_code == 422 and count(app, Attachment) == 0


def test_file_over_ten_megabytes_is_413(client, app, submit, world, store_root):
    rid = submit()["id"]
    response = upload(client, world.employee, rid, os.urandom(10 * 1024 * 1024 + 1))
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "payload_too_large"
    assert count(app, Attachment) == 0


def test_missing_file_field_is_422(client, submit, world):
    rid = submit()["id"]
    response = client.post(f"/api/v1/requests/{rid}/attachments", headers=world.employee.headers,
                           data={"other": "x"}, content_type="multipart/form-data")
    assert response.status_code == 422 and "file" in response.get_json()["error"]["details"]


def test_eleventh_photo_is_refused(client, app, submit, world, store_root):
    rid = submit()["id"]
    for i in range(10):
        assert upload(client, world.employee, rid, gps_photo(colour=(i * 20, 100, 100))).status_code == 201
    response = upload(client, world.employee, rid, gps_photo(colour=(250, 250, 0)))
    assert response.status_code == 409 and count(app, Attachment) == 10


def test_no_uploads_to_a_final_request(client, app, submit, world, store_root):
    rid = submit()["id"]
    client.post(f"/api/v1/requests/{rid}/status", json={"status": "cancelled"}, headers=world.employee.headers)
    response = upload(client, world.employee, rid, gps_photo())
    assert response.status_code == 409 and count(app, Attachment) == 0


def test_photos_are_served_only_to_those_who_see_the_request(client, app, submit, world, store_root):
    rid = submit()["id"]
    meta = upload(client, world.employee, rid, gps_photo()).get_json()
    for outsider in (world.other_employee, world.admin_ast, world.manager_it):
        assert client.get(meta["url"], headers=outsider.headers).status_code == 404
        assert client.get(meta["thumbnail_url"], headers=outsider.headers).status_code == 404
        assert upload(client, outsider, rid, gps_photo(colour=(1, 2, 3))).status_code == 404
    assert client.get(meta["url"]).status_code == 401


def test_staff_views_are_audited_authors_are_not(client, app, submit, world, store_root):
    rid = submit()["id"]
    meta = upload(client, world.employee, rid, gps_photo()).get_json()
    client.get(meta["url"], headers=world.employee.headers)
    assert count(app, AuditEntry) == 0
    client.get(meta["url"], headers=world.admin_ala.headers)
    client.get(meta["thumbnail_url"], headers=world.admin_ala.headers)
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(r.actor_id, r.action, r.target_id) for r in rows] == [
            (world.admin_ala.id, "attachment.view", meta["id"]), (world.admin_ala.id, "attachment.thumbnail", meta["id"])]
        assert rows[0].created_at is not None


def test_database_failure_after_upload_leaves_the_stored_objects_to_the_purge(client, app, submit, world, store_root,
                                                                             monkeypatch):
    from datetime import timedelta

    from service_app.database import utcnow
    from service_requests.photos import attachments, outbox as storage_outbox

    rid = submit()["id"]

    def broken_record(*args, **kwargs):
        raise sa.exc.OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(attachments.history, "record", broken_record)
    response = upload(client, world.employee, rid, gps_photo())
    assert response.status_code == 503
    assert count(app, Attachment) == 0 and len(stored_files(store_root)) == 2
    with app.app_context():  # not before the grace period: the upload might still be running
        assert storage_outbox.purge(attachments.get_storage()) == (0, 0)
        later = utcnow() + timedelta(seconds=app.config["STORAGE_PURGE_GRACE_SECONDS"] + 1)
        assert storage_outbox.purge(attachments.get_storage(), now=later) == (2, 0)
    assert stored_files(store_root) == []


@pytest.fixture(scope="module")
def moto():
    with isolated_aws_environment():
        server, port = start_moto(bucket="photos")
        yield server, port
        server.stop()


class TestS3:
    """The real boto3 adapter against moto's S3 server over loopback HTTP."""

    @pytest.fixture
    def s3_app(self, app, moto):
        app.config.update(STORAGE_BACKEND="s3", S3_BUCKET="photos", S3_ENDPOINT_URL=f"http://127.0.0.1:{moto[1]}",
                          S3_ACCESS_KEY_ID="test", S3_SECRET_ACCESS_KEY="test",
                          S3_PUBLIC_ENDPOINT_URL=f"http://localhost:{moto[1]}")
        return app

    def test_upload_then_download_through_a_signed_redirect(self, client, s3_app, submit, world):
        rid = submit()["id"]
        meta = upload(client, world.employee, rid, gps_photo()).get_json()
        response = client.get(meta["url"], headers=world.admin.headers)
        assert response.status_code == 302
        location = response.headers["Location"]
        assert location.startswith("http://localhost:") and "X-Amz-Signature=" in location
        assert "X-Amz-Expires=300" in location
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        body = opener.open(location, timeout=10).read()
        image = Image.open(io.BytesIO(body))
        assert image.size == (200, 300) and not image.getexif()

    def test_storage_outage_is_503_and_leaves_no_row(self, client, app, s3_app, submit, world):
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            dead = sock.getsockname()[1]
        app.extensions["attachment_storage"] = S3Storage(
            "photos", endpoint_url=f"http://127.0.0.1:{dead}", access_key_id="test", secret_access_key="test",
            connect_timeout=1, read_timeout=1, max_attempts=1)
        rid = submit()["id"]
        response = upload(client, world.employee, rid, gps_photo())
        assert response.status_code == 503 and response.get_json()["error"]["code"] == "unavailable"
        assert count(app, Attachment) == 0
