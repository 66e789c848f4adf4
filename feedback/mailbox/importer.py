"""Importing an earlier system's letters with their own dates (contract §1 and §6).

Two passes over the file, never holding it whole (what grows with it is one key per numbered
row, to find a number used twice: about 120 bytes a row). The first checks every row
and learns the place names the new letters use (so segmentation keeps them whole); a file with
any bad row imports nothing. The second writes the letters in bulk, a batch at a time, with the
words segmented in worker processes. A row already stored (same number, or without one the same
time, subject and body) is skipped, so running the import again adds nothing twice and finishes
an import that stopped half-way.

A bulk load like the city-scale demo, the importer commits after each batch: a long import then
neither holds SQLite's write lock nor grows its journal for minutes while the site runs.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from multiprocessing import get_context
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select, text, tuple_
from sqlalchemy.orm import Session

from engagement import audit, bulk, segment, vocabulary
from engagement.audit import Actor
from engagement.calendar_admin import load_calendar
from engagement.db import write_intent
from engagement.errors import Invalid
from engagement.i18n import N_
from engagement.models import Department, DepartmentKind, LexiconTerm
from engagement.settings import Settings, get_settings
from engagement.timeutil import utcnow
from engagement.workdays import WorkCalendar, official_calendar_covers
from feedback.mailbox import import_store
from feedback.mailbox.import_rows import (
    ImportRow,
    Problem,
    RowReader,
    Unit,
    header_columns,
    read_table,
)
from feedback.mailbox.models import Letter
from feedback.mailbox.models import parse_number as platform_number

BATCH = 2_000
LOOKUP = 500  # rows per query for letters already stored
POOL_FROM = 5_000  # rows; fewer are segmented here sooner than worker processes start
POOL_FROM_BYTES = 2_000_000  # the same for the check, which knows the file's size only
WORKERS = 2

T = TypeVar("T")
Progress = Callable[[str, int, int | None], None]  # (phase, rows done, rows in all or None)


@dataclass
class Report:
    """What a file holds (the check) and what the import did."""

    rows: int = 0  # letters in the file
    present: int = 0  # of them already stored: skipped
    imported: int = 0
    first: datetime | None = None
    last: datetime | None = None
    units: Counter[str] = field(default_factory=Counter)  # unit name -> letters
    years: Counter[int] = field(default_factory=Counter)  # local year of arrival -> letters
    problems: list[Problem] = field(default_factory=list)

    def count(self, row: ImportRow, tz: ZoneInfo) -> None:
        self.rows += 1
        at = row.submitted_at
        self.first = at if self.first is None else min(self.first, at)
        self.last = at if self.last is None else max(self.last, at)
        self.years[at.astimezone(tz).year] += 1
        if row.department is not None:
            self.units[row.department.name] += 1

    @property
    def weekdays_only(self) -> list[int]:
        """Years whose deadlines count weekends only: the official calendar has no data."""
        return [year for year in sorted(self.years) if not official_calendar_covers(year)]


def import_letters(
    session: Session,
    path: Path,
    *,
    actor: Actor,
    dry_run: bool = False,
    source_name: str | None = None,
    progress: Progress | None = None,
) -> Report:
    """Checks the file and, unless it has problems or this is a dry run, imports its letters.

    Runs on a session of its own: it commits as it goes.
    """
    with _intent(write=False):
        reading = _Reading.of(session, path)
        report, names = _check(session, reading, learn=not dry_run, progress=progress)
        session.commit()  # ends the long read before any write begins
    if report.problems or dry_run:
        return report
    with _intent(write=True):
        vocabulary.store_names(session, names)
        report.imported = _write(session, reading, report.rows - report.present, progress)
        if report.imported:
            if progress:
                progress("finishing", report.imported, report.imported)
            # Planner statistics for the new rows: without them PostgreSQL may join letters and
            # their words by nested scans, and the next `analytics refresh` takes minutes.
            bulk.analyze(session)
        audit.record(
            session,
            actor,
            "letter.import",
            object_type="file",
            object_id=(source_name or path.name)[:64],
            file=source_name or path.name,
            rows=report.rows,
            imported=report.imported,
            skipped=report.present,
        )
        session.commit()
    return report


@contextmanager
def _intent(*, write: bool) -> Iterator[None]:
    """Whether the transactions begun inside take SQLite's write lock at BEGIN.

    The check only reads, for minutes on a big file: as a plain read it neither waits for nor
    blocks the site's writers. Each write transaction takes the lock up front, so that it
    never has to upgrade a read snapshot that a letter written meanwhile made stale.
    """
    token = write_intent.set(write)
    try:
        yield
    finally:
        write_intent.reset(token)


@dataclass(frozen=True)
class _Reading:
    """A file and what its rows are checked against; `rows()` reads it again each time."""

    path: Path
    units: dict[str, Unit]
    townships: dict[str, Unit]
    settings: Settings
    calendar: WorkCalendar
    now: datetime

    @classmethod
    def of(cls, session: Session, path: Path) -> _Reading:
        units: dict[str, Unit] = {}
        townships: dict[str, Unit] = {}
        for d in session.scalars(select(Department)):
            unit = Unit(d.id, d.name)
            units.update({d.slug: unit, d.name: unit})
            if d.kind == DepartmentKind.township:
                townships.update({d.slug: unit, d.name: unit})
        settings = get_settings()
        return cls(path, units, townships, settings, load_calendar(session), utcnow())

    def rows(self, problems: list[Problem]) -> Iterator[ImportRow]:
        """The good rows, in order; the bad rows' problems go to `problems`."""
        table = read_table(self.path)
        first = next(table, None)
        if first is None:
            problems.append(Problem(1, "submitted_at", N_("the file is empty")))
            return
        columns, header_problems = header_columns(first[1])
        problems += header_problems
        if header_problems:
            return
        reader = RowReader(
            columns, units=self.units, townships=self.townships, tz=self.settings.tz, now=self.now
        )
        for row, cells in table:
            if any(c.strip() for c in cells):
                checked = reader.read(row, cells)
                if isinstance(checked, list):
                    problems += checked
                else:
                    yield checked


# --- the check ---------------------------------------------------------------------------------


def _check(
    session: Session, reading: _Reading, *, learn: bool, progress: Progress | None
) -> tuple[Report, list[tuple[str, int]]]:
    """Checks every row; with `learn`, also finds the names the new letters use."""
    report = Report()
    rows = _new_rows(session, reading, report, progress)
    if not learn:
        for _ in rows:
            pass
        return report, []
    counts: Counter[str] = Counter()
    with _Workers(session, parallel=reading.path.stat().st_size >= POOL_FROM_BYTES) as workers:
        for _, found in workers.map(_names, _batches(rows)):
            counts.update(found)
    return report, segment.choose_names(counts)


def _new_rows(
    session: Session, reading: _Reading, report: Report, progress: Progress | None
) -> Iterator[ImportRow]:
    seen: set[bytes] = set()
    rows = reading.rows(report.problems)
    while chunk := list(islice(rows, LOOKUP)):
        fresh = _not_stored(session, chunk, seen)
        for row in chunk:
            report.count(row, reading.settings.tz)
        report.present += len(chunk) - len(fresh)
        if progress:
            progress("checking", report.rows, None)
        yield from fresh


def _not_stored(session: Session, rows: list[ImportRow], seen: set[bytes]) -> list[ImportRow]:
    """The rows that are not letters already stored, nor a row earlier in the file again.

    `seen` holds a digest of the rows without a number read so far (the numbered ones are
    unique: the check refuses a number used twice).
    """
    numbers = {r.number for r in rows if r.number}
    stored = set()
    if numbers:
        stored |= set(
            session.scalars(select(Letter.legacy_number).where(Letter.legacy_number.in_(numbers)))
        )
        stored |= _platform_numbers(session, numbers)
    times = {r.submitted_at for r in rows if not r.number}
    texts = set()
    if times:
        same_time = select(Letter.submitted_at, Letter.subject, Letter.body).where(
            Letter.submitted_at.in_(times)
        )
        texts = {_digest(*letter) for letter in session.execute(same_time)}
    fresh = []
    for row in rows:
        if row.number:
            if row.number not in stored:
                fresh.append(row)
            continue
        key = _digest(row.submitted_at, row.subject, row.body)
        if key not in texts and key not in seen:
            seen.add(key)
            fresh.append(row)
    return fresh


def _platform_numbers(session: Session, numbers: Iterable[str]) -> set[str]:
    """Those of `numbers` that are this platform's numbers of stored letters."""
    parsed = {n: p for n in numbers if (p := platform_number(n)) is not None}
    if not parsed:
        return set()
    found = session.execute(
        select(Letter.number_day, Letter.id).where(
            tuple_(Letter.number_day, Letter.id).in_(list(parsed.values())),
            Letter.legacy_number.is_(None),
        )
    )
    stored = {(day, letter_id) for day, letter_id in found}
    return {n for n, p in parsed.items() if p in stored}


def _digest(submitted_at: datetime, subject: str, body: str) -> bytes:
    key = f"{submitted_at.timestamp()!r}\x00{subject}\x00{body}".encode()
    return hashlib.blake2b(key, digest_size=16).digest()


# --- the write ---------------------------------------------------------------------------------


def _write(session: Session, reading: _Reading, expected: int, progress: Progress | None) -> int:
    """Writes the new letters a batch at a time; returns how many."""
    problems: list[Problem] = []
    rows = _new_rows(session, reading, Report(problems=problems), None)
    written = 0
    deadlines = import_store.Deadlines(reading.calendar, reading.settings)
    with _Workers(session, parallel=expected >= POOL_FROM) as workers:
        for batch, segmented in workers.map(_segment, _batches(rows)):
            if problems:
                raise Invalid("The file changed while it was imported; import it again.")
            import_store.store_batch(session, batch, segmented, deadlines, reading.now)
            session.commit()
            _shrink_cache(session)
            written += len(batch)
            if progress:
                progress("importing", written, expected)
    if problems:
        raise Invalid("The file changed while it was imported; import it again.")
    return written


def _shrink_cache(session: Session) -> None:
    """SQLite's page cache back to its usual size: `bulk.write_rows` grows it to 400 MB for the
    city-scale demo, which an import (appending in order) does not need, so memory stays flat."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text(f"PRAGMA cache_size={bulk.DEFAULT_CACHE}"))


def _batches(rows: Iterator[ImportRow]) -> Iterator[list[ImportRow]]:
    while batch := list(islice(rows, BATCH)):
        yield batch


def _init_worker(words: list[str]) -> None:
    segment.use_words(words)
    segment.warm_up()


def _names(rows: list[ImportRow]) -> Counter[str]:
    """How many of these letters use each candidate name (runs in a worker process)."""
    counts: Counter[str] = Counter()
    for row in rows:
        counts.update(segment.names_in(row.text))
    return counts


def _segment(rows: list[ImportRow]) -> list[import_store.Segmented]:
    """Each letter's words, and a published one's search terms (runs in a worker process)."""
    return [import_store.segmented(row) for row in rows]


class _Workers:
    """Runs a function over batches of rows in worker processes, a few batches ahead.

    Segmenting is most of an import's work: this spreads it over the machine's cores. Results
    come back in the batches' order, so the same file always gives the same rows. Workers are
    spawned (not forked: this process holds database connections) and are given the county's
    names, including those just learned from the file.
    """

    def __init__(self, session: Session, *, parallel: bool) -> None:
        self.pool: ProcessPoolExecutor | None = None
        if parallel:
            names = [*session.scalars(select(Department.name))]
            names += session.scalars(select(LexiconTerm.word))
            self.pool = ProcessPoolExecutor(
                max_workers=WORKERS,
                mp_context=get_context("spawn"),
                initializer=_init_worker,
                initargs=(names,),
            )

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def map(
        self, work: Callable[[list[ImportRow]], T], batches: Iterator[list[ImportRow]]
    ) -> Iterator[tuple[list[ImportRow], T]]:
        if self.pool is None:
            for batch in batches:
                yield batch, work(batch)
            return
        pending: list[tuple[list[ImportRow], Future[T]]] = []
        for batch in batches:
            pending.append((batch, self.pool.submit(work, batch)))
            if len(pending) > WORKERS:
                done, future = pending.pop(0)
                yield done, future.result()
        for done, future in pending:
            yield done, future.result()
