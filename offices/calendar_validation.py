"""Validation of an office's business hours and holidays as the API receives them."""
import re
from datetime import date

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")


def _minutes(value):
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def intervals_problems(label, intervals):
    """Messages for a list of ``["HH:MM", "HH:MM"]`` intervals; an end at or before the
    start is a night shift running into the next day, allowed only as the last one."""
    if not isinstance(intervals, list) or len(intervals) > 6:
        return [f"{label}: a list of at most 6 [start, end] intervals"]
    previous_end = -1
    for i, interval in enumerate(intervals):
        if (not isinstance(interval, list) or len(interval) != 2
                or not all(isinstance(t, str) and _TIME.match(t) for t in interval)):
            return [f"{label}: {interval!r} is not [\"HH:MM\", \"HH:MM\"]"]
        start, end = map(_minutes, interval)
        if start < previous_end:
            return [f"{label}: intervals overlap or are out of order"]
        if end <= start and i != len(intervals) - 1:
            return [f"{label}: only the last interval of a day may run past midnight"]
        previous_end = end
    return []


def business_hours_problems(hours):
    """Messages describing what is wrong with ``{mon: [["09:00", "18:00"], ...], ...}``."""
    if not isinstance(hours, dict):
        return ["must be an object mapping mon..sun to lists of [start, end]"]
    problems = []
    for day, intervals in hours.items():
        if day not in DAYS:
            problems.append(f"{day!r} is not a day (mon..sun)")
        else:
            problems.extend(intervals_problems(day, intervals))
    if not problems and not any(hours.values()):
        # No SLA clock can run in a week without open time: every deadline would be unfindable.
        problems.append("the office must be open at some time in the week")
    return problems


def special_hours_problems(special):
    """Messages for ``{"2026-03-07": [["09:00", "18:00"]], "2026-12-31": []}`` (date-specific hours)."""
    if not isinstance(special, dict) or len(special) > 400:
        return ["must be an object mapping at most 400 dates to lists of [start, end] ([] = closed)"]
    problems = []
    for day, intervals in special.items():
        problems.extend(holidays_problems([day]) or intervals_problems(day, intervals))
    return problems


def holidays_problems(holidays):
    if not isinstance(holidays, list) or len(holidays) > 400:
        return ["must be a list of at most 400 dates"]
    for value in holidays:
        try:
            date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else date.fromisoformat("x")
        except ValueError:
            return [f"{value!r} is not a date (YYYY-MM-DD)"]
    return []
