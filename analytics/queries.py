"""Letter figures aggregated in the database, exactly as contract §5 "Analytics" defines them.

Every number comes from GROUP BY queries over the letters of the period; nothing loads the
letters themselves. Rates are None when their divisor is 0, so a page shows "—", not 0%.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from engagement.models import Department
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from feedback.mailbox.models import OPEN_STATUSES, Category, Letter, LetterWord, Satisfaction

GOOD = (Satisfaction.satisfied, Satisfaction.basically_satisfied)


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


def period(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Local calendar days, `end` included."""
    return (
        day_start(start) if start else None,
        day_start(end + timedelta(days=1)) if end else None,
    )


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
    session: Session, f: LetterFilter, *, now: datetime | None = None, keywords: int = 20
) -> LetterFigures:
    now = now or utcnow()
    out = LetterFigures()
    units = {d.id: d for d in session.scalars(select(Department))}
    grouped = _grouped(session, f, now)
    per_dept: dict[int | None, UnitFigures] = {}
    per_town: dict[int | None, UnitFigures] = {}
    months: dict[str, int] = defaultdict(int)
    for row in grouped:
        _add(out, row)
        out.by_category[row.category.value] = out.by_category.get(row.category.value, 0) + row.n
        out.by_status[row.status.value] = out.by_status.get(row.status.value, 0) + row.n
        month = f"{row.day[:4]}-{row.day[4:6]}"
        months[month] += row.n
        out.month_category.setdefault(month, {})
        out.month_category[month][row.category.value] = (
            out.month_category[month].get(row.category.value, 0) + row.n
        )
        for key, table in ((row.department_id, per_dept), (row.township_id, per_town)):
            if key not in table:
                table[key] = UnitFigures(_unit(units.get(key)) if key else None)
            _add(table[key], row)
    out.by_month = [{"month": m, "total": n} for m, n in sorted(months.items())]
    medians = _medians(session, f)
    out.median_reply_hours = medians.pop("all", None)
    for key, figures in per_dept.items():
        figures.median_reply_hours = medians.get(key)
    out.by_department = sorted(per_dept.values(), key=lambda u: -u.total)
    out.by_township = sorted(
        (u for k, u in per_town.items() if k is not None), key=lambda u: -u.total
    )
    out.top_keywords = top_keywords(session, f, limit=keywords)
    return out


def _unit(d: Department | None) -> dict[str, str] | None:
    return {"slug": d.slug, "name": d.name} if d else None


def _add(target: Any, row: Any) -> None:
    target.total += row.n
    target.replied += row.replied
    target.on_time += row.on_time
    target.rated += row.rated
    target.satisfied += row.satisfied
    target.overdue += row.overdue
    if hasattr(target, "closed"):
        target.closed += row.closed


def _grouped(session: Session, f: LetterFilter, now: datetime) -> list[Any]:
    """One pass over the period's letters, grouped by everything the dashboard splits by."""
    open_ = Letter.status.in_(OPEN_STATUSES)
    late = case((Letter.status == "submitted", Letter.assign_due_at), else_=Letter.reply_due_at)
    day = func.substr(Letter.number_day, 1, 8)
    stmt = select(
        Letter.department_id,
        Letter.township_id,
        Letter.category,
        Letter.status,
        day.label("day"),
        func.count().label("n"),
        func.count(Letter.first_replied_at).label("replied"),
        func.sum(case((Letter.on_time.is_(True), 1), else_=0)).label("on_time"),
        func.count(Letter.satisfaction).label("rated"),
        func.sum(case((Letter.satisfaction.in_(GOOD), 1), else_=0)).label("satisfied"),
        func.sum(case((and_(open_, late < now), 1), else_=0)).label("overdue"),
        func.sum(case((Letter.status == "closed", 1), else_=0)).label("closed"),
    ).group_by(Letter.department_id, Letter.township_id, Letter.category, Letter.status, day)
    return list(session.execute(where(stmt, f)))


def _medians(session: Session, f: LetterFilter) -> dict[Any, float]:
    """Median hours to the first reply, overall ("all") and per department."""
    stmt = where(
        select(Letter.department_id, Letter.reply_hours).where(Letter.reply_hours.is_not(None)), f
    )
    values: dict[Any, list[float]] = defaultdict(list)
    for department_id, hours in session.execute(stmt):
        values[department_id].append(hours)
        values["all"].append(hours)
    return {k: round(statistics.median(v), 2) for k, v in values.items() if v}


def top_keywords(session: Session, f: LetterFilter, *, limit: int = 20) -> list[dict[str, Any]]:
    total = func.sum(LetterWord.n).label("count")
    stmt = (
        where(select(LetterWord.word, total).join(Letter, Letter.id == LetterWord.letter_id), f)
        .group_by(LetterWord.word)
        .order_by(total.desc(), LetterWord.word)
        .limit(limit)
    )
    return [{"word": w, "count": int(n)} for w, n in session.execute(stmt)]


def word_counts_by_period(session: Session, f: LetterFilter, words: list[str]) -> dict[str, int]:
    if not words:
        return {}
    stmt = where(
        select(LetterWord.word, func.sum(LetterWord.n))
        .join(Letter, Letter.id == LetterWord.letter_id)
        .where(LetterWord.word.in_(words)),
        f,
    ).group_by(LetterWord.word)
    return {w: int(n) for w, n in session.execute(stmt)}


def letter_count(session: Session, f: LetterFilter) -> int:
    return session.scalar(where(select(func.count(Letter.id)), f)) or 0
