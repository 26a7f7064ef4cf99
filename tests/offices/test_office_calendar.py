"""Unit tests of offices.calendar: business hours, holidays, overnight shifts, DST, SLA arithmetic."""
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from offices.calendar import BusinessCalendar, public_holiday_dates

ALMATY = ZoneInfo("Asia/Almaty")
BERLIN = ZoneInfo("Europe/Berlin")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_DAY = {day: [["00:00", "24:00"]] for day in DAYS}
LUNCH = {day: [["09:00", "13:00"], ["14:00", "18:00"]] for day in DAYS[:5]}


def almaty(*args) -> datetime:
    return datetime(*args, tzinfo=ALMATY)


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture
def office():
    return BusinessCalendar()


# Within a day, lunch, nights and weekends ----------------------------------------------

def test_within_one_day(office):
    assert office.add_business_minutes(almaty(2026, 6, 3, 10, 0), 60) == almaty(2026, 6, 3, 11, 0)
    assert office.business_minutes_between(almaty(2026, 6, 3, 10, 0), almaty(2026, 6, 3, 12, 30)) == 150


def test_result_is_utc_and_default_zone_is_almaty(office):
    due = office.add_business_minutes(almaty(2026, 6, 3, 10, 0), 30)
    assert due.tzinfo is UTC
    assert office.timezone == "Asia/Almaty"


def test_across_the_lunch_break():
    office = BusinessCalendar(business_hours=LUNCH)
    assert office.add_business_minutes(almaty(2026, 6, 3, 12, 30), 60) == almaty(2026, 6, 3, 14, 30)
    assert office.business_minutes_between(almaty(2026, 6, 3, 12, 0), almaty(2026, 6, 3, 15, 0)) == 120
    assert office.business_minutes_between(almaty(2026, 6, 3, 13, 0), almaty(2026, 6, 3, 14, 0)) == 0


def test_across_the_night_and_the_weekend(office):
    friday = almaty(2026, 6, 5, 17, 0)
    assert office.add_business_minutes(friday, 120) == almaty(2026, 6, 8, 10, 0)
    assert office.business_minutes_between(friday, almaty(2026, 6, 8, 10, 0)) == 120


def test_target_reached_at_closing_returns_the_closing_time(office):
    assert office.add_business_minutes(almaty(2026, 6, 3, 17, 0), 60) == almaty(2026, 6, 3, 18, 0)


def test_start_before_opening(office):
    assert office.add_business_minutes(almaty(2026, 6, 3, 7, 15), 30) == almaty(2026, 6, 3, 9, 30)


def test_start_after_closing(office):
    assert office.add_business_minutes(almaty(2026, 6, 3, 20, 0), 30) == almaty(2026, 6, 4, 9, 30)
    assert office.business_minutes_between(almaty(2026, 6, 3, 20, 0), almaty(2026, 6, 4, 9, 0)) == 0


def test_start_on_a_weekend(office):
    assert office.add_business_minutes(almaty(2026, 6, 6, 11, 0), 30) == almaty(2026, 6, 8, 9, 30)


def test_ten_working_days():
    office = BusinessCalendar(business_hours=LUNCH)  # 480 minutes a day
    assert office.add_business_minutes(almaty(2026, 6, 1, 9, 0), 4800) == almaty(2026, 6, 12, 18, 0)


def test_zero_minutes_returns_start_unchanged(office):
    saturday = almaty(2026, 6, 6, 11, 0)
    assert office.add_business_minutes(saturday, 0) is saturday


def test_end_before_start_counts_nothing(office):
    assert office.business_minutes_between(almaty(2026, 6, 4, 12, 0), almaty(2026, 6, 3, 12, 0)) == 0


@pytest.mark.parametrize("minutes", [-1, float("nan"), float("inf"), "60", None])
def test_bad_minutes_are_refused(office, minutes):
    with pytest.raises(ValueError, match="minutes"):
        office.add_business_minutes(almaty(2026, 6, 3, 10, 0), minutes)


# Holidays and special hours -------------------------------------------------------------

def test_kz_public_holiday_is_skipped(office):
    assert date(2026, 12, 16) in public_holiday_dates("KZ", 2026)
    tuesday = almaty(2026, 12, 15, 17, 0)
    assert office.add_business_minutes(tuesday, 120) == almaty(2026, 12, 17, 10, 0)
    assert office.business_minutes_between(almaty(2026, 12, 16, 0, 0), almaty(2026, 12, 17, 0, 0)) == 0


def test_public_holidays_none_ignores_kz_holidays():
    office = BusinessCalendar(public_holidays=None)
    assert office.add_business_minutes(almaty(2026, 12, 15, 17, 0), 120) == almaty(2026, 12, 16, 10, 0)


def test_another_country_can_be_chosen():
    office = BusinessCalendar("Europe/Berlin", public_holidays="DE")
    # 16 Dec is a working day in Germany; 25 Dec is not.
    assert office.add_business_minutes(berlin(2026, 12, 15, 17, 0), 120) == berlin(2026, 12, 16, 10, 0)
    assert office.business_minutes_between(berlin(2026, 12, 25), berlin(2026, 12, 26)) == 0


def test_office_extra_holiday():
    office = BusinessCalendar(holidays=["2026-06-08", date(2026, 6, 9)])
    assert office.add_business_minutes(almaty(2026, 6, 5, 17, 0), 120) == almaty(2026, 6, 10, 10, 0)


def test_special_working_saturday():
    office = BusinessCalendar(special_hours={"2026-06-06": [["10:00", "14:00"]]})
    assert office.add_business_minutes(almaty(2026, 6, 5, 17, 0), 120) == almaty(2026, 6, 6, 11, 0)
    assert office.business_minutes_between(almaty(2026, 6, 6), almaty(2026, 6, 7)) == 240


def test_special_hours_override_a_public_holiday():
    office = BusinessCalendar(special_hours={date(2026, 12, 16): [["09:00", "12:00"]]})
    assert office.add_business_minutes(almaty(2026, 12, 15, 17, 0), 120) == almaty(2026, 12, 16, 10, 0)


def test_special_closed_weekday():
    office = BusinessCalendar(special_hours={"2026-06-03": []})
    assert office.add_business_minutes(almaty(2026, 6, 2, 17, 0), 120) == almaty(2026, 6, 4, 10, 0)


# Overnight shifts -----------------------------------------------------------------------

NIGHTS = {"thu": [["22:00", "06:00"]], "fri": [["22:00", "06:00"]]}


def test_friday_night_shift_runs_into_saturday():
    office = BusinessCalendar(business_hours=NIGHTS)
    assert office.add_business_minutes(almaty(2026, 6, 5, 23, 0), 300) == almaty(2026, 6, 6, 4, 0)
    assert office.business_minutes_between(almaty(2026, 6, 6), almaty(2026, 6, 7)) == 360
    # Nothing opens on Saturday night, so the next shift is Thursday's.
    assert office.add_business_minutes(almaty(2026, 6, 6, 5, 0), 120) == almaty(2026, 6, 11, 23, 0)
    assert office.add_business_minutes(almaty(2026, 6, 6, 7, 0), 120) == almaty(2026, 6, 12, 0, 0)


def test_holiday_applies_to_the_day_a_shift_starts():
    office = BusinessCalendar(business_hours=NIGHTS, holidays=["2026-06-05"])
    # Thursday's shift into the holiday runs; the holiday's own shift does not.
    assert office.business_minutes_between(almaty(2026, 6, 5), almaty(2026, 6, 7)) == 360
    eve = BusinessCalendar(business_hours=NIGHTS, holidays=["2026-06-06"])
    assert eve.business_minutes_between(almaty(2026, 6, 5, 22), almaty(2026, 6, 6, 6)) == 480


def test_overnight_shift_overlapping_next_morning_counts_once():
    office = BusinessCalendar(business_hours={"mon": [["20:00", "08:00"]], "tue": [["06:00", "10:00"]]})
    spans = list(office.open_intervals(almaty(2026, 6, 1), almaty(2026, 6, 3)))
    assert spans == [(almaty(2026, 6, 1, 20, 0), almaty(2026, 6, 2, 10, 0))]
    assert office.business_minutes_between(almaty(2026, 6, 1), almaty(2026, 6, 3)) == 14 * 60


def test_equal_start_and_end_is_a_24_hour_shift():
    office = BusinessCalendar(business_hours={"wed": [["09:00", "09:00"]]})
    assert office.business_minutes_between(almaty(2026, 6, 1), almaty(2026, 6, 8)) == 1440


# Open intervals -------------------------------------------------------------------------

def test_open_intervals_are_clipped_ordered_utc(office):
    spans = list(office.open_intervals(almaty(2026, 6, 5, 12, 0), almaty(2026, 6, 8, 10, 0)))
    assert spans == [(almaty(2026, 6, 5, 12, 0), almaty(2026, 6, 5, 18, 0)),
                     (almaty(2026, 6, 8, 9, 0), almaty(2026, 6, 8, 10, 0))]
    assert all(s.tzinfo is UTC and e.tzinfo is UTC for s, e in spans)


def test_open_intervals_join_across_midnight():
    office = BusinessCalendar(business_hours=ALL_DAY, public_holidays=None)
    spans = list(office.open_intervals(almaty(2026, 6, 1, 12), almaty(2026, 6, 4, 12)))
    assert spans == [(almaty(2026, 6, 1, 12), almaty(2026, 6, 4, 12))]


def test_open_intervals_of_a_closed_calendar_is_empty():
    office = BusinessCalendar(business_hours={})
    assert list(office.open_intervals(almaty(2026, 1, 1), almaty(2027, 1, 1))) == []


# DST (Europe/Berlin) --------------------------------------------------------------------

@pytest.fixture
def berlin_all_day():
    return BusinessCalendar("Europe/Berlin", ALL_DAY, public_holidays=None)


def test_spring_forward_day_has_1380_minutes(berlin_all_day):
    assert berlin_all_day.business_minutes_between(berlin(2026, 3, 29), berlin(2026, 3, 30)) == 1380
    assert berlin_all_day.business_minutes_between(berlin(2026, 3, 28), berlin(2026, 3, 29)) == 1440


def test_fall_back_day_has_1500_minutes(berlin_all_day):
    assert berlin_all_day.business_minutes_between(berlin(2026, 10, 25), berlin(2026, 10, 26)) == 1500


def test_adding_across_the_spring_gap(berlin_all_day):
    due = berlin_all_day.add_business_minutes(berlin(2026, 3, 29, 1, 30), 60)
    assert due == berlin(2026, 3, 29, 3, 30)
    assert due.astimezone(BERLIN).utcoffset() == timedelta(hours=2)


def test_adding_across_the_fall_back(berlin_all_day):
    due = berlin_all_day.add_business_minutes(berlin(2026, 10, 25, 1, 30), 120)
    # The second 02:30 (CET). Compared in UTC: PEP 495 makes inter-zone equality with a
    # repeated wall time always false.
    assert due == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    local = due.astimezone(BERLIN)
    assert (local.hour, local.minute, local.fold) == (2, 30, 1)


def test_interval_covering_the_spring_gap():
    office = BusinessCalendar("Europe/Berlin", {"sun": [["01:00", "04:00"]]}, public_holidays=None)
    assert office.business_minutes_between(berlin(2026, 3, 29), berlin(2026, 3, 30)) == 120
    assert office.business_minutes_between(berlin(2026, 3, 22), berlin(2026, 3, 23)) == 180
    assert office.business_minutes_between(berlin(2026, 10, 25), berlin(2026, 10, 26)) == 240


def test_interval_edges_inside_the_spring_gap_snap_to_its_end():
    office = BusinessCalendar("Europe/Berlin", {"sun": [["02:30", "05:00"]]}, public_holidays=None)
    spans = list(office.open_intervals(berlin(2026, 3, 29), berlin(2026, 3, 30)))
    assert spans == [(berlin(2026, 3, 29, 3, 0), berlin(2026, 3, 29, 5, 0))]


def test_interval_inside_the_spring_gap_is_empty_that_day():
    office = BusinessCalendar("Europe/Berlin", {"sun": [["02:00", "03:00"]]}, public_holidays=None)
    assert office.business_minutes_between(berlin(2026, 3, 29), berlin(2026, 3, 30)) == 0
    assert office.add_business_minutes(berlin(2026, 3, 29), 30) == berlin(2026, 4, 5, 2, 30)


def test_ambiguous_edges_take_the_first_occurrence():
    office = BusinessCalendar("Europe/Berlin", {"sun": [["00:00", "02:30"], ["02:30", "04:00"]]},
                              public_holidays=None)
    assert office.business_minutes_between(berlin(2026, 10, 25), berlin(2026, 10, 26)) == 300
    spans = list(office.open_intervals(berlin(2026, 10, 25), berlin(2026, 10, 26)))
    assert spans == [(berlin(2026, 10, 25, 0, 0), berlin(2026, 10, 25, 4, 0))]
    single = BusinessCalendar("Europe/Berlin", {"sun": [["02:30", "03:30"]]}, public_holidays=None)
    assert single.business_minutes_between(berlin(2026, 10, 25), berlin(2026, 10, 26)) == 120


# Round trip -----------------------------------------------------------------------------

@pytest.mark.parametrize("calendar", [
    BusinessCalendar(),
    BusinessCalendar(business_hours=LUNCH, holidays=["2026-06-10"],
                     special_hours={"2026-06-13": [["10:00", "14:00"]], "2026-06-15": []}),
    BusinessCalendar(business_hours=NIGHTS | {"mon": [["09:00", "18:00"]]}),
    BusinessCalendar("Europe/Berlin", ALL_DAY | {"sun": [["01:00", "04:00"], ["22:00", "02:30"]]},
                     public_holidays="DE"),
], ids=["default", "lunch-special", "nights", "berlin-dst"])
def test_add_then_measure_round_trip(calendar):
    rng = random.Random(20260329)
    origin = datetime(2026, 1, 1, tzinfo=UTC)
    for _ in range(300):
        start = origin + timedelta(seconds=rng.randrange(365 * 86400), microseconds=rng.randrange(10**6))
        minutes = rng.choice([rng.randrange(0, 5000), round(rng.uniform(0, 20000), 3)])
        due = calendar.add_business_minutes(start, minutes)
        assert due >= start
        assert calendar.business_minutes_between(start, due) == pytest.approx(minutes, abs=1e-6)


def test_long_targets_terminate(office):
    due = office.add_business_minutes(almaty(2026, 1, 5, 9, 0), 100_000)
    assert office.business_minutes_between(almaty(2026, 1, 5, 9, 0), due) == 100_000


# Refusals -------------------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda c: c.add_business_minutes(datetime(2026, 6, 3, 10), 60),
    lambda c: c.business_minutes_between(datetime(2026, 6, 3, 10), almaty(2026, 6, 4)),
    lambda c: c.business_minutes_between(almaty(2026, 6, 3), datetime(2026, 6, 4)),
    lambda c: list(c.open_intervals(datetime(2026, 6, 3), datetime(2026, 6, 4))),
    lambda c: c.add_business_minutes("2026-06-03T10:00+05:00", 60),
])
def test_naive_or_non_datetimes_are_refused(office, call):
    with pytest.raises(ValueError, match="timezone-aware|must be a datetime"):
        call(office)


def test_calendar_without_hours_cannot_add():
    with pytest.raises(ValueError, match="the calendar has no business hours"):
        BusinessCalendar(business_hours={}).add_business_minutes(almaty(2026, 6, 3), 60)
    closed_days = BusinessCalendar(business_hours={"mon": []}, special_hours={"2026-06-03": []})
    with pytest.raises(ValueError, match="the calendar has no business hours"):
        closed_days.add_business_minutes(almaty(2026, 6, 3), 60)


def test_only_special_days_are_used_then_exhausted():
    office = BusinessCalendar(business_hours={}, special_hours={"2026-06-20": [["10:00", "12:00"]]})
    assert office.add_business_minutes(almaty(2026, 6, 1), 60) == almaty(2026, 6, 20, 11, 0)
    with pytest.raises(ValueError, match="the calendar has no business hours"):
        office.add_business_minutes(almaty(2026, 6, 1), 180)


@pytest.mark.parametrize("kwargs, message", [
    ({"timezone": "Asia/Nowhere"}, "timezone"),
    ({"timezone": ""}, "timezone"),
    ({"timezone": None}, "timezone"),
    ({"business_hours": {"monday": [["09:00", "18:00"]]}}, "mon..sun"),
    ({"business_hours": [["09:00", "18:00"]]}, "mon..sun"),
    ({"business_hours": {"mon": [["9:00", "18:00"]]}}, "business_hours.mon"),
    ({"business_hours": {"mon": [["09:00", "25:00"]]}}, "business_hours.mon"),
    ({"business_hours": {"mon": [["24:00", "06:00"]]}}, "24:00 only as an end"),
    ({"business_hours": {"mon": [["09:00", "12:00", "18:00"]]}}, "interval"),
    ({"business_hours": {"mon": "09:00-18:00"}}, "list"),
    ({"holidays": ["2026-13-01"]}, "holidays"),
    ({"holidays": "2026-06-01"}, "holidays"),
    ({"special_hours": {"June 6": [["10:00", "14:00"]]}}, "special_hours"),
    ({"special_hours": {"2026-06-06": [["10:00"]]}}, "special_hours.2026-06-06"),
    ({"public_holidays": "XX"}, "unknown country"),
])
def test_malformed_configuration_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**kwargs)


def test_public_holidays_are_cached_per_country_and_year():
    assert public_holiday_dates("KZ", 2026) is public_holiday_dates("KZ", 2026)
