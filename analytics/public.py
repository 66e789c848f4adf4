"""Open figures: what any citizen may see of the mailbox's performance."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from analytics.queries import LetterFigures, LetterFilter, day_start, letter_figures, rate
from engagement.models import Department
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from feedback.mailbox.models import Category, Letter


def this_year(session: Session, unit: Department | None = None) -> LetterFigures:
    today = utcnow().astimezone(get_settings().tz).date()
    f = LetterFilter(
        since=day_start(date(today.year, 1, 1)), department_id=unit.id if unit else None
    )
    return letter_figures(session, f, keywords=0)


def monthly(session: Session, year: int) -> list[dict[str, Any]]:
    """Rows of (month, unit, category) with received, replied and on-time counts."""
    since, until = day_start(date(year, 1, 1)), day_start(date(year + 1, 1, 1))
    month = func.substr(Letter.number_day, 1, 6)
    stmt = (
        select(
            month,
            Letter.department_id,
            Letter.category,
            func.count(),
            func.count(Letter.first_replied_at),
            func.sum(case((Letter.on_time.is_(True), 1), else_=0)),
        )
        .where(Letter.submitted_at >= since, Letter.submitted_at < until)
        .group_by(month, Letter.department_id, Letter.category)
        .order_by(month)
    )
    units = {d.id: d.name for d in session.scalars(select(Department))}
    rows = []
    for m, unit_id, category, n, replied, on_time in session.execute(stmt):
        rows.append(
            {
                "month": f"{m[:4]}-{m[4:]}",
                "unit": units.get(unit_id, ""),
                "category": category.value,
                "received": n,
                "replied": replied,
                "on_time": int(on_time or 0),
            }
        )
    return rows


def monthly_totals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_month: dict[str, dict[str, Any]] = defaultdict(
        lambda: {c.value: 0 for c in Category} | {"received": 0, "replied": 0, "on_time": 0}
    )
    for row in rows:
        item = by_month[row["month"]]
        item[row["category"]] += row["received"]
        for key in ("received", "replied", "on_time"):
            item[key] += row[key]
    return [
        {
            "month": m,
            **v,
            "reply_rate": rate(v["replied"], v["received"]),
            "on_time_rate": rate(v["on_time"], v["replied"]),
        }
        for m, v in sorted(by_month.items())
    ]


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    """UTF-8 with a BOM, so that Excel opens the Chinese unit names correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["month", "unit", "category", "received", "replied", "on_time"])
    for row in rows:
        writer.writerow(
            [row[k] for k in ("month", "unit", "category", "received", "replied", "on_time")]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
