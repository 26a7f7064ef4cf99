"""SLA and backlog reports and the dashboard, for administrators and managers, within their scope.

The SLA report reads the period in two grouped passes (``_sla_figures``): the counts grouped
by the report's key and the response minutes, then the resolution minutes counted per group.
The totals are the groups' sums, and medians and 90th percentiles are read off these
histograms with ``percentile_cont``'s interpolation, on SQLite too (it has no percentile
function). On PostgreSQL, when the planner's statistics say the minutes take many distinct
values, the histograms would be long, and ``percentile_cont`` over ``ROLLUP(key)`` sorts
instead. Business minutes are stored on each request when it is first answered and when it
is resolved.

Reports read through ``reports_session()`` (``service_app.database``): the
primary database, or the read replica named by ``REPORTS_DATABASE_URL``.
"""
from datetime import datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql

from offices.models import Department, Office, Room
from service_app.database import reports_session, utcnow
from service_app.errors import ApiError
from service_app.users.models import User
from service_app.vocabulary import in_language

from service_requests.access import scope_condition
from .csvfile import Lines
from service_requests.models import OPEN_STATUSES, RequestEvent, ServiceRequest
from service_requests.catalogue.models import Category
from service_requests.queries import sla_outcome

R = ServiceRequest
COLUMNS = ["key", "label", "total", "open", "resolved", "response_met_pct", "resolution_met_pct",
           "median_response_minutes", "p90_response_minutes", "median_resolution_minutes",
           "p90_resolution_minutes", "response_breached", "resolution_breached", "merged", "rated", "avg_rating"]
GROUPS = {"office": R.office_id, "department": R.department_code, "category": R.category_code,
          "priority": R.priority, "assignee": R.assignee_id, "room": R.room_id}
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


def office_in_scope(user, office_id):
    """Whether a report for ``office_id`` is open to ``user`` (an empty office scope: every office)."""
    return not user.office_ids or office_id in user.office_ids


def _scope(session, user, office_id):
    condition = scope_condition(user)
    if office_id is not None:
        if not office_in_scope(user, office_id) or session.get(Office, office_id) is None:
            raise ApiError(404, "not_found", "no such office in your scope")
        condition = sa.and_(condition, R.office_id == office_id)
    return condition


def _tune(session):
    """Settings for this report's transaction on PostgreSQL (``SET LOCAL``: they end with it).

    JIT compilation, where the server has it, is turned on by the planner's estimate of a
    million rows and costs compile time a one-off aggregate does not win back; a histogram of
    many distinct minutes stays in memory rather than spilling its hash table to disk."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SET LOCAL work_mem = '64MB'"))
        session.execute(sa.text("SET LOCAL jit = off"))


def _pct(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def _count_if(cond):
    return sa.func.sum(sa.case((cond, 1), else_=0))


def _sla_counts():
    """What "met" means, counted once for the SLA report and the dashboard, and listed by the
    request list's ``response`` / ``resolution`` filters (``queries.sla_outcome``)."""
    return [
        _count_if(R.resolved_at.is_not(None)).label("resolved"),
        _count_if(sla_outcome("response", "decided")).label("response_decided"),
        _count_if(sla_outcome("response", "met")).label("response_met"),
        _count_if(sla_outcome("resolution", "decided")).label("resolution_decided"),
        _count_if(sla_outcome("resolution", "met")).label("resolution_met"),
        sa.func.count(R.rating).label("rated"),
    ]


def _aggregates():
    return [
        sa.func.count(R.id).label("total"),
        _count_if(R.status.in_(OPEN_STATUSES)).label("open"),
        *_sla_counts(),
        # A merged request (``duplicate``) counts as merged, never as breached (its clocks stopped).
        _count_if(sa.and_(R.response_breached, R.status != "duplicate")).label("response_breached"),
        _count_if(sa.and_(R.resolution_breached, R.status != "duplicate")).label("resolution_breached"),
        _count_if(R.status == "duplicate").label("merged"),
        sa.func.avg(R.rating).label("avg_rating"),
    ]


def percentile_cont(histogram, fraction):
    """PostgreSQL's ``percentile_cont(fraction)`` over the values a ``{value: count}`` histogram holds."""
    total = sum(histogram.values())
    if not total:
        return None
    position = fraction * (total - 1)
    low = int(position)
    high = low + 1 if position > low else low
    low_value = high_value = None
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if low_value is None and seen > low:
            low_value = value
        if seen > high:
            high_value = value
            break
    return low_value + (high_value - low_value) * (position - low)


def _merge(histograms):
    merged = {}
    for histogram in histograms:
        for value, count in histogram.items():
            merged[value] = merged.get(value, 0) + count
    return merged


def _quantile_pairs(histograms):
    """``(median, p90)`` of each histogram, in order, flattened."""
    return tuple(q for h in histograms for q in (percentile_cont(h, 0.5), percentile_cont(h, 0.9)))


def _row(key, label, agg, quantiles):
    med_r, p90_r, med_s, p90_s = (round(q, 1) if q is not None else None for q in quantiles)
    return {"key": key, "label": label, "total": agg.total, "open": agg.open or 0, "resolved": agg.resolved or 0,
            "response_met_pct": _pct(agg.response_met or 0, agg.response_decided or 0),
            "resolution_met_pct": _pct(agg.resolution_met or 0, agg.resolution_decided or 0),
            "median_response_minutes": med_r, "p90_response_minutes": p90_r,
            "median_resolution_minutes": med_s, "p90_resolution_minutes": p90_s,
            "response_breached": agg.response_breached or 0, "resolution_breached": agg.resolution_breached or 0,
            "merged": agg.merged or 0,
            "rated": agg.rated, "avg_rating": round(float(agg.avg_rating), 2) if agg.avg_rating is not None else None}


localized = in_language  # a name stored as one string or as {ru, kk, en}, in a language


def _labels(session, group_by, keys, language):
    keys = [k for k in keys if k is not None]
    if group_by == "office":
        return {o.id: o.name for o in session.scalars(sa.select(Office).where(Office.id.in_(keys)))}
    if group_by == "department":
        return {d.code: localized(d.name, language)
                for d in session.scalars(sa.select(Department).where(Department.code.in_(keys)))}
    if group_by == "category":
        return {c.code: localized(c.name, language)
                for c in session.scalars(sa.select(Category).where(Category.code.in_(keys)))}
    if group_by == "assignee":
        return {u.id: u.full_name for u in session.scalars(sa.select(User).where(User.id.in_(keys)))}
    if group_by == "room":  # the office's code too: rooms of different offices may share a code
        return {r.id: f"{r.office.code} {r.code} {localized(r.name, language)}"
                for r in session.scalars(sa.select(Room).where(Room.id.in_(keys)))}
    return {k: k for k in keys}


SUMMED = ("total", "open", "resolved", "response_decided", "response_met", "resolution_decided", "resolution_met",
          "response_breached", "resolution_breached", "merged", "rated", "rating_sum")


class _Sums:
    """A report row's counts summed over finer groups (an average is a sum over a count)."""

    def __init__(self, key):
        self.key = key
        for name in SUMMED:
            setattr(self, name, 0)

    def add(self, row):
        for name in SUMMED:
            setattr(self, name, getattr(self, name) + (getattr(row, name) or 0))

    @property
    def avg_rating(self):
        return self.rating_sum / self.rated if self.rated else None


def _sla_figures_by_histograms(session, key, condition):
    """``(group rows, totals row, quantiles)`` in two grouped passes, on either database.

    Medians and 90th percentiles are read from histograms of the minutes: business minutes
    are stored to a tenth of a minute, so a group holds far fewer distinct values than
    requests. The first pass groups the counts by the report's key *and* the response
    minutes, which gives the response histograms with the counts; the second counts the
    resolution minutes. Both are hash aggregates PostgreSQL runs in parallel workers,
    where ``percentile_cont`` would sort every value of every group, and again for the
    totals, in one process. The totals are the groups' sums; the quantiles read from the
    histograms are exactly percentile_cont's. Fast while the minutes take few distinct values
    (``_few_distinct_minutes``); with many, shipping the histograms costs more than sorting."""
    groups, response, resolution = {}, {}, {}
    counts = [column for column in _aggregates() if column.name != "avg_rating"]
    for row in session.execute(
            sa.select(key.label("key"), R.response_minutes.label("minutes"), *counts,
                      sa.func.sum(R.rating).label("rating_sum"))
            .where(condition).group_by(key, R.response_minutes)):
        groups.setdefault(row.key, _Sums(row.key)).add(row)
        if row.minutes is not None:
            response.setdefault(row.key, {})[row.minutes] = row.total
    for group, minutes, count in session.execute(
            sa.select(key, R.resolution_minutes, sa.func.count()).where(condition, R.resolution_minutes.is_not(None))
            .group_by(key, R.resolution_minutes)):
        resolution.setdefault(group, {})[minutes] = count
    totals = _Sums("total")
    for group in groups.values():
        totals.add(group)
    quantiles = {g: _quantile_pairs([response.get(g, {}), resolution.get(g, {})]) for g in groups}
    quantiles[None, "all"] = _quantile_pairs([_merge(response.values()), _merge(resolution.values())])
    return list(groups.values()), totals, quantiles


# Above this many distinct minute values (PostgreSQL's statistics) the histograms are
# larger than sorting is slow, and percentile_cont sorts instead.
HISTOGRAM_MAX_DISTINCT = 5000


def _few_distinct_minutes(session):
    """Whether the planner's statistics say both minutes columns hold few distinct values."""
    rows = session.execute(sa.text(
        "SELECT s.n_distinct, c.reltuples FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename "
        "WHERE s.schemaname = current_schema() AND s.tablename = 'service_requests' "
        "AND s.attname IN ('response_minutes', 'resolution_minutes')")).all()
    if len(rows) < 2:  # never analysed: a small or new table, either way is quick
        return True
    return all((n if n >= 0 else -n * max(tuples, 0)) <= HISTOGRAM_MAX_DISTINCT for n, tuples in rows)


def _median_p90(column):
    """``percentile_cont(ARRAY[0.5, 0.9])``: both quantiles from one sort of ``column`` (PostgreSQL)."""
    return sa.func.percentile_cont(postgresql.array([0.5, 0.9])).within_group(column)


def _sla_figures_sorted(session, key, condition):
    """PostgreSQL with many distinct minutes: the counts as one parallel grouped pass, and the
    medians and 90th percentiles of each group and of all by ``percentile_cont`` over
    ``ROLLUP(key)``, reading only the three columns it needs. The ``OFFSET 0`` keeps the
    planner from reading the whole period in key order through an office index (one random
    heap read per row); a sequential or created_at range scan and one sort are far cheaper."""
    counts = [column for column in _aggregates() if column.name != "avg_rating"]
    groups = {}
    for row in session.execute(sa.select(key.label("key"), *counts, sa.func.sum(R.rating).label("rating_sum"))
                               .where(condition).group_by(key)):
        groups.setdefault(row.key, _Sums(row.key)).add(row)
    totals = _Sums("total")
    for group in groups.values():
        totals.add(group)
    narrow = (sa.select(key.label("key"), R.response_minutes, R.resolution_minutes)
              .where(condition).offset(0).subquery())
    quantiles = {}
    for row in session.execute(
            sa.select(narrow.c.key, sa.func.grouping(narrow.c.key).label("is_total"),
                      _median_p90(narrow.c.response_minutes).label("response"),
                      _median_p90(narrow.c.resolution_minutes).label("resolution"))
            .group_by(sa.func.rollup(narrow.c.key))):
        quantiles[(None, "all") if row.is_total else row.key] = (*(row.response or (None, None)),
                                                                 *(row.resolution or (None, None)))
    return list(groups.values()), totals, quantiles


def _sla_figures(session, key, condition):
    """``(group rows, totals row, quantiles)``: by histograms on SQLite, and on PostgreSQL
    while the minutes take few distinct values; else by percentile_cont."""
    _tune(session)
    if session.get_bind().dialect.name == "postgresql" and not _few_distinct_minutes(session):
        return _sla_figures_sorted(session, key, condition)
    return _sla_figures_by_histograms(session, key, condition)


def sla_report(user, args):
    with reports_session() as session:
        return _sla_report(session, user, args)


def _sla_report(session, user, args):
    start, end, since, until = _period(args)
    group_by = args.get("group_by", "office")
    key = GROUPS[group_by]
    condition = sa.and_(_scope(session, user, args.get("office_id")), R.created_at >= since, R.created_at < until)
    grouped, totals, quantiles = _sla_figures(session, key, condition)
    labels = _labels(session, group_by, [g.key for g in grouped], user.language)
    none_label = {"assignee": "unassigned", "department": "no department", "room": "no room"}.get(group_by, "—")
    rows = [_row(g.key, labels.get(g.key, none_label) if g.key is not None else none_label, g,
                 quantiles.get(g.key, (None,) * 4)) for g in grouped]
    rows.sort(key=lambda r: (-r["total"], str(r["label"])))
    return {"from": start, "to": end, "group_by": group_by, "groups": rows,
            "totals": _row("total", "total", totals, quantiles.get((None, "all"), (None,) * 4))}


def to_csv(report):
    line = Lines()
    rows = [*report["groups"], report["totals"]]
    return line(COLUMNS) + "".join(line([row[k] for k in COLUMNS]) for row in rows)


BUCKETS = [("<1d", 1), ("1-3d", 3), ("3-7d", 7), (">7d", None)]


def backlog_report(user, args):
    """Open requests by status and age, with how many have breached a target."""
    with reports_session() as session:
        return _backlog_report(session, user, args)


def _backlog_report(session, user, args):
    now = utcnow()
    condition = sa.and_(_scope(session, user, args.get("office_id")), R.status.in_(OPEN_STATUSES))
    age_bucket = sa.case(*[(R.created_at > now - timedelta(days=days), label) for label, days in BUCKETS if days],
                         else_=">7d")
    breached = sa.func.sum(sa.case((sa.or_(R.response_breached, R.resolution_breached), 1), else_=0))
    rows = session.execute(sa.select(R.status, age_bucket.label("age"), sa.func.count(R.id), breached)
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


# --- the dashboard ---------------------------------------------------------
#
# Every figure but ``open_now`` counts the requests created in the period (or that day), as the
# SLA report does: ``resolved`` is how many of them are resolved now, ``avg_rating`` their ratings.
# On PostgreSQL it is five short passes, each over the created_at range (or the open requests):
# per-day counts grouped in the database, a histogram of resolution minutes per window, the open
# requests now and at the period's start, the reopened ones, and the hotspots.

CARDS = (("created", "down"), ("resolved", "up"), ("open_now", "down"), ("response_met_pct", "up"),
         ("resolution_met_pct", "up"), ("median_resolution_minutes", "down"), ("avg_rating", "up"),
         ("reopened_pct", "down"))
DAY_FIELDS = ("created", "resolved", "response_decided", "response_met", "resolution_decided", "resolution_met",
              "rated", "rating_sum")


def _day_aggregates():
    return [sa.func.count(R.id).label("created"), *_sla_counts(), sa.func.sum(R.rating).label("rating_sum")]


def _per_day(session, condition, tz, first, last):
    """``{local date: {field: count}}`` for the days ``first`` to ``last``.

    PostgreSQL puts each request in its day with ``width_bucket`` over the days' local midnights
    (a binary search; converting every timestamp to the local date costs twice the scan). SQLite
    (no time zones) groups by the stored instant and the dates are taken here."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        midnights = [datetime.combine(first + timedelta(days=n), time(), tz) for n in range((last - first).days + 2)]
        day = sa.func.width_bucket(R.created_at, sa.cast(
            sa.bindparam("midnights", midnights, type_=postgresql.ARRAY(sa.DateTime(timezone=True))),
            postgresql.ARRAY(sa.DateTime(timezone=True))))
    else:
        day = R.created_at
    out = {}
    for row in session.execute(sa.select(day.label("day"), *_day_aggregates()).where(condition).group_by(day)):
        date = first + timedelta(days=row.day - 1) if postgres else row.day.astimezone(tz).date()
        entry = out.setdefault(date, dict.fromkeys(DAY_FIELDS, 0))
        for field in DAY_FIELDS:
            entry[field] += getattr(row, field) or 0
    return out


def _sum_days(per_day, first, last):
    total = dict.fromkeys(DAY_FIELDS, 0)
    for date, entry in per_day.items():
        if first <= date <= last:
            for field in DAY_FIELDS:
                total[field] += entry[field]
    return total


def _avg_rating(entry):
    return round(entry["rating_sum"] / entry["rated"], 2) if entry["rated"] else None


def _reopened(session, condition, since):
    """How many requests of each window (``True``: the period) were reopened at least once."""
    current = (R.created_at >= since).label("current")
    reopen = sa.and_(RequestEvent.event == "status_changed", RequestEvent.data["from"].as_string() == "resolved",
                     RequestEvent.data["to"].as_string() == "in_progress")
    rows = session.execute(sa.select(current, sa.func.count(sa.distinct(R.id)))
                           .select_from(RequestEvent).join(R, R.id == RequestEvent.request_id)
                           .where(condition, reopen).group_by(current))
    return {bool(flag): count for flag, count in rows}


def _open_counts(session, scope, since):
    """Open requests now, and (approximately: a reopen erases the earlier resolution) at ``since``.

    Two counts, not one scan with an OR: each can use its index (status; created_at)."""
    count = sa.select(sa.func.count()).select_from(R)
    now = session.scalar(count.where(scope, R.status.in_(OPEN_STATUSES)))
    then = session.scalar(count.where(scope, R.created_at < since,
                                      sa.or_(R.resolved_at.is_(None), R.resolved_at >= since),
                                      sa.or_(R.closed_at.is_(None), R.closed_at >= since)))
    return now, then


def _hotspots(session, scope, end, until, tz, language):
    """Where requests pile up: a room with at least ``HOTSPOT_MIN`` requests of any category, and,
    among requests filed without a room, an office × category with as many, in the last ``HOTSPOT_DAYS``."""
    days, minimum = current_app.config["HOTSPOT_DAYS"], current_app.config["HOTSPOT_MIN"]
    hot_since = datetime.combine(end - timedelta(days=days - 1), time(), tz)
    count = sa.func.count(R.id)
    recent = sa.and_(scope, R.created_at >= hot_since, R.created_at < until)
    rows = session.execute(sa.select(R.office_id, R.category_code, count)
                           .where(recent, R.room_id.is_(None))
                           .group_by(R.office_id, R.category_code).having(count >= minimum)).all()
    room_rows = session.execute(sa.select(R.room_id, count).where(recent, R.room_id.is_not(None))
                                .group_by(R.room_id).having(count >= minimum)).all()
    rooms = {r.id: r for r in session.scalars(sa.select(Room).where(Room.id.in_([r[0] for r in room_rows])))}
    offices = _labels(session, "office", {r[0] for r in rows} | {r.office_id for r in rooms.values()}, language)
    categories = _labels(session, "category", {r[1] for r in rows}, language)
    spots = [{"office": {"id": office_id, "name": offices.get(office_id)}, "room": None,
              "category": {"code": code, "name": categories.get(code, code)}, "count": n}
             for office_id, code, n in rows]
    spots += [{"office": {"id": room.office_id, "name": offices.get(room.office_id)},
               "room": {"id": room.id, "code": room.code, "name": room.name}, "category": None, "count": n}
              for room, n in ((rooms[room_id], n) for room_id, n in room_rows)]
    spots.sort(key=lambda s: (-s["count"], s["office"]["id"], s["room"]["code"] if s["room"] else "",
                              s["category"]["code"] if s["category"] else ""))
    return spots


def _drilldown(**query):
    return urlencode({k: v for k, v in query.items() if v is not None}, doseq=True)


def _card(key, better, value, previous, drilldown):
    delta = round(value - previous, 2) if value is not None and previous is not None else None
    return {"key": key, "value": value, "previous": previous, "delta": delta, "better": better,
            "drilldown": drilldown}


def dashboard_report(user, args):
    with reports_session() as session:
        return _dashboard(session, user, args)


def _dashboard(session, user, args):
    start, end, since, until = _period(args)
    tz = ZoneInfo(current_app.config["REPORT_TIMEZONE"])
    length = (end - start).days + 1
    previous_start, previous_end = start - timedelta(days=length), start - timedelta(days=1)
    previous_since = datetime.combine(previous_start, time(), tz)
    office_id = args.get("office_id")
    scope = _scope(session, user, office_id)
    _tune(session)
    both = sa.and_(scope, R.created_at >= previous_since, R.created_at < until)

    per_day = _per_day(session, both, tz, previous_start, end)
    now, before = _sum_days(per_day, start, end), _sum_days(per_day, previous_start, previous_end)
    histograms = {True: {}, False: {}}
    current = (R.created_at >= since).label("current")
    for flag, minutes, n in session.execute(
            sa.select(current, R.resolution_minutes, sa.func.count()).where(both, R.resolution_minutes.is_not(None))
            .group_by(current, R.resolution_minutes)):
        histograms[bool(flag)][minutes] = n
    medians = {flag: percentile_cont(h, 0.5) for flag, h in histograms.items()}
    open_now, open_before = _open_counts(session, scope, since)
    reopened = _reopened(session, both, since)

    def figures(entry, flag):
        median = medians[flag]
        return {"created": entry["created"], "resolved": entry["resolved"],
                "response_met_pct": _pct(entry["response_met"], entry["response_decided"]),
                "resolution_met_pct": _pct(entry["resolution_met"], entry["resolution_decided"]),
                "median_resolution_minutes": round(median, 1) if median is not None else None,
                "avg_rating": _avg_rating(entry), "reopened_pct": _pct(reopened.get(flag, 0), entry["created"])}

    value, previous = figures(now, True), figures(before, False)
    value["open_now"], previous["open_now"] = open_now, open_before
    period = {"created_from": since.isoformat(), "created_to": until.isoformat(), "office_id": office_id}
    drilldowns = {
        "created": _drilldown(**period),
        "resolved": _drilldown(**period, resolved="true"),
        "open_now": _drilldown(status=list(OPEN_STATUSES), office_id=office_id),
        "response_met_pct": _drilldown(**period, response="decided"),
        "resolution_met_pct": _drilldown(**period, resolution="decided"),
        "median_resolution_minutes": _drilldown(**period, resolved="true"),
        "avg_rating": _drilldown(**period, rated="true"),
        "reopened_pct": _drilldown(**period),
    }
    trend = []
    for offset in range(length):
        date = start + timedelta(days=offset)
        entry = per_day.get(date, dict.fromkeys(DAY_FIELDS, 0))
        trend.append({"date": date, "created": entry["created"], "resolved": entry["resolved"],
                      "response_met_pct": _pct(entry["response_met"], entry["response_decided"]),
                      "resolution_met_pct": _pct(entry["resolution_met"], entry["resolution_decided"]),
                      "avg_rating": _avg_rating(entry)})
    return {"from": start, "to": end, "previous": {"from": previous_start, "to": previous_end},
            "cards": [_card(key, better, value[key], previous[key], drilldowns[key]) for key, better in CARDS],
            "trend": trend, "hotspots": _hotspots(session, scope, end, until, tz, user.language)}
