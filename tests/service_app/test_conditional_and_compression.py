"""Conditional GETs (ETag, If-None-Match → 304) and compressed UTF-8 JSON (API.md, Additions)."""
import gzip
import json

import brotli
import pytest

from offices.directory import bump_version
from offices.models import Office
from service_app.extensions import db
from tests.support.photos import gps_photo, upload
from tests.support.places import box


def assert_not_modified(response, tag):
    assert response.status_code == 304, response.get_data(as_text=True)
    assert response.data == b""
    assert response.headers["ETag"] == tag
    assert "Content-Encoding" not in response.headers


def revalidate(client, path, headers, change):
    """200 with an ETag; 304 with it (also as a weak tag and in a list); a change → 200 with a new tag."""
    first = client.get(path, headers=headers)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert_not_modified(client.get(path, headers={**headers, "If-None-Match": tag}), tag)
    weak = tag if tag.startswith("W/") else f"W/{tag}"
    assert_not_modified(client.get(path, headers={**headers, "If-None-Match": weak}), tag)  # weak comparison
    assert_not_modified(client.get(path, headers={**headers, "If-None-Match": f'"other", {tag}'}), tag)
    assert_not_modified(client.get(path, headers={**headers, "If-None-Match": "*"}), tag)
    assert client.get(path, headers={**headers, "If-None-Match": '"stale"'}).status_code == 200
    change()
    after = client.get(path, headers={**headers, "If-None-Match": tag})
    assert after.status_code == 200 and after.get_json()
    assert after.headers["ETag"] != tag
    return tag, after.headers["ETag"]


def test_me(client, world):
    def change():
        assert client.patch("/api/v1/me", json={"language": "kk"}, headers=world.employee.headers).status_code == 200

    revalidate(client, "/api/v1/me", world.employee.headers, change)


def test_offices(client, app, world):
    def change():
        with app.app_context():
            db.session.add(Office(code="SHY", name="Shymkent", geofence=box(69.58, 42.30, 69.60, 42.32)))
            bump_version()
            db.session.commit()

    revalidate(client, "/api/v1/offices", world.employee.headers, change)


def test_categories(client, world):
    def change():
        assert client.patch("/api/v1/categories/IT-PC", json={"name": "Computers"},
                            headers=world.admin.headers).status_code == 200

    revalidate(client, "/api/v1/categories", world.employee.headers, change)


def test_departments(client, world):
    def change():
        assert client.patch("/api/v1/departments/IT", json={"name": "IT service"},
                            headers=world.admin.headers).status_code == 200

    revalidate(client, "/api/v1/departments", world.employee.headers, change)


def test_request_edit_and_photo_change_its_tag(client, world, submit, store):
    rid = submit()["id"]
    path = f"/api/v1/requests/{rid}"
    state = {}

    def edit():
        tag = client.get(path, headers=world.employee.headers).headers["ETag"]
        assert client.patch(path, json={"title": "AC is still broken"},
                            headers={**world.employee.headers, "If-Match": tag}).status_code == 200

    def add_photo():
        state["photo"] = upload(client, world.employee, rid, gps_photo())
        assert state["photo"].status_code == 201

    old, new = revalidate(client, path, world.employee.headers, edit)
    assert old.startswith('"v')  # the request's version, strong: it is what If-Match takes
    revalidate(client, path, world.employee.headers, add_photo)


@pytest.fixture
def store(app, tmp_path):
    app.config["STORAGE_LOCAL_ROOT"] = str(tmp_path / "attachments")


def test_a_compressed_request_keeps_the_tag_if_match_takes(client, world, submit, store):
    rid = submit(description="Кондиционер " * 200)["id"]
    path = f"/api/v1/requests/{rid}"
    zipped = client.get(path, headers={**world.employee.headers, "Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    tag = zipped.headers["ETag"]
    plain = client.get(path, headers=world.employee.headers)
    assert plain.headers["ETag"] == tag and "Content-Encoding" not in plain.headers
    assert_not_modified(client.get(path, headers={**world.employee.headers, "Accept-Encoding": "gzip",
                                                  "If-None-Match": tag}), tag)
    edited = client.patch(path, json={"title": "Still broken"},
                          headers={**world.employee.headers, "If-Match": tag, "Accept-Encoding": "gzip, br"})
    assert edited.status_code == 200, edited.data
    assert edited.headers["Content-Encoding"] == "br" and edited.headers["ETag"] == '"v2"'


def test_json_is_utf8_without_escapes(client, world, submit):
    rid = submit(title="Кондиционер сломался")["id"]
    raw = client.get(f"/api/v1/requests/{rid}", headers=world.employee.headers).data
    assert "Кондиционер сломался".encode() in raw
    assert b"\\u04" not in raw


@pytest.fixture
def big_list(client, world, submit):
    for i in range(4):
        submit(title=f"Кондиционер №{i}", description="не работает " * 20)
    plain = client.get("/api/v1/requests", headers=world.employee.headers)
    assert len(plain.data) > 1024
    return plain


@pytest.mark.parametrize("accepted, coding, decode", [
    ("gzip", "gzip", gzip.decompress),
    ("br", "br", brotli.decompress),
    ("gzip, deflate, br", "br", brotli.decompress),
])
def test_a_list_over_1kb_is_compressed(client, world, big_list, accepted, coding, decode):
    response = client.get("/api/v1/requests", headers={**world.employee.headers, "Accept-Encoding": accepted})
    assert response.headers["Content-Encoding"] == coding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert int(response.headers["Content-Length"]) == len(response.data) < len(big_list.data)
    assert json.loads(decode(response.data)) == big_list.get_json()


def test_small_bodies_and_unasked_ones_are_not_compressed(client, world, big_list):
    small = client.get("/api/v1/me", headers={**world.employee.headers, "Accept-Encoding": "gzip, br"})
    assert len(small.data) < 1024 and "Content-Encoding" not in small.headers
    assert "Accept-Encoding" in small.headers["Vary"]
    unasked = client.get("/api/v1/requests", headers=world.employee.headers)
    assert "Content-Encoding" not in unasked.headers
    identity = client.get("/api/v1/requests", headers={**world.employee.headers, "Accept-Encoding": "identity"})
    assert "Content-Encoding" not in identity.headers


def test_photos_are_never_compressed(client, world, submit, store):
    rid = submit()["id"]
    photo = upload(client, world.employee, rid, gps_photo(size=(1200, 900))).get_json()
    got = client.get(f"/api/v1/attachments/{photo['id']}", headers={**world.employee.headers,
                                                                      "Accept-Encoding": "gzip, br"})
    assert got.status_code == 200 and got.mimetype == "image/jpeg" and len(got.data) > 1024
    assert "Content-Encoding" not in got.headers
