from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engagement.workdays import MAX_SEARCH_DAYS, WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(tz=SHANGHAI)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def as_local(value: datetime) -> datetime:
    assert value.utcoffset() == timedelta(0)
    return value.astimezone(SHANGHAI)


# --- official calendar -------------------------------------------------------------------


@pytest.mark.parametrize("day", [date(2024, 10, d) for d in range(1, 8)])
def test_national_day_2024_is_holiday(day: date) -> None:
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize("day", [date(2024, 9, 29), date(2024, 10, 12)])
def test_national_day_2024_makeup_weekend_days_are_working(day: date) -> None:
    assert day.weekday() >= 5
    assert CAL.is_working_day(day)


@pytest.mark.parametrize(
    "day", [date(2025, 1, 28) + timedelta(days=i) for i in range(8)]
)  # 2025-01-28 .. 2025-02-04
def test_spring_festival_2025_is_holiday(day: date) -> None:
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize("day", [date(2025, 1, 26), date(2025, 2, 8)])
def test_spring_festival_2025_makeup_weekend_days_are_working(day: date) -> None:
    assert day.weekday() >= 5
    assert CAL.is_working_day(day)


def test_ordinary_weekend_is_not_working() -> None:
    assert not CAL.is_working_day(date(2025, 3, 15))
    assert not CAL.is_working_day(date(2025, 3, 16))
    assert CAL.is_working_day(date(2025, 3, 17))


def test_next_working_day_skips_holiday_and_is_strictly_after() -> None:
    assert CAL.next_working_day(date(2024, 9, 30)) == date(2024, 10, 8)
    assert CAL.next_working_day(date(2024, 10, 8)) == date(2024, 10, 9)
    assert CAL.next_working_day(date(2024, 10, 11)) == date(2024, 10, 12)


# --- deadlines ---------------------------------------------------------------------------


def test_letter_before_national_day_is_due_after_the_holiday() -> None:
    start = local(2024, 9, 30, 10, 0)
    due = CAL.add_working_days(start, 1)
    assert as_local(due) == local(2024, 10, 8, 10, 0)
    assert CAL.working_days_between(start, due) == 1


def test_result_is_utc() -> None:
    due = CAL.add_working_days(local(2025, 3, 14, 17, 0), 1)
    assert due.tzinfo is UTC
    assert due == datetime(2025, 3, 17, 9, 0, tzinfo=UTC)


def test_friday_afternoon_plus_one_is_monday_afternoon() -> None:
    due = CAL.add_working_days(local(2025, 3, 14, 17, 0), 1)
    assert as_local(due) == local(2025, 3, 17, 17, 0)


def test_saturday_arrival_plus_one_is_end_of_monday() -> None:
    due = CAL.add_working_days(local(2025, 3, 15, 14, 30), 1)
    assert as_local(due) == local(2025, 3, 18, 0, 0)


def test_zero_days_on_non_working_day_normalises_to_next_working_midnight() -> None:
    due = CAL.add_working_days(local(2024, 9, 28, 9, 0), 0)  # Saturday before make-up Sunday
    assert as_local(due) == local(2024, 9, 29, 0, 0)


def test_zero_days_on_working_day_is_start() -> None:
    start = local(2025, 3, 12, 8, 15, 30)
    assert CAL.add_working_days(start, 0) == start


def test_fifteen_working_days_across_national_day() -> None:
    due = CAL.add_working_days(local(2024, 9, 25, 9, 0), 15)
    # 26, 27, 29 (make-up Sunday), 30 Sep; 8-12 (incl. make-up Saturday), 14-18, 21 Oct
    assert as_local(due) == local(2024, 10, 21, 9, 0)
    assert CAL.working_days_between(local(2024, 9, 25, 9, 0), due) == 15


def test_local_time_kept_across_dst_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    cal = WorkCalendar(tz=berlin, overrides={date(2025, 3, 30): True})  # DST starts that Sunday
    start = datetime(2025, 3, 28, 9, 0, tzinfo=berlin)
    due = cal.add_working_days(start, 1)
    assert due == datetime(2025, 3, 30, 7, 0, tzinfo=UTC)
    assert due.astimezone(berlin) == datetime(2025, 3, 30, 9, 0, tzinfo=berlin)


def test_local_date_decides_not_utc_date() -> None:
    # 2024-09-30 18:00 UTC is already 2024-10-01 02:00 in Shanghai: a holiday.
    due = CAL.add_working_days(datetime(2024, 9, 30, 18, 0, tzinfo=UTC), 0)
    assert as_local(due) == local(2024, 10, 8, 0, 0)
    # 2024-09-30 01:00 UTC is 09:00 local on a working Monday.
    due = CAL.add_working_days(datetime(2024, 9, 30, 1, 0, tzinfo=UTC), 1)
    assert as_local(due) == local(2024, 10, 8, 9, 0)


def test_working_days_between_counts_end_date_not_start_date() -> None:
    start = local(2025, 3, 14, 17, 0)  # Friday
    assert CAL.working_days_between(start, local(2025, 3, 16, 23, 0)) == 0
    assert CAL.working_days_between(start, local(2025, 3, 17, 0, 0)) == 1
    assert CAL.working_days_between(start, local(2025, 3, 21, 12, 0)) == 5


def test_working_days_between_is_zero_when_end_not_after_start() -> None:
    start = local(2025, 3, 14, 17, 0)
    assert CAL.working_days_between(start, start) == 0
    assert CAL.working_days_between(start, local(2025, 3, 10, 9, 0)) == 0


# --- beyond the library's years ----------------------------------------------------------


@pytest.mark.parametrize("year", [2027, 2030])
def test_future_years_fall_back_to_monday_to_friday(year: int) -> None:
    first_monday = date(year, 3, 1)
    while first_monday.weekday() != 0:
        first_monday += timedelta(days=1)
    week = [first_monday + timedelta(days=i) for i in range(7)]
    assert [CAL.is_working_day(d) for d in week] == [True] * 5 + [False] * 2

    friday = datetime.combine(week[4], time(17, 0), tzinfo=SHANGHAI)
    due = CAL.add_working_days(friday, 1)
    assert as_local(due) == friday + timedelta(days=3)
    assert CAL.working_days_between(friday, due) == 1


def test_deadline_crossing_into_2027_computes() -> None:
    start = local(2026, 12, 30, 10, 0)  # Wednesday; 2026 is in the library, 2027 is not
    due = CAL.add_working_days(start, 3)
    # 31 Dec 2026 (Thu), 1 Jan 2027 (Fri, weekday fallback), 4 Jan 2027 (Mon)
    assert as_local(due) == local(2027, 1, 4, 10, 0)
    assert CAL.working_days_between(start, due) == 3


def test_long_deadline_far_in_future() -> None:
    due = CAL.add_working_days(local(2030, 6, 3, 9, 0), 260)  # 52 full Mon–Fri weeks
    assert as_local(due) == local(2031, 6, 2, 9, 0)


# --- overrides ---------------------------------------------------------------------------


def test_override_holiday_on_weekday_is_skipped() -> None:
    cal = WorkCalendar(tz=SHANGHAI, overrides={date(2025, 3, 12): False})
    assert not cal.is_working_day(date(2025, 3, 12))
    due = cal.add_working_days(local(2025, 3, 11, 10, 0), 1)
    assert as_local(due) == local(2025, 3, 13, 10, 0)
    assert CAL.add_working_days(local(2025, 3, 11, 10, 0), 1) == local(2025, 3, 12, 10, 0)


def test_override_working_saturday_counts() -> None:
    cal = WorkCalendar(tz=SHANGHAI, overrides={date(2025, 3, 15): True})
    assert cal.is_working_day(date(2025, 3, 15))
    start = local(2025, 3, 14, 17, 0)
    due = cal.add_working_days(start, 1)
    assert as_local(due) == local(2025, 3, 15, 17, 0)
    assert cal.working_days_between(start, local(2025, 3, 17, 9, 0)) == 2


def test_override_beats_official_calendar_both_ways() -> None:
    cal = WorkCalendar(
        tz=SHANGHAI,
        overrides={date(2024, 10, 8): False, date(2024, 10, 3): True},
    )
    assert cal.is_working_day(date(2024, 10, 3))
    assert not cal.is_working_day(date(2024, 10, 8))
    due = cal.add_working_days(local(2024, 9, 30, 10, 0), 2)
    assert as_local(due) == local(2024, 10, 9, 10, 0)


def test_override_applies_beyond_library_years() -> None:
    cal = WorkCalendar(tz=SHANGHAI, overrides={date(2027, 1, 1): False})
    due = cal.add_working_days(local(2026, 12, 31, 10, 0), 1)
    assert as_local(due) == local(2027, 1, 4, 10, 0)


def test_overrides_are_snapshotted() -> None:
    overrides = {date(2025, 3, 12): False}
    cal = WorkCalendar(tz=SHANGHAI, overrides=overrides)
    overrides[date(2025, 3, 12)] = True
    assert not cal.is_working_day(date(2025, 3, 12))


def test_endless_holiday_raises_instead_of_looping() -> None:
    first = date(2025, 1, 1)
    cal = WorkCalendar(
        tz=SHANGHAI,
        overrides={first + timedelta(days=i): False for i in range(MAX_SEARCH_DAYS + 10)},
    )
    with pytest.raises(ValueError):
        cal.next_working_day(first)
    with pytest.raises(ValueError):
        cal.add_working_days(local(2025, 1, 2, 9, 0), 1)


# --- input validation --------------------------------------------------------------------


def test_negative_days_rejected() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(local(2025, 3, 14, 17, 0), -1)


def test_naive_datetimes_rejected() -> None:
    naive = datetime(2025, 3, 14, 17, 0)
    aware = local(2025, 3, 14, 17, 0)
    with pytest.raises(ValueError):
        CAL.add_working_days(naive, 1)
    with pytest.raises(ValueError):
        CAL.working_days_between(naive, aware)
    with pytest.raises(ValueError):
        CAL.working_days_between(aware, naive)


# --- properties --------------------------------------------------------------------------

INPUT_ZONES = st.sampled_from([SHANGHAI, UTC, ZoneInfo("America/New_York")])
starts = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2030, 12, 31, 23, 59),
    timezones=INPUT_ZONES,
)
day_counts = st.integers(min_value=0, max_value=40)
calendars = st.one_of(
    st.just(CAL),
    st.just(WorkCalendar(tz=ZoneInfo("Europe/Berlin"))),
    st.dictionaries(
        st.dates(min_value=date(2020, 1, 1), max_value=date(2031, 3, 31)),
        st.booleans(),
        max_size=30,
    ).map(lambda o: WorkCalendar(tz=SHANGHAI, overrides=o)),
)


def _is_local_midnight(cal: WorkCalendar, value: datetime) -> bool:
    return value.astimezone(cal.tz).time() == time(0)


@settings(max_examples=200, deadline=None)
@given(cal=calendars, start=starts, n=day_counts)
def test_property_deadline_is_sane(cal: WorkCalendar, start: datetime, n: int) -> None:
    due = cal.add_working_days(start, n)
    assert due.utcoffset() == timedelta(0)
    assert due >= start
    due_local = due.astimezone(cal.tz)
    assert cal.is_working_day(due_local.date())
    start_local = start.astimezone(cal.tz)
    if cal.is_working_day(start_local.date()):
        assert due_local.time() == start_local.time()
        assert cal.working_days_between(start, due) == n
    else:
        assert _is_local_midnight(cal, due)
        assert cal.working_days_between(start, due) == n + 1


@settings(max_examples=200, deadline=None)
@given(cal=calendars, start=starts, n=st.integers(min_value=0, max_value=39))
def test_property_monotonic_in_days(cal: WorkCalendar, start: datetime, n: int) -> None:
    earlier = cal.add_working_days(start, n)
    later = cal.add_working_days(start, n + 1)
    assert later > earlier
    assert cal.working_days_between(earlier, later) == 1


@settings(max_examples=100, deadline=None)
@given(naive=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31)))
def test_property_naive_rejected(naive: datetime) -> None:
    aware = local(2025, 3, 14, 17, 0)
    with pytest.raises(ValueError):
        CAL.add_working_days(naive, 1)
    with pytest.raises(ValueError):
        CAL.working_days_between(naive, aware)
    with pytest.raises(ValueError):
        CAL.working_days_between(aware, naive)
