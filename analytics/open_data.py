"""Published letters as open data, CSV and JSON, masked exactly as on /mailbox/letters.

Only letters the public list shows (replied, the writer consented, a leader approved). A city
keeps up to a million letters, so they are read a batch at a time in the order of the public
list's index (first reply, oldest first), each batch in a short session of its own, and streamed:
an export never holds more than one batch in memory.
Labels and CSV headers are in the request's language, fixed when the export starts; the JSON keeps
English keys and the contract's codes beside the labels.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, defer, lazyload

from analytics.queries import period
from engagement import spreadsheet
from engagement.i18n import N_, gettext
from engagement.models import Department
from engagement.settings import get_settings
from feedback.mailbox.labels import CATEGORY_LABELS, SATISFACTION_LABELS
from feedback.mailbox.models import Letter
from feedback.mailbox.service import public_letters_query
from feedback.mailbox.views import masked

BATCH = 1000
# The CSV's columns: the JSON's key of each and its header (translated).
COLUMNS = (
    ("number", N_("Number")),
    ("submitted_date", N_("Date received")),
    ("replied_date", N_("Date replied")),
    ("unit", N_("Handled by")),
    ("township", N_("Township")),
    ("category", N_("Kind of letter")),
    ("subject", N_("Subject")),
    ("satisfaction", N_("Satisfaction")),
)


@dataclass(frozen=True)
class OpenLetter:
    """One published letter as open data: local dates, units by slug and name, codes."""

    number: str
    submitted_date: str
    replied_date: str | None
    unit: dict[str, str] | None
    township: dict[str, str] | None
    category: str
    subject: str
    satisfaction: str | None


def _unit(unit: Department | None) -> dict[str, str] | None:
    return {"slug": unit.slug, "name": unit.name} if unit else None


def _local_date(value: datetime | None) -> str | None:
    return value.astimezone(get_settings().tz).date().isoformat() if value else None


def _open_letter(letter: Letter, units: dict[int | None, Department]) -> OpenLetter:
    return OpenLetter(
        number=letter.number,
        submitted_date=_local_date(letter.submitted_at) or "",
        replied_date=_local_date(letter.first_replied_at),
        unit=_unit(units.get(letter.department_id)),
        township=_unit(units.get(letter.township_id)),
        category=letter.category.value,
        subject=masked(letter, letter.subject),
        satisfaction=letter.satisfaction.value if letter.satisfaction else None,
    )


def published_batches(
    sessions: Callable[[], Session], *, year: int | None = None
) -> Iterator[list[OpenLetter]]:
    """The published letters (of `year`, by local date received) in the order of their first
    reply, oldest first, BATCH at a time."""
    # Every column that masking may read, but not the bodies; units come from one dict.
    stmt = public_letters_query().options(
        lazyload(Letter.replies),
        lazyload(Letter.department),
        lazyload(Letter.township),
        defer(Letter.body),
    )
    if year is not None:
        since, until = period(date(year, 1, 1), date(year, 12, 31))
        stmt = stmt.where(Letter.submitted_at >= since, Letter.submitted_at < until)
    after: tuple[datetime, int] | None = None
    while True:
        page = stmt
        if after is not None:
            # The redundant >= lets the index of the public list seek to where the last batch
            # ended, so each batch costs the same however far into a million letters it is.
            page = page.where(
                Letter.first_replied_at >= after[0],
                or_(Letter.first_replied_at > after[0], Letter.id > after[1]),
            )
        with sessions() as session:
            units: dict[int | None, Department] = {
                d.id: d for d in session.scalars(select(Department))
            }
            letters = list(
                session.scalars(page.order_by(Letter.first_replied_at, Letter.id).limit(BATCH))
            )
            batch = [_open_letter(letter, units) for letter in letters]
            if letters:
                last = letters[-1]
                assert last.first_replied_at is not None  # the public list's own condition
                after = (last.first_replied_at, last.id)
        if batch:
            yield batch
        if len(batch) < BATCH:
            return


def _labels() -> tuple[dict[str, str], dict[str, str]]:
    """Kinds of letter and ratings in the request's language."""
    return (
        {code: gettext(label) for code, label in CATEGORY_LABELS.items()},
        {code: gettext(label) for code, label in SATISFACTION_LABELS.items()},
    )


def to_csv(sessions: Callable[[], Session], *, year: int | None = None) -> Iterator[bytes]:
    """Headers and labels in the request's language; a unit by its name."""
    categories, ratings = _labels()
    header = [gettext(label) for _key, label in COLUMNS]
    rows = (
        [
            item.number,
            item.submitted_date,
            item.replied_date,
            item.unit["name"] if item.unit else None,
            item.township["name"] if item.township else None,
            categories[item.category],
            item.subject,
            ratings[item.satisfaction] if item.satisfaction else None,
        ]
        for batch in published_batches(sessions, year=year)
        for item in batch
    )
    return spreadsheet.csv_chunks(header, rows)


def to_json(sessions: Callable[[], Session], *, year: int | None = None) -> Iterator[bytes]:
    """`{"year", "items": [...]}`: each item has COLUMNS' keys (codes for kind and rating) plus
    `category_label` and `satisfaction_label` in the request's language."""
    categories, ratings = _labels()

    def item(letter: OpenLetter) -> dict[str, Any]:
        return {
            **asdict(letter),
            "category_label": categories[letter.category],
            "satisfaction_label": ratings[letter.satisfaction] if letter.satisfaction else None,
        }

    def chunks() -> Iterator[bytes]:
        yield f'{{"year": {json.dumps(year)}, "items": ['.encode()
        first = True
        for batch in published_batches(sessions, year=year):
            text = ",\n".join(json.dumps(item(x), ensure_ascii=False) for x in batch)
            yield (("\n" if first else ",\n") + text).encode("utf-8")
            first = False
        yield b"\n]}\n"

    return chunks()
