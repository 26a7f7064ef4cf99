"""The SLA report's figures equal PostgreSQL's own ``percentile_cont`` and grouped counts (the
report's former four-query form) on a random set of requests, by either of its ways: histograms
of the minutes, or percentile_cont over ROLLUP when the minutes take many distinct values."""
import random
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from offices.models import Department, Office
from service_app.extensions import db
from service_app.users.models import User
from service_requests.reports import reports
from service_requests.models import STATUSES, ServiceRequest
from service_requests.catalogue.models import Category
from tests.support.places import box

R = ServiceRequest


def former_report(user, args):
    """The report as four queries computed it: grouped counts, totals, percentile_cont grouped and overall."""
    _, _, since, until = reports._period(args)
    key = reports.GROUPS[args["group_by"]]
    condition = sa.and_(reports.scope_condition(user), R.created_at >= since, R.created_at < until)
    pct = lambda q, col: sa.func.percentile_cont(q).within_group(col)  # noqa: E731
    cols = [pct(0.5, R.response_minutes), pct(0.9, R.response_minutes),
            pct(0.5, R.resolution_minutes), pct(0.9, R.resolution_minutes)]
    grouped = db.session.execute(sa.select(key.label("key"), *reports._aggregates()).where(condition)
                                 .group_by(key)).all()
    totals = db.session.execute(sa.select(*reports._aggregates()).where(condition)).one()
    quantiles = {row[0]: tuple(row[1:]) for row in db.session.execute(
        sa.select(key, *cols).where(condition).group_by(key))}
    overall = tuple(db.session.execute(sa.select(*cols).where(condition)).one())
    rows = {g.key: reports._row(g.key, None, g, quantiles[g.key]) for g in grouped}
    return rows, reports._row("total", "total", totals, overall)


@pytest.mark.postgres_only
@pytest.mark.parametrize("seed, histograms", [(1, True), (2, True), (1, False), (2, False)])
def test_report_equals_percentile_cont(app, monkeypatch, seed, histograms):
    chosen = []
    monkeypatch.setattr(reports, "_few_distinct_minutes", lambda session: chosen.append(histograms) or histograms)
    rnd = random.Random(seed)
    start = datetime(2026, 3, 1, tzinfo=timezone.utc)
    with app.app_context():
        offices = [Office(code=f"O{i}", name=f"Office {i}", geofence=box(70 + i, 43, 70.01 + i, 43.01))
                   for i in range(4)]
        db.session.add_all([*offices, Department(code="FAC", name="Facilities")])
        db.session.flush()
        db.session.add(Category(code="FAC-AC", name="AC", department_code="FAC"))
        users = [User(login=f"u{i}", full_name=f"User {i}", role="manager", password_hash="x") for i in range(5)]
        db.session.add_all(users)
        db.session.flush()
        for n in range(600):
            created = start + timedelta(minutes=rnd.randrange(0, 60 * 24 * 90))
            resolved = rnd.random() < 0.5
            db.session.add(R(
                title=f"r{n}", category_code="FAC-AC", department_code=rnd.choice(["FAC", None]),
                priority=rnd.choice(["low", "normal", "high", "urgent"]), status=rnd.choice(STATUSES),
                office_id=rnd.choice(offices).id, routed_by="manual", author_id=users[0].id,
                assignee_id=rnd.choice([None, *[u.id for u in users]]), created_at=created, updated_at=created,
                first_response_at=created + timedelta(minutes=5) if rnd.random() < 0.7 else None,
                resolved_at=created + timedelta(hours=3) if resolved else None,
                response_breached=rnd.random() < 0.2, resolution_breached=rnd.random() < 0.2,
                rating=rnd.choice([None, 1, 2, 3, 4, 5]) if resolved else None,
                response_minutes=round(rnd.uniform(0, 600), 1) if rnd.random() < 0.7 else None,
                resolution_minutes=round(rnd.expovariate(1 / 900), 1) if resolved else None))
        db.session.commit()
        manager = users[0]
        for group_by in reports.GROUPS:
            args = {"from": date(2026, 3, 1), "to": date(2026, 5, 31), "group_by": group_by}
            new = reports.sla_report(manager, dict(args))
            db.session.rollback()
            rows, totals = former_report(manager, dict(args))
            assert new["totals"] == totals
            got = {g["key"]: {**g, "label": None} for g in new["groups"]}
            # The random requests share one category and have no room: one group each there.
            assert got == rows and (len(rows) > 1 or group_by in ("category", "room")), group_by
        assert chosen and set(chosen) == {histograms}
