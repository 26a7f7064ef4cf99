"""The reports' schemas: the SLA report, the dashboard, the backlog."""

import functools

import marshmallow as ma

from service_app.api import Output, Schema
from service_app.fields import BoundedDate, Id, Text



from service_requests.schemas import RoomRefSchema

Measure = functools.partial(ma.fields.Float, allow_none=True)


class SlaReportCsvArgsSchema(Schema):
    from_ = BoundedDate(data_key="from", attribute="from")
    to = BoundedDate()
    group_by = Text(load_default="office",
                                validate=ma.validate.OneOf(["office", "department", "category", "priority", "assignee",
                                                            "room"]))
    office_id = Id()


class SlaReportArgsSchema(SlaReportCsvArgsSchema):
    # `csv` is still accepted from older clients, but the document leads to GET /reports/sla.csv,
    # so this operation has one answer type.
    format = Text(validate=ma.validate.OneOf(["json", "csv"]), metadata={
        "enum": ["json"], "description": "`json` (the default); the CSV report is GET /reports/sla.csv"})


class ReportRowSchema(Output):
    key = Text(allow_none=True, metadata={
        "description": "the group: an office, room or assignee id (as a string), a department or category code, "
                       "a priority; null for requests without a department, room or assignee; `total` in totals"})
    label = Text()
    total = ma.fields.Integer()
    open = ma.fields.Integer()
    resolved = ma.fields.Integer()
    response_met_pct = Measure()
    resolution_met_pct = Measure()
    median_response_minutes = Measure()
    p90_response_minutes = Measure()
    median_resolution_minutes = Measure()
    p90_resolution_minutes = Measure()
    response_breached = ma.fields.Integer()
    resolution_breached = ma.fields.Integer()
    merged = ma.fields.Integer(metadata={"description": "merged into another request (status duplicate): "
                                                        "neither met nor breached"})
    rated = ma.fields.Integer()
    avg_rating = Measure()


class SlaReportSchema(Output):
    from_ = ma.fields.Date(data_key="from", attribute="from")
    to = ma.fields.Date()
    group_by = Text()
    groups = ma.fields.List(ma.fields.Nested(ReportRowSchema))
    totals = ma.fields.Nested(ReportRowSchema)


class DashboardArgsSchema(Schema):
    from_ = BoundedDate(data_key="from", attribute="from")
    to = BoundedDate()
    office_id = Id()


class DashboardPeriodSchema(Output):
    from_ = ma.fields.Date(data_key="from", attribute="from")
    to = ma.fields.Date()


class CardSchema(Output):
    key = Text(metadata={"description": "created, resolved, open_now, response_met_pct, resolution_met_pct, "
                                        "median_resolution_minutes, avg_rating or reopened_pct"})
    value = Measure()
    previous = Measure(metadata={"description": "the same figure over the window of equal length just before "
                                                "(open_now: open at the period's start)"})
    delta = Measure(metadata={"description": "value - previous; null when either is null"})
    better = Text(metadata={"enum": ["up", "down"], "description": "which way of delta is good"})
    drilldown = Text(metadata={"description": "the query for GET /requests that lists what the card counts"})


class TrendDaySchema(Output):
    date = ma.fields.Date()
    created = ma.fields.Integer()
    resolved = ma.fields.Integer()
    response_met_pct = Measure()
    resolution_met_pct = Measure()
    avg_rating = Measure()


class HotspotOfficeSchema(Output):
    id = ma.fields.Integer()
    name = Text(allow_none=True)


class HotspotCategorySchema(Output):
    code = Text()
    name = Text()


class HotspotSchema(Output):
    office = ma.fields.Nested(HotspotOfficeSchema)
    # A room (its requests of every category; `category` null), or, for requests filed
    # without a room, an office × category (`room` null).
    room = ma.fields.Nested(RoomRefSchema, allow_none=True)
    category = ma.fields.Nested(HotspotCategorySchema, allow_none=True)
    count = ma.fields.Integer()


class DashboardSchema(Output):
    from_ = ma.fields.Date(data_key="from", attribute="from")
    to = ma.fields.Date()
    previous = ma.fields.Nested(DashboardPeriodSchema)
    cards = ma.fields.List(ma.fields.Nested(CardSchema))
    trend = ma.fields.List(ma.fields.Nested(TrendDaySchema))
    hotspots = ma.fields.List(ma.fields.Nested(HotspotSchema))


class BacklogArgsSchema(Schema):
    office_id = Id()


class BacklogStatusSchema(Output):
    status = Text()
    total = ma.fields.Integer()
    breached = ma.fields.Integer()
    by_age = ma.fields.Dict(keys=Text(), values=ma.fields.Integer(),
                            metadata={"example": {"<1d": 2, "1-3d": 1, "3-7d": 0, ">7d": 4}})


class BacklogTotalsSchema(Output):
    total = ma.fields.Integer()
    breached = ma.fields.Integer()
    by_age = ma.fields.Dict(keys=Text(), values=ma.fields.Integer())


class BacklogReportSchema(Output):
    generated_at = ma.fields.AwareDateTime()
    office_id = ma.fields.Integer(allow_none=True)
    statuses = ma.fields.List(ma.fields.Nested(BacklogStatusSchema))
    totals = ma.fields.Nested(BacklogTotalsSchema)
