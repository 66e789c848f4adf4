"""Working-day arithmetic for statutory reply deadlines.

Deadlines are counted in the county's local time zone against the official Chinese
calendar (public holidays and make-up working days), with admin-entered overrides on
top. Years the ``chinesecalendar`` package does not cover fall back to Monday–Friday so
that a deadline far in the future still computes instead of failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import chinese_calendar

__all__ = ["MAX_SEARCH_DAYS", "WorkCalendar", "official_calendar_covers"]

MAX_SEARCH_DAYS = 3660
"""Longest run of non-working days tolerated before overrides are deemed misconfigured."""

_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=16384)
def _official_is_workday(day: date) -> bool:
    """Official status of ``day``; Monday–Friday where the library has no data for the year.

    Cached because deadlines for thousands of letters hit the same few hundred dates.
    """
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def official_calendar_covers(year: int) -> bool:
    """Whether the official calendar knows the year's holidays (else Monday–Friday count)."""
    try:
        chinese_calendar.is_workday(date(year, 7, 1))
    except NotImplementedError:
        return False
    return True


def _require_aware(value: datetime, name: str) -> None:
    """Reject naive datetimes: their local date, and hence the deadline, would be a guess."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {value!r}")


@dataclass(frozen=True)
class WorkCalendar:
    """Working-day calendar for one local time zone plus admin overrides.

    ``overrides`` maps a local date to ``True`` (working day) or ``False`` (holiday) and
    takes precedence over the official calendar and the weekday fallback. It is copied on
    construction so later edits to the caller's mapping cannot silently shift deadlines.
    """

    tz: ZoneInfo
    overrides: Mapping[date, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        normalised = {_as_date(day): bool(flag) for day, flag in self.overrides.items()}
        object.__setattr__(self, "overrides", MappingProxyType(normalised))

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` (a local date) is a working day."""
        day = _as_date(day)
        override = self.overrides.get(day)
        if override is not None:
            return override
        return _official_is_workday(day)

    def next_working_day(self, day: date) -> date:
        """First working day strictly after ``day``.

        Raises ValueError if none exists within ``MAX_SEARCH_DAYS``, which only happens when
        overrides declare an implausibly long holiday.
        """
        candidate = _as_date(day)
        for _ in range(MAX_SEARCH_DAYS):
            candidate += _ONE_DAY
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {MAX_SEARCH_DAYS} days after {day.isoformat()}")

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Deadline ``days`` working days after ``start``, at the same local time of day.

        A start on a non-working day counts from 00:00 local of the next working day, so a
        letter arriving on Saturday with one working day to answer is due at the end of
        Monday (Tuesday 00:00 local). Returns an aware datetime in UTC.
        """
        _require_aware(start, "start")
        if days < 0:
            raise ValueError(f"days must be >= 0, got {days}")
        local = start.astimezone(self.tz)
        day = local.date()
        if self.is_working_day(day):
            if days == 0:
                return local.astimezone(UTC)
            time_of_day = local.time()
        else:
            day = self.next_working_day(day)
            time_of_day = time(0)
        for _ in range(days):
            day = self.next_working_day(day)
        return datetime.combine(day, time_of_day, tzinfo=self.tz).astimezone(UTC)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days with local date in ``(start's date, end's date]``; 0 if end <= start.

        The inverse of :meth:`add_working_days` for starts on a working day, so elapsed
        working days and remaining time to a deadline are counted the same way.
        """
        _require_aware(start, "start")
        _require_aware(end, "end")
        if end <= start:
            return 0
        day = start.astimezone(self.tz).date()
        last = end.astimezone(self.tz).date()
        count = 0
        while day < last:
            day += _ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count


def _as_date(value: date) -> date:
    """Strip a datetime to its date so it cannot miss a ``date`` key (they never compare equal)."""
    if isinstance(value, datetime):
        return value.date()
    return value
