"""Category forms (API.md, "Employees"): a category's fields, the answers a request carries, who sees
them, staff's edits of them, and the list's ``field.<key>=<value>`` filter."""
import pytest

from tests.support.api import all_rows, assert_error

FORM = [
    {"key": "symptom", "type": "choice", "label": {"ru": "Что случилось", "en": "What is wrong"}, "required": True,
     "options": [{"value": "not_cooling", "label": "Не охлаждает"}, {"value": "noisy", "label": "Шумит"},
                 {"value": "leaking", "label": {"ru": "Течёт", "kk": "Ағып жатыр"}}]},
    {"key": "room_temperature", "type": "number", "label": "Температура, °C", "help": "Если есть термометр"},
    {"key": "note", "type": "text", "label": "Note"},
    {"key": "seen_on", "type": "date", "label": "Seen on"},
    {"key": "smell", "type": "boolean", "label": "Burning smell"},
    {"key": "rooms", "type": "multi_choice", "label": "Rooms",
     "options": [{"value": "r305", "label": "305"}, {"value": "r306", "label": "306"}]},
    {"key": "unit_id", "type": "text", "label": "Inventory number", "staff_only": True},
]


def set_form(client, world, form, code="FAC-AC"):
    response = client.patch(f"/api/v1/categories/{code}", json={"fields": form}, headers=world.admin.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def form(client, world):
    return set_form(client, world, FORM)


def post(client, who, **body):
    payload = {"title": "AC is broken", "category": "FAC-AC", "location": {"lat": 43.21, "lon": 76.91}, **body}
    return client.post("/api/v1/requests", json=payload, headers=who.headers)


def patch(client, who, rid, etag_of, body):
    return client.patch(f"/api/v1/requests/{rid}", json=body, headers={**who.headers, "If-Match": etag_of(rid)})


def get(client, who, rid):
    response = client.get(f"/api/v1/requests/{rid}", headers=who.headers)
    assert response.status_code == 200
    return response.get_json()


# --- the form's definition -------------------------------------------------------------------


def test_a_form_is_stored_and_answered_with_labels_as_localized_text(client, world, form):
    assert [f["key"] for f in form["fields"]] == [f["key"] for f in FORM]
    symptom = form["fields"][0]
    assert symptom["label"] == {"ru": "Что случилось", "en": "What is wrong"}
    assert symptom["options"][0] == {"value": "not_cooling", "label": dict.fromkeys(("ru", "kk", "en"), "Не охлаждает")}
    assert symptom["required"] is True and symptom["staff_only"] is False
    assert form["fields"][1]["help"] == dict.fromkeys(("ru", "kk", "en"), "Если есть термометр")
    assert form["fields"][-1]["staff_only"] is True and "options" not in form["fields"][-1]
    # Every user reads the form (the app draws it), staff-only fields included: they are labelled.
    listed = client.get("/api/v1/categories", headers=world.employee.headers).get_json()["items"]
    assert next(c for c in listed if c["code"] == "FAC-AC")["fields"] == form["fields"]
    assert next(c for c in listed if c["code"] == "IT-PC")["fields"] == []


@pytest.mark.parametrize("fields, where", [
    ([{"key": "Bad-Key", "type": "text", "label": "x"}], "key"),
    ([{"key": "1st", "type": "text", "label": "x"}], "key"),
    ([{"key": "a" * 41, "type": "text", "label": "x"}], "key"),
    ([{"key": "x", "type": "colour", "label": "x"}], "type"),
    ([{"key": "x", "type": "text"}], "label"),
    ([{"key": "x", "type": "text", "label": {"de": "x"}}], "label"),
    ([{"key": "x", "type": "choice", "label": "x"}], "options"),
    ([{"key": "x", "type": "choice", "label": "x", "options": []}], "options"),
    ([{"key": "x", "type": "text", "label": "x", "options": [{"value": "a", "label": "A"}]}], "options"),
    ([{"key": "x", "type": "choice", "label": "x", "options": [{"value": "a", "label": "A"},
                                                                {"value": "a", "label": "B"}]}], "options"),
    ([{"key": "x", "type": "text", "label": "x", "colour": "red"}], "colour"),
    ([{"key": "x", "type": "text", "label": "x"}, {"key": "x", "type": "number", "label": "y"}], None),
    ([{"key": f"k{n}", "type": "text", "label": "x"} for n in range(31)], None),
    ("not a list", None),
])
def test_a_bad_form_is_refused_and_nothing_changes(app, client, world, fields, where):
    before = all_rows(app)
    for method, url, body in (("patch", "/api/v1/categories/FAC-AC", {"fields": fields}),
                              ("post", "/api/v1/categories", {"code": "FAC-NEW", "name": "New", "fields": fields})):
        response = getattr(client, method)(url, json=body, headers=world.admin.headers)
        error = assert_error(response, 422, "validation_error")
        assert "fields" in error["details"]
        if where is not None:
            assert where in str(error["details"]["fields"])
    assert all_rows(app) == before


def test_only_administrators_change_a_form(client, world):
    for who in (world.manager_fac_ala, world.employee):
        response = client.patch("/api/v1/categories/FAC-AC", json={"fields": FORM}, headers=who.headers)
        assert response.status_code == 403


def test_a_category_is_created_with_its_form(client, world):
    response = client.post("/api/v1/categories", json={"code": "FAC-NEW", "name": "New", "department": "FAC",
                                                       "fields": FORM[:2]}, headers=world.admin.headers)
    assert response.status_code == 201
    assert [f["key"] for f in response.get_json()["fields"]] == ["symptom", "room_temperature"]


# --- answers on create -------------------------------------------------------------------------


def test_valid_answers_of_every_type_are_stored_and_shown(client, world, form):
    answers = {"symptom": "noisy", "room_temperature": 28.5, "note": "  near the window  ",
               "seen_on": "2026-12-01", "smell": False, "rooms": ["r306", "r305"]}
    response = post(client, world.employee, fields=answers)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["fields"] == {**answers, "note": "near the window"}
    assert get(client, world.admin, created["id"])["fields"] == created["fields"]


def test_no_answers_at_all_on_a_category_without_a_form(client, world):
    response = post(client, world.employee, category="IT-PC")
    assert response.status_code == 201 and response.get_json()["fields"] == {}


@pytest.mark.parametrize("answers, key, message", [
    ({"symptom": "noisy", "colour": "red"}, "colour", "no such field in this category's form"),
    ({"symptom": "burning"}, "symptom", "not one of the options offered"),
    ({"symptom": 3}, "symptom", "not one of the options offered"),
    ({"room_temperature": 20}, "symptom", "required"),
    ({"symptom": ""}, "symptom", "required"),
    ({"symptom": None}, "symptom", "required"),
    ({"symptom": "noisy", "room_temperature": "20"}, "room_temperature", "must be a number"),
    ({"symptom": "noisy", "room_temperature": True}, "room_temperature", "must be a number"),
    ({"symptom": "noisy", "note": 5}, "note", "must be a string"),
    ({"symptom": "noisy", "note": "x" * 1001}, "note", "at most 1000 characters"),
    ({"symptom": "noisy", "seen_on": "01.12.2026"}, "seen_on", "must be a date (YYYY-MM-DD)"),
    ({"symptom": "noisy", "seen_on": "2026-02-30"}, "seen_on", "must be a date (YYYY-MM-DD)"),
    ({"symptom": "noisy", "seen_on": 20261201}, "seen_on", "must be a date (YYYY-MM-DD)"),
    ({"symptom": "noisy", "smell": "yes"}, "smell", "must be true or false"),
    ({"symptom": "noisy", "smell": 1}, "smell", "must be true or false"),
    ({"symptom": "noisy", "rooms": "r305"}, "rooms", "must be a list of option values"),
    ({"symptom": "noisy", "rooms": ["r305", "r305"]}, "rooms", "each option at most once"),
    ({"symptom": "noisy", "rooms": ["r999"]}, "rooms", "not one of the options offered"),
    ({"symptom": "noisy", "unit_id": "AC-1"}, "unit_id", "only staff fill this field"),
])
def test_a_wrong_answer_is_refused_naming_its_key_and_nothing_is_written(app, client, world, form, answers, key,
                                                                          message):
    before = all_rows(app)
    error = assert_error(post(client, world.employee, fields=answers), 422, "validation_error")
    assert error["message"] == f"fields.{key}: {message}"
    assert error["details"]["fields"][key] == [message]
    assert all_rows(app) == before


def test_a_refusal_names_every_wrong_key_and_speaks_the_callers_language(client, world, form):
    body = {"title": "AC is broken", "category": "FAC-AC", "location": {"lat": 43.21, "lon": 76.91},
            "fields": {"room_temperature": "hot", "smell": "yes"}}
    client.patch("/api/v1/me", json={"language": "ru"}, headers=world.employee.headers)
    response = client.post("/api/v1/requests", json=body, headers=world.employee.headers)
    error = assert_error(response, 422, "validation_error")
    assert set(error["details"]["fields"]) == {"symptom", "room_temperature", "smell"}
    assert error["details"]["fields"]["room_temperature"] == ["должно быть числом"]
    assert error["message"].startswith("fields.room_temperature: ")


def test_fields_must_be_an_object_of_clean_text(client, world, form):
    for bad in (["noisy"], {"symptom": "noisy", "note": "a\u0000b"}):
        error = assert_error(post(client, world.employee, fields=bad), 422, "validation_error")
        assert "fields" in error["details"]


def test_staff_in_scope_may_fill_staff_only_fields_when_submitting(client, world, form):
    response = post(client, world.admin_ala, fields={"symptom": "noisy", "unit_id": "AC-7"})
    assert response.status_code == 201
    assert response.get_json()["fields"] == {"symptom": "noisy", "unit_id": "AC-7"}
    # Staff outside the scope of the request they submit are its author only.
    error = assert_error(post(client, world.admin_ast, fields={"symptom": "noisy", "unit_id": "AC-8"}), 422)
    assert error["details"]["fields"] == {"unit_id": ["only staff fill this field"]}


# --- staff-only answers: filled by staff, never seen by the author -------------------------------


def test_staff_fill_staff_only_fields_and_the_author_never_sees_them(client, world, form, etag_of):
    rid = post(client, world.employee, fields={"symptom": "noisy"}).get_json()["id"]
    response = patch(client, world.manager_fac_ala, rid, etag_of, {"fields": {"unit_id": "AC-0305"}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["fields"] == {"symptom": "noisy", "unit_id": "AC-0305"}
    assert get(client, world.admin, rid)["fields"]["unit_id"] == "AC-0305"
    # The author: not on the request, not in the list, not in a sync, not in the history, not in the export.
    assert get(client, world.employee, rid)["fields"] == {"symptom": "noisy"}
    listed = client.get("/api/v1/requests", headers=world.employee.headers).get_json()["items"]
    assert [r["fields"] for r in listed] == [{"symptom": "noisy"}]
    synced = client.get("/api/v1/sync", headers=world.employee.headers).get_json()["requests"]
    assert [r["fields"] for r in synced] == [{"symptom": "noisy"}]
    staff_synced = client.get("/api/v1/sync", headers=world.admin_ala.headers).get_json()["requests"]
    assert [r["fields"] for r in staff_synced] == [{"symptom": "noisy", "unit_id": "AC-0305"}]
    events = client.get(f"/api/v1/requests/{rid}/events", headers=world.employee.headers).get_json()["items"]
    assert "AC-0305" not in str(events)
    staff_events = client.get(f"/api/v1/requests/{rid}/events", headers=world.admin.headers).get_json()["items"]
    updated = [e for e in staff_events if e["event"] == "updated"]
    assert updated[-1]["internal"] is True
    assert updated[-1]["data"] == {"fields": {"unit_id": {"from": None, "to": "AC-0305"}}}
    export = client.get("/api/v1/me/data", headers=world.employee.headers).get_json()
    assert "AC-0305" not in str(export)
    # Nor anyone else who may not process the request (staff of another office).
    other = client.get(f"/api/v1/requests/{rid}", headers=world.admin_ast.headers)
    assert other.status_code == 404


def test_staff_edit_answers_as_a_merge_and_the_change_is_in_the_history(client, world, form, etag_of):
    rid = post(client, world.employee, fields={"symptom": "noisy", "note": "loud"}).get_json()["id"]
    response = patch(client, world.admin, rid, etag_of, {"fields": {"symptom": "leaking", "note": None,
                                                                    "room_temperature": 31}})
    assert response.status_code == 200
    assert response.get_json()["fields"] == {"symptom": "leaking", "room_temperature": 31}
    events = client.get(f"/api/v1/requests/{rid}/events", headers=world.employee.headers).get_json()["items"]
    updated = [e for e in events if e["event"] == "updated"]
    assert updated[-1]["internal"] is False
    assert updated[-1]["data"]["fields"] == {"symptom": {"from": "noisy", "to": "leaking"},
                                             "note": {"from": "loud", "to": None},
                                             "room_temperature": {"from": None, "to": 31}}


@pytest.mark.parametrize("answers, key", [
    ({"symptom": "burning"}, "symptom"), ({"symptom": None}, "symptom"), ({"colour": "red"}, "colour"),
    ({"smell": "no"}, "smell"),
])
def test_a_wrong_edit_is_refused_naming_its_key_and_nothing_changes(app, client, world, form, etag_of, answers, key):
    rid = post(client, world.employee, fields={"symptom": "noisy"}).get_json()["id"]
    before = all_rows(app)
    error = assert_error(patch(client, world.admin, rid, etag_of, {"fields": answers}), 422, "validation_error")
    assert list(error["details"]["fields"]) == [key] and error["message"].startswith(f"fields.{key}: ")
    assert all_rows(app) == before


def test_the_author_does_not_edit_answers(client, world, form, etag_of):
    rid = post(client, world.employee, fields={"symptom": "noisy"}).get_json()["id"]
    response = patch(client, world.employee, rid, etag_of, {"fields": {"symptom": "leaking"}})
    assert_error(response, 403, "forbidden")
    assert get(client, world.employee, rid)["fields"] == {"symptom": "noisy"}


# --- a changed form --------------------------------------------------------------------------------


def test_a_changed_form_keeps_old_requests_valid_and_readable(client, world, form, etag_of):
    rid = post(client, world.employee, fields={"symptom": "noisy", "note": "loud", "room_temperature": 30}
               ).get_json()["id"]
    # The new form drops `note`, makes `room_temperature` a required choice and no longer offers `noisy`.
    set_form(client, world, [
        {"key": "symptom", "type": "choice", "label": "What", "required": True,
         "options": [{"value": "leaking", "label": "Leaking"}]},
        {"key": "room_temperature", "type": "choice", "label": "T", "required": True,
         "options": [{"value": "hot", "label": "Hot"}]},
        {"key": "unit_id", "type": "text", "label": "Unit", "staff_only": True}])
    old = get(client, world.employee, rid)
    assert old["fields"] == {"symptom": "noisy", "note": "loud", "room_temperature": 30}
    # Editing another answer checks that one only: the old ones stay as they are.
    response = patch(client, world.admin, rid, etag_of, {"fields": {"unit_id": "AC-1"}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["fields"] == {"symptom": "noisy", "note": "loud", "room_temperature": 30,
                                             "unit_id": "AC-1"}
    # Other edits and moves of the old request go on.
    assert patch(client, world.admin, rid, etag_of, {"priority": "high"}).status_code == 200
    assert client.post(f"/api/v1/requests/{rid}/status", json={"status": "in_progress"},
                       headers=world.admin.headers).status_code == 200
    # A key the form no longer has is not editable, but the answer to it stays.
    error = assert_error(patch(client, world.admin, rid, etag_of, {"fields": {"note": "x"}}), 422)
    assert error["details"]["fields"] == {"note": ["no such field in this category's form"]}
    # New requests follow the new form.
    assert post(client, world.employee, fields={"symptom": "leaking", "room_temperature": "hot"}).status_code == 201
    error = assert_error(post(client, world.employee, fields={"symptom": "noisy", "room_temperature": "hot"}), 422)
    assert error["details"]["fields"] == {"symptom": ["not one of the options offered"]}


def test_an_answer_written_by_staff_stays_hidden_when_the_field_is_made_public(client, world, form, etag_of):
    rid = post(client, world.employee, fields={"symptom": "noisy"}).get_json()["id"]
    patch(client, world.admin, rid, etag_of, {"fields": {"unit_id": "AC-9"}})
    set_form(client, world, [{**f, "staff_only": False} for f in FORM])
    assert "unit_id" not in get(client, world.employee, rid)["fields"]
    assert get(client, world.admin, rid)["fields"]["unit_id"] == "AC-9"


# --- the list's field.<key> filter ---------------------------------------------------------------


@pytest.fixture
def answered(client, world, form, etag_of):
    ids = {}
    ids["a"] = post(client, world.employee, fields={"symptom": "noisy", "room_temperature": 30, "smell": True,
                                                    "rooms": ["r305", "r306"], "seen_on": "2026-12-01"}
                    ).get_json()["id"]
    ids["b"] = post(client, world.employee, fields={"symptom": "leaking", "room_temperature": 22.5, "smell": False,
                                                    "rooms": ["r306"], "note": "true"}).get_json()["id"]
    ids["c"] = post(client, world.other_employee, fields={"symptom": "noisy"}).get_json()["id"]
    ids["pc"] = post(client, world.employee, category="IT-PC").get_json()["id"]
    patch(client, world.admin, ids["b"], etag_of, {"fields": {"unit_id": "AC-0305"}})
    return ids


def listed(client, who, **query):
    response = client.get("/api/v1/requests", query_string=query, headers=who.headers)
    assert response.status_code == 200, response.get_json()
    return {r["id"] for r in response.get_json()["items"]}


@pytest.mark.parametrize("query, expected", [
    ({"field.symptom": "noisy"}, {"a", "c"}),
    ({"field.symptom": "leaking"}, {"b"}),
    ({"field.symptom": "noisy", "field.smell": "true"}, {"a"}),
    ({"field.smell": "false"}, {"b"}),
    ({"field.rooms": "r306"}, {"a", "b"}),
    ({"field.rooms": "r305"}, {"a"}),
    ({"field.room_temperature": "30"}, {"a"}),
    ({"field.room_temperature": "30.0"}, {"a"}),
    ({"field.room_temperature": "22.5"}, {"b"}),
    ({"field.seen_on": "2026-12-01"}, {"a"}),
    ({"field.note": "true"}, {"b"}),
    ({"field.unit_id": "AC-0305"}, {"b"}),
    ({"field.symptom": "burning"}, set()),
    ({"field.nothing": "x"}, set()),
])
def test_the_list_filters_by_an_answer(client, world, answered, query, expected):
    assert listed(client, world.admin, **query) == {answered[k] for k in expected}


def test_the_filter_narrows_the_callers_own_view_and_staff_only_answers_match_for_staff_only(client, world, answered):
    assert listed(client, world.employee, **{"field.symptom": "noisy"}) == {answered["a"]}
    # The employee cannot find a request by an answer they never see.
    assert listed(client, world.employee, **{"field.unit_id": "AC-0305"}) == set()
    assert listed(client, world.manager_it, **{"field.symptom": "noisy"}) == set()
    assert listed(client, world.manager_fac_ala, **{"field.unit_id": "AC-0305"}) == {answered["b"]}


def test_the_csv_and_saved_views_take_the_filter(client, world, answered):
    response = client.get("/api/v1/requests.csv", query_string={"field.symptom": "leaking"},
                          headers=world.admin.headers)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert f"SR-{answered['b']:06d}" in text and f"SR-{answered['a']:06d}" not in text
    created = client.post("/api/v1/views", json={"name": "Leaks", "filters": {"field.symptom": "leaking"}},
                          headers=world.admin.headers)
    assert created.status_code == 201, created.get_json()


@pytest.mark.parametrize("name, value", [("field.Bad", "x"), ("field.", "x"), ("field.<key>", "x"),
                                         ("field.symptom", "")])
def test_a_malformed_filter_is_refused(client, world, answered, name, value):
    response = client.get("/api/v1/requests", query_string={name: value}, headers=world.admin.headers)
    error = assert_error(response, 422, "validation_error")
    assert name in error["details"]


def test_a_repeated_filter_is_refused(client, world, answered):
    response = client.get("/api/v1/requests?field.symptom=noisy&field.symptom=leaking", headers=world.admin.headers)
    error = assert_error(response, 422, "validation_error")
    assert error["details"] == {"field.symptom": ["give one value"]}


# --- the demo ----------------------------------------------------------------------------------------


def test_seed_demo_gives_the_air_conditioning_category_a_form_and_its_requests_answers(runner, client, login):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    admin = {"Authorization": f"Bearer {login('demo-admin', 'demo12345')['access_token']}"}
    employee = {"Authorization": f"Bearer {login('demo-employee', 'demo12345')['access_token']}"}
    category = client.get("/api/v1/categories/FAC-AC", headers=employee).get_json()
    assert [(f["key"], f["type"], f["required"], f["staff_only"]) for f in category["fields"]] == [
        ("symptom", "choice", True, False), ("room_temperature", "number", False, False),
        ("unit_id", "text", False, True)]
    assert category["fields"][1]["label"]["ru"] == "Температура в помещении, °C"
    assert [o["label"]["ru"] for o in category["fields"][0]["options"]] == [
        "Не охлаждает", "Шумит", "Течёт", "Не включается"]
    staff_view = client.get("/api/v1/requests", query_string={"field.unit_id": "AC-0305", "limit": 100},
                            headers=admin).get_json()["items"]
    assert [r["fields"] for r in staff_view] == [{"symptom": "not_cooling", "room_temperature": 29,
                                                  "unit_id": "AC-0305"}]
    not_cooling = client.get("/api/v1/requests", query_string={"field.symptom": "not_cooling", "limit": 100},
                             headers=admin).get_json()["items"]
    assert staff_view[0]["id"] in {r["id"] for r in not_cooling}
    assert {r["fields"]["symptom"] for r in not_cooling} == {"not_cooling"}
    own = client.get(f"/api/v1/requests/{staff_view[0]['id']}", headers=employee).get_json()
    assert own["fields"] == {"symptom": "not_cooling", "room_temperature": 29}
    # Running it again changes nothing.
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert client.get("/api/v1/categories/FAC-AC", headers=employee).get_json() == category
