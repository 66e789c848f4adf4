"""Open figures: what any citizen may see of the mailbox's performance."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.queries import (
    LetterFigures,
    LetterFilter,
    day_start,
    grouped,
    letter_figures,
    rate,
)
from engagement.i18n import N_, gettext
from engagement.models import Department
from engagement.settings import get_settings
from engagement.spreadsheet import csv_bytes
from engagement.timeutil import utcnow
from feedback.mailbox.labels import CATEGORY_LABELS
from feedback.mailbox.models import Category


def this_year(session: Session, unit: Department | None = None) -> LetterFigures:
    today = utcnow().astimezone(get_settings().tz).date()
    f = LetterFilter(
        since=day_start(date(today.year, 1, 1)), department_id=unit.id if unit else None
    )
    return letter_figures(session, f, keywords=0)


def monthly(session: Session, year: int) -> list[dict[str, Any]]:
    """Rows of (month, unit, category) with received, replied and on-time counts."""
    since, until = day_start(date(year, 1, 1)), day_start(date(year + 1, 1, 1))
    cells: dict[tuple[str, int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in grouped(session, LetterFilter(since=since, until=until), utcnow()):
        cell = cells[(row.month, row.department_id, str(row.category))]
        cell[0] += row.n
        cell[1] += row.replied
        cell[2] += int(row.on_time or 0)
    units = {d.id: d.name for d in session.scalars(select(Department))}
    return [
        {
            "month": f"{m[:4]}-{m[4:]}",
            "unit": units.get(unit_id, ""),
            "category": category,
            "received": n,
            "replied": replied,
            "on_time": on_time,
        }
        for (m, unit_id, category), (n, replied, on_time) in sorted(
            cells.items(), key=lambda item: (item[0][0], units.get(item[0][1], ""), item[0][2])
        )
    ]


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


CSV_COLUMNS = (
    ("month", N_("Month")),
    ("unit", N_("Unit")),
    ("category", N_("Kind of letter")),
    ("received", N_("Letters received")),
    ("replied", N_("Replied")),
    ("on_time", N_("Replied by the deadline")),
)


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    """Headers and kinds of letter in the request's language; UTF-8 with a BOM for Excel."""
    labels = {code: gettext(label) for code, label in CATEGORY_LABELS.items()}
    unassigned = gettext("not assigned yet")
    shown = (
        {**row, "unit": row["unit"] or unassigned, "category": labels.get(row["category"])}
        for row in rows
    )
    return csv_bytes(
        [gettext(label) for _key, label in CSV_COLUMNS],
        ([row[key] for key, _label in CSV_COLUMNS] for row in shown),
    )
