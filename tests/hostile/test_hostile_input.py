"""Hostile input: every refusal is a 4xx JSON error
and leaves every table exactly as it was."""
import base64
import json

import pytest

from offices.models import Office
from service_app.extensions import db
from service_requests.models import ServiceRequest, SlaPolicy
from tests.support.places import ALA_POINT, box
from tests.support.api import all_rows as snapshot
from tests.support.api import assert_error

LONE_SURROGATE = "\ud800"
NUL = "a\x00b"
BAD_TEXT = [pytest.param(LONE_SURROGATE, id="lone-surrogate"), pytest.param(NUL, id="nul")]
DEEP = "[" * 5000 + "]" * 5000
GOOD_PASSWORD = "another-horse-43"


def raw_json(payload):
    """The JSON text of ``payload`` with non-ASCII escaped, so a lone surrogate is sent as
    the six characters ``\\ud800`` (valid JSON, not valid Unicode once decoded)."""
    return json.dumps(payload, ensure_ascii=True)


def put(payload, path, value):
    """``payload`` with ``value`` at ``path`` (keys and list indexes; a trailing ``KEY`` makes it a key)."""
    payload = json.loads(json.dumps(payload))
    target = payload
    for step in path[:-1]:
        target = target[step]
    last = path[-1]
    if isinstance(last, tuple) and last[0] == "KEY":
        target[value] = target.pop(last[1])
    else:
        target[last] = value
    return payload


# --- JSON nested 5,000 deep ---------------------------------------------------------

DEEP_TARGETS = [
    ("POST", "/api/v1/auth/login", None),
    ("POST", "/api/v1/auth/password-reset", None),
    ("POST", "/api/v1/auth/password-reset/confirm", None),
    ("POST", "/api/v1/requests", "employee"),
    ("PATCH", "/api/v1/me", "employee"),
    ("POST", "/api/v1/me/password", "employee"),
    ("POST", "/api/v1/devices", "employee"),
    ("POST", "/api/v1/offices", "admin"),
    ("POST", "/api/v1/departments", "admin"),
    ("POST", "/api/v1/categories", "admin"),
    ("POST", "/api/v1/users", "admin"),
    ("PUT", "/api/v1/sla-policies/normal", "admin"),
]


@pytest.mark.parametrize("method, path, who", DEEP_TARGETS, ids=[f"{m} {p}" for m, p, _ in DEEP_TARGETS])
@pytest.mark.parametrize("body", [pytest.param(DEEP, id="5000-deep-array"),
                                  pytest.param('{"a":' * 5000 + "1" + "}" * 5000, id="5000-deep-object"),
                                  pytest.param("[" * 65 + "]" * 65, id="65-deep")])
def test_json_nested_deep_is_400_invalid_json_and_writes_nothing(app, client, world, method, path, who,
                                                                        body):
    headers = getattr(world, who).headers if who else {}
    before = snapshot(app)
    response = client.open(path, method=method, data=body, content_type="application/json", headers=headers)
    assert_error(response, 400, "invalid_json")
    assert snapshot(app) == before


def test_nesting_within_the_limit_is_still_parsed(client, world):
    # 64 levels parse; the answer is about the value (not an object), not about the JSON.
    response = client.post("/api/v1/auth/login", data="[" * 64 + "]" * 64, content_type="application/json")
    assert_error(response, 422, "validation_error")


def test_deep_json_in_a_patch_to_a_request_is_400(app, client, world, submit):
    req = submit()
    etag = client.get(f"/api/v1/requests/{req['id']}", headers=world.employee.headers).headers["ETag"]
    before = snapshot(app)
    response = client.patch(f"/api/v1/requests/{req['id']}", data=DEEP, content_type="application/json",
                            headers={**world.employee.headers, "If-Match": etag})
    assert_error(response, 400, "invalid_json")
    assert snapshot(app) == before


# --- and NUL bytes: every string field ----------------------------------------------

OFFICE = {"code": "SHY", "name": "Shymkent", "address": "Tauke Khan 1", "timezone": "Asia/Almaty",
          "geofence": box(69.58, 42.30, 69.60, 42.32), "business_hours": {"mon": [["09:00", "18:00"]]},
          "holidays": ["2026-12-16"], "special_hours": {"2026-03-07": [["09:00", "13:00"]]}}
NEW_USER = {"login": "new.person", "full_name": "New Person", "password": GOOD_PASSWORD, "role": "employee",
            "phone": "+77011234567", "email": "new@example.com", "department_codes": ["IT"], "language": "ru"}
DEVICE = {"token": "tok:abc", "platform": "android", "app_version": "1.0", "os_version": "14",
          "device_model": "Pixel"}

# (id, method, path, who, body, path to the field inside the body)
FIELDS = [
    # before sign-in
    ("login.login", "POST", "/api/v1/auth/login", None, {"login": "employee-1", "password": "x"}, ["login"]),
    ("login.password", "POST", "/api/v1/auth/login", None, {"login": "employee-1", "password": "x"}, ["password"]),
    ("reset.login", "POST", "/api/v1/auth/password-reset", None, {"login": "employee-1"}, ["login"]),
    ("confirm.login", "POST", "/api/v1/auth/password-reset/confirm", None,
     {"login": "employee-1", "code": "123456", "new_password": GOOD_PASSWORD}, ["login"]),
    ("confirm.code", "POST", "/api/v1/auth/password-reset/confirm", None,
     {"login": "employee-1", "code": "123456", "new_password": GOOD_PASSWORD}, ["code"]),
    ("confirm.new_password", "POST", "/api/v1/auth/password-reset/confirm", None,
     {"login": "employee-1", "code": "123456", "new_password": GOOD_PASSWORD}, ["new_password"]),
    # the caller's own account
    ("me.language", "PATCH", "/api/v1/me", "employee", {"language": "ru"}, ["language"]),
    ("me.email", "PATCH", "/api/v1/me", "employee", {"email": "me@example.com"}, ["email"]),
    ("password.current", "POST", "/api/v1/me/password", "employee",
     {"current_password": "correct-horse-42", "new_password": GOOD_PASSWORD}, ["current_password"]),
    ("password.new", "POST", "/api/v1/me/password", "employee",
     {"current_password": "correct-horse-42", "new_password": GOOD_PASSWORD}, ["new_password"]),
    # requests, comments, status
    ("request.title", "POST", "/api/v1/requests", "employee",
     {"title": "AC is broken", "description": "hot", "category": "FAC-AC", "location": ALA_POINT}, ["title"]),
    ("request.description", "POST", "/api/v1/requests", "employee",
     {"title": "AC is broken", "description": "hot", "category": "FAC-AC", "location": ALA_POINT},
     ["description"]),
    ("request.category", "POST", "/api/v1/requests", "employee",
     {"title": "AC is broken", "category": "FAC-AC", "location": ALA_POINT}, ["category"]),
    ("request.priority", "POST", "/api/v1/requests", "employee",
     {"title": "AC is broken", "category": "FAC-AC", "priority": "high", "location": ALA_POINT}, ["priority"]),
    ("edit.title", "PATCH", "/api/v1/requests/{request}", "employee", {"title": "Fixed title"}, ["title"]),
    ("edit.description", "PATCH", "/api/v1/requests/{request}", "employee", {"description": "more"},
     ["description"]),
    ("edit.priority", "PATCH", "/api/v1/requests/{request}", "admin", {"priority": "high"}, ["priority"]),
    ("edit.category", "PATCH", "/api/v1/requests/{request}", "admin", {"category": "FAC-AC"}, ["category"]),
    ("status.status", "POST", "/api/v1/requests/{request}/status", "admin",
     {"status": "in_progress", "comment": "on it"}, ["status"]),
    ("status.comment", "POST", "/api/v1/requests/{request}/status", "admin",
     {"status": "in_progress", "comment": "on it"}, ["comment"]),
    ("comment.body", "POST", "/api/v1/requests/{request}/comments", "employee", {"body": "still hot"}, ["body"]),
    # devices
    *[(f"device.{field}", "POST", "/api/v1/devices", "employee", DEVICE, [field]) for field in DEVICE],
    # accounts
    *[(f"user.{field}", "POST", "/api/v1/users", "admin", NEW_USER, [field])
      for field in ("login", "full_name", "password", "role", "phone", "email", "language")],
    ("user.department_codes[0]", "POST", "/api/v1/users", "admin", NEW_USER, ["department_codes", 0]),
    *[(f"user-edit.{field}", "PATCH", "/api/v1/users/{employee}", "admin", {field: NEW_USER[field]}, [field])
      for field in ("login", "full_name", "password", "role", "phone", "email", "language")],
    # offices (JSON-typed fields included)
    *[(f"office.{field}", "POST", "/api/v1/offices", "admin", OFFICE, [field])
      for field in ("code", "name", "address", "timezone")],
    ("office.holidays[0]", "POST", "/api/v1/offices", "admin", OFFICE, ["holidays", 0]),
    ("office.business_hours.key", "POST", "/api/v1/offices", "admin", OFFICE, ["business_hours", ("KEY", "mon")]),
    ("office.business_hours.time", "POST", "/api/v1/offices", "admin", OFFICE, ["business_hours", "mon", 0, 0]),
    ("office.special_hours.key", "POST", "/api/v1/offices", "admin", OFFICE,
     ["special_hours", ("KEY", "2026-03-07")]),
    ("office.geofence.type", "POST", "/api/v1/offices", "admin", OFFICE, ["geofence", "type"]),
    *[(f"office-edit.{field}", "PATCH", "/api/v1/offices/{office}", "admin", {field: OFFICE[field]}, [field])
      for field in ("code", "name", "address", "timezone")],
    # departments and categories: names are a string or {ru, kk, en}
    ("department.code", "POST", "/api/v1/departments", "admin", {"code": "HR", "name": "HR"}, ["code"]),
    ("department.name", "POST", "/api/v1/departments", "admin", {"code": "HR", "name": "HR"}, ["name"]),
    ("department.name.ru", "POST", "/api/v1/departments", "admin",
     {"code": "HR", "name": {"ru": "Кадры", "en": "HR"}}, ["name", "ru"]),
    ("department-edit.name", "PATCH", "/api/v1/departments/IT", "admin", {"name": "Info"}, ["name"]),
    ("department-edit.name.kk", "PATCH", "/api/v1/departments/IT", "admin", {"name": {"kk": "IT"}}, ["name", "kk"]),
    ("category.code", "POST", "/api/v1/categories", "admin",
     {"code": "IT-NET", "name": "Network", "department": "IT"}, ["code"]),
    ("category.name", "POST", "/api/v1/categories", "admin",
     {"code": "IT-NET", "name": "Network", "department": "IT"}, ["name"]),
    ("category.name.en", "POST", "/api/v1/categories", "admin",
     {"code": "IT-NET", "name": {"en": "Network"}, "department": "IT"}, ["name", "en"]),
    ("category.department", "POST", "/api/v1/categories", "admin",
     {"code": "IT-NET", "name": "Network", "department": "IT"}, ["department"]),
    ("category-edit.name", "PATCH", "/api/v1/categories/IT-PC", "admin", {"name": "PCs"}, ["name"]),
    ("category-edit.department", "PATCH", "/api/v1/categories/IT-PC", "admin", {"department": "FAC"},
     ["department"]),
]


def _fill(path, world, request_id):
    return path.format(request=request_id, employee=world.employee.id, office=world.ast)


@pytest.mark.parametrize("bad", BAD_TEXT)
@pytest.mark.parametrize("case", FIELDS, ids=[case[0] for case in FIELDS])
def test_bad_text_in_every_string_field_is_422_and_writes_nothing(app, client, world, submit, case, bad):
    _, method, path, who, body, field_path = case
    request_id = submit()["id"] if "{request}" in path else None
    headers = dict(getattr(world, who).headers) if who else {}
    if method == "PATCH" and request_id:
        headers["If-Match"] = client.get(f"/api/v1/requests/{request_id}", headers=world.admin.headers).headers["ETag"]
    payload = put(body, field_path, bad)
    before = snapshot(app)
    response = client.open(_fill(path, world, request_id), method=method, data=raw_json(payload),
                           content_type="application/json", headers=headers)
    error = assert_error(response, 422)
    assert error["code"] in ("validation_error", "invalid_geometry")
    assert snapshot(app) == before


# Sign-in bodies are left out: an unknown login or a wrong code answers the same for any body.
SIGNED_IN_FIELDS = [case for case in FIELDS if not case[2].startswith("/api/v1/auth/")]


@pytest.mark.parametrize("case", SIGNED_IN_FIELDS, ids=[case[0] for case in SIGNED_IN_FIELDS])
def test_the_same_bodies_with_clean_text_are_accepted(app, client, world, submit, case):
    """The refusals above are about the bad text, not about the bodies around it."""
    _, method, path, who, body, _ = case
    request_id = submit()["id"] if "{request}" in path else None
    headers = dict(getattr(world, who).headers) if who else {}
    if method == "PATCH" and request_id:
        headers["If-Match"] = client.get(f"/api/v1/requests/{request_id}", headers=world.admin.headers).headers["ETag"]
    response = client.open(_fill(path, world, request_id), method=method, data=raw_json(body),
                           content_type="application/json", headers=headers)
    assert response.status_code < 300, response.get_json()


QUERY_FIELDS = [
    ("/api/v1/requests?q={bad}", "employee"),
    ("/api/v1/requests?category={bad}", "employee"),
    ("/api/v1/requests?priority={bad}", "employee"),
    ("/api/v1/requests?status={bad}", "employee"),
    ("/api/v1/users?q={bad}", "admin"),
    ("/api/v1/users?role={bad}", "admin"),
    ("/api/v1/audit-log?action={bad}", "admin"),
    ("/api/v1/audit-log?target_type={bad}", "admin"),
    ("/api/v1/reports/sla?group_by={bad}", "admin"),
    ("/api/v1/reports/sla?format={bad}", "admin"),
    ("/api/v1/requests?cursor={bad}", "employee"),
]


@pytest.mark.parametrize("url, who", QUERY_FIELDS, ids=[u.split("/api/v1/")[1] for u, _ in QUERY_FIELDS])
def test_nul_in_query_strings_is_4xx(app, client, world, url, who):
    before = snapshot(app)
    response = client.get(url.format(bad="a%00b"), headers=getattr(world, who).headers)
    assert_error(response, 400 if "cursor" in url else 422)
    assert snapshot(app) == before


def test_a_department_named_with_a_lone_surrogate_is_refused_and_the_csv_report_still_works(
        app, client, world, submit):
    submit()
    before = snapshot(app)
    response = client.post("/api/v1/departments", data='{"code": "HR", "name": "\\ud800"}',
                           content_type="application/json", headers=world.admin.headers)
    assert_error(response, 422, "validation_error")
    response = client.patch("/api/v1/departments/FAC", data='{"name": {"ru": "x\\udfff"}}',
                            content_type="application/json", headers=world.admin.headers)
    assert_error(response, 422, "validation_error")
    assert snapshot(app) == before
    report = client.get("/api/v1/reports/sla?group_by=department&format=csv", headers=world.admin.headers)
    assert report.status_code == 200 and report.mimetype == "text/csv"
    assert "Facilities" in report.get_data(as_text=True)


def test_a_name_stored_before_the_check_does_not_break_the_csv_report(app, client, world, submit):
    """Rows written before text was checked may hold a lone surrogate: the CSV shows "?" instead of a 500."""
    from offices.models import Department

    submit()
    with app.app_context():
        db.session.get(Department, "FAC").name = "Facili\ud800ties"
        db.session.commit()
    report = client.get("/api/v1/reports/sla?group_by=department&format=csv", headers=world.admin.headers)
    assert report.status_code == 200 and report.mimetype == "text/csv"
    assert "Facili?ties" in report.get_data(as_text=True)


def test_valid_astral_characters_are_still_text(client, world):
    """A surrogate pair (an emoji) is a valid scalar value: only lone halves are refused."""
    response = client.post("/api/v1/requests", data=raw_json(
        {"title": "AC \U0001F525 broken", "category": "FAC-AC", "location": ALA_POINT}),
        content_type="application/json", headers=world.employee.headers)
    assert response.status_code == 201
    assert response.get_json()["title"] == "AC \U0001F525 broken"


# --- dates near year 1 or 9999, forged cursors ---------------------------------------

DATE_QUERIES = [
    ("/api/v1/requests?created_from=0001-01-01T00:00:00", "employee"),
    ("/api/v1/requests?created_from=0001-01-01T00:00:00%2B05:00", "employee"),
    ("/api/v1/requests?created_to=9999-12-31T23:59:59", "employee"),
    ("/api/v1/requests?created_to=9999-12-31T23:59:59-05:00", "employee"),
    ("/api/v1/requests?created_to=2100-12-31T23:00:00-05:00", "employee"),
    ("/api/v1/reports/sla?from=0001-01-01", "admin"),
    ("/api/v1/reports/sla?to=9999-12-31", "admin"),
    ("/api/v1/reports/sla?from=0001-01-01&to=9999-12-31&format=csv", "admin"),
]


@pytest.mark.parametrize("url, who", DATE_QUERIES, ids=[u.split("/api/v1/")[1] for u, _ in DATE_QUERIES])
def test_dates_near_year_1_or_9999_are_422(app, client, world, submit, url, who):
    submit()
    before = snapshot(app)
    error = assert_error(client.get(url, headers=getattr(world, who).headers), 422, "validation_error")
    assert "2000" in error["message"] and "2100" in error["message"]
    assert snapshot(app) == before


def test_dates_in_the_sane_range_still_filter(client, world, submit):
    submit()
    ok = client.get("/api/v1/requests?created_from=2000-01-01T00:00:00&created_to=2100-12-31T23:59:59",
                    headers=world.employee.headers)
    assert ok.status_code == 200 and len(ok.get_json()["items"]) == 1
    for period in ("from=2000-01-01&to=2000-12-31", "from=2100-01-01&to=2100-12-31"):
        assert client.get(f"/api/v1/reports/sla?{period}", headers=world.admin.headers).status_code == 200


def _cursor(value):
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


FORGED_CURSORS = {
    "year-9999": _cursor(["9999-12-31T23:59:59.999999+00:00", 1]),
    "year-9999-west": _cursor(["9999-12-31T23:59:59-05:00", 1]),
    "year-1": _cursor(["0001-01-01T00:00:00+00:00", 1]),
    "year-1-east": _cursor(["0001-01-01T00:00:00+05:00", 1]),
    "id-true": _cursor(["2026-06-01T10:00:00+00:00", True]),
    "id-huge": _cursor(["2026-06-01T10:00:00+00:00", 2**63]),
    "id-float": _cursor(["2026-06-01T10:00:00+00:00", 1.5]),
    "stamp-number": _cursor([1, 1]),
    "object": _cursor({"a": 1, "b": 2}),
    "three": _cursor(["2026-06-01T10:00:00+00:00", 1, 1]),
    "naive": _cursor(["2026-06-01T10:00:00", 1]),
    "not-base64": "!!!!",
    "not-json": base64.urlsafe_b64encode(b"\xff\xfe").decode(),
}
CURSOR_LISTS = [("/api/v1/requests", "employee"), ("/api/v1/users", "admin"),
                ("/api/v1/notifications", "employee"), ("/api/v1/audit-log", "admin")]


@pytest.mark.parametrize("list_url, who", CURSOR_LISTS, ids=[u.rsplit("/", 1)[1] for u, _ in CURSOR_LISTS])
@pytest.mark.parametrize("name", FORGED_CURSORS)
def test_forged_cursors_are_400(app, client, world, submit, list_url, who, name):
    submit()
    before = snapshot(app)
    response = client.get(f"{list_url}?cursor={FORGED_CURSORS[name]}", headers=getattr(world, who).headers)
    assert_error(response, 400, "bad_request")
    assert snapshot(app) == before


def test_a_real_cursor_still_pages(client, world, submit):
    first, second = submit(), submit(title="Second one")
    page = client.get("/api/v1/requests?limit=1", headers=world.employee.headers).get_json()
    assert [r["id"] for r in page["items"]] == [second["id"]]
    rest = client.get(f"/api/v1/requests?limit=1&cursor={page['next_cursor']}", headers=world.employee.headers)
    assert [r["id"] for r in rest.get_json()["items"]] == [first["id"]]


# --- calendars with no open time, sparse calendars and long targets ------------------

NO_OPEN_TIME = [pytest.param({}, id="empty"), pytest.param({"mon": [], "sat": []}, id="all-days-closed")]
ONE_MINUTE_A_WEEK = {"mon": [["09:00", "09:01"]]}


@pytest.mark.parametrize("hours", NO_OPEN_TIME)
def test_business_hours_with_no_open_time_are_422_on_create_and_patch(app, client, world, hours):
    before = snapshot(app)
    created = client.post("/api/v1/offices", json={**OFFICE, "business_hours": hours}, headers=world.admin.headers)
    error = assert_error(created, 422, "validation_error")
    assert "business_hours" in error["details"]
    patched = client.patch(f"/api/v1/offices/{world.ala}", json={"business_hours": hours},
                           headers=world.admin.headers)
    assert_error(patched, 422, "validation_error")
    assert snapshot(app) == before


def test_one_minute_a_week_cannot_meet_the_default_targets(app, client, world):
    before = snapshot(app)
    created = client.post("/api/v1/offices", json={**OFFICE, "business_hours": ONE_MINUTE_A_WEEK},
                          headers=world.admin.headers)
    error = assert_error(created, 422, "validation_error")
    assert "4800" in error["message"]  # the longest default target (low priority)
    patched = client.patch(f"/api/v1/offices/{world.ala}", json={"business_hours": ONE_MINUTE_A_WEEK},
                           headers=world.admin.headers)
    assert_error(patched, 422, "validation_error")
    assert snapshot(app) == before


def test_a_year_long_target_is_refused_while_an_office_opens_an_hour_a_week(app, client, world):
    hour = client.patch(f"/api/v1/offices/{world.ast}", json={"business_hours": {"tue": [["10:00", "11:00"]]}},
                        headers=world.admin.headers)
    assert hour.status_code == 200, hour.get_json()
    before = snapshot(app)
    response = client.put("/api/v1/sla-policies/low", json={"response_minutes": 60, "resolution_minutes": 525_600},
                          headers=world.admin.headers)
    error = assert_error(response, 422, "validation_error")
    assert "AST" in error["message"]
    assert snapshot(app) == before
    # With the office back to a working week the same target is accepted.
    week = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    client.patch(f"/api/v1/offices/{world.ast}", json={"business_hours": week}, headers=world.admin.headers)
    assert client.put("/api/v1/sla-policies/low", json={"response_minutes": 60, "resolution_minutes": 525_600},
                      headers=world.admin.headers).status_code == 200


@pytest.mark.parametrize("hours, long_policy", [
    pytest.param({}, False, id="stored-empty-hours"),
    pytest.param(ONE_MINUTE_A_WEEK, True, id="stored-one-minute-a-week-and-year-long-target"),
])
def test_an_office_stored_before_the_checks_still_takes_requests(app, client, world, hours, long_policy):
    """Offices saved before the checks existed: creating, moving and commenting answer,
    with deadlines capped at the calendar's search horizon."""
    from offices.calendar import MAX_SEARCH_DAYS

    with app.app_context():
        db.session.get(Office, world.ala).business_hours = hours
        if long_policy:
            db.session.add(SlaPolicy(priority="normal", response_minutes=525_600, resolution_minutes=525_600))
        db.session.commit()
    created = client.post("/api/v1/requests", json={"title": "AC is broken", "category": "FAC-AC",
                                                    "location": ALA_POINT}, headers=world.employee.headers)
    assert created.status_code == 201, created.get_json()
    req = created.get_json()
    with app.app_context():
        row = db.session.get(ServiceRequest, req["id"])
        assert (row.resolution_due_at - row.created_at).days == MAX_SEARCH_DAYS
    moved = client.post(f"/api/v1/requests/{req['id']}/status", json={"status": "in_progress"},
                        headers=world.admin.headers)
    assert moved.status_code == 200, moved.get_json()
    commented = client.post(f"/api/v1/requests/{req['id']}/comments", json={"body": "on it"},
                            headers=world.admin.headers)
    assert commented.status_code == 201, commented.get_json()


def test_the_deadline_search_stops_at_the_horizon():
    """The calendar itself: a year-long target in a one-minute week ends in NoDeadline at
    the horizon instead of walking towards year 9999 (then OverflowError)."""
    from datetime import UTC, datetime, timedelta

    from offices.calendar import MAX_SEARCH_DAYS, BusinessCalendar, NoDeadline

    start = datetime(2026, 6, 1, tzinfo=UTC)
    with pytest.raises(NoDeadline) as refused:
        BusinessCalendar(business_hours=ONE_MINUTE_A_WEEK).add_business_minutes(start, 525_600)
    assert refused.value.horizon == start + timedelta(days=MAX_SEARCH_DAYS)
    near_the_end = datetime(9999, 12, 1, tzinfo=UTC)
    with pytest.raises(NoDeadline):
        BusinessCalendar(business_hours=ONE_MINUTE_A_WEEK).add_business_minutes(near_the_end, 525_600)


# --- the QR sheet's arguments -------------------------------------------------------------------

@pytest.mark.parametrize("query", ["part=0", "part=-1", "part=x", "part=1.5", "part=", "part=99999999999999999999",
                                   "part=2", "floor=x", "floor=301", "floor=1e2", "floor=-21"])
def test_bad_qr_sheet_arguments_are_422_and_draw_nothing(app, client, world, monkeypatch, query):
    """A part past the last (one room: one part), or a part or floor that is not a whole number in
    range: 422 before any QR code is made."""
    from offices import rooms

    client.post(f"/api/v1/offices/{world.ala}/rooms", json={"code": "R1", "name": "Room"}, headers=world.admin.headers)
    drawn = []
    monkeypatch.setattr(rooms, "qr_png", lambda room, scale=10: drawn.append(room))
    before = snapshot(app)
    response = client.get(f"/api/v1/offices/{world.ala}/qr-sheet.pdf?{query}", headers=world.admin.headers)
    assert (response.status_code, response.mimetype) == (422, "application/json")
    assert_error(response, 422, "validation_error")
    assert drawn == [] and snapshot(app) == before
