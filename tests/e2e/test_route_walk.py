"""Authorization walk over every rule of ``app.url_map``.

Every (endpoint, method) of the app must have an access decision in ``ACCESS``;
a route that has none fails the walk ("new route without an access decision"),
so nobody can add a route and forget its access check. Each decision says what
the route must answer:

* without a token — 401 (except the public pages and the public sign-in
  endpoints, which must answer without one);
* as an employee who owns nothing (``stranger``, home office AST), with path
  ids of objects that belong to another employee (``owner``, ALA) — 403 on
  administrator/staff routes, 404 for another person's request, photo or
  notification (API.md: 404 "missing, or not visible to the caller"; never a
  2xx), and a 2xx that leaks nothing of the owner's on routes every user may
  call;
* as staff outside the request's scope (the administrator of AST and the IT
  manager; the owner's request is ALA/FAC) — 404 on the owner's request, its
  photo and notification as well;
* as a manager — 403 on administrator-only routes.

Bodies are valid, so a validation error cannot hide a missing access check.

Run: ``.venv/bin/python -m pytest tests/e2e/test_route_walk.py -q -p no:cacheprovider`` (seconds).
"""
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from PIL import Image

from notifications.models import Device, Notification
from service_app.extensions import db
from tests.support.api import DEMO_PASSWORD
from tests.support.places import ALA_POINT, box

# --- the access table -----------------------------------------------------------------------------

PUBLIC = "public"        # pages and documents anybody may read: answered without a token, never 401
SIGN_IN = "sign-in"      # public auth endpoints: answered without a token (a validation error here), never 401
ANY_USER = "any user"    # any signed-in user, on their own things or shared reference data: 2xx
REFRESH = "refresh"      # any signed-in user, with the refresh token: 2xx
STAFF = "staff"          # administrators and managers: 403 for an employee
ADMIN = "admin"          # administrators only: 403 for an employee (and a manager)
OTHERS = "others"        # another person's object: 404 for anybody who may not see it, never 2xx

SECRET_TITLE = "Owner's private request"


@dataclass(frozen=True)
class Access:
    rule: str
    json: dict | None = None
    query: dict | None = None
    upload: bool = False         # multipart body with a small PNG in "file"
    if_match: bool = False       # send the request's current ETag (so only access can refuse)
    check: Callable | None = None  # extra assertion for the stranger: check(response, estate) -> problem or None


def _no_owner_request_in_list(response, estate):
    ids = [item.get("id") for item in response.get_json()["items"]]
    if estate.request_id in ids:
        return f"lists the owner's request {estate.request_id}"


def _no_owner_notification_in_list(response, estate):
    ids = {item.get("id") for item in response.get_json()["items"]}
    if ids & set(estate.notification_ids):
        return f"lists the owner's notifications {sorted(ids & set(estate.notification_ids))}"


def _no_owner_data_in_export(response, estate):
    if SECRET_TITLE in response.get_data(as_text=True):
        return "the personal data export contains the owner's request"


def _no_owner_data_in_sync(response, estate):
    body = response.get_json()
    leaked = ({r.get("id") for r in body["requests"]} | set(body["removed"])) & {estate.request_id}
    notes = {n.get("id") for n in body["notifications"]} & set(estate.notification_ids)
    if leaked or notes:
        return f"syncs the owner's request {sorted(leaked)} or notifications {sorted(notes)}"


def _owner_device_survives(response, estate):
    with estate.app.app_context():
        if db.session.scalar(sa.select(Device.id).where(Device.token == estate.device_token,
                                                       Device.user_id == estate.owner.id)) is None:
            return "removed the owner's device"


def _owner_notifications_stay_unread(response, estate):
    with estate.app.app_context():
        read = db.session.scalars(sa.select(Notification.id).where(
            Notification.id.in_(estate.notification_ids), Notification.read_at.is_not(None))).all()
    if read:
        return f"marked the owner's notifications {read} read"


ACCESS = {
    # public pages and documents (not signed in)
    "static": {"GET": Access(PUBLIC)},
    "health.healthz": {"GET": Access(PUBLIC)},
    "health.readyz": {"GET": Access(PUBLIC)},
    "privacy.privacy": {"GET": Access(PUBLIC)},
    "app_config.get_app_config": {"GET": Access(PUBLIC)},
    "api-docs.openapi_json": {"GET": Access(PUBLIC)},
    "api-docs.openapi_swagger_ui": {"GET": Access(PUBLIC)},
    "docs_assets.asset": {"GET": Access(PUBLIC)},
    # auth
    "auth.login": {"POST": Access(SIGN_IN, json={})},
    "auth.password_reset": {"POST": Access(SIGN_IN, json={})},
    "auth.password_reset_confirm": {"POST": Access(SIGN_IN, json={})},
    "auth.refresh": {"POST": Access(REFRESH)},
    "auth.logout": {"POST": Access(ANY_USER)},
    # own account
    "users.Me": {"GET": Access(ANY_USER), "PATCH": Access(ANY_USER, json={"language": "en"})},
    "users.change_password": {"POST": Access(ANY_USER, json={"current_password": DEMO_PASSWORD,
                                                             "new_password": "another-long-password-7"})},
    "users.my_data": {"GET": Access(ANY_USER, check=_no_owner_data_in_export)},
    "users.my_data_section": {"GET": Access(ANY_USER, check=_no_owner_data_in_export)},
    # users (administrator)
    "users.Users": {"GET": Access(ADMIN),
                    "POST": Access(ADMIN, json={"login": "intruder", "full_name": "Intruder", "role": "administrator",
                                                "password": "long-enough-password"})},
    "users.UserItem": {"GET": Access(ADMIN), "PATCH": Access(ADMIN, json={"role": "administrator"})},
    "audit.audit_log": {"GET": Access(ADMIN)},
    # offices, departments, categories: read by anyone, changed by administrators
    "offices.Offices": {"GET": Access(ANY_USER),
                        "POST": Access(ADMIN, json={"code": "EVIL", "name": "Evil",
                                                    "geofence": box(10.0, 10.0, 10.01, 10.01)})},
    "offices.OfficeItem": {"GET": Access(ANY_USER), "PATCH": Access(ADMIN, json={"name": "Renamed"}),
                           "DELETE": Access(ADMIN)},
    "offices.OfficeRoute": {"GET": Access(ANY_USER, query=dict(ALA_POINT))},
    # rooms and their QR tags: listed and opened by anyone, changed and printed by administrators
    "offices.OfficeRooms": {"GET": Access(ANY_USER), "POST": Access(ADMIN, json={"code": "EVIL", "name": "Evil"})},
    "offices.RoomItem": {"PATCH": Access(ADMIN, json={"name": "Renamed"}), "DELETE": Access(ADMIN)},
    "offices.replace_qr_token": {"POST": Access(ADMIN)},
    "offices.room_qr_code": {"GET": Access(ADMIN)},
    "offices.office_qr_sheet": {"GET": Access(ADMIN)},
    "qr.QrTag": {"GET": Access(ANY_USER)},
    "offices.Departments": {"GET": Access(ANY_USER), "POST": Access(ADMIN, json={"code": "EVIL", "name": "Evil"})},
    "offices.DepartmentItem": {"GET": Access(ANY_USER), "PATCH": Access(ADMIN, json={"name": "Renamed"})},
    # office notices: posted and resolved by administrators of the office, read and followed by anyone
    "notices.create_notice": {"POST": Access(ADMIN, json={"title": "The lift is out"})},
    "notices.update_notice": {"PATCH": Access(ADMIN, json={"resolved": True})},
    "notices.list_notices": {"GET": Access(ANY_USER, query=dict(ALA_POINT))},
    "notices.NoticeFollow": {"POST": Access(ANY_USER), "DELETE": Access(ANY_USER)},
    "categories.Categories": {"GET": Access(ANY_USER),
                              "POST": Access(ADMIN, json={"code": "EVIL", "name": "Evil", "department": "FAC"})},
    "categories.CategoryItem": {"GET": Access(ANY_USER), "PATCH": Access(ADMIN, json={"name": "Renamed"})},
    # requests: an employee sees only their own
    "requests.Requests": {"GET": Access(ANY_USER, check=_no_owner_request_in_list),
                          "POST": Access(ANY_USER, json={"title": "My own request", "category": "FAC-AC",
                                                         "location": ALA_POINT})},
    "requests.export_requests_csv": {"GET": Access(STAFF)},
    "requests.RequestItem": {"GET": Access(OTHERS),
                             "PATCH": Access(OTHERS, json={"title": "Hijacked title"}, if_match=True)},
    "requests.change_status": {"POST": Access(OTHERS, json={"status": "cancelled"}, if_match=True)},
    "requests.Comments": {"GET": Access(OTHERS), "POST": Access(OTHERS, json={"body": "Hello from a stranger"})},
    "requests.events": {"GET": Access(OTHERS)},
    # similar requests show nothing personal; any open recent request may be followed (API.md "Employees")
    "following.similar": {"GET": Access(ANY_USER, query={"category": "FAC-AC", "title": "Owner"})},
    "following.Follow": {"POST": Access(ANY_USER), "DELETE": Access(ANY_USER)},
    "following.merge": {"POST": Access(STAFF, json={"into": 1})},
    "requests.upload_attachment": {"POST": Access(OTHERS, upload=True)},
    "requests.AttachmentFile": {"GET": Access(OTHERS), "DELETE": Access(OTHERS)},
    "requests.AttachmentThumbnail": {"GET": Access(OTHERS)},
    # bulk actions and canned replies: staff; shared replies are changed by administrators
    "replies.bulk_update": {"POST": Access(STAFF, json={"ids": [1], "action": "priority", "priority": "high"})},
    "replies.Replies": {"GET": Access(STAFF), "POST": Access(STAFF, json={"title": "Thanks", "body": "On it"})},
    "replies.ReplyItem": {"PATCH": Access(STAFF, json={"title": "Renamed"}), "DELETE": Access(STAFF)},
    "replies.apply_reply": {"POST": Access(STAFF)},
    # sync: personal
    "sync.Sync": {"GET": Access(ANY_USER, check=_no_owner_data_in_sync)},
    # devices and notifications: personal
    "notifications.register_device": {"POST": Access(ANY_USER, json={"token": "stranger-device",
                                                                     "platform": "android"})},
    "notifications.remove_device": {"DELETE": Access(ANY_USER, check=_owner_device_survives)},
    "notifications.Notifications": {"GET": Access(ANY_USER, check=_no_owner_notification_in_list)},
    "notifications.mark_read": {"POST": Access(OTHERS, check=_owner_notifications_stay_unread)},
    "notifications.mark_all_read": {"POST": Access(ANY_USER, check=_owner_notifications_stay_unread)},
    # SLA policies and reports: staff; policies are changed by administrators
    "sla.list_policies": {"GET": Access(STAFF)},
    "sla.put_policy": {"PUT": Access(ADMIN, json={"response_minutes": 1, "resolution_minutes": 1})},
    "sla.sla_report": {"GET": Access(STAFF)},
    "sla.sla_report_csv": {"GET": Access(STAFF)},
    "sla.backlog_report": {"GET": Access(STAFF)},
    "sla.dashboard": {"GET": Access(STAFF)},
    # auto-assignment: rules read by staff, set by administrators; availability is staff's own
    "assignment.list_rules": {"GET": Access(STAFF)},
    "assignment.put_rule": {"PUT": Access(ADMIN, json={"mode": "manual", "pool": []})},
    "assignment.put_availability": {"PUT": Access(STAFF, json={"available": False})},
    # saved views: staff (another person's view is a 404 for staff: tests/service_requests/test_saved_views.py)
    "views.Views": {"GET": Access(STAFF), "POST": Access(STAFF, json={"name": "Mine", "filters": {"status": "new"}})},
    "views.view_counts": {"GET": Access(STAFF)},
    "views.ViewItem": {"PATCH": Access(STAFF, json={"name": "Renamed"}), "DELETE": Access(STAFF)},
    "views.view_requests": {"GET": Access(STAFF)},
}

IGNORED_METHODS = {"HEAD", "OPTIONS"}


# --- the estate: objects of the owner, and the people who must not reach them ----------------------

@dataclass
class Estate:
    app: object
    world: object
    owner: object
    stranger: object
    request_id: int
    attachment_id: int
    notification_ids: list
    device_token: str
    path_values: dict = field(default_factory=dict)


def png_bytes(colour=(200, 60, 20)):
    out = io.BytesIO()
    Image.new("RGB", (24, 16), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def estate(app, client, world, submit, auth, tmp_path):
    app.config["STORAGE_LOCAL_ROOT"] = str(tmp_path / "attachments")
    owner = world.employee
    request_id = submit(owner, title=SECRET_TITLE, description="Only the owner and ALA/FAC staff may read this")["id"]
    upload = client.post(f"/api/v1/requests/{request_id}/attachments", headers=owner.headers,
                         data={"file": (io.BytesIO(png_bytes()), "photo.png", "image/png")},
                         content_type="multipart/form-data")
    assert upload.status_code == 201, upload.get_json()
    for call in (
        client.post(f"/api/v1/requests/{request_id}/comments", headers=world.admin.headers,
                    json={"body": "We will send someone today"}),
        client.post(f"/api/v1/requests/{request_id}/status", headers=world.admin.headers,
                    json={"status": "in_progress"}),
        client.post("/api/v1/devices", headers=owner.headers, json={"token": "owner-device", "platform": "ios"}),
    ):
        assert call.status_code in (200, 201), call.get_json()
    with app.app_context():
        notification_ids = sorted(db.session.scalars(
            sa.select(Notification.id).where(Notification.user_id == owner.id)))
    assert notification_ids, "the owner should have been notified of the staff comment and status change"
    notice = client.post(f"/api/v1/offices/{world.ala}/notices", headers=world.admin.headers,
                         json={"title": "The lift is out"})
    assert notice.status_code == 201, notice.get_json()
    stranger = auth("employee", office_id=world.ast, full_name="Stranger")
    room = client.post(f"/api/v1/offices/{world.ala}/rooms", json={"code": "305", "name": "Room"},
                       headers=world.admin.headers).get_json()
    qr_token = client.post(f"/api/v1/rooms/{room['id']}/qr-token", headers=world.admin.headers).get_json()["qr_token"]
    e = Estate(app=app, world=world, owner=owner, stranger=stranger, request_id=request_id,
               attachment_id=upload.get_json()["id"], notification_ids=notification_ids,
               device_token="owner-device")
    e.path_values = {
        "request_id": request_id,
        "attachment_id": e.attachment_id,
        "notification_id": notification_ids[0],
        "reply_id": 1,
        "user_id": world.admin.id,
        "office_id": world.ast,
        "priority": "high",
        "token": e.device_token,
        "name": "swagger-ui.css",
        "filename": "nothing.txt",
        "section": "requests",
        "department": "FAC",
        "view_id": 1,
        "notice_id": notice.get_json()["id"],
        "room_id": room["id"],
        ("qr.QrTag", "token"): qr_token,
        ("categories.CategoryItem", "code"): "FAC-AC",
        ("offices.DepartmentItem", "code"): "FAC",
    }
    return e


# --- the walk ---------------------------------------------------------------------------------------

def routes(app):
    """(rule, method) for every rule of the app, HEAD and OPTIONS aside.

    The staff console's pages sign in with a cookie, not a token: their own walk is
    tests/console/test_console_walk.py."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint.startswith("console."):
            continue
        for method in sorted((rule.methods or set()) - IGNORED_METHODS):
            yield rule, method


def decision(rule, method):
    return ACCESS.get(rule.endpoint, {}).get(method)


def undecided(rule, method):
    return (f"{method} {rule.rule} ({rule.endpoint}): new route without an access decision: "
            "add it to the ACCESS table of tests/e2e/test_route_walk.py")


def decided_routes(app, problems):
    """(rule, method, access) for every route with a decision; each route without one goes to ``problems``."""
    for rule, method in routes(app):
        access = decision(rule, method)
        if access is None:
            problems.append(undecided(rule, method))
        else:
            yield rule, method, access


def leak_of(access, response, estate):
    """What ``response`` gives away of the owner's data, if the route's decision has a check for it."""
    return access.check(response, estate) if access.check is not None else None


def url_of(rule, estate):
    values = {}
    for name in rule.arguments:
        key = (rule.endpoint, name)
        if key in estate.path_values:
            values[name] = estate.path_values[key]
        elif name in estate.path_values:
            values[name] = estate.path_values[name]
        else:
            raise LookupError(f"{rule.rule} ({rule.endpoint}): no id for <{name}>: add one to estate.path_values")
    return rule.build(values, append_unknown=False)[1]


def fresh_tokens(app, account_id):
    """A new session, so that a logout or a password change earlier in the walk stops nothing."""
    from service_app.auth import tokens
    from service_app.users.models import User

    with app.app_context():
        access, refresh = tokens.start_session(db.session.get(User, account_id))
        db.session.commit()
    return access, refresh


def send(client, estate, rule, method, access, account=None):
    """Call the route as ``account`` (None: without a token)."""
    headers = {}
    if account is not None:
        access_token, refresh_token = fresh_tokens(estate.app, account.id)
        headers["Authorization"] = f"Bearer {refresh_token if access.rule == REFRESH else access_token}"
    if access.if_match:
        admin_access, _ = fresh_tokens(estate.app, estate.world.admin.id)
        read = client.get(f"/api/v1/requests/{estate.request_id}", headers={"Authorization": f"Bearer {admin_access}"})
        headers["If-Match"] = read.headers["ETag"]
    kwargs = {"headers": headers, "query_string": access.query}
    if access.upload:
        kwargs.update(data={"file": (io.BytesIO(png_bytes((1, 2, 3))), "x.png", "image/png")},
                      content_type="multipart/form-data")
    elif access.json is not None:
        kwargs["json"] = access.json
    elif method in ("POST", "PUT", "PATCH"):
        kwargs["json"] = {}
    return client.open(url_of(rule, estate), method=method, **kwargs)


def describe(response):
    body = response.get_json(silent=True)
    code = (body or {}).get("error", {}).get("code") if isinstance(body, dict) else None
    return f"{response.status_code}{f' {code}' if code else ''}"


def test_without_a_token_only_public_routes_answer(app, client, estate):
    problems = []
    for rule, method in routes(app):
        access = decision(rule, method)
        if access is None:
            problems.append(undecided(rule, method))
            access = Access(ANY_USER)  # still call it: an unknown route must at least want a token
        if rule.endpoint == "static":
            continue
        response = send(client, estate, rule, method, access)
        where = f"{method} {rule.rule} without a token"
        if access.rule in (PUBLIC, SIGN_IN):
            if response.status_code == 401 or response.status_code >= 500:
                problems.append(f"{where}: {describe(response)}, expected an answer without a token")
        elif response.status_code != 401:
            problems.append(f"{where}: {describe(response)}, expected 401")
    assert not problems, "\n".join(problems)


def test_an_employee_reaches_nothing_of_anybody_else(app, client, estate):
    """The stranger (an employee of another office who owns nothing) on every route, with the owner's ids."""
    problems = []
    for rule, method, access in decided_routes(app, problems):
        if access.rule in (PUBLIC, SIGN_IN):
            continue
        response = send(client, estate, rule, method, access, estate.stranger)
        where = f"{method} {rule.rule} as an employee who owns nothing"
        status = response.status_code
        if access.rule in (ADMIN, STAFF) and status != 403:
            problems.append(f"{where}: {describe(response)}, expected 403 ({access.rule} only)")
        elif access.rule == OTHERS and status != 404:
            problems.append(f"{where}: {describe(response)}, expected 404 (another person's object)")
        elif access.rule in (ANY_USER, REFRESH) and not 200 <= status < 300:
            problems.append(f"{where}: {describe(response)}, expected a 2xx (any signed-in user may)")
        leak = leak_of(access, response, estate)
        if leak:
            problems.append(f"{where}: {leak}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("outsider", ["admin_ast", "manager_it"])
def test_staff_out_of_scope_reach_no_request_of_it(app, client, estate, outsider):
    """An administrator of another office, a manager of another department: the owner's request
    (ALA, FAC), its photo and comments, and the owner's notification are not theirs to see."""
    account = getattr(estate.world, outsider)
    problems = []
    for rule, method, access in decided_routes(app, problems):
        if access.rule != OTHERS:
            continue
        response = send(client, estate, rule, method, access, account)
        where = f"{method} {rule.rule} as {outsider}"
        if response.status_code != 404:
            problems.append(f"{where}: {describe(response)}, expected 404 (out of scope)")
        leak = leak_of(access, response, estate)
        if leak:
            problems.append(f"{where}: {leak}")
    assert not problems, "\n".join(problems)


def test_a_manager_is_refused_administrator_routes(app, client, estate):
    problems = []
    for rule, method, access in decided_routes(app, problems):
        if access.rule == ADMIN:
            response = send(client, estate, rule, method, access, estate.world.manager_fac_ala)
            if response.status_code != 403:
                problems.append(f"{method} {rule.rule} as a manager: {describe(response)}, expected 403 (admin only)")
    assert not problems, "\n".join(problems)


def test_the_access_table_names_only_existing_routes(app):
    existing = {(rule.endpoint, method) for rule, method in routes(app)}
    stale = sorted(f"{endpoint} {method}" for endpoint, methods in ACCESS.items() for method in methods
                   if (endpoint, method) not in existing)
    assert not stale, f"ACCESS names routes that no longer exist (remove them): {stale}"
