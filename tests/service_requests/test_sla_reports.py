"""SLA clocks, the sweep and the reports, with known timestamps and hand-computed figures."""
import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from notifications.models import Notification
from offices.models import Department, Office
from service_app.extensions import db
from service_requests import sla
from service_requests.models import ServiceRequest
from service_requests.catalogue.models import Category
from service_requests.lifecycle.sweep import sweep
from tests.support.places import box

UTC = timezone.utc
ALWAYS_OPEN = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
NOW = datetime(2026, 11, 20, tzinfo=UTC)


def at(day, hour=10, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def company(app, auth):
    """Two offices open around the clock (so business minutes are wall minutes) and staff."""
    with app.app_context():
        a = Office(code="A", name="Office A", geofence=box(76.90, 43.20, 76.92, 43.22), business_hours=ALWAYS_OPEN)
        b = Office(code="B", name="Office B", geofence=box(71.42, 51.12, 71.44, 51.14), business_hours=ALWAYS_OPEN)
        db.session.add_all([a, b, Department(code="FAC", name={"ru": "АХО", "en": "Facilities"})])
        db.session.flush()
        db.session.add(Category(code="FAC-AC", name={"en": "AC"}, department_code="FAC"))
        db.session.commit()
        ids = {"A": a.id, "B": b.id}
    employee = auth("employee", office_id=ids["A"])
    manager = auth("manager", language="en")
    manager_b = auth("manager", office_ids=[ids["B"]])
    return ids, employee, manager, manager_b


def make(app, office_id, author_id, priority, created, response_after=None, resolved_after=None,
         rating=None, status=None, assignee_id=None):
    with app.app_context():
        req = ServiceRequest(title="Test request", category_code="FAC-AC", department_code="FAC", priority=priority,
                             status=status or ("closed" if rating else "resolved" if resolved_after else
                                               "in_progress" if response_after else "new"),
                             office_id=office_id, routed_by="manual", author_id=author_id, assignee_id=assignee_id,
                             created_at=created, updated_at=created, rating=rating)
        req.office = db.session.get(Office, office_id)
        sla.set_due_times(req)
        if response_after is not None:
            req.first_response_at = created + timedelta(minutes=response_after)
            sla.on_first_response(req)
        if resolved_after is not None:
            req.resolved_at = created + timedelta(minutes=resolved_after)
            sla.on_resolved(req)
        db.session.add(req)
        db.session.commit()
        return req.id


@pytest.fixture
def history(app, company):
    ids, employee, manager, _ = company
    made = {
        "r1": make(app, ids["A"], employee.id, "normal", at(2), 30, 300, rating=5),
        "r2": make(app, ids["A"], employee.id, "urgent", at(3), 90, 200, rating=3, assignee_id=manager.id),
        "r3": make(app, ids["A"], employee.id, "high", at(4), 100, assignee_id=manager.id),
        "r4": make(app, ids["B"], employee.id, "low", at(5)),
        "r5": make(app, ids["B"], employee.id, "normal", at(6), status="cancelled"),
    }
    with app.app_context():
        sweep(NOW)
    return made


def report(client, who, query="from=2026-11-01&to=2026-11-30"):
    response = client.get(f"/api/v1/reports/sla?{query}", headers=who.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_due_times_use_the_targets_in_business_minutes(app, history):
    with app.app_context():
        r2 = db.session.get(ServiceRequest, history["r2"])
        assert r2.response_due_at == at(3, 11) and r2.resolution_due_at == at(3, 14)
        assert r2.response_breached is True and r2.resolution_breached is False
        assert (r2.response_minutes, r2.resolution_minutes) == (90, 200)


def test_sla_report_by_office_matches_hand_computed_figures(client, company, history):
    ids, _, manager, _ = company
    body = report(client, manager)
    assert body["from"] == "2026-11-01" and body["to"] == "2026-11-30" and body["group_by"] == "office"
    a, b = body["groups"]
    assert a == {"key": str(ids["A"]), "label": "Office A", "total": 3, "open": 1, "resolved": 2,
                 "response_met_pct": 66.7, "resolution_met_pct": 66.7,
                 "median_response_minutes": 90.0, "p90_response_minutes": 98.0,
                 "median_resolution_minutes": 250.0, "p90_resolution_minutes": 290.0,
                 "response_breached": 1, "resolution_breached": 1, "merged": 0, "rated": 2, "avg_rating": 4.0}
    assert b == {"key": str(ids["B"]), "label": "Office B", "total": 2, "open": 1, "resolved": 0,
                 "response_met_pct": 0.0, "resolution_met_pct": 0.0,
                 "median_response_minutes": None, "p90_response_minutes": None,
                 "median_resolution_minutes": None, "p90_resolution_minutes": None,
                 "response_breached": 1, "resolution_breached": 1, "merged": 0, "rated": 0, "avg_rating": None}
    assert body["totals"] == {"key": "total", "label": "total", "total": 5, "open": 2, "resolved": 2,
                              "response_met_pct": 50.0, "resolution_met_pct": 50.0,
                              "median_response_minutes": 90.0, "p90_response_minutes": 98.0,
                              "median_resolution_minutes": 250.0, "p90_resolution_minutes": 290.0,
                              "response_breached": 2, "resolution_breached": 2, "merged": 0, "rated": 2, "avg_rating": 4.0}


def test_other_groupings(client, company, history):
    _, _, manager, _ = company
    by_priority = {g["key"]: g["total"] for g in report(client, manager, "from=2026-11-01&to=2026-11-30&group_by=priority")["groups"]}
    assert by_priority == {"normal": 2, "urgent": 1, "high": 1, "low": 1}
    by_assignee = {g["label"]: g["total"] for g in report(client, manager, "from=2026-11-01&to=2026-11-30&group_by=assignee")["groups"]}
    assert by_assignee == {"unassigned": 3, "Test Person": 2}
    [dept] = report(client, manager, "from=2026-11-01&to=2026-11-30&group_by=department")["groups"]
    assert dept["key"] == "FAC" and dept["label"] == "Facilities"
    [cat] = report(client, manager, "from=2026-11-01&to=2026-11-30&group_by=category")["groups"]
    assert cat["label"] == "AC" and cat["total"] == 5


def test_period_and_scope(client, company, history):
    ids, _, manager, manager_b = company
    assert report(client, manager, "from=2026-11-04&to=2026-11-05")["totals"]["total"] == 2
    assert report(client, manager, "from=2026-10-01&to=2026-10-31")["totals"]["total"] == 0
    scoped = report(client, manager_b)
    assert [g["key"] for g in scoped["groups"]] == [str(ids["B"])] and scoped["totals"]["total"] == 2
    assert client.get(f"/api/v1/reports/sla?office_id={ids['A']}", headers=manager_b.headers).status_code == 404
    assert report(client, manager, f"from=2026-11-01&to=2026-11-30&office_id={ids['A']}")["totals"]["total"] == 3


def test_csv_has_the_same_columns(client, company, history):
    _, _, manager, _ = company
    # The CSV operation, and the JSON one asked for CSV as older clients do.
    for kwargs in ({"path": "sla.csv", "query": "from=2026-11-01&to=2026-11-30", "headers": {}},
                   {"path": "sla", "query": "from=2026-11-01&to=2026-11-30&format=csv", "headers": {}},
                   {"path": "sla", "query": "from=2026-11-01&to=2026-11-30", "headers": {"Accept": "text/csv"}}):
        response = client.get(f"/api/v1/reports/{kwargs['path']}?{kwargs['query']}",
                              headers={**manager.headers, **kwargs["headers"]})
        assert response.status_code == 200 and response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert list(rows[0]) == ["key", "label", "total", "open", "resolved", "response_met_pct", "resolution_met_pct",
                                 "median_response_minutes", "p90_response_minutes", "median_resolution_minutes",
                                 "p90_resolution_minutes", "response_breached", "resolution_breached", "merged",
                                 "rated", "avg_rating"]
        assert rows[-1]["key"] == "total" and rows[-1]["total"] == "5" and rows[0]["p90_response_minutes"] == "98.0"


@pytest.mark.parametrize("query, status", [
    ("from=2026-11-30&to=2026-11-01", 422), ("from=yesterday", 422), ("from=2025-01-01&to=2026-06-01", 422),
    ("group_by=colour", 422), ("office_id=999", 404), ("format=xml", 422),
])
def test_bad_report_queries(client, company, query, status):
    _, _, manager, _ = company
    response = client.get(f"/api/v1/reports/sla?{query}", headers=manager.headers)
    assert response.status_code == status and "error" in response.get_json()


def test_reports_are_for_staff_only(client, company):
    _, employee, _, _ = company
    assert client.get("/api/v1/reports/sla", headers=employee.headers).status_code == 403
    assert client.get("/api/v1/reports/sla.csv", headers=employee.headers).status_code == 403
    assert client.get("/api/v1/reports/backlog", headers=employee.headers).status_code == 403


def test_backlog_by_status_and_age(client, app, company, history):
    ids, employee, manager, _ = company
    make(app, ids["A"], employee.id, "normal", datetime.now(UTC) - timedelta(hours=2))
    body = client.get("/api/v1/reports/backlog", headers=manager.headers).get_json()
    by_status = {s["status"]: s for s in body["statuses"]}
    assert by_status["new"]["total"] == 2 and by_status["new"]["by_age"]["<1d"] == 1
    assert by_status["new"]["by_age"][">7d"] == 1 and by_status["new"]["breached"] == 1
    assert by_status["in_progress"]["total"] == 1 and by_status["in_progress"]["breached"] == 1
    assert body["totals"] == {"total": 3, "breached": 2, "by_age": {"<1d": 1, "1-3d": 0, "3-7d": 0, ">7d": 2}}
    only_b = client.get(f"/api/v1/reports/backlog?office_id={ids['B']}", headers=manager.headers).get_json()
    assert only_b["totals"]["total"] == 1


def test_sweep_is_idempotent_and_notifies_once(app, company, history):
    def counts():
        with app.app_context():
            return dict(db.session.execute(sa.select(Notification.event, sa.func.count())
                                           .where(Notification.event.like("sla_%")).group_by(Notification.event)).all())

    first = counts()
    with app.app_context():
        again = sweep(NOW)
    assert counts() == first and set(again.values()) == {0}
    # r3's resolution clock reaches its assignee (also the unscoped manager): 1 warning, 1 breach.
    # r4's response and resolution clocks reach both managers (B's own and the unscoped one): 2 x 2 each.
    assert first == {"sla_at_risk": 5, "sla_breached": 5}


def test_sweep_auto_closes_resolved_requests_after_the_grace_days(app, company):
    ids, employee, _, _ = company
    old = make(app, ids["A"], employee.id, "normal", at(1), 10, 60)
    recent = make(app, ids["A"], employee.id, "normal", at(18), 10, 60)
    with app.app_context():
        assert sweep(NOW)["auto-closed"] == 1
        assert db.session.get(ServiceRequest, old).status == "closed"
        assert db.session.get(ServiceRequest, recent).status == "resolved"
        note = db.session.scalar(sa.select(Notification).where(Notification.request_id == old))
        assert note.user_id == employee.id and note.event == "status_changed"


def test_waiting_time_moves_the_deadline(app, company):
    ids, employee, _, _ = company
    rid = make(app, ids["A"], employee.id, "normal", at(2), 10)
    with app.app_context():
        req = db.session.get(ServiceRequest, rid)
        assert req.resolution_due_at == at(2) + timedelta(minutes=2400)
        req.status, req.paused_at = "waiting", at(2, 11)
        sla.resume(req, at(2, 13))
        assert req.paused_minutes == 120 and req.paused_at is None
        assert req.resolution_due_at == at(2) + timedelta(minutes=2520)
        req.resolved_at = at(2, 15)
        sla.on_resolved(req)
        assert req.resolution_minutes == 300 - 120


def test_business_hours_deadline_skips_the_weekend(app, company):
    """Mon-Fri 09:00-18:00 in Almaty (UTC+5): urgent at Friday 17:30 is due Monday 09:30."""
    _, employee, _, _ = company
    with app.app_context():
        office = Office(code="C", name="Office C", geofence=box(69.59, 42.31, 69.60, 42.32))
        db.session.add(office)
        db.session.commit()
        office_id = office.id
    friday = datetime(2026, 11, 13, 12, 30, tzinfo=UTC)  # 17:30 in Almaty
    rid = make(app, office_id, employee.id, "urgent", friday)
    with app.app_context():
        req = db.session.get(ServiceRequest, rid)
        assert req.response_due_at == datetime(2026, 11, 16, 4, 30, tzinfo=UTC)  # Monday 09:30 Almaty
        assert req.resolution_due_at == datetime(2026, 11, 16, 7, 30, tzinfo=UTC)  # Monday 12:30 Almaty


class TestPolicies:
    def test_defaults_then_edit(self, client, company, auth):
        _, _, manager, _ = company
        admin = auth("administrator")
        items = client.get("/api/v1/sla-policies", headers=manager.headers).get_json()["items"]
        assert [(p["priority"], p["response_minutes"], p["resolution_minutes"]) for p in items] == [
            ("low", 960, 4800), ("normal", 480, 2400), ("high", 240, 960), ("urgent", 60, 240)]
        put = client.put("/api/v1/sla-policies/urgent", json={"response_minutes": 30, "resolution_minutes": 120},
                         headers=admin.headers)
        assert put.status_code == 200 and put.get_json()["response_minutes"] == 30
        override = client.put("/api/v1/sla-policies/high?category=FAC-AC",
                              json={"response_minutes": 120, "resolution_minutes": 480}, headers=admin.headers)
        assert override.get_json()["category"] == "FAC-AC"
        items = client.get("/api/v1/sla-policies", headers=manager.headers).get_json()["items"]
        assert items[3]["response_minutes"] == 30 and items[-1]["category"] == "FAC-AC"
        assert client.put("/api/v1/sla-policies/urgent", json={"response_minutes": 1, "resolution_minutes": 2},
                          headers=manager.headers).status_code == 403

    def test_category_override_applies_to_new_requests(self, app, client, company, auth):
        ids, employee, _, _ = company
        admin = auth("administrator")
        client.put("/api/v1/sla-policies/high?category=FAC-AC", json={"response_minutes": 120, "resolution_minutes": 480},
                   headers=admin.headers)
        rid = make(app, ids["A"], employee.id, "high", at(2))
        with app.app_context():
            assert db.session.get(ServiceRequest, rid).response_due_at == at(2, 12)

    @pytest.mark.parametrize("body, field", [
        ({"response_minutes": 0, "resolution_minutes": 10}, "response_minutes"),
        ({"response_minutes": -5, "resolution_minutes": 10}, "response_minutes"),
        ({"response_minutes": 60, "resolution_minutes": 30}, "resolution_minutes"),
        ({"response_minutes": "60", "resolution_minutes": 120}, "response_minutes"),
        ({"response_minutes": 60}, "resolution_minutes"),
    ])
    def test_bad_policies(self, client, company, auth, body, field):
        admin = auth("administrator")
        response = client.put("/api/v1/sla-policies/normal", json=body, headers=admin.headers)
        assert response.status_code == 422 and field in response.get_json()["error"]["details"]

    def test_unknown_priority_or_category(self, client, company, auth):
        admin = auth("administrator")
        body = {"response_minutes": 60, "resolution_minutes": 120}
        assert client.put("/api/v1/sla-policies/asap", json=body, headers=admin.headers).status_code == 404
        assert client.put("/api/v1/sla-policies/low?category=NOPE", json=body, headers=admin.headers).status_code == 404
