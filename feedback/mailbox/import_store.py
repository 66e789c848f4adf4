"""Writing a batch of checked, imported letters: their rows as the mailbox would have made them.

A letter's deadlines follow its original submission time on the working-day calendar, and the
figures fixed at a first reply (reply hours, on time) are fixed from the original dates, so the
dashboard shows the earlier system's history as it happened. Rows go in with `engagement.bulk`
(one executemany on SQLite, COPY on PostgreSQL): the ORM would spend most of an import on them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from engagement import bulk, search
from engagement.models import table_of
from engagement.settings import Settings
from engagement.workdays import WorkCalendar
from feedback.indexing import letter_doc
from feedback.mailbox import finder, rules
from feedback.mailbox.import_rows import ImportRow
from feedback.mailbox.models import EventKind, Letter, LetterEvent, LetterWord, Reply, Status
from feedback.mailbox.service import word_counts

# Stored as the tracking code's hash: no code hashes to it (a SHA-256 is 64 hex digits), so an
# imported letter, which never had a tracking code here, cannot be tracked.
NO_TRACKING_CODE = "!"

LETTER_COLUMNS = (
    "id",
    "number_day",
    "legacy_number",
    "tracking_code_hash",
    "category",
    "subject",
    "body",
    "name",
    "phone",
    "email",
    "township_id",
    "publish_consent",
    "status",
    "department_id",
    "submitted_at",
    "assign_due_at",
    "assigned_at",
    "reply_due_at",
    "first_replied_at",
    "replied_at",
    "closed_at",
    "published",
    "published_at",
    "support",
    "reply_hours",
    "on_time",
    "created_at",
    "updated_at",
)
WORD_COLUMNS = ("letter_id", "word", "n")
REPLY_COLUMNS = ("letter_id", "department_id", "body", "public", "replied_at")
EVENT_COLUMNS = ("letter_id", "at", "kind", "public", "department_id", "note", "detail")


@dataclass
class Deadlines:
    """`WorkCalendar.add_working_days`, remembered per local day: history repeats its days."""

    calendar: WorkCalendar
    settings: Settings
    days: dict[tuple[date, int], tuple[date, bool]] = field(default_factory=dict)

    def add(self, start: datetime, working_days: int) -> datetime:
        local = start.astimezone(self.settings.tz)
        key = (local.date(), working_days)
        if key not in self.days:
            self.days[key] = self._day(*key)
        day, keep_time = self.days[key]
        at = local.time() if keep_time else time(0)
        return datetime.combine(day, at, tzinfo=self.settings.tz).astimezone(UTC)

    def _day(self, start: date, working_days: int) -> tuple[date, bool]:
        begin = datetime.combine(start, time(12), tzinfo=self.settings.tz)
        due = self.calendar.add_working_days(begin, working_days).astimezone(self.settings.tz)
        return due.date(), due.time() == time(12)

    def assign(self, submitted: datetime) -> datetime:
        return self.add(submitted, self.settings.assign_working_days)

    def reply(self, start: datetime, row: ImportRow) -> datetime:
        return self.add(start, rules.reply_working_days(row.category, self.settings))


@dataclass(frozen=True, slots=True)
class Segmented:
    """What segmenting gives of one row: its words and, if published, its search terms."""

    words: dict[str, int]
    terms: str | None


def segmented(row: ImportRow) -> Segmented:
    """Segments one row (in a worker process): the costly part of writing it."""
    terms = None
    if row.public:
        doc = letter_doc(_letter_for_index(row, {"legacy_number": "-"}))
        terms = search.terms_of(doc.title, doc.body)
    return Segmented(word_counts(row.text), terms)


def store_batch(
    session: Session,
    rows: Sequence[ImportRow],
    segments: Sequence[Segmented],
    deadlines: Deadlines,
    now: datetime,
) -> None:
    """Writes one batch: its letters, their words, replies and timelines, and their entries in
    the staff's and the public search indexes."""
    ids = reserve_ids(session, len(rows))
    letters = [_letter(i, row, deadlines, now) for i, row in zip(ids, rows, strict=True)]
    words = [(i, w, n) for i, s in zip(ids, segments, strict=True) for w, n in s.words.items()]
    replies = [
        (i, row.department.id if row.department else None, row.reply, True, row.replied_at)
        for i, row in zip(ids, rows, strict=True)
        if row.replied_at is not None
    ]
    events = [e for letter in letters for e in _events(letter)]
    for model, columns, values in (
        (Letter, LETTER_COLUMNS, [tuple(v[c] for c in LETTER_COLUMNS) for v in letters]),
        (LetterWord, WORD_COLUMNS, words),
        (Reply, REPLY_COLUMNS, replies),
        (LetterEvent, EVENT_COLUMNS, events),
    ):
        if values:  # (bulk.prepare_rows needs at least one row)
            bulk.write_rows(session, table_of(model), columns, values)
    finder.index_letters(session, [(i, s.words) for i, s in zip(ids, segments, strict=True)])
    search.add_new(
        session,
        [
            (letter_doc(_letter_for_index(row, values)), s.terms)
            for row, values, s in zip(rows, letters, segments, strict=True)
            if s.terms is not None
        ],
    )


def reserve_ids(session: Session, n: int) -> Sequence[int]:
    """Ids for n letters, known before they are written (their words and replies need them).

    PostgreSQL hands them out from the letters' sequence, so the site's own letters written
    meanwhile never take one; on SQLite the import's transaction is the only writer.
    """
    if session.get_bind().dialect.name == "postgresql":
        sql = "SELECT nextval(pg_get_serial_sequence('letters', 'id')) FROM generate_series(1, :n)"
        return list(session.scalars(text(sql), {"n": n}))
    first = bulk.next_id(session, table_of(Letter))
    return range(first, first + n)


def _letter(letter_id: int, row: ImportRow, deadlines: Deadlines, now: datetime) -> dict[str, Any]:
    """The letter's columns, with deadlines and first-reply figures from its original dates."""
    submitted, replied, unit = row.submitted_at, row.replied_at, row.department
    reply_due = deadlines.reply(submitted, row) if unit else None
    closed_at = None
    if replied is not None:
        # An unrated reply is closed when the rating window ends, as `close_if_window_over` does.
        closed_at = min(replied + timedelta(days=deadlines.settings.rating_window_days), now)
    elif row.closed:
        closed_at = submitted  # archived by the earlier system; when is not known
    return {
        "id": letter_id,
        "number_day": f"{submitted.astimezone(deadlines.settings.tz):%Y%m%d}",
        "legacy_number": row.number,
        "tracking_code_hash": NO_TRACKING_CODE,
        "category": row.category,
        "subject": row.subject,
        "body": row.body,
        "name": row.name,
        "phone": row.phone,
        "email": row.email,
        "township_id": row.township.id if row.township else None,
        "publish_consent": row.public,
        "status": Status.closed if row.closed else Status.assigned if unit else Status.submitted,
        "department_id": unit.id if unit else None,
        "submitted_at": submitted,
        "assign_due_at": deadlines.assign(submitted),
        "assigned_at": submitted if unit else None,
        "reply_due_at": reply_due,
        "first_replied_at": replied,
        "replied_at": replied,
        "closed_at": closed_at,
        "published": row.public,
        "published_at": replied if row.public else None,
        "support": row.support,
        "reply_hours": (replied - submitted).total_seconds() / 3600 if replied else None,
        "on_time": (reply_due is None or replied <= reply_due) if replied else None,
        "created_at": now,
        "updated_at": now,
    }


def _events(letter: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """The letter's timeline at its original times (EVENT_COLUMNS)."""
    letter_id, unit = letter["id"], letter["department_id"]
    yield (letter_id, letter["submitted_at"], EventKind.submitted, True, None, "", {})
    if unit is not None:
        yield (letter_id, letter["assigned_at"], EventKind.assigned, True, unit, "", {})
    if letter["replied_at"] is not None:
        yield (letter_id, letter["replied_at"], EventKind.replied, True, unit, "", {})
    if letter["published"]:
        yield (letter_id, letter["published_at"], EventKind.published, True, None, "", {})
    if letter["closed_at"] is not None:
        yield (letter_id, letter["closed_at"], EventKind.closed, True, None, "", {})


def _letter_for_index(row: ImportRow, values: dict[str, Any]) -> Letter:
    """A letter, not stored, that the public index reads as it reads a published one."""
    fields = ("id", "number_day", "legacy_number", "department_id", "published_at")
    letter = Letter(
        subject=row.subject,
        body=row.body,
        name=row.name,
        **{k: values[k] for k in fields if k in values},
    )
    letter.replies = [Reply(body=row.reply, public=True)]
    return letter
