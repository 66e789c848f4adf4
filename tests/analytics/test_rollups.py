"""Rollups change the speed of the dashboard, never a figure.

Thousands of letters from the city-scale generator (every status, three years, edges of months
included) are counted three ways: by a plain Python reference over every letter, by the queries
before any rollup, and after `fold` moved the settled letters into the rollups. All three agree
for every filter a leader can choose, on both databases.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics import rollup
from analytics.models import LetterRollup
from analytics.queries import LetterFilter, letter_figures, period, top_keywords
from engagement import demo
from engagement.models import Department
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from feedback.mailbox import demo_large
from feedback.mailbox.models import SETTLED_STATUSES, Category, Letter, LetterWord, Satisfaction

COUNT = 3000


@pytest.fixture
def city(db: Session) -> Session:
    demo.load_units(db)
    demo_large.load(db, count=COUNT)
    return db


def chosen(session: Session, f: LetterFilter) -> list[Letter]:
    """The letters a filter selects, checked one by one in Python."""
    return [
        x
        for x in session.scalars(select(Letter))
        if (f.since is None or x.submitted_at >= f.since)
        and (f.until is None or x.submitted_at < f.until)
        and (f.department_id is None or x.department_id == f.department_id)
        and (f.township_id is None or x.township_id == f.township_id)
        and (f.category is None or x.category == f.category)
    ]


def reference(session: Session, f: LetterFilter, now: datetime) -> dict[str, Any]:
    """The contract's figures computed the slow, obvious way over every letter."""
    letters = chosen(session, f)
    replied = [x for x in letters if x.first_replied_at is not None]
    rated = [x for x in letters if x.satisfaction is not None]
    good = (Satisfaction.satisfied, Satisfaction.basically_satisfied)
    hours = [x.reply_hours for x in replied]
    months = Counter(f"{x.number_day[:4]}-{x.number_day[4:6]}" for x in letters)
    return {
        "total": len(letters),
        "by_category": dict(Counter(x.category.value for x in letters)),
        "by_status": dict(Counter(x.status.value for x in letters)),
        "by_month": [{"month": m, "total": n} for m, n in sorted(months.items())],
        "reply_rate": len(replied) / len(letters) if letters else None,
        "on_time_rate": sum(bool(x.on_time) for x in replied) / len(replied) if replied else None,
        "satisfaction_rate": (
            sum(x.satisfaction in good for x in rated) / len(rated) if rated else None
        ),
        "median_reply_hours": round(statistics.median(hours), 2) if hours else None,
        "overdue": sum(x.is_overdue(now) for x in letters),
    }


def reference_words(session: Session, f: LetterFilter, limit: int) -> list[dict[str, Any]]:
    ids = {x.id for x in chosen(session, f)}
    counts: Counter[str] = Counter()
    for w in session.scalars(select(LetterWord)):
        if w.letter_id in ids:
            counts[w.word] += w.n
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [{"word": w, "count": n} for w, n in ranked]


def headline(figures: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "total",
        "by_category",
        "by_status",
        "by_month",
        "reply_rate",
        "on_time_rate",
        "satisfaction_rate",
        "median_reply_hours",
        "overdue",
    )
    return {k: figures[k] for k in keys}


def filters(session: Session) -> list[LetterFilter]:
    """Whole months, cut months, open ends, every single filter and a pair of them."""
    units = {d.slug: d.id for d in session.scalars(select(Department))}
    today = utcnow().astimezone(get_settings().tz).date()
    year_ago = period(today - timedelta(days=364), today)
    cut = period(date(today.year - 1, 3, 17), date(today.year - 1, 9, 3))
    months = period(date(today.year - 1, 1, 1), date(today.year - 1, 6, 30))
    return [
        LetterFilter(),
        LetterFilter(*year_ago),
        LetterFilter(*cut),
        LetterFilter(*months),
        LetterFilter(since=cut[0]),
        LetterFilter(*year_ago, department_id=units["housing"]),
        LetterFilter(*cut, township_id=units["xinhe"]),
        LetterFilter(*cut, category=Category.complaint),
        LetterFilter(*year_ago, department_id=units["housing"], category=Category.complaint),
        LetterFilter(*cut, township_id=units["xinhe"], category=Category.complaint),
        LetterFilter(
            *cut,
            department_id=units["housing"],
            township_id=units["xinhe"],
            category=Category.complaint,
        ),
    ]


def test_figures_are_the_same_live_rolled_up_and_by_reference(city: Session) -> None:
    now = utcnow()
    cases = filters(city)
    before = [letter_figures(city, f, now=now).as_contract() for f in cases]

    rolled = rollup.fold(city)

    settled = city.scalars(select(Letter).where(Letter.status.in_(SETTLED_STATUSES))).all()
    assert rolled == len(settled) > COUNT // 2
    assert all(x.rollup_batch is not None for x in settled)
    assert city.scalar(select(LetterRollup.n).limit(1)) is not None
    for f, figures in zip(cases, before, strict=True):
        after = letter_figures(city, f, now=now).as_contract()
        assert after == figures, f
        expected = reference(city, f, now)
        for key, value in headline(after).items():
            wanted = pytest.approx(expected[key]) if "rate" in key else expected[key]
            assert value == wanted, key


def test_top_words_are_the_same_live_rolled_up_and_by_reference(city: Session) -> None:
    cases = filters(city)
    before = [top_keywords(city, f, limit=15) for f in cases]
    rollup.fold(city)
    for f, words in zip(cases, before, strict=True):
        assert top_keywords(city, f, limit=15) == words == reference_words(city, f, 15), f


def test_a_second_fold_adds_nothing_and_new_settled_letters_are_added(city: Session) -> None:
    rollup.fold(city)
    f = LetterFilter()
    figures = letter_figures(city, f).as_contract()
    assert rollup.fold(city) == 0
    assert letter_figures(city, f).as_contract() == figures

    replied = city.scalars(select(Letter).where(Letter.status == "replied").limit(50)).all()
    for letter in replied:
        letter.status = SETTLED_STATUSES[0]
    city.flush()
    assert rollup.fold(city) == len(replied)
    after = letter_figures(city, f).as_contract()
    assert after["by_status"]["closed"] == figures["by_status"]["closed"] + len(replied)
    assert after["total"] == figures["total"]
    # Their words were counted on arrival: settling adds them to the unit's slices only.
    for g in filters(city):
        assert top_keywords(city, g, limit=15) == reference_words(city, g, 15), g


@pytest.mark.parametrize(
    ("start", "end", "months", "days"),
    [
        ("2026-03-01", "2026-04-30", ("202603", "202604"), ()),
        ("2026-03-17", "2026-04-30", ("202604", "202604"), (("20260317", "20260331"),)),
        ("2026-03-17", "2026-03-20", None, (("20260317", "20260320"),)),
        (
            "2025-12-30",
            "2026-02-02",
            ("202601", "202601"),
            (("20251230", "20251231"), ("20260201", "20260202")),
        ),
    ],
)
def test_a_period_is_whole_months_plus_loose_days(
    start: str, end: str, months: tuple[str, str] | None, days: tuple[tuple[str, str], ...]
) -> None:
    cut = rollup.pieces(*period(date.fromisoformat(start), date.fromisoformat(end)))
    assert cut.months == months
    assert cut.days == days


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31)),
    st.integers(min_value=0, max_value=12),
)
def test_the_bulk_deadline_is_the_calendar_deadline(start: datetime, days: int) -> None:
    from zoneinfo import ZoneInfo

    from engagement.workdays import WorkCalendar

    calendar = WorkCalendar(ZoneInfo("Asia/Shanghai"))
    aware = start.replace(tzinfo=ZoneInfo("UTC"))
    city = demo_large._City(None, None, get_settings(), calendar)  # type: ignore[arg-type]
    assert demo_large._deadline(city, aware, days) == calendar.add_working_days(aware, days)
