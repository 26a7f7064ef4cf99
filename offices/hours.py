"""Office hours as the API receives them: the calendar's grammar, then the API's own limits.

A body's ``timezone``, ``business_hours``, ``holidays`` and ``special_hours`` are valid
when a :class:`~offices.calendar.BusinessCalendar` can be built from them; its error,
minus the field name, becomes the 422. On top of that grammar the API keeps stored
calendars small and unambiguous: at most :data:`MAX_INTERVALS_A_DAY` intervals a day, in
order and not overlapping (the calendar would merge them silently), a night shift only
as a day's last interval, dates written exactly ``YYYY-MM-DD``, at most :data:`MAX_DATES`
of them, and a week with some open time (no SLA clock can run in a week without it).
"""
import re

from service_app.errors import invalid

from .calendar import BusinessCalendar

CALENDAR_FIELDS = ("timezone", "business_hours", "holidays", "special_hours")
MAX_INTERVALS_A_DAY = 6
MAX_DATES = 400
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def check_office_hours(data):
    """Raise a 422 naming the first bad calendar field of ``data``; normalise ``holidays``.

    Returns the calendar of the week given in ``data["business_hours"]`` (None without one),
    for the checks that depend on it (see ``reach_problem``).
    """
    week = None
    for field in CALENDAR_FIELDS:
        if field not in data:
            continue
        try:
            calendar = BusinessCalendar(**{field: data[field]}, public_holidays=None)
        except ValueError as exc:
            raise invalid(field, _without_field(str(exc), field)) from None
        problem = _LIMITS[field](data[field])
        if problem:
            raise invalid(field, problem)
        if field == "business_hours":
            week = calendar
    if "holidays" in data:
        data["holidays"] = sorted(set(data["holidays"]))
    return week


def _without_field(message, field):
    """``"business_hours.mon: ..."`` → ``"mon: ..."``; ``"holidays: ..."`` → ``"..."``."""
    for prefix in (f"{field}: ", f"{field}."):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


def _minutes(value):
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _intervals_problem(label, intervals):
    if len(intervals) > MAX_INTERVALS_A_DAY:
        return f"{label}: a list of at most {MAX_INTERVALS_A_DAY} [start, end] intervals"
    previous_end = -1
    for i, (start, end) in enumerate((_minutes(a), _minutes(b)) for a, b in intervals):
        if start < previous_end:
            return f"{label}: intervals overlap or are out of order"
        if end <= start and i != len(intervals) - 1:
            return f"{label}: only the last interval of a day may run past midnight"
        previous_end = end
    return None


def _dates_problem(dates):
    if len(dates) > MAX_DATES:
        return f"at most {MAX_DATES} dates"
    for value in dates:
        if not _ISO_DATE.match(value):
            return f"{value!r} is not a date (YYYY-MM-DD)"
    return None


def _business_hours_problem(hours):
    for day, intervals in hours.items():
        problem = _intervals_problem(day, intervals)
        if problem:
            return problem
    if not any(hours.values()):
        return "the office must be open at some time in the week"
    return None


def _special_hours_problem(special):
    problem = _dates_problem(list(special))
    for day, intervals in special.items():
        problem = problem or _intervals_problem(day, intervals)
    return problem


_LIMITS = {
    "timezone": lambda value: None,
    "business_hours": _business_hours_problem,
    "holidays": _dates_problem,
    "special_hours": _special_hours_problem,
}
