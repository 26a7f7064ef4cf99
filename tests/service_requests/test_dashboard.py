"""The dashboard over HTTP, with hand-computed figures (the SLA report's requests, one more in
the previous window and one reopen), its drilldowns checked against the request list."""
from datetime import datetime, timezone
from urllib.parse import parse_qsl

import pytest

from offices.models import Department, Office
from service_app.extensions import db
from service_requests.models import RequestEvent
from service_requests.catalogue.models import Category
from tests.service_requests import test_sla_reports as sla

at, make = sla.at, sla.make
company, history = sla.company, sla.history  # the SLA report's fixtures

UTC = timezone.utc
PERIOD = "from=2026-11-01&to=2026-11-30"


@pytest.fixture
def dataset(app, company, history):
    ids, employee, _, _ = company
    earlier = make(app, ids["A"], employee.id, "normal", datetime(2026, 10, 15, 10, tzinfo=UTC), 60, 120)
    with app.app_context():  # r3 was resolved once, then reopened
        db.session.add(RequestEvent(request_id=history["r3"], event="status_changed",
                                    data={"from": "resolved", "to": "in_progress"}))
        db.session.commit()
    return {**history, "earlier": earlier}


def dashboard(client, who, query=PERIOD):
    response = client.get(f"/api/v1/reports/dashboard?{query}", headers=who.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def listed(client, who, drilldown):
    """Every request the list answers for a card's drilldown, page after page."""
    ids, cursor = [], None
    while True:
        query = dict(parse_qsl(drilldown))
        params = [(k, v) for k, v in parse_qsl(drilldown)] + [("limit", "100")] + ([("cursor", cursor)] if cursor else [])
        assert query  # a drilldown always filters
        page = client.get("/api/v1/requests", query_string=params, headers=who.headers)
        assert page.status_code == 200, page.get_json()
        body = page.get_json()
        ids += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            return sorted(ids)


def test_cards_trend_and_hotspots_match_hand_computed_figures(client, company, dataset):
    ids, _, manager, _ = company
    body = dashboard(client, manager)
    assert body["from"] == "2026-11-01" and body["to"] == "2026-11-30"
    assert body["previous"] == {"from": "2026-10-02", "to": "2026-10-31"}
    cards = {c["key"]: c for c in body["cards"]}
    assert [c["key"] for c in body["cards"]] == ["created", "resolved", "open_now", "response_met_pct",
                                                 "resolution_met_pct", "median_resolution_minutes", "avg_rating",
                                                 "reopened_pct"]
    figures = {k: (c["value"], c["previous"], c["delta"], c["better"]) for k, c in cards.items()}
    assert figures == {
        "created": (5, 1, 4, "down"),
        "resolved": (2, 1, 1, "up"),
        "open_now": (2, 0, 2, "down"),
        "response_met_pct": (50.0, 100.0, -50.0, "up"),
        "resolution_met_pct": (50.0, 100.0, -50.0, "up"),
        "median_resolution_minutes": (250.0, 120.0, 130.0, "down"),
        "avg_rating": (4.0, None, None, "up"),
        "reopened_pct": (20.0, 0.0, 20.0, "down"),
    }
    trend = {day["date"]: day for day in body["trend"]}
    assert len(body["trend"]) == 30 and body["trend"][0]["date"] == "2026-11-01"
    assert trend["2026-11-01"] == {"date": "2026-11-01", "created": 0, "resolved": 0, "response_met_pct": None,
                                   "resolution_met_pct": None, "avg_rating": None}
    assert trend["2026-11-02"] == {"date": "2026-11-02", "created": 1, "resolved": 1, "response_met_pct": 100.0,
                                   "resolution_met_pct": 100.0, "avg_rating": 5.0}
    assert trend["2026-11-03"] == {"date": "2026-11-03", "created": 1, "resolved": 1, "response_met_pct": 0.0,
                                   "resolution_met_pct": 100.0, "avg_rating": 3.0}
    assert (trend["2026-11-04"]["response_met_pct"], trend["2026-11-04"]["resolution_met_pct"]) == (100.0, 0.0)
    assert (trend["2026-11-05"]["response_met_pct"], trend["2026-11-05"]["resolution_met_pct"]) == (0.0, 0.0)
    assert trend["2026-11-06"]["created"] == 1 and trend["2026-11-06"]["response_met_pct"] is None
    assert sum(day["created"] for day in body["trend"]) == 5
    # Office A has three FAC-AC requests in the 30 days ending on the 30th; B has two.
    assert body["hotspots"] == [{"office": {"id": ids["A"], "name": "Office A"}, "room": None,
                                 "category": {"code": "FAC-AC", "name": "AC"}, "count": 3}]


def test_a_day_is_a_calendar_day_in_the_report_time_zone(app, client, company, dataset):
    ids, employee, manager, _ = company
    # 20:30 UTC on the 6th is 01:30 on the 7th in Almaty (UTC+5).
    make(app, ids["B"], employee.id, "normal", datetime(2026, 11, 6, 20, 30, tzinfo=UTC))
    trend = {day["date"]: day["created"] for day in dashboard(client, manager)["trend"]}
    assert trend["2026-11-06"] == 1 and trend["2026-11-07"] == 1


def test_drilldowns_list_what_the_cards_count(client, company, dataset):
    _, _, manager, _ = company
    cards = {c["key"]: c for c in dashboard(client, manager)["cards"]}
    r = dataset
    assert listed(client, manager, cards["created"]["drilldown"]) == sorted(r[k] for k in ("r1", "r2", "r3", "r4", "r5"))
    assert listed(client, manager, cards["resolved"]["drilldown"]) == sorted([r["r1"], r["r2"]])
    assert listed(client, manager, cards["open_now"]["drilldown"]) == sorted([r["r3"], r["r4"]])
    # The median is over the resolved requests' minutes: the same two.
    assert listed(client, manager, cards["median_resolution_minutes"]["drilldown"]) == sorted([r["r1"], r["r2"]])
    assert listed(client, manager, cards["avg_rating"]["drilldown"]) == sorted([r["r1"], r["r2"]])
    # A percentage lists its population: the requests whose target is decided (r5, cancelled
    # untouched, is not), of which 50 % met it.
    assert listed(client, manager, cards["response_met_pct"]["drilldown"]) == sorted(
        r[k] for k in ("r1", "r2", "r3", "r4"))
    assert listed(client, manager, cards["reopened_pct"]["drilldown"]) == sorted(
        r[k] for k in ("r1", "r2", "r3", "r4", "r5"))
    # The population splits into the met and the missed, as the card's share says.
    for key, target in (("response_met_pct", "response"), ("resolution_met_pct", "resolution")):
        base = cards[key]["drilldown"].replace(f"{target}=decided", f"{target}=")
        met, missed = (listed(client, manager, base.replace(f"{target}=", f"{target}={o}")) for o in ("met", "missed"))
        assert sorted(met + missed) == listed(client, manager, cards[key]["drilldown"])
        assert 100 * len(met) / (len(met) + len(missed)) == cards[key]["value"]


def test_sla_outcome_and_rated_filters_refuse_other_values(client, company):
    _, _, manager, _ = company
    for query in ("response=late", "resolution=1", "rated=perhaps"):
        bad = client.get(f"/api/v1/requests?{query}", headers=manager.headers)
        assert bad.status_code == 422, query
        assert query.split("=")[0] in bad.get_json()["error"]["details"]


def test_the_list_filters_resolved(client, company, dataset):
    _, _, manager, _ = company
    not_resolved = listed(client, manager, "resolved=false&created_from=2026-11-01T00:00:00%2B05:00")
    assert not_resolved == sorted(dataset[k] for k in ("r3", "r4", "r5"))
    bad = client.get("/api/v1/requests?resolved=maybe", headers=manager.headers)
    assert bad.status_code == 422 and "resolved" in bad.get_json()["error"]["details"]


def test_scope_roles_and_offices(client, auth, company, dataset):
    ids, employee, _, manager_b = company
    admin = auth("administrator")
    assert client.get(f"/api/v1/reports/dashboard?{PERIOD}", headers=employee.headers).status_code == 403
    assert {c["key"]: c["value"] for c in dashboard(client, admin)["cards"]}["created"] == 5
    scoped = dashboard(client, manager_b)
    cards = {c["key"]: c for c in scoped["cards"]}
    assert (cards["created"]["value"], cards["open_now"]["value"], cards["created"]["previous"]) == (2, 1, 0)
    assert scoped["hotspots"] == []
    only_a = {c["key"]: c for c in dashboard(client, admin, f"{PERIOD}&office_id={ids['A']}")["cards"]}
    assert only_a["created"]["value"] == 3 and f"office_id={ids['A']}" in only_a["created"]["drilldown"]
    assert listed(client, admin, only_a["created"]["drilldown"]) == sorted(dataset[k] for k in ("r1", "r2", "r3"))
    assert client.get(f"/api/v1/reports/dashboard?office_id={ids['A']}", headers=manager_b.headers).status_code == 404


@pytest.mark.parametrize("query, status", [
    ("from=2026-11-30&to=2026-11-01", 422), ("from=2025-01-01&to=2026-06-01", 422), ("from=someday", 422),
    ("office_id=999", 404), ("office_id=zero", 422),
])
def test_bad_dashboard_queries(client, company, query, status):
    _, _, manager, _ = company
    response = client.get(f"/api/v1/reports/dashboard?{query}", headers=manager.headers)
    assert response.status_code == status and "error" in response.get_json()


def test_hotspot_settings(make_app, auth):
    app = make_app(HOTSPOT_MIN=2, HOTSPOT_DAYS=3)
    client = app.test_client()
    with app.app_context():
        office = Office(code="H", name="Office H", geofence={"type": "Polygon", "coordinates": [
            [[76.9, 43.2], [76.92, 43.2], [76.92, 43.22], [76.9, 43.22], [76.9, 43.2]]]})
        db.session.add_all([office, Department(code="FAC", name="Facilities")])
        db.session.flush()
        db.session.add(Category(code="FAC-AC", name="AC", department_code="FAC"))
        db.session.commit()
        office_id = office.id
    manager = auth("manager")
    employee_id = manager.id
    for day in (27, 28, 29):  # the 27th is outside the 3 days ending on the 30th
        make(app, office_id, employee_id, "normal", at(day))
    body = dashboard(client, manager, PERIOD)
    assert [(h["office"]["id"], h["count"]) for h in body["hotspots"]] == [(office_id, 2)]
