"""Validation of an office's business hours and holidays as the API receives them."""
import re
from datetime import date

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")


def _minutes(value):
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def business_hours_problems(hours):
    """Messages describing what is wrong with ``{mon: [["09:00", "18:00"], ...], ...}``."""
    if not isinstance(hours, dict):
        return ["must be an object mapping mon..sun to lists of [start, end]"]
    problems = []
    for day, intervals in hours.items():
        if day not in DAYS:
            problems.append(f"{day!r} is not a day (mon..sun)")
            continue
        if not isinstance(intervals, list) or len(intervals) > 6:
            problems.append(f"{day}: a list of at most 6 [start, end] intervals")
            continue
        previous_end = -1
        for interval in intervals:
            if (not isinstance(interval, list) or len(interval) != 2
                    or not all(isinstance(t, str) and _TIME.match(t) for t in interval)):
                problems.append(f"{day}: {interval!r} is not [\"HH:MM\", \"HH:MM\"]")
                break
            start, end = map(_minutes, interval)
            if start >= end:
                problems.append(f"{day}: {interval[0]}-{interval[1]} ends before it starts "
                                "(split a night shift into two days)")
                break
            if start < previous_end:
                problems.append(f"{day}: intervals overlap or are out of order")
                break
            previous_end = end
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
