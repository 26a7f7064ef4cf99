"""Ids in paths written in other Unicode digits, photo ids that cannot be one, photo removal and its races: 404/409 and nothing removed.
Every refusal is a 4xx JSON error and leaves every table as it was."""

import pytest

from tests.support.api import all_rows as snapshot
from tests.support.api import assert_error
from tests.support.photos import attach_photo

# ASCII digits written with other Unicode digits: Arabic-Indic, fullwidth, mathematical bold.
_OTHER_DIGITS = {"arabic": "٠١٢٣٤٥٦٧٨٩", "fullwidth": "０１２３４５６７８９", "bold": "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗"}


def _spelled(number, digits):
    return "".join(digits[int(d)] for d in str(number))


@pytest.mark.parametrize("digits", sorted(_OTHER_DIGITS))
def test_an_id_in_a_path_written_in_other_unicode_digits_is_404_and_removes_nothing(
        client, app, world, submit, tmp_path, digits):
    app.config["STORAGE_LOCAL_ROOT"] = str(tmp_path / "attachments")
    rid = submit()["id"]
    photo = attach_photo(client, world.employee, rid, (10, 200, 10))
    before = snapshot(app)
    spelled_rid, spelled_photo = _spelled(rid, _OTHER_DIGITS[digits]), _spelled(photo, _OTHER_DIGITS[digits])
    assert_error(client.get(f"/api/v1/requests/{spelled_rid}", headers=world.employee.headers), 404, "not_found")
    assert_error(client.get(f"/api/v1/attachments/{spelled_photo}", headers=world.employee.headers),
                 404, "not_found")
    assert_error(client.delete(f"/api/v1/attachments/{spelled_photo}", headers=world.employee.headers),
                 404, "not_found")
    assert snapshot(app) == before
    assert client.get(f"/api/v1/attachments/{photo}", headers=world.employee.headers).status_code == 200


@pytest.mark.parametrize("attachment_id", ["0", "-1", "2147483648", "9223372036854775808", "9" * 40, "abc", "1.5", "%00"])
def test_a_photo_id_that_cannot_be_one_is_404(client, app, world, attachment_id):
    before = snapshot(app)
    assert_error(client.delete(f"/api/v1/attachments/{attachment_id}", headers=world.employee.headers),
                 404, "not_found")
    assert snapshot(app) == before


def test_removing_a_photo_twice_is_204_then_404_and_someone_elses_photo_is_404(
        client, app, world, submit, tmp_path):
    app.config["STORAGE_LOCAL_ROOT"] = str(tmp_path / "attachments")
    photo = attach_photo(client, world.employee, submit()["id"])
    before = snapshot(app)
    assert_error(client.delete(f"/api/v1/attachments/{photo}", headers=world.other_employee.headers),
                 404, "not_found")
    assert snapshot(app) == before
    assert client.delete(f"/api/v1/attachments/{photo}", headers=world.employee.headers).status_code == 204
    after = snapshot(app)
    assert_error(client.delete(f"/api/v1/attachments/{photo}", headers=world.employee.headers), 404, "not_found")
    assert snapshot(app) == after


def test_a_photo_removal_that_loses_a_race_for_its_request_is_409_and_removes_nothing(
        client, app, world, submit, tmp_path, monkeypatch):
    """Two removals (or a removal and an upload) at once: on SQLite nothing orders them and the
    request's version has moved under the slower one when it writes (StaleDataError)."""
    import sqlalchemy as sa

    from service_requests.photos import attachments
    from service_requests import history

    app.config["STORAGE_LOCAL_ROOT"] = str(tmp_path / "attachments")
    photo = attach_photo(client, world.employee, submit()["id"])
    record = history.record

    def moved_under_us(req, *args, **kwargs):
        sa.orm.attributes.set_committed_value(req, "version", req.version - 1)  # as another writer would
        return record(req, *args, **kwargs)

    monkeypatch.setattr(attachments.history, "record", moved_under_us)
    before = snapshot(app)
    response = client.delete(f"/api/v1/attachments/{photo}", headers=world.employee.headers)
    assert_error(response, 409, "conflict")
    assert snapshot(app) == before
    monkeypatch.setattr(attachments.history, "record", record)
    assert client.delete(f"/api/v1/attachments/{photo}", headers=world.employee.headers).status_code == 204
