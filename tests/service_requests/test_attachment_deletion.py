"""DELETE /api/v1/attachments/{id} (API.md, Additions): who may, what goes, and that storage is emptied
through the deletion outbox, on the local store and on S3 (moto's server on loopback)."""
import pytest
import sqlalchemy as sa
from botocore.exceptions import ClientError

from service_app.audit import AuditEntry
from service_app.database import utcnow
from service_app.extensions import db
from service_requests.photos import outbox as storage_outbox
from service_requests.models import Attachment
from service_requests.photos.storage import get_storage
from tests.support.api import assert_error, move
from tests.support.photos import gps_photo, upload
from tests.support.s3 import isolated_aws_environment, start_moto


@pytest.fixture
def store_root(app, tmp_path):
    app.config["STORAGE_LOCAL_ROOT"] = str(tmp_path / "attachments")
    return tmp_path / "attachments"


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def purge(app):
    with app.app_context():
        return storage_outbox.purge(get_storage())


def photo_of(client, world, submit, who=None):
    rid = submit()["id"]
    meta = upload(client, who or world.employee, rid, gps_photo())
    assert meta.status_code == 201
    return rid, meta.get_json()


def test_the_author_removes_a_photo_of_a_new_request(client, app, world, submit, store_root):
    rid, meta = photo_of(client, world, submit)
    assert len(stored_files(store_root)) == 2
    tag = client.get(f"/api/v1/requests/{rid}", headers=world.employee.headers).headers["ETag"]
    response = client.delete(f"/api/v1/attachments/{meta['id']}", headers=world.employee.headers)
    assert response.status_code == 204 and response.data == b""
    assert_error(client.get(meta["url"], headers=world.employee.headers), 404, "not_found")
    assert_error(client.get(meta["thumbnail_url"], headers=world.employee.headers), 404, "not_found")
    req = client.get(f"/api/v1/requests/{rid}", headers={**world.employee.headers, "If-None-Match": tag})
    assert req.status_code == 200 and req.get_json()["attachments"] == []  # a new version
    events = client.get(f"/api/v1/requests/{rid}/events", headers=world.employee.headers).get_json()["items"]
    assert events[-1]["event"] == "attachment_removed" and events[-1]["data"] == {"attachment_id": meta["id"]}
    assert purge(app) == (2, 0)
    assert stored_files(store_root) == []
    with app.app_context():
        entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "attachment.delete")).one()
        assert (entry.actor_id, entry.target_type, entry.target_id) == (world.employee.id, "attachment", meta["id"])
        assert entry.details == {"request_id": rid, "sha256": meta["sha256"]}
    # The same photo may be attached again afterwards (it is a new one).
    assert upload(client, world.employee, rid, gps_photo()).status_code == 201


def test_staff_in_scope_remove_photos_at_any_status(client, app, world, submit, store_root):
    rid, meta = photo_of(client, world, submit)
    assert move(client, world.admin_ala, rid, "in_progress").status_code == 200
    assert move(client, world.admin_ala, rid, "resolved").status_code == 200
    assert client.delete(f"/api/v1/attachments/{meta['id']}", headers=world.admin_ala.headers).status_code == 204
    assert purge(app) == (2, 0) and stored_files(store_root) == []


def test_the_author_may_not_once_the_request_left_new(client, app, world, submit, store_root):
    rid, meta = photo_of(client, world, submit)
    assert move(client, world.admin_ala, rid, "in_progress").status_code == 200
    error = assert_error(client.delete(f"/api/v1/attachments/{meta['id']}", headers=world.employee.headers),
                         409, "conflict")
    assert "new" in error["message"]
    assert client.get(meta["url"], headers=world.employee.headers).status_code == 200
    assert len(stored_files(store_root)) == 2


def test_others_get_404_or_403_and_nothing_changes(client, app, world, submit, store_root):
    rid, meta = photo_of(client, world, submit)
    path = f"/api/v1/attachments/{meta['id']}"
    assert_error(client.delete(path, headers=world.other_employee.headers), 404, "not_found")  # not theirs
    assert_error(client.delete(path, headers=world.admin_ast.headers), 404, "not_found")  # out of scope
    assert_error(client.delete(path, headers=world.manager_it.headers), 404, "not_found")  # other department
    assert_error(client.delete("/api/v1/attachments/999999", headers=world.employee.headers), 404, "not_found")
    assert_error(client.delete(path), 401)
    with app.app_context():
        assert db.session.get(Attachment, meta["id"]) is not None
    assert purge(app) == (0, 0) and len(stored_files(store_root)) == 2
    # A second removal of a removed photo is a 404, not a second audit entry.
    assert client.delete(path, headers=world.employee.headers).status_code == 204
    assert_error(client.delete(path, headers=world.employee.headers), 404, "not_found")


def test_a_store_down_at_purge_keeps_the_keys_until_it_answers(client, app, world, submit, store_root, monkeypatch):
    from service_requests.photos.storage import LocalStorage, StorageUnavailable

    _, meta = photo_of(client, world, submit)
    assert client.delete(f"/api/v1/attachments/{meta['id']}", headers=world.employee.headers).status_code == 204

    def down(self, key):
        raise StorageUnavailable("down")

    with monkeypatch.context() as patch:
        patch.setattr(LocalStorage, "delete", down)
        assert purge(app) == (0, 1)
    assert len(stored_files(store_root)) == 2
    with app.app_context():
        db.session.execute(sa.update(storage_outbox.StorageDeletion).values(due_at=utcnow()))  # the backoff ran out
        db.session.commit()
    assert purge(app) == (2, 0) and stored_files(store_root) == []


@pytest.fixture(scope="module")
def moto():
    with isolated_aws_environment():
        server, port = start_moto(bucket="photos")
        yield server, port
        server.stop()


def test_on_s3_both_objects_go(client, app, world, submit, moto):
    app.config.update(STORAGE_BACKEND="s3", S3_BUCKET="photos", S3_ENDPOINT_URL=f"http://127.0.0.1:{moto[1]}",
                      S3_ACCESS_KEY_ID="test", S3_SECRET_ACCESS_KEY="test")
    _, meta = photo_of(client, world, submit)
    with app.app_context():
        keys = db.session.execute(sa.select(Attachment.storage_key, Attachment.thumbnail_key)).one()
        s3 = get_storage()._client("api")
        for key in keys:
            s3.head_object(Bucket="photos", Key=key)
    assert client.delete(f"/api/v1/attachments/{meta['id']}", headers=world.admin.headers).status_code == 204
    assert purge(app) == (2, 0)
    with app.app_context():
        for key in keys:
            with pytest.raises(ClientError):
                s3.head_object(Bucket="photos", Key=key)
