"""SLA and backlog reports for administrators and managers, within their scope.

Counts, percentages and averages are computed by the database with one
grouped query; medians and 90th percentiles use ``percentile_cont`` on
PostgreSQL, and on SQLite (no percentile function) are computed from the
per-group minute values, a narrow second query. Business minutes are stored
on each request when it is first answered and when it is resolved.
"""
import csv
import io
import statistics
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from offices.models import Department, Office
from service_app.database import utcnow
from service_app.errors import ApiError
from service_app.extensions import db
from service_app.users.models import User

from .access import scope_condition
from .models import OPEN_STATUSES, Category, ServiceRequest

R = ServiceRequest
COLUMNS = ["key", "label", "total", "open", "resolved", "response_met_pct", "resolution_met_pct",
           "median_response_minutes", "p90_response_minutes", "median_resolution_minutes",
           "p90_resolution_minutes", "response_breached", "resolution_breached", "rated", "avg_rating"]
GROUPS = {"office": R.office_id, "department": R.department_code, "category": R.category_code,
          "priority": R.priority, "assignee": R.assignee_id}
MAX_DAYS = 366


def _period(args):
    tz = ZoneInfo(current_app.config["REPORT_TIMEZONE"])
    today = datetime.now(tz).date()
    end = args.get("to") or today
    start = args.get("from") or end - timedelta(days=29)
    if start > end:
        raise ApiError(422, "validation_error", "from: must not be after to", {"from": ["after to"]})
    if (end - start).days + 1 > MAX_DAYS:
        raise ApiError(422, "validation_error", f"to: the period is longer than {MAX_DAYS} days",
                       {"to": [f"at most {MAX_DAYS} days"]})
    return start, end, datetime.combine(start, time(), tz), datetime.combine(end + timedelta(days=1), time(), tz)


def _scope(user, office_id):
    condition = scope_condition(user)
    if office_id is not None:
        if user.office_ids and office_id not in user.office_ids or db.session.get(Office, office_id) is None:
            raise ApiError(404, "not_found", "no such office in your scope")
        condition = sa.and_(condition, R.office_id == office_id)
    return condition


def _pct(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def _aggregates():
    responded = sa.or_(R.first_response_at.is_not(None), R.response_breached)
    resolved_or_late = sa.or_(R.resolved_at.is_not(None), R.resolution_breached)
    count_if = lambda cond: sa.func.sum(sa.case((cond, 1), else_=0))  # noqa: E731
    return [
        sa.func.count(R.id).label("total"),
        count_if(R.status.in_(OPEN_STATUSES)).label("open"),
        count_if(R.resolved_at.is_not(None)).label("resolved"),
        count_if(responded).label("response_decided"),
        count_if(sa.and_(R.first_response_at.is_not(None), sa.not_(R.response_breached))).label("response_met"),
        count_if(resolved_or_late).label("resolution_decided"),
        count_if(sa.and_(R.resolved_at.is_not(None), sa.not_(R.resolution_breached))).label("resolution_met"),
        count_if(R.response_breached).label("response_breached"),
        count_if(R.resolution_breached).label("resolution_breached"),
        sa.func.count(R.rating).label("rated"),
        sa.func.avg(R.rating).label("avg_rating"),
    ]


def _percentiles(key, condition):
    """``{group: (med_resp, p90_resp, med_res, p90_res)}`` and the same for all groups (key None)."""
    if db.engine.dialect.name == "postgresql":
        pct = lambda q, col: sa.func.percentile_cont(q).within_group(col)  # noqa: E731
        cols = [pct(0.5, R.response_minutes), pct(0.9, R.response_minutes),
                pct(0.5, R.resolution_minutes), pct(0.9, R.resolution_minutes)]
        out = {row[0]: tuple(row[1:]) for row in db.session.execute(
            sa.select(key, *cols).where(condition).group_by(key))}
        out[None, "all"] = tuple(db.session.execute(sa.select(*cols).where(condition)).one())
        return out
    values = {}
    for group, response, resolution in db.session.execute(
            sa.select(key, R.response_minutes, R.resolution_minutes).where(condition)):
        for bucket in (group, (None, "all")):
            entry = values.setdefault(bucket, ([], []))
            if response is not None:
                entry[0].append(response)
            if resolution is not None:
                entry[1].append(resolution)
    return {group: (*_quantiles(r), *_quantiles(s)) for group, (r, s) in values.items()}


def _quantiles(values):
    """Median and 90th percentile, interpolated like PostgreSQL's percentile_cont."""
    if not values:
        return None, None
    if len(values) == 1:
        return values[0], values[0]
    cuts = statistics.quantiles(values, n=10, method="inclusive")
    return statistics.median(values), cuts[8]


def _row(key, label, agg, quantiles):
    med_r, p90_r, med_s, p90_s = (round(q, 1) if q is not None else None for q in quantiles)
    return {"key": key, "label": label, "total": agg.total, "open": agg.open or 0, "resolved": agg.resolved or 0,
            "response_met_pct": _pct(agg.response_met or 0, agg.response_decided or 0),
            "resolution_met_pct": _pct(agg.resolution_met or 0, agg.resolution_decided or 0),
            "median_response_minutes": med_r, "p90_response_minutes": p90_r,
            "median_resolution_minutes": med_s, "p90_resolution_minutes": p90_s,
            "response_breached": agg.response_breached or 0, "resolution_breached": agg.resolution_breached or 0,
            "rated": agg.rated, "avg_rating": round(float(agg.avg_rating), 2) if agg.avg_rating is not None else None}


def _labels(group_by, keys, language):
    def pick(name):
        return name if isinstance(name, str) else name.get(language) or next(iter(name.values()))

    keys = [k for k in keys if k is not None]
    if group_by == "office":
        return {o.id: o.name for o in db.session.scalars(sa.select(Office).where(Office.id.in_(keys)))}
    if group_by == "department":
        return {d.code: pick(d.name) for d in db.session.scalars(sa.select(Department).where(Department.code.in_(keys)))}
    if group_by == "category":
        return {c.code: pick(c.name) for c in db.session.scalars(sa.select(Category).where(Category.code.in_(keys)))}
    if group_by == "assignee":
        return {u.id: u.full_name for u in db.session.scalars(sa.select(User).where(User.id.in_(keys)))}
    return {k: k for k in keys}


def sla_report(user, args):
    start, end, since, until = _period(args)
    group_by = args.get("group_by", "office")
    key = GROUPS[group_by]
    condition = sa.and_(_scope(user, args.get("office_id")), R.created_at >= since, R.created_at < until)
    grouped = db.session.execute(sa.select(key.label("key"), *_aggregates()).where(condition)
                                 .group_by(key)).all()
    totals = db.session.execute(sa.select(*_aggregates()).where(condition)).one()
    quantiles = _percentiles(key, condition)
    labels = _labels(group_by, [g.key for g in grouped], user.language)
    none_label = {"assignee": "unassigned", "department": "no department"}.get(group_by, "—")
    rows = [_row(g.key, labels.get(g.key, none_label) if g.key is not None else none_label, g,
                 quantiles.get(g.key, (None,) * 4)) for g in grouped]
    rows.sort(key=lambda r: (-r["total"], str(r["label"])))
    return {"from": start, "to": end, "group_by": group_by, "groups": rows,
            "totals": _row("total", "total", totals, quantiles.get((None, "all"), (None,) * 4))}


def to_csv(report):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in [*report["groups"], report["totals"]]:
        writer.writerow({k: "" if row[k] is None else row[k] for k in COLUMNS})
    # A name stored before text was checked may hold a lone surrogate, which
    # UTF-8 cannot encode: it becomes "?" rather than failing everyone's report.
    return out.getvalue().encode("utf-8", "replace").decode("utf-8")


BUCKETS = [("<1d", 1), ("1-3d", 3), ("3-7d", 7), (">7d", None)]


def backlog_report(user, args):
    """Open requests by status and age, with how many have breached a target."""
    now = utcnow()
    condition = sa.and_(_scope(user, args.get("office_id")), R.status.in_(OPEN_STATUSES))
    age_bucket = sa.case(*[(R.created_at > now - timedelta(days=days), label) for label, days in BUCKETS if days],
                         else_=">7d")
    breached = sa.func.sum(sa.case((sa.or_(R.response_breached, R.resolution_breached), 1), else_=0))
    rows = db.session.execute(sa.select(R.status, age_bucket.label("age"), sa.func.count(R.id), breached)
                              .where(condition).group_by(R.status, age_bucket)).all()
    statuses = {s: {"status": s, "total": 0, "breached": 0, "by_age": {label: 0 for label, _ in BUCKETS}}
                for s in OPEN_STATUSES}
    for status, age, count, late in rows:
        entry = statuses[status]
        entry["total"] += count
        entry["breached"] += late or 0
        entry["by_age"][age] += count
    totals = {"total": sum(e["total"] for e in statuses.values()),
              "breached": sum(e["breached"] for e in statuses.values()),
              "by_age": {label: sum(e["by_age"][label] for e in statuses.values()) for label, _ in BUCKETS}}
    return {"generated_at": now, "office_id": args.get("office_id"), "statuses": list(statuses.values()),
            "totals": totals}
