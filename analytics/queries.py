"""Letter figures aggregated in the database, exactly as contract §5 "Analytics" defines them.

Every number comes from GROUP BY queries over the letters of the period; nothing loads the
letters themselves. Rates are None when their divisor is 0, so a page shows "—", not 0%.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from operator import add
from typing import Any

from sqlalchemy import and_, case, func, literal, select, union_all
from sqlalchemy.orm import Session

from analytics.models import LetterRollup, WordRollup
from analytics.rollup import month_of, pieces, slice_mark, slice_name
from engagement import segment
from engagement.models import Department, table_of
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from feedback.mailbox.models import (
    OPEN_STATUSES,
    Category,
    Letter,
    LetterWord,
    Satisfaction,
    Status,
)

GOOD = (Satisfaction.satisfied, Satisfaction.basically_satisfied)
SHORT_PERIOD = timedelta(days=62)


@dataclass(frozen=True)
class LetterFilter:
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    department_id: int | None = None
    township_id: int | None = None
    category: Category | None = None

    def previous(self) -> LetterFilter | None:
        """The period of the same length just before this one, for the trend."""
        if self.since is None or self.until is None:
            return None
        length = self.until - self.since
        return replace(self, since=self.since - length, until=self.since)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=get_settings().tz)


def day_start_of(day: str, plus_days: int = 0) -> datetime:
    """The local midnight starting a "YYYYMMDD" day, or `plus_days` after it."""
    return day_start(date(int(day[:4]), int(day[4:6]), int(day[6:])) + timedelta(days=plus_days))


def period(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Local calendar days, `end` included."""
    return (
        _midnight(start, 0) if start else None,
        _midnight(end, 1) if end else None,
    )


def _midnight(day: date, plus_days: int) -> datetime:
    """The local midnight `plus_days` after `day`; past either end of the calendar (9999-12-31,
    or 0001-01-01 east of UTC) the calendar's own end, so that the database can compare it."""
    try:
        moment = day_start(day + timedelta(days=plus_days))
        moment.astimezone(UTC)
    except OverflowError:
        return (datetime.max if plus_days else datetime.min).replace(tzinfo=UTC)
    return moment


def where(stmt: Any, f: LetterFilter) -> Any:
    if f.since is not None:
        stmt = stmt.where(Letter.submitted_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(Letter.submitted_at < f.until)
    if f.department_id is not None:
        stmt = stmt.where(Letter.department_id == f.department_id)
    if f.township_id is not None:
        stmt = stmt.where(Letter.township_id == f.township_id)
    if f.category is not None:
        stmt = stmt.where(Letter.category == f.category)
    return stmt


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class UnitFigures:
    department: dict[str, str] | None
    total: int = 0
    replied: int = 0
    on_time: int = 0
    overdue: int = 0
    rated: int = 0
    satisfied: int = 0
    median_reply_hours: float | None = None

    @property
    def satisfaction_rate(self) -> float | None:
        return rate(self.satisfied, self.rated)

    @property
    def reply_rate(self) -> float | None:
        return rate(self.replied, self.total)

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.on_time, self.replied)

    def as_contract(self) -> dict[str, Any]:
        return {
            "department": self.department,
            "total": self.total,
            "replied": self.replied,
            "on_time": self.on_time,
            "overdue": self.overdue,
            "median_reply_hours": self.median_reply_hours,
            "satisfaction_rate": self.satisfaction_rate,
        }


@dataclass
class LetterFigures:
    total: int = 0
    replied: int = 0
    on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    overdue: int = 0
    closed: int = 0
    median_reply_hours: float | None = None
    by_category: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    by_month: list[dict[str, Any]] = field(default_factory=list)
    by_department: list[UnitFigures] = field(default_factory=list)
    by_township: list[UnitFigures] = field(default_factory=list)
    top_keywords: list[dict[str, Any]] = field(default_factory=list)
    month_category: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def reply_rate(self) -> float | None:
        return rate(self.replied, self.total)

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.on_time, self.replied)

    @property
    def satisfaction_rate(self) -> float | None:
        return rate(self.satisfied, self.rated)

    @property
    def resolution_rate(self) -> float | None:
        """Closed (resolved) letters among those received: what city hotlines report."""
        return rate(self.closed, self.total)

    def as_contract(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_category": self.by_category,
            "by_status": self.by_status,
            "by_month": self.by_month,
            "by_department": [u.as_contract() for u in self.by_department],
            "reply_rate": self.reply_rate,
            "on_time_rate": self.on_time_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "top_keywords": self.top_keywords,
            "median_reply_hours": self.median_reply_hours,
            "overdue": self.overdue,
        }


def letter_figures(
    session: Session,
    f: LetterFilter,
    *,
    now: datetime | None = None,
    keywords: int = 20,
    unit_medians: bool = True,
) -> LetterFigures:
    """The period's figures; without `unit_medians` the units' median hours stay None (a
    comparison with the previous period needs the overall figures only)."""
    now = now or utcnow()
    out = LetterFigures()
    units = {d.id: d for d in session.scalars(select(Department))}
    rows = grouped(session, f, now)
    # Counts summed as lists (n, replied, on_time, rated, satisfied, overdue, closed), then
    # set on the figures once: a period's rows number in the thousands, and adding attribute by
    # attribute on each took a quarter of the dashboard's server time.
    totals = [0] * len(COUNTS)
    per_dept: dict[int | None, list[int]] = {}
    per_town: dict[int | None, list[int]] = {}
    months: dict[str, int] = defaultdict(int)
    for department_id, township_id, category, status, month, *counts in rows:
        n = counts[0]
        totals = list(map(add, totals, counts))
        category, status = str(category), str(status)
        out.by_category[category] = out.by_category.get(category, 0) + n
        out.by_status[status] = out.by_status.get(status, 0) + n
        month = f"{month[:4]}-{month[4:6]}"
        months[month] += n
        cells = out.month_category.setdefault(month, {})
        cells[category] = cells.get(category, 0) + n
        for key, table in ((department_id or None, per_dept), (township_id or None, per_town)):
            table[key] = list(map(add, table[key], counts)) if key in table else counts
    _set_counts(out, totals)
    departments = {key: _unit_figures(units, key, c) for key, c in per_dept.items()}
    townships = {key: _unit_figures(units, key, c) for key, c in per_town.items()}
    out.by_month = [{"month": m, "total": n} for m, n in sorted(months.items())]
    replied_units = {
        key: unit.replied for key, unit in departments.items() if unit.replied and unit_medians
    }
    medians = _medians(session, f, out.replied, replied_units)
    out.median_reply_hours = medians.pop("all", None)
    for key, figures in departments.items():
        figures.median_reply_hours = medians.get(key)
    out.by_department = sorted(departments.values(), key=_busiest_first)
    out.by_township = sorted((u for k, u in townships.items() if k is not None), key=_busiest_first)
    out.top_keywords = top_keywords(session, f, limit=keywords)
    return out


def _busiest_first(unit: UnitFigures) -> tuple[int, str]:
    return -unit.total, (unit.department or {}).get("slug", "")


def _unit(d: Department | None) -> dict[str, str] | None:
    return {"slug": d.slug, "name": d.name} if d else None


# The counts of grouped()'s rows after its five keys, in order, and the figures they fill.
COUNTS = ("total", "replied", "on_time", "rated", "satisfied", "overdue", "closed")


def _set_counts(target: LetterFigures | UnitFigures, counts: list[int]) -> None:
    for name, value in zip(COUNTS, counts, strict=True):
        if hasattr(target, name):  # a unit has no "closed"
            setattr(target, name, int(value))


def _unit_figures(units: dict[int, Department], key: int | None, counts: list[int]) -> UnitFigures:
    figures = UnitFigures(_unit(units.get(key)) if key else None)
    _set_counts(figures, counts)
    return figures


def grouped(session: Session, f: LetterFilter, now: datetime) -> list[Any]:
    """The period's figures by unit, township, category, status and month, in one statement.

    Settled letters come from the rollups, the others live from the letters; one statement, so
    a rollup run committing meanwhile cannot make a letter count twice or not at all.
    """
    rolled = table_of(LetterRollup)
    grain_month = case((rolled.c.grain == "m", rolled.c.period), else_=month_of(rolled.c.period))
    from_rollup = select(
        rolled.c.department_id,
        rolled.c.township_id,
        rolled.c.category,
        rolled.c.status,
        grain_month.label("month"),
        rolled.c.n,
        rolled.c.replied,
        rolled.c.on_time,
        rolled.c.rated,
        rolled.c.satisfied,
        literal(0).label("overdue"),
        case((rolled.c.status == Status.closed.value, rolled.c.n), else_=0).label("closed"),
    ).where(pieces(f.since, f.until).condition(rolled.c.grain, rolled.c.period))
    if f.department_id is not None:
        from_rollup = from_rollup.where(rolled.c.department_id == f.department_id)
    if f.township_id is not None:
        from_rollup = from_rollup.where(rolled.c.township_id == f.township_id)
    if f.category is not None:
        from_rollup = from_rollup.where(rolled.c.category == f.category.value)

    open_ = Letter.status.in_(OPEN_STATUSES)
    late = case((Letter.status == "submitted", Letter.assign_due_at), else_=Letter.reply_due_at)
    month = month_of(Letter.number_day)
    keys = (
        func.coalesce(Letter.department_id, 0),
        func.coalesce(Letter.township_id, 0),
        Letter.category,
        Letter.status,
        month,
    )
    live = select(
        *keys,
        func.count(),
        func.count(Letter.first_replied_at),
        func.sum(case((Letter.on_time.is_(True), 1), else_=0)),
        func.count(Letter.satisfaction),
        func.sum(case((Letter.satisfaction.in_(GOOD), 1), else_=0)),
        func.sum(case((and_(open_, late < now), 1), else_=0)),
        func.sum(case((Letter.status == "closed", 1), else_=0)),
    ).where(Letter.rollup_batch.is_(None))
    live = where(live, f).group_by(*keys)
    return list(session.execute(union_all(from_rollup, live)))


def _medians(
    session: Session, f: LetterFilter, replied: int, units: dict[int | None, int]
) -> dict[Any, float]:
    """Exact median hours to the first reply, overall ("all") and for each unit.

    `replied` and `units` (unit -> replied letters) come from the figures' own statement, so
    each median only steps an index in reply-hour order to the middle (LIMIT 2 OFFSET half)
    instead of reading every value. On SQLite the request reads one snapshot throughout; on
    PostgreSQL a reply committed between the two statements could shift a median by one
    letter for that one answer.
    """
    out: dict[Any, float] = {}
    overall = _median(session, f, replied)
    if overall is not None:
        out["all"] = overall
    for unit, count in units.items():
        g = replace(f, department_id=unit)
        value = _median(session, g, count, unit_is_null=unit is None)
        if value is not None:
            out[unit] = value
    return out


def _median(
    session: Session, f: LetterFilter, count: int, *, unit_is_null: bool = False
) -> float | None:
    if count <= 0:
        return None
    long = f.since is None or f.until is None or f.until - f.since > SHORT_PERIOD
    stmt = select(Letter.reply_hours).where(Letter.reply_hours.is_not(None))
    if long:
        # Over months, stepping the covering index in reply-hour order to the middle is far
        # cheaper than reading the period by date and sorting it, which the planner would
        # choose; an expression of the date keeps it off the date index.
        at = func.coalesce(Letter.submitted_at, Letter.submitted_at)
        if f.since is not None:
            stmt = stmt.where(at >= f.since)
        if f.until is not None:
            stmt = stmt.where(at < f.until)
        f = replace(f, since=None, until=None)
    stmt = where(stmt, f)
    if unit_is_null:
        stmt = stmt.where(Letter.department_id.is_(None))
    middle = (count - 1) // 2
    values = list(session.scalars(stmt.order_by(Letter.reply_hours).limit(2).offset(middle)))
    if not values:
        return None
    value = values[0] if count % 2 or len(values) == 1 else (values[0] + values[1]) / 2
    return round(value, 2)


# --- words ------------------------------------------------------------------------------------


def _word_rows(f: LetterFilter, words: list[str] | None) -> Any:
    """(word, n) rows of the period's letters: rollup slices where one fits, letters otherwise."""
    filters = [
        (dim, value)
        for dim, value in (
            ("department", f.department_id),
            ("township", f.township_id),
            ("category", f.category.value if f.category else None),
        )
        if value is not None
    ]
    sources = []
    cut = pieces(f.since, f.until)
    letter_rows = select(LetterWord.word, LetterWord.n).join(
        Letter, Letter.id == LetterWord.letter_id
    )
    if words is not None:
        letter_rows = letter_rows.where(LetterWord.word.in_(words))
    if len(filters) > 2:
        return where(letter_rows, f)  # selective enough to count from the letters
    dims = tuple(dim for dim, _ in filters)
    mark = slice_mark(dims)
    dim, value = slice_name(dims), "|".join(str(v) for _, v in filters)
    rolled = table_of(WordRollup)
    slice_rows = select(rolled.c.word, rolled.c.n).where(
        rolled.c.dim == dim, rolled.c.key == str(value)
    )
    if dim == "all":
        slice_rows = slice_rows.where(cut.condition(rolled.c.grain, rolled.c.period))
    else:  # month slices only: the loose days at the ends come from the letters
        slice_rows = slice_rows.where(cut.months_condition(rolled.c.grain, rolled.c.period))
        for first, last in cut.days:
            edge = LetterFilter(day_start_of(first), day_start_of(last, 1))
            edge_rows = where(letter_rows.where(mark.is_not(None)), f)
            sources.append(where(edge_rows, edge))
    if words is not None:
        slice_rows = slice_rows.where(rolled.c.word.in_(words))
    sources.append(slice_rows)
    sources.append(where(letter_rows.where(mark.is_(None)), f))
    return union_all(*sources)


def top_keywords(session: Session, f: LetterFilter, *, limit: int = 20) -> list[dict[str, Any]]:
    if limit <= 0:
        return []
    rows = _word_rows(f, None).subquery()
    total = func.sum(rows.c.n).label("count")
    # Words stored before a word became a stop word are still counted: they are dropped here,
    # so the list changes with the stop words while every count stays exact.
    stops = segment.stop_words()
    stmt = (
        select(rows.c.word, total)
        .group_by(rows.c.word)
        .order_by(total.desc(), rows.c.word)
        .limit(limit + len(stops))
    )
    kept = [(w, n) for w, n in session.execute(stmt) if w not in stops]
    return [{"word": w, "count": int(n)} for w, n in kept[:limit]]


def word_counts_by_period(session: Session, f: LetterFilter, words: list[str]) -> dict[str, int]:
    if not words:
        return {}
    rows = _word_rows(f, words).subquery()
    stmt = select(rows.c.word, func.sum(rows.c.n)).group_by(rows.c.word)
    return {w: int(n) for w, n in session.execute(stmt)}


def letter_count(session: Session, f: LetterFilter) -> int:
    return session.scalar(where(select(func.count(Letter.id)), f)) or 0
