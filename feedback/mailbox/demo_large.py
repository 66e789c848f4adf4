"""A city hotline's mailbox: 1,000,000 letters over three years, written with bulk inserts.

The letters follow the small demo's topics and life cycle (assignment, replies on time or late,
ratings, reopening, closing by the rating window, a few rejections), plus what a city's data
shows and a dashboard must find: more letters every year, heating in winter, water and flooding
in summer, and a cold snap in the last two weeks that sends heating complaints up. Rows are built
as tuples and written in batches with `engagement.bulk`, never through the ORM.
"""

from __future__ import annotations

import hashlib
import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from multiprocessing import get_context
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement import bulk
from engagement.calendar_admin import load_calendar
from engagement.models import Department, DepartmentKind, table_of
from engagement.settings import Settings, get_settings
from engagement.timeutil import utcnow
from engagement.workdays import WorkCalendar
from feedback.mailbox import finder, rules
from feedback.mailbox.demo import DETAILS, NAMES, REPLIES, TOPICS
from feedback.mailbox.models import (
    Category,
    EventKind,
    Letter,
    LetterEvent,
    LetterWord,
    Rating,
    Reply,
    Satisfaction,
    Status,
)
from feedback.mailbox.service import word_counts

LARGE_COUNT = 1_000_000
YEARS = 3
BATCH = 25_000
WORKERS = 2  # building rows costs more than writing them: two builders keep the writer busy
KEY = "demo-large-"
REJECTION = "来信反映的是民事纠纷，不属于本平台受理范围，建议通过人民调解或诉讼途径解决。"

LETTER_COLUMNS = (
    "id",
    "number_day",
    "tracking_code_hash",
    "submission_key",
    "category",
    "subject",
    "body",
    "name",
    "phone",
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
    "rejection_reason",
    "satisfaction",
    "published",
    "published_at",
    "reply_hours",
    "on_time",
    "created_at",
    "updated_at",
)
EVENT_COLUMNS = ("letter_id", "at", "kind", "public", "department_id", "note", "detail")
REPLY_COLUMNS = ("id", "letter_id", "department_id", "body", "public", "replied_at")
RATING_COLUMNS = ("id", "letter_id", "reply_id", "satisfaction", "comment", "rated_at")
WORD_COLUMNS = ("letter_id", "word", "n")


@dataclass(frozen=True)
class Plan:
    """Everything a worker process needs to build letters on its own (it all pickles)."""

    count: int
    now: datetime
    dialect: str
    overrides: dict[date, bool]
    units: dict[str, int]
    townships: list[tuple[int, str]]
    first_letter: int
    first_reply: int
    first_rating: int


@dataclass
class _City:
    plan: Plan
    rng: random.Random
    settings: Settings
    calendar: WorkCalendar
    rows: dict[str, list[tuple[Any, ...]]] = field(
        default_factory=lambda: {name: [] for name in TABLES}
    )
    deadline_days: dict[tuple[date, int], tuple[date, bool]] = field(default_factory=dict)

    @property
    def now(self) -> datetime:
        return self.plan.now

    def text(self, topic: int, town: int, n: int) -> tuple[str, list[tuple[str, int]]]:
        return _text(topic, self.plan.townships[town][1], n)


@cache
def _text(topic: int, town: str, n: int) -> tuple[str, list[tuple[str, int]]]:
    """A letter body and its words, segmented once per worker process: 22 topics × 10
    townships × 30 numbers repeat in every batch."""
    _, _, subject, body = TOPICS[topic]
    text = body.format(town=town, n=n)
    return text, list(word_counts(f"{subject}\n{text}").items())


# table name -> (model, columns), in the order they are written
TABLES: dict[str, tuple[type[Any], tuple[str, ...]]] = {
    "letters": (Letter, LETTER_COLUMNS),
    "letter_words": (LetterWord, WORD_COLUMNS),
    "letter_replies": (Reply, REPLY_COLUMNS),
    "letter_ratings": (Rating, RATING_COLUMNS),
    "letter_events": (LetterEvent, EVENT_COLUMNS),
}


def load(session: Session, *, count: int = LARGE_COUNT, progress: Any = None) -> list[str]:
    """Adds `count` letters unless the large demo is already there; returns lines to print.

    Worker processes build the rows of the next batches while this one writes the last.
    """
    if session.scalar(select(Letter.id).where(Letter.submission_key == f"{KEY}0")):
        return []
    units = list(session.scalars(select(Department)))
    plan = Plan(
        count,
        utcnow(),
        session.get_bind().dialect.name,
        dict(load_calendar(session).overrides),
        {d.slug: d.id for d in units},
        [(d.id, d.name) for d in units if d.kind == DepartmentKind.township],
        bulk.next_id(session, table_of(Letter)),
        bulk.next_id(session, table_of(Reply)),
        bulk.next_id(session, table_of(Rating)),
    )
    task = progress.add_task("city-scale letters", total=count) if progress else None
    starts = list(range(0, count, BATCH))
    tables = [table_of(model) for model, _ in TABLES.values()]
    with (
        bulk.indexes_rebuilt(session, tables),
        ProcessPoolExecutor(max_workers=WORKERS, mp_context=get_context("spawn")) as pool,
    ):
        ahead = WORKERS + 1
        pending = [pool.submit(build_batch, plan, start) for start in starts[:ahead]]
        for i in range(len(starts)):
            rows = pending.pop(0).result()
            if i + ahead < len(starts):
                pending.append(pool.submit(build_batch, plan, starts[i + ahead]))
            for name, (model, columns) in TABLES.items():
                bulk.write_rows(session, table_of(model), columns, rows[name], prepared=True)
            session.commit()  # a batch at a time: memory stays flat and progress is real
            if task is not None:
                progress.advance(task, len(rows["letters"]))
    for model in (Letter, Reply, Rating, LetterEvent):
        bulk.sync_sequence(session, table_of(model))
    finder.index_missing(session)  # the staff's full-text index, from the words just written
    bulk.analyze(session)  # planner statistics for the new millions of rows
    return [f"City-scale demo letters: {count}"]


def build_batch(plan: Plan, start: int) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of letters start … start + BATCH, ready to write (run in a worker process)."""
    settings = get_settings()
    city = _City(
        plan,
        random.Random(start),  # noqa: S311 (reproducible demo data, not secrets)
        settings,
        WorkCalendar(settings.tz, plan.overrides),
    )
    for i in range(start, min(start + BATCH, plan.count)):
        _letter(city, i, _arrival(plan, city.rng, i))
    dialect = _dialect(plan.dialect)
    return {
        name: bulk.prepare_rows(dialect, table_of(model), columns, city.rows[name])
        for name, (model, columns) in TABLES.items()
    }


def _dialect(name: str) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.psycopg.dialect() if name == "postgresql" else sqlite.pysqlite.dialect()


def _arrival(plan: Plan, rng: random.Random, i: int) -> datetime:
    """Letter i of the three years, oldest first, each year busier than the one before.

    Ages follow span × U^1.25 (recent letters outnumber old ones); letter i takes the i-th
    quantile plus a little noise, so batches can be built apart and still come out in order.
    """
    span = timedelta(days=365 * YEARS).total_seconds()
    q = 1 - (i + rng.random()) / plan.count
    return plan.now - timedelta(seconds=span * q**1.25 + 60)


def _topic(city: _City, at: datetime) -> int:
    """Heating in winter (and a cold snap now), water in summer, the rest all year."""
    rng = city.rng
    month = at.month
    recent = city.now - at < timedelta(days=14)
    heating = 0.03 + (0.12 if month in (11, 12, 1, 2) else 0) + (0.25 if recent else 0)
    if rng.random() < heating:
        return 0
    flooding = 0.03 + (0.10 if month in (6, 7, 8) else 0)
    if rng.random() < flooding:
        return _topic_index("乡村道路坑洼严重")
    return rng.randrange(1, len(TOPICS))


@lru_cache(maxsize=64)
def _topic_index(subject: str) -> int:
    return next(i for i, topic in enumerate(TOPICS) if topic[2] == subject)


def _letter(city: _City, i: int, submitted: datetime) -> None:
    rng, plan = city.rng, city.plan
    letter_id = plan.first_letter + i
    topic = _topic(city, submitted)
    slug, category, subject, _ = TOPICS[topic]
    town = rng.randrange(len(plan.townships))
    body, words = city.text(topic, town, rng.randint(1, 30))
    local_day = submitted.astimezone(city.settings.tz).date()
    row: dict[str, Any] = {
        "id": letter_id,
        "index": i,
        "number_day": f"{local_day:%Y%m%d}",
        "tracking_code_hash": hashlib.sha256(f"{KEY}{i}".encode()).hexdigest(),
        "submission_key": f"{KEY}{i}",
        "category": category,
        "subject": subject,
        "body": body,
        "name": rng.choice(NAMES),
        "phone": f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
        "township_id": plan.townships[town][0],
        "publish_consent": rng.random() < 0.6,
        "status": Status.submitted,
        "published": False,
        "submitted_at": submitted,
        "assign_due_at": _deadline(city, submitted, city.settings.assign_working_days),
        "created_at": submitted,
        "updated_at": submitted,
    }
    city.rows["letter_words"] += [(letter_id, w, n) for w, n in words]
    _event(city, letter_id, submitted, EventKind.submitted, None)
    _handle(city, row, slug)
    city.rows["letters"].append(tuple(row.get(c) for c in LETTER_COLUMNS))


def _handle(city: _City, row: dict[str, Any], slug: str) -> None:
    """Assignment, then a reply (on time or late), then a rating or the window closing."""
    rng = city.rng
    letter_id, submitted = row["id"], row["submitted_at"]
    assigned = submitted + timedelta(hours=rng.uniform(1, 30))
    if assigned > city.now:
        return
    if rng.random() < 0.02:
        row.update(status=Status.rejected, rejection_reason=REJECTION, closed_at=assigned)
        _event(city, letter_id, assigned, EventKind.rejected, None, REJECTION)
        return
    unit = city.plan.units.get(slug) or city.plan.townships[0][0]
    row.update(status=Status.assigned, department_id=unit, assigned_at=assigned)
    row["reply_due_at"] = _deadline(city, assigned, _reply_days(city, row["category"]))
    _event(city, letter_id, assigned, EventKind.assigned, unit)
    late = rng.random() < 0.12
    span = (row["reply_due_at"] - assigned) * (
        rng.uniform(1.1, 2.5) if late else rng.uniform(0.2, 0.95)
    )
    if assigned + span > city.now:
        return
    _reply(city, row, assigned + span, unit, 0)


def _reply(city: _City, row: dict[str, Any], at: datetime, unit: int, nth: int) -> None:
    """The nth reply (0 or 1) of a letter; ids are 2 per letter, so batches never collide."""
    rng = city.rng
    letter_id = row["id"]
    reply_id = city.plan.first_reply + 2 * row["index"] + nth
    text = rng.choice(REPLIES).format(detail=rng.choice(DETAILS))
    city.rows["letter_replies"].append((reply_id, letter_id, unit, text, True, at))
    row.update(status=Status.replied, replied_at=at, updated_at=at)
    if row.get("first_replied_at") is None:
        row["first_replied_at"] = at
        row["reply_hours"] = (at - row["submitted_at"]).total_seconds() / 3600
        row["on_time"] = at <= row["reply_due_at"]
    _event(city, letter_id, at, EventKind.replied, unit)
    if row["publish_consent"] and not row.get("published") and rng.random() < 0.02:
        row.update(published=True, published_at=at + timedelta(days=1))
    _rate(city, row, reply_id, at, unit, nth)


def _rate(
    city: _City, row: dict[str, Any], reply_id: int, replied: datetime, unit: int, nth: int
) -> None:
    rng = city.rng
    letter_id = row["id"]
    rated = replied + timedelta(days=rng.uniform(0.2, 6))
    window = timedelta(days=city.settings.rating_window_days)
    if rated > city.now or rng.random() < 0.35:
        if city.now - replied > window:
            row.update(status=Status.closed, closed_at=replied + window)
            _event(city, letter_id, replied + window, EventKind.closed, None)
        return
    choice = rng.choices(list(Satisfaction), weights=[60, 28, 12])[0]
    rating_id = city.plan.first_rating + 2 * row["index"] + nth
    city.rows["letter_ratings"].append((rating_id, letter_id, reply_id, choice, "", rated))
    row["satisfaction"] = choice
    _event(city, letter_id, rated, EventKind.rated, None)
    if choice != Satisfaction.unsatisfied or nth == 1:
        row.update(status=Status.closed, closed_at=rated)
        _event(city, letter_id, rated, EventKind.closed, None)
        return
    row["status"] = Status.reopened
    row["reply_due_at"] = _deadline(city, rated, _reply_days(city, row["category"]))
    _event(city, letter_id, rated, EventKind.reopened, None)
    again = rated + (row["reply_due_at"] - rated) * rng.uniform(0.3, 1.05)
    if again <= city.now and rng.random() < 0.99:  # a few stay unanswered: the alarm list
        _reply(city, row, again, unit, 1)


def _reply_days(city: _City, category: Category) -> int:
    return rules.reply_working_days(category, city.settings)


def _deadline(city: _City, start: datetime, days: int) -> datetime:
    """`WorkCalendar.add_working_days`, with the calendar walk remembered per local day."""
    local = start.astimezone(city.settings.tz)
    key = (local.date(), days)
    if key not in city.deadline_days:
        city.deadline_days[key] = _deadline_day(city.calendar, *key)
    day, keep_time = city.deadline_days[key]
    at = local.timetz().replace(tzinfo=None) if keep_time else time(0)
    return datetime.combine(day, at, tzinfo=city.settings.tz).astimezone(UTC)


def _deadline_day(calendar: WorkCalendar, day: date, days: int) -> tuple[date, bool]:
    keep_time = calendar.is_working_day(day)
    if not keep_time:
        day = calendar.next_working_day(day)
    for _ in range(days):
        day = calendar.next_working_day(day)
    return day, keep_time


def _event(
    city: _City,
    letter_id: int,
    at: datetime,
    kind: EventKind,
    unit: int | None,
    note: str = "",
) -> None:
    city.rows["letter_events"].append((letter_id, at, kind, True, unit, note, {}))
