"""The request list's staff filters and sorts (API.md "Staff work"), through HTTP, as each role."""
from datetime import UTC, datetime, timedelta

import pytest

from service_app.database import utcnow
from service_app.extensions import db
from service_requests.models import ServiceRequest
from tests.support.api import assert_error
from tests.support.places import AST_POINT

LIST = "/api/v1/requests"


@pytest.fixture
def edit(app):
    """Set columns of requests by hand (times, status, assignee), as the clock or staff would have."""

    def do(request_id, **values):
        with app.app_context():
            req = db.session.get(ServiceRequest, request_id)
            for name, value in values.items():
                setattr(req, name, value)
            db.session.commit()

    return do


def ids(client, who, query=""):
    response = client.get(f"{LIST}?limit=100&{query}", headers=who.headers)
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def walk(client, who, query, limit=2):
    """Every page of the list, following next_cursor; returns the ids in order."""
    seen, cursor = [], None
    for _ in range(100):
        url = f"{LIST}?limit={limit}&{query}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(url, headers=who.headers)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            return seen
    raise AssertionError("the cursor never ended")


@pytest.fixture
def mix(submit, world, edit):
    """ALA/FAC normal, ALA/IT high, AST/FAC urgent, ALA/FAC low in progress."""
    r = {"ala_fac": submit()["id"], "ala_it": submit(category="IT-PC")["id"],
         "ast_fac": submit(location=AST_POINT)["id"], "ala_low": submit()["id"]}
    edit(r["ala_it"], priority="high")
    edit(r["ast_fac"], priority="urgent")
    edit(r["ala_low"], priority="low", status="in_progress")
    return r


def test_each_filter_in_its_single_and_repeated_form(client, world, mix):
    admin, w = world.admin, world
    assert set(ids(client, admin, f"office_id={w.ast}")) == {mix["ast_fac"]}
    assert set(ids(client, admin, f"office_id={w.ast}&office_id={w.ala}")) == set(mix.values())
    assert set(ids(client, admin, "category=IT-PC")) == {mix["ala_it"]}
    assert set(ids(client, admin, "category=it-pc&category=FAC-AC")) == set(mix.values())
    assert set(ids(client, admin, "priority=urgent")) == {mix["ast_fac"]}
    assert set(ids(client, admin, "priority=urgent&priority=high")) == {mix["ast_fac"], mix["ala_it"]}
    assert set(ids(client, admin, "status=in_progress")) == {mix["ala_low"]}
    assert set(ids(client, admin, "status=in_progress&status=new")) == set(mix.values())
    # Filters combine with AND.
    assert set(ids(client, admin, f"office_id={w.ala}&priority=low&priority=urgent")) == {mix["ala_low"]}


def test_assignee_me_none_and_ids_mix(client, world, mix, edit):
    edit(mix["ala_fac"], assignee_id=world.admin.id)
    edit(mix["ala_it"], assignee_id=world.manager_it.id)
    admin = world.admin
    assert set(ids(client, admin, "assignee_id=me")) == {mix["ala_fac"]}
    assert set(ids(client, admin, "assignee_id=none")) == {mix["ast_fac"], mix["ala_low"]}
    assert set(ids(client, admin, f"assignee_id={world.manager_it.id}")) == {mix["ala_it"]}
    assert set(ids(client, admin, f"assignee_id=me&assignee_id={world.manager_it.id}")) == {mix["ala_fac"],
                                                                                           mix["ala_it"]}
    assert set(ids(client, admin, "assignee_id=none&assignee_id=me")) == {mix["ala_fac"], mix["ast_fac"],
                                                                          mix["ala_low"]}
    # "me" is the caller: the IT manager's own assignment.
    assert set(ids(client, world.manager_it, "assignee_id=me")) == {mix["ala_it"]}


def test_updated_since(client, world, mix, edit):
    old = datetime(2026, 1, 1, tzinfo=UTC)
    for rid in mix.values():
        edit(rid, updated_at=old)
    edit(mix["ala_it"], updated_at=old + timedelta(days=2))
    assert ids(client, world.admin, "updated_since=2026-01-02T00:00:00Z") == [mix["ala_it"]]
    # At or after: the exact time counts.
    assert set(ids(client, world.admin, "updated_since=2026-01-01T00:00:00Z")) == set(mix.values())


def test_sla_breached_and_at_risk_with_hand_set_times(client, world, submit, edit):
    now = utcnow()
    past, soon, later = now - timedelta(hours=1), now + timedelta(hours=1), now + timedelta(days=3)
    r = {name: submit()["id"] for name in
         ("late_open", "flagged_resolved", "risky", "risky_response", "waiting_risky", "fresh", "response_late")}
    fresh = dict(response_due_at=later, resolution_due_at=later, response_risk_at=later, resolution_risk_at=later)
    for rid in r.values():
        edit(rid, **fresh)
    edit(r["late_open"], status="in_progress", resolution_due_at=past, resolution_risk_at=past - timedelta(hours=1))
    edit(r["flagged_resolved"], status="resolved", resolved_at=past, resolution_breached=True)
    edit(r["risky"], status="in_progress", resolution_risk_at=past, resolution_due_at=soon)
    edit(r["risky_response"], response_risk_at=past, response_due_at=soon)
    edit(r["waiting_risky"], status="waiting", paused_at=past, resolution_risk_at=past, resolution_due_at=past)
    edit(r["response_late"], response_risk_at=past - timedelta(hours=1), response_due_at=past)
    assert set(ids(client, world.admin, "sla=breached")) == {r["late_open"], r["flagged_resolved"],
                                                             r["response_late"]}
    assert set(ids(client, world.admin, "sla=at_risk")) == {r["risky"], r["risky_response"]}
    # A response clock that stopped (answered) no longer counts, at risk or late.
    edit(r["risky_response"], first_response_at=past)
    edit(r["response_late"], first_response_at=past, status="in_progress")
    assert r["risky_response"] not in ids(client, world.admin, "sla=at_risk")
    assert r["response_late"] not in ids(client, world.admin, "sla=breached")


def _expected_order(app, request_ids, sort):
    never = datetime.max.replace(tzinfo=UTC)
    with app.app_context():
        rows = db.session.query(ServiceRequest).filter(ServiceRequest.id.in_(request_ids)).all()

        def due(r):
            deadlines = []
            if r.status == "new" and r.first_response_at is None and r.response_due_at:
                deadlines.append(r.response_due_at)
            if r.status in ("new", "in_progress") and r.resolution_due_at:
                deadlines.append(r.resolution_due_at)
            return min(deadlines, default=never)

        if sort == "created":
            return [r.id for r in sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True)]
        if sort == "updated":
            return [r.id for r in sorted(rows, key=lambda r: (r.updated_at, r.id), reverse=True)]
        return [r.id for r in sorted(rows, key=lambda r: (due(r), r.id))]


@pytest.fixture
def ties(submit, edit):
    """Nine requests whose times tie in threes, and a few with no running deadline."""
    base = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    made = [submit()["id"] for _ in range(9)]
    for n, rid in enumerate(made):
        same = base + timedelta(hours=n // 3)
        edit(rid, created_at=same, updated_at=same + timedelta(days=1),
             response_due_at=same + timedelta(days=5), resolution_due_at=same + timedelta(days=6))
    edit(made[0], status="waiting", paused_at=base)       # paused: no running deadline, last
    edit(made[4], status="resolved", resolved_at=base)    # resolved: no running deadline, last
    edit(made[7], status="in_progress", first_response_at=base)  # only the resolution clock runs
    edit(made[8], response_due_at=base + timedelta(days=30))     # resolution due before response
    return made


@pytest.mark.parametrize("sort", ["created", "updated", "due"])
def test_each_sort_across_pages_never_skips_or_repeats(client, app, world, ties, sort):
    query = "" if sort == "created" else f"sort={sort}"
    expected = _expected_order(app, ties, sort)
    for limit in (1, 2, 4):
        assert walk(client, world.admin, query, limit) == expected, limit
    assert walk(client, world.admin, f"sort={sort}", 2) == expected


def test_sort_due_puts_requests_without_a_running_deadline_last(client, world, ties):
    order = walk(client, world.admin, "sort=due", 3)
    assert set(order[-2:]) == {ties[0], ties[4]}
    assert order[-2:] == sorted(order[-2:])


def test_a_cursor_from_another_sort_is_refused(client, world, ties):
    cursors = {}
    for sort in ("created", "updated", "due"):
        cursors[sort] = client.get(f"{LIST}?limit=2&sort={sort}", headers=world.admin.headers).get_json()["next_cursor"]
        assert cursors[sort]
    for mine in cursors:
        for theirs, cursor in cursors.items():
            response = client.get(f"{LIST}?limit=2&sort={mine}&cursor={cursor}", headers=world.admin.headers)
            if mine == theirs:
                assert response.status_code == 200
            else:
                error = assert_error(response, 400, "bad_request")
                assert "cursor" in error["details"], (mine, theirs)


def test_a_due_cursor_past_the_running_deadlines_keeps_working(client, world, ties):
    """The cursor of a page ending among the requests without a deadline (written as null)."""
    first = client.get(f"{LIST}?limit=8&sort=due", headers=world.admin.headers).get_json()
    rest = client.get(f"{LIST}?limit=8&sort=due&cursor={first['next_cursor']}", headers=world.admin.headers)
    assert rest.status_code == 200
    assert [i["id"] for i in rest.get_json()["items"]] == [ties[4]]


@pytest.mark.parametrize("query, field", [
    ("status=lost", "status"), ("status=new&status=lost", "status"), ("office_id=abc", "office_id"),
    ("office_id=0", "office_id"), ("assignee_id=someone", "assignee_id"), ("assignee_id=-1", "assignee_id"),
    ("assignee_id=me&assignee_id=1.5", "assignee_id"), ("priority=now", "priority"), ("category=a b", "category"),
    ("sla=late", "sla"), ("sort=title", "sort"), ("updated_since=yesterday", "updated_since"),
    ("updated_since=9999-01-01T00:00:00Z", "updated_since"),
])
def test_bad_values_are_validation_errors_by_field(client, world, query, field):
    for path in (LIST, "/api/v1/requests.csv"):
        error = assert_error(client.get(f"{path}?{query}", headers=world.admin.headers), 422, "validation_error")
        assert field in error["details"], (path, error)


def test_an_employees_filters_never_reach_others_requests(client, world, submit, edit):
    mine = submit()["id"]
    theirs = [submit(who=world.other_employee)["id"], submit(who=world.other_employee, category="IT-PC")["id"]]
    edit(theirs[0], assignee_id=world.employee.id)  # even one somehow assigned to the employee
    for query in ("", "assignee_id=none", f"assignee_id={world.employee.id}", "assignee_id=me",
                  f"office_id={world.ala}", "status=new&status=in_progress", "category=FAC-AC&category=IT-PC",
                  f"author_id={world.other_employee.id}", "sla=at_risk", "sla=breached", "sort=due", "sort=updated"):
        assert not set(ids(client, world.employee, query)) & set(theirs), query
    assert ids(client, world.employee, f"office_id={world.ala}&sort=due") == [mine]


def test_a_managers_assignee_filter_stays_in_scope(client, world, submit, edit):
    in_scope = submit(category="IT-PC")["id"]
    out_of_scope = [submit()["id"], submit(location=AST_POINT)["id"]]
    for rid in (in_scope, *out_of_scope):
        edit(rid, assignee_id=world.admin.id)
    assert ids(client, world.manager_it, f"assignee_id={world.admin.id}") == [in_scope]
    assert ids(client, world.admin, f"assignee_id={world.admin.id}&sort=due") != []


def test_the_due_order_reads_its_index(app):
    """The list's due key is the migrated index's expression, word for word, on this database."""
    import sqlalchemy as sa

    from service_requests.queries import order_by

    with app.app_context():
        stmt = sa.select(ServiceRequest.id).order_by(*order_by("due")).limit(5)
        sql = str(stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
        conn = db.session.connection()
        if db.engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            conn.exec_driver_sql("SET LOCAL enable_sort = off")
            plan = " ".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + sql))
        else:
            plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
        db.session.rollback()
    assert "ix_service_requests_due_id" in plan, plan
