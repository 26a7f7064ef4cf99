"""Business calendars of offices, built once per office version and reused."""
from functools import lru_cache

from .calendar import BusinessCalendar


def calendar_for(office):
    """The business calendar of ``office`` (timezone, weekly hours, holidays, special days)."""
    return _cached(office.id, office.updated_at, office.timezone, _freeze(office.business_hours),
                   tuple(office.holidays or ()), _freeze(office.special_hours or {}))


def _freeze(mapping):
    return tuple(sorted((k, tuple(tuple(i) for i in v)) for k, v in (mapping or {}).items()))


@lru_cache(maxsize=512)
def _cached(office_id, version, timezone, hours, holidays, special):
    return BusinessCalendar(timezone=timezone, business_hours={k: [list(i) for i in v] for k, v in hours},
                            holidays=holidays, special_hours={k: [list(i) for i in v] for k, v in special})
