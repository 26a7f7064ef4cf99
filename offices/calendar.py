"""Business calendars of offices: when an office is open, and SLA arithmetic in business minutes.

Pure module (no Flask, no database). A :class:`BusinessCalendar` works in the office's
local time zone and answers in timezone-aware UTC datetimes; :func:`calendar_for` gives
an office's calendar, built once per office version. The grammar of hours and dates is
defined here only: the API validates a body by building a calendar from it (``hours.py``).

Conventions:

* An interval whose end is earlier than or equal to its start (``["22:00", "06:00"]``)
  is an overnight shift ending on the next calendar day; ``"24:00"`` is allowed as an end.
* Holidays and ``special_hours`` apply to the calendar date on which an interval STARTS:
  a night shift that starts on a holiday eve runs to its end even if the next day is a
  holiday, and a shift that would start on a holiday does not run at all.
* ``special_hours[date]`` replaces the weekly hours and public/office holidays of that date.
* DST: an ambiguous wall-clock time (fall-back) means its first occurrence (``fold=0``);
  a wall-clock time inside a spring-forward gap means the instant the gap ends (03:00 of
  the new offset). Both keep local-to-UTC conversion monotonic, so intervals never invert.
* Overlapping intervals (a night shift running into the next morning's hours) count once.
* Deadlines are searched at most :data:`MAX_SEARCH_DAYS` ahead. A target that a sparse
  calendar cannot meet within that horizon raises :class:`NoDeadline`, which carries the
  horizon; the API refuses such calendar and SLA combinations up front (422), and the SLA
  clock caps a deadline it still cannot find at the horizon, so no search ever walks the
  calendar towards year 9999.
"""
import math
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

from service_app.vocabulary import DEFAULT_TIMEZONE, HOLIDAY_COUNTRY

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_HOURS = {day: [["09:00", "18:00"]] for day in DAYS[:5]}
_TIME = re.compile(r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")
_DAY = timedelta(days=1)
_MICROSECOND = timedelta(microseconds=1)
# About ten years: the longest SLA target (525,600 business minutes) fits in an office
# open a few hours a day, and the walk stays a few milliseconds long.
MAX_SEARCH_DAYS = 3660
MAX_SEARCH_WEEKS = MAX_SEARCH_DAYS // 7
_DAY_CACHE_LIMIT = 4096

Span = tuple[datetime, datetime]


@lru_cache(maxsize=256)
def public_holiday_dates(country: str, year: int) -> frozenset[date]:
    """Public holidays of ``country`` (ISO code, e.g. "KZ") in ``year``; cached per pair."""
    try:
        return frozenset(holidays_lib.country_holidays(country, years=year))
    except NotImplementedError:
        raise ValueError(f"public holidays: unknown country code {country!r}") from None


def _parse_time(value, what: str, *, is_end: bool) -> int:
    if not isinstance(value, str) or not _TIME.match(value) or (value == "24:00" and not is_end):
        raise ValueError(f"{what}: {value!r} is not a time \"HH:MM\" (24:00 only as an end)")
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _parse_intervals(intervals, what: str) -> tuple[tuple[int, int], ...]:
    """Local minutes since the day's midnight, sorted, overlaps merged; ends may pass 1440."""
    if not isinstance(intervals, (list, tuple)):
        raise ValueError(f"{what}: expected a list of [start, end] intervals, got {intervals!r}")
    parsed = []
    for interval in intervals:
        if not isinstance(interval, (list, tuple)) or len(interval) != 2:
            raise ValueError(f"{what}: {interval!r} is not a [\"HH:MM\", \"HH:MM\"] interval")
        start = _parse_time(interval[0], what, is_end=False)
        end = _parse_time(interval[1], what, is_end=True)
        parsed.append((start, end if end > start else end + 1440))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(parsed):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _parse_date(value, what: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what}: {value!r} is not a date (YYYY-MM-DD)") from None


class NoDeadline(ValueError):  # noqa: N818 - reads as the answer it is
    """No deadline within :data:`MAX_SEARCH_DAYS` of the start; ``horizon`` is where the search stopped."""

    def __init__(self, message: str, horizon: datetime):
        super().__init__(message)
        self.horizon = horizon


def reach_problem(weekly_open_minutes: float, target_minutes: float) -> str | None:
    """Why a week of ``weekly_open_minutes`` cannot meet ``target_minutes`` within the search horizon.

    Arithmetic only (holidays ignored), so it is cheap enough to check every office when a
    policy changes; what holidays still push past the horizon is capped by the SLA clock.
    """
    if target_minutes <= weekly_open_minutes * MAX_SEARCH_WEEKS:
        return None
    return (f"open {weekly_open_minutes:g} minutes a week, a target of {target_minutes:g} business minutes "
            f"would end more than {MAX_SEARCH_DAYS} days later")


def _horizon(start: datetime) -> datetime:
    try:
        return start + timedelta(days=MAX_SEARCH_DAYS)
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC) - 2 * _DAY


def _require_aware(value, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (naive datetimes are ambiguous)")
    return value.astimezone(UTC)


class BusinessCalendar:
    """Open hours of one office; converts between instants and business minutes.

    Treat instances as immutable: they cache each day's open spans in UTC, so reuse one
    calendar per office (e.g. across a report). Typical calls over a few days cost tens of
    microseconds warm and well under a millisecond cold.
    """

    def __init__(self, timezone: str = DEFAULT_TIMEZONE, business_hours: dict | None = None,
                 holidays: Iterable[str | date] = (), special_hours: dict | None = None,
                 public_holidays: str | None = HOLIDAY_COUNTRY):
        try:
            self._tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):  # unknown zone, bad key, not a string
            raise ValueError(f"timezone: {timezone!r} is not an IANA time zone") from None
        self.timezone = timezone
        hours = DEFAULT_HOURS if business_hours is None else business_hours
        if not isinstance(hours, dict):
            raise ValueError("business_hours: must be an object mapping mon..sun to lists of [start, end]")
        for day in hours:
            if day not in DAYS:
                raise ValueError(f"business_hours: {day!r} is not a day (mon..sun)")
        self._weekly = tuple(_parse_intervals(hours.get(day, ()), f"business_hours.{day}")
                             for day in DAYS)
        if isinstance(holidays, (str, date)):
            raise ValueError("holidays: must be a list of dates")
        self._holidays = frozenset(_parse_date(value, "holidays") for value in holidays)
        if special_hours is not None and not isinstance(special_hours, dict):
            raise ValueError("special_hours: must map dates to lists of [start, end]")
        self._special = {
            _parse_date(key, "special_hours"): _parse_intervals(value, f"special_hours.{key}")
            for key, value in (special_hours or {}).items()
        }
        if public_holidays is not None:
            if not isinstance(public_holidays, str):
                raise ValueError("public_holidays must be a country code or None")
            public_holiday_dates(public_holidays, 2000)  # fail early on an unknown code
        self._country = public_holidays
        self._weekly_open = any(self._weekly)
        self.weekly_open_minutes = sum(end - start for day in self._weekly for start, end in day)
        self._last_special = max((d for d, spans in self._special.items() if spans), default=None)
        self._day_cache: dict[date, tuple[Span, ...]] = {}

    def open_intervals(self, start: datetime, end: datetime) -> Iterator[Span]:
        """Open periods overlapping [start, end), clipped, in order, as aware UTC datetimes.

        Adjacent periods (e.g. midnight in a 24-hour office) are joined into one.
        """
        start = _require_aware(start, "start")
        end = _require_aware(end, "end")
        pending = None
        for span_start, span_end in self._spans(start, until=end):
            if span_start >= end:
                break
            span_end = min(span_end, end)
            if pending and pending[1] == span_start:
                pending = (pending[0], span_end)
                continue
            if pending:
                yield pending
            pending = (span_start, span_end)
        if pending:
            yield pending

    def business_minutes_between(self, start: datetime, end: datetime) -> float:
        """Business minutes in [start, end); 0 when end <= start."""
        total = timedelta()
        for span_start, span_end in self.open_intervals(start, end):
            total += span_end - span_start
        return (total // _MICROSECOND) / 60_000_000

    def add_business_minutes(self, start: datetime, minutes: float) -> datetime:
        """The instant (aware UTC) when ``minutes`` business minutes after ``start`` have elapsed.

        Counting starts at the next opening when ``start`` is outside hours. A target that
        is reached exactly at a closing time returns that closing time, not the next
        opening. ``minutes == 0`` returns ``start`` itself. Precision is one microsecond.
        """
        start_utc = _require_aware(start, "start")
        if not isinstance(minutes, (int, float)) or not math.isfinite(minutes) or minutes < 0:
            raise ValueError(f"minutes must be a finite number >= 0, got {minutes!r}")
        if minutes == 0:
            return start
        if not self._weekly_open and self._last_special is None:
            raise NoDeadline("the calendar has no business hours", _horizon(start_utc))
        remaining = timedelta(microseconds=round(minutes * 60_000_000))
        for span_start, span_end in self._spans(start_utc):
            if remaining <= span_end - span_start:
                return span_start + remaining
            remaining -= span_end - span_start
        raise AssertionError("unreachable: _spans without a bound never ends")

    def _spans(self, start: datetime, until: datetime | None = None) -> Iterator[Span]:
        """Disjoint open spans from ``start`` on, in order; unbounded when ``until`` is None."""
        # The previous day is included because its overnight shift may still be running.
        day = start.astimezone(self._tz).date() - _DAY
        last_day = until.astimezone(self._tz).date() if until is not None else None
        covered = start
        horizon = _horizon(start)
        last_search_day = horizon.astimezone(self._tz).date()
        while True:
            if last_day is not None and day > last_day:
                return  # later intervals start after local midnight following ``until``
            found = False
            for span_start, span_end in self._day_spans(day):
                span_start = max(span_start, covered)
                if span_end > span_start:
                    found = True
                    yield span_start, span_end
                    covered = span_end
            if until is None:
                if not found and not self._weekly_open and (
                        self._last_special is None or day > self._last_special):
                    raise NoDeadline("the calendar has no business hours", horizon)
                if day >= last_search_day:
                    raise NoDeadline(f"the calendar has no business hours for this within {MAX_SEARCH_DAYS} days",
                                     horizon)
            day += _DAY

    def _day_spans(self, day: date) -> tuple[Span, ...]:
        """UTC spans of the intervals that start on local date ``day`` (cached)."""
        spans = self._day_cache.get(day)
        if spans is None:
            spans = tuple(
                (self._local_to_utc(day, start), self._local_to_utc(day, end))
                for start, end in self._local_intervals(day)
            )
            # A gap-swallowed interval (e.g. 02:00-03:00 on spring-forward day) is empty.
            spans = tuple(span for span in spans if span[1] > span[0])
            if len(self._day_cache) >= _DAY_CACHE_LIMIT:
                self._day_cache.clear()
            self._day_cache[day] = spans
        return spans

    def _local_intervals(self, day: date) -> tuple[tuple[int, int], ...]:
        special = self._special.get(day)
        if special is not None:
            return special
        if day in self._holidays:
            return ()
        if self._country and day in public_holiday_dates(self._country, day.year):
            return ()
        return self._weekly[day.weekday()]

    def _local_to_utc(self, day: date, minute: int) -> datetime:
        """UTC instant of local wall time ``day`` + ``minute``; fold=0, gap times → gap end."""
        wall = datetime(day.year, day.month, day.day) + timedelta(minutes=minute)
        local = wall.replace(tzinfo=self._tz)
        utc = local.astimezone(UTC)
        if utc.astimezone(self._tz).replace(tzinfo=None) == wall:
            return utc
        # ``wall`` falls in a spring-forward gap: with fold=1 it converts to an instant
        # before the transition, with fold=0 to one at or after it; bisect for the transition.
        before, after = local.replace(fold=1).astimezone(UTC), utc
        offset_after = after.astimezone(self._tz).utcoffset()
        while after - before > _MICROSECOND:
            middle = before + (after - before) // 2
            if middle.astimezone(self._tz).utcoffset() == offset_after:
                after = middle
            else:
                before = middle
        return after


def calendar_for(office) -> BusinessCalendar:
    """The business calendar of ``office`` (timezone, weekly hours, holidays, special days).

    Cached per office id and ``updated_at``, so a change to the office gives a new one.
    """
    return _cached_calendar(office.id, office.updated_at, office.timezone, _freeze(office.business_hours),
                            tuple(office.holidays or ()), _freeze(office.special_hours or {}))


def _freeze(mapping):
    return tuple(sorted((k, tuple(tuple(i) for i in v)) for k, v in (mapping or {}).items()))


@lru_cache(maxsize=512)
def _cached_calendar(office_id, version, timezone, hours, holidays, special):
    return BusinessCalendar(timezone=timezone, business_hours={k: [list(i) for i in v] for k, v in hours},
                            holidays=holidays, special_hours={k: [list(i) for i in v] for k, v in special})
