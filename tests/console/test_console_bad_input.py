"""Hostile input to every console route, signed in as a company-wide administrator and as a
manager: odd query values, form fields missing / empty / of the wrong type / too long / with NUL /
JSON where text is expected / repeated, and path ids of nothing.

The product rule: never a 500; a refusal is an HTML page (or htmx fragment) with a 4xx status,
not the API's JSON envelope (only ``console.offices_route`` answers JSON, by design); and a
refused change changes nothing (every table is compared before and after).

The cases are generated from ``GETS`` / ``POSTS`` below (the query arguments and form fields each
view reads); ``test_every_console_route_has_cases`` keeps the table complete.
"""
import json
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from service_app.extensions import db
from tests.console.support import console_sign_in
from tests.support.places import box

OPEN = {"console.static", "console.login", "console.sign_in"}

LONG = "x" * 10_000
HUGE = "99999999999999999999"
# Values sent in place of every query argument and form field (besides "missing" and a repeated field).
# One of each kind: empty, too long, NUL, odd Unicode, out of range, not a number, not a date, JSON, markup.
VALUES = ("", LONG, "a\x00b", "\u202e\u0410\u00e9", "-1", "0", HUGE, "1e309", "abc", "2026-13-45",
          '{"a": [1]}', "<b>x</b>")
# Path values in place of each id: nothing has them (or they overflow a database integer).
PATH_INTS = ("0", "99999999", "2147483648", HUGE)
PATH_CODES = ("NOPE", "x" * 300, "a%00b", "%E2%80%AE", "..%2F..", "%20")

FENCE = json.dumps(box(76.95, 43.25, 76.97, 43.27))


@dataclass
class Route:
    path: str
    fields: tuple = ()  # GET: the query arguments the view reads
    ok: tuple = ("text/html",)  # content types of a successful answer
    json: bool = False  # a JSON endpoint by design
    bases: tuple = field(default_factory=tuple)  # POST: functions of ids giving a valid-looking form


REQUEST_FILTERS = ("status", "office_id", "room_id", "assignee_id", "author_id", "priority", "category",
                   "created_from", "created_to", "updated_since", "resolved", "response", "resolution", "rated",
                   "q", "sla", "field.floor", "sort")
PERIOD = ("from", "to", "office_id", "group_by")

GETS = {
    "console.home": Route("/console/"),
    "console.queue": Route("/console/requests", (*REQUEST_FILTERS, "limit", "cursor", "view")),
    "console.request_page": Route("/console/requests/{request}"),
    "console.request_photo": Route("/console/attachments/{attachment}", ok=("image/",)),
    "console.request_photo_thumbnail": Route("/console/attachments/{attachment}/thumbnail", ok=("image/",)),
    "console.categories": Route("/console/categories"),
    "console.category_detail": Route("/console/categories/{category}"),
    "console.dashboard": Route("/console/dashboard", PERIOD),
    "console.dashboard_sla_csv": Route("/console/dashboard/sla.csv", PERIOD, ok=("text/csv",)),
    "console.dashboard_requests_csv": Route("/console/dashboard/requests.csv", REQUEST_FILTERS, ok=("text/csv",)),
    "console.notices": Route("/console/notices", ("office",)),
    "console.offices_map": Route("/console/offices", ("office",)),
    "console.offices_route": Route("/console/offices/route", ("lat", "lon"), json=True),
    "console.rooms": Route("/console/rooms", ("office",)),
    "console.rooms_qr_png": Route("/console/rooms/{room}/qr.png", ok=("image/png",)),
    "console.rooms_qr_sheet": Route("/console/rooms/sheet/{office}.pdf", ok=("application/pdf",)),
    "console.sla": Route("/console/sla"),
    "console.assignment_rules": Route("/console/assignment-rules"),
    "console.users": Route("/console/users", ("q", "role", "is_active", "office_id", "cursor", "limit")),
    "console.user_detail": Route("/console/users/{victim}"),
}

POSTS = {
    "console.queue_bulk": Route("/console/requests/bulk", bases=(
        lambda i: {"ids": str(i.request), "action": "assign", "assignee_id": "me", "next": "/console/requests"},
        lambda i: {"ids": str(i.request), "action": "status", "status": "in_progress", "body": "On it"},
        lambda i: {"ids": str(i.request), "action": "reply", "reply_id": str(i.reply)})),
    "console.request_status": Route("/console/requests/{request}/status", bases=(
        lambda i: {"status": "in_progress", "comment": "On it", "etag": i.etag},)),
    "console.request_assign": Route("/console/requests/{request}/assign", bases=(
        lambda i: {"assignee_id": str(i.me), "etag": i.etag},)),
    "console.request_comment": Route("/console/requests/{request}/comments", bases=(
        lambda i: {"body": "Hello", "internal": "1"},)),
    "console.request_reply": Route("/console/requests/{request}/replies", bases=(
        lambda i: {"reply_id": str(i.reply), "etag": i.etag},)),
    "console.request_merge": Route("/console/requests/{request}/merge", bases=(lambda i: {"into": i.other_number},)),
    "console.notices_create": Route("/console/notices", bases=(
        lambda i: {"office_id": str(i.ala), "title": "Lift is off", "body": "Use the stairs", "category": "FAC-AC",
                   "room_id": str(i.room), "until": "2030-01-01T10:00"},)),
    "console.notices_resolve": Route("/console/notices/{notice}/resolve", bases=(lambda i: {},)),
    "console.offices_save": Route("/console/offices", bases=(
        lambda i: {"code": "NEW", "name": "New office", "address": "Street 1", "timezone": "Asia/Almaty",
                   "geofence": FENCE},
        lambda i: {"office_id": str(i.ast), "code": "AST", "name": "Astana", "address": "", "timezone": "Asia/Almaty",
                   "is_active": "on", "geofence": FENCE})),
    "console.rooms_create": Route("/console/rooms", bases=(
        lambda i: {"office_id": str(i.ala), "code": "R2", "name": "Room two", "floor": "3"},)),
    "console.user_create": Route("/console/users", bases=(
        lambda i: {"login": "newbie", "full_name": "New Person", "role": "employee", "language": "en",
                   "email": "newbie@example.com", "phone": "+77001234567", "password": "Long-enough-pass-1",
                   "office_id": str(i.ala), "office_ids": str(i.ala), "department_codes": "FAC"},)),
    "console.user_set_active": Route("/console/users/{victim}/active", bases=(lambda i: {"is_active": "false"},)),
    "console.user_set_scope": Route("/console/users/{scoped}/scope", bases=(
        lambda i: {"office_ids": str(i.ala), "department_codes": "IT"},)),
    "console.user_set_password": Route("/console/users/{victim}/password", bases=(
        lambda i: {"password": "Another-long-pass-2"},)),
    "console.category_create": Route("/console/categories", bases=(
        lambda i: {"code": "NEW-C", "name_en": "New", "name_ru": "Новая", "name_kk": "Жаңа", "department": "FAC",
                   "is_active": "on", "fields": "[]"},)),
    "console.category_update": Route("/console/categories/{category}", bases=(
        lambda i: {"name_en": "AC", "name_ru": "Кондиционер", "name_kk": "Кондиционер", "department": "FAC",
                   "is_active": "on", "fields": "[]"},)),
    "console.sla_save": Route("/console/sla", bases=(
        lambda i: {"priority": "normal", "response_minutes": "60", "resolution_minutes": "480",
                   "category": "FAC-AC"},)),
    "console.assignment_rule_save": Route("/console/assignment-rules", bases=(
        lambda i: {"office_id": str(i.ala), "department": "FAC", "mode": "round_robin", "pool": str(i.me)},)),
    "console.assignment_rule_remove": Route("/console/assignment-rules/remove", bases=(
        lambda i: {"office_id": str(i.ala), "department": "FAC"},)),
    "console.language": Route("/console/language", bases=(lambda i: {"language": "en", "next": "/console/requests"},)),
}
# Signing out ends the session the walk runs in: it is sent last, once, with odd fields.
LAST = {"console.logout": Route("/console/logout", bases=(lambda i: {"next": LONG, "x": "\x00"},))}

ROLES = {"administrator": "admin", "manager": "manager_fac_ala"}


class Ids:
    """What exists: ids to put in paths and forms."""


@pytest.fixture
def ids(client, world, submit):
    made = Ids()
    made.ala, made.ast = world.ala, world.ast
    request, other = submit(), submit(title="The AC again")
    made.request, made.other_number = request["id"], other["number"]
    admin = world.admin.headers

    def created(path, body):
        response = client.post(path, json=body, headers=admin)
        assert response.status_code == 201, (path, response.get_json())
        return response.get_json()["id"]

    made.room = created(f"/api/v1/offices/{world.ala}/rooms", {"code": "R1", "name": "Room"})
    made.notice = created(f"/api/v1/offices/{world.ala}/notices", {"title": "Water is off"})
    made.reply = created("/api/v1/replies", {"title": "Taken", "body": "{number} is ours", "shared": True})
    made.view = created("/api/v1/views", {"name": "New ones", "filters": {"status": ["new"]}})
    made.victim, made.scoped = world.other_employee.id, world.manager_it.id
    made.category, made.office, made.attachment = "FAC-AC", world.ala, 99999999
    return made


def _shown(value):
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, str) and len(value) > 40:
        return repr(value[:10]) + f"*{len(value)}"
    return repr(value)


def _label(role, method, path, data, note=""):
    shown = ", ".join(f"{key}={_shown(value)}" for key, value in data.items())
    return f"[{role}] {method} {_shown(path)} {{{shown}}} {note}".strip()


def fill(path, made, **override):
    values = {name: str(getattr(made, name)) for name in
              ("request", "attachment", "category", "room", "office", "victim", "scoped", "notice")}
    values.update(override)
    return path.format(**values)


def path_variants(path, made):
    """The path with each id replaced by values naming nothing."""
    for name in ("request", "attachment", "room", "office", "victim", "scoped", "notice"):
        if "{" + name + "}" in path:
            for value in PATH_INTS:
                yield fill(path, made, **{name: value})
    if "{category}" in path:
        for value in PATH_CODES:
            yield fill(path, made, category=value)


def get_cases(route, made):
    """(path, query) pairs: the plain page, each argument with each odd value, repeated, unknown."""
    path = fill(route.path, made)
    yield path, {}
    for name in route.fields:
        for value in VALUES:
            yield path, {name: value}
        yield path, {name: ["1", "abc"]}
        yield path, {name: [str(made.view), HUGE]}
    yield path, {"unknown": "1", "zzz\x00": LONG}
    for other in path_variants(route.path, made):
        yield other, {}


def post_cases(route, made):
    """(path, form) pairs: a valid-looking form with each field missing, odd, repeated, or unknown fields;
    the form to paths of nothing."""
    path = fill(route.path, made)
    for make in route.bases:
        base = make(made)
        yield path, {}
        for name in base:
            without = {key: value for key, value in base.items() if key != name}
            yield path, without
            for value in VALUES:
                yield path, {**base, name: value}
            yield path, {**base, name: [base[name] or "1", "abc"]}
            yield path, {**base, name: [base[name] or "1", base[name] or "1"]}
        yield path, {**base, "unknown": "1", "csrf_token\x00": "x"}
        for other in path_variants(route.path, made):
            yield other, base


def snapshot():
    """Every table's rows (console sessions: their count; they note when they were last used)."""
    rows = {}
    for table in db.metadata.sorted_tables:
        found = db.session.execute(sa.select(table)).all()
        rows[table.name] = len(found) if table.name == "console_sessions" else sorted(map(repr, found))
    return rows


def changes(before, after):
    return sorted(name for name in before if before[name] != after[name])


def answer_problem(response, route):
    """What is wrong with an answer, or None."""
    status, kind = response.status_code, response.mimetype or ""
    body = response.get_data()
    if status >= 500:
        return f"{status}: {body[:300]!r}"
    if 300 <= status < 400:
        return None
    if route.json:
        return None if kind == "application/json" else f"{status} {kind}: not the JSON the map reads"
    if status >= 400:
        if kind != "text/html":
            return f"{status} {kind}: a refusal must be an HTML page: {body[:200]!r}"
        if body.lstrip().startswith(b"{"):
            return f"{status}: the API's JSON envelope: {body[:200]!r}"
        return None
    if not any(kind.startswith(ok) for ok in route.ok):
        return f"{status} {kind}: expected {route.ok}"
    return None


def test_every_console_route_has_cases(app):
    walked = {endpoint for endpoint in (*GETS, *POSTS, *LAST)}
    routes = {rule.endpoint for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("console.") and rule.endpoint not in OPEN}
    assert routes == walked


def _signed_in(app, world, role):
    browser = app.test_client()
    token = console_sign_in(browser, getattr(world, ROLES[role]).login)
    me = getattr(world, ROLES[role]).id
    return browser, token, me


def _etag(client, world, request_id):
    return client.get(f"/api/v1/requests/{request_id}", headers=world.admin.headers).headers.get("ETag", "")


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("endpoint", sorted(GETS))
def test_odd_query_values_never_break_a_page(app, world, ids, role, endpoint):
    route = GETS[endpoint]
    browser, _, ids.me = _signed_in(app, world, role)
    problems, count = [], 0
    for path, query in get_cases(route, ids):
        for htmx in (False, True) if not query else (False,):
            count += 1
            response = browser.get(path, query_string=query, headers={"HX-Request": "true"} if htmx else {})
            problem = answer_problem(response, route)
            if problem:
                problems.append(_label(role, "GET", path, query, "(htmx) " if htmx else "") + ": " + problem)
    assert count, endpoint
    assert not problems, f"{len(problems)} of {count} cases:\n" + "\n".join(problems[:40])


def _post_walk(app, client, world, ids, role, routes):
    browser, token, ids.me = _signed_in(app, world, role)
    ids.etag = _etag(client, world, ids.request)
    problems, count = [], 0
    with app.app_context():
        before = snapshot()
    for endpoint, route in routes.items():
        for path, form in post_cases(route, ids):
            for htmx in (False, True) if not form else (False,):
                count += 1
                response = browser.post(path, data={**form, "csrf_token": token},
                                        headers={"HX-Request": "true"} if htmx else {})
                label = _label(role, "POST", path, form, "(htmx) " if htmx else "")
                problem = answer_problem(response, route)
                if problem:
                    problems.append(f"{label}: {problem}")
                with app.app_context():
                    after = snapshot()
                if 400 <= response.status_code < 600:
                    changed = changes(before, after)
                    if changed:
                        problems.append(f"{label}: refused with {response.status_code} but changed {changed}")
                before = after  # what the next case must leave as it is
                if endpoint == "console.language":  # whatever was chosen, the walk reads English
                    browser.post("/console/language", data={"language": "en", "csrf_token": token})
    return problems, count


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("endpoint", sorted(POSTS))
def test_odd_forms_are_refused_and_change_nothing(app, client, world, ids, role, endpoint):
    problems, count = _post_walk(app, client, world, ids, role, {endpoint: POSTS[endpoint]})
    assert count, endpoint
    assert not problems, f"{len(problems)} of {count} cases:\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("role", sorted(ROLES))
def test_signing_out_with_odd_fields_is_no_error(app, client, world, ids, role):
    problems, count = _post_walk(app, client, world, ids, role, LAST)
    assert count and not problems, "\n".join(problems)
