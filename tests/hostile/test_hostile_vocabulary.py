"""Shared vocabulary and office hours: one tuple for the API and the database,
one grammar for hours. Bad input is a 4xx JSON error and writes nothing."""
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from service_app.extensions import db
from tests.support.places import box
from tests.support.api import all_rows as snapshot
from tests.support.api import assert_error

OFFICE = {"code": "SHY", "name": "Shymkent", "geofence": box(69.58, 42.30, 69.60, 42.32)}


@pytest.mark.parametrize("field, value, says", [
    # The API's old grammar let "24:00" start an interval; the calendar refuses it, so such an
    # office could be stored and then fail every SLA computation for its requests.
    pytest.param("business_hours", {"mon": [["24:00", "06:00"]]}, "24:00 only as an end", id="24h-start"),
    pytest.param("business_hours", {"mon": [["09:00", "18:00"], ["10:00", "12:00"]]}, "overlap", id="overlap"),
    pytest.param("business_hours", {"mon": [["09:00"] * 2] * 7}, "at most 6", id="seven-intervals"),
    pytest.param("business_hours", {"mon": [["22:00", "06:00"], ["07:00", "08:00"]]}, "last interval",
                 id="night-shift-not-last"),
    pytest.param("business_hours", {"someday": [["09:00", "18:00"]]}, "'someday' is not a day", id="unknown-day"),
    # ISO week dates parse with date.fromisoformat and are ten characters long, yet are not YYYY-MM-DD.
    pytest.param("holidays", ["2026-W01-1"], "is not a date (YYYY-MM-DD)", id="iso-week-date"),
    pytest.param("holidays", ["2026-02-30"], "is not a date (YYYY-MM-DD)", id="impossible-date"),
    pytest.param("special_hours", {"2026-03-07": [["9:00", "13:00"]]}, "2026-03-07", id="special-bad-time"),
    pytest.param("timezone", "Asia/Nowhere", "is not an IANA time zone", id="unknown-zone"),
])
def test_office_hours_follow_the_calendars_grammar_plus_the_api_limits(app, client, world, field, value, says):
    before = snapshot(app)
    created = client.post("/api/v1/offices", json={**OFFICE, field: value}, headers=world.admin.headers)
    error = assert_error(created, 422, "validation_error")
    assert error["message"].startswith(f"{field}: ") and says in error["message"]
    assert list(error["details"]) == [field] and says in error["details"][field][0]
    patched = client.patch(f"/api/v1/offices/{world.ala}", json={field: value}, headers=world.admin.headers)
    assert_error(patched, 422, "validation_error")
    assert snapshot(app) == before


def test_a_valid_calendar_is_stored_with_holidays_sorted_once(client, world):
    body = {**OFFICE, "timezone": "Asia/Qyzylorda", "business_hours": {"fri": [["09:00", "13:00"], ["22:00", "24:00"]]},
            "holidays": ["2026-12-16", "2026-03-22", "2026-12-16"], "special_hours": {"2026-12-31": []}}
    created = client.post("/api/v1/offices", json=body, headers=world.admin.headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["holidays"] == ["2026-03-22", "2026-12-16"]


@pytest.mark.parametrize("path, message", [
    ("/api/v1/offices/999999", "no such office"),
    ("/api/v1/departments/NOPE", "no such department"),
    ("/api/v1/categories/NOPE", "no such category"),
    ("/api/v1/users/999999", "no such user"),
])
def test_a_missing_office_department_category_or_user_is_one_404(client, world, path, message):
    error = assert_error(client.get(path, headers=world.admin.headers), 404, "not_found")
    assert error["message"] == message and error["details"] is None


@pytest.mark.parametrize("table, column, value", [
    ("users", "role", "owner"),
    ("users", "language", "de"),
    ("service_requests", "status", "lost"),
    ("service_requests", "priority", "asap"),
    ("sla_policies", "priority", "asap"),
    ("devices", "platform", "symbian"),
    ("deliveries", "status", "maybe"),
])
def test_the_database_refuses_a_word_outside_the_vocabulary(app, client, world, submit, table, column, value):
    """The CHECK constraints come from the same tuples as the schemas: a row written around
    the API with an unknown word is refused by the database itself."""
    device = client.post("/api/v1/devices", json={"token": "t" * 40, "platform": "ios"}, headers=world.admin.headers)
    assert device.status_code in (200, 201), device.get_json()
    policy = client.put("/api/v1/sla-policies/low", json={"response_minutes": 60, "resolution_minutes": 600},
                        headers=world.admin.headers)
    assert policy.status_code == 200, policy.get_json()
    submit()  # a request, its notification to the administrator and a delivery to the device
    with app.app_context():
        rows = db.metadata.tables[table]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(rows)) > 0
        with pytest.raises(IntegrityError):
            db.session.execute(sa.update(rows).values({column: value}))
        db.session.rollback()
