"""Two years of a county's letters: about 2,400 this year and 2,150 the year before.

The letters follow the seasons (heating in winter, rains and floods in summer, school places in
July and August, harvests and subsidies in autumn, wages owed before Spring Festival), name the
county's estates, roads and villages, and are answered by the unit in charge with a reply to
that very demand (`demo_letters`). Several people write about one problem at one place within
days (the dashboard's hot issues); some letters are still new, being handled, late, waiting for
an extension, reopened, merged or refused, as on a real workbench. The year before the current
one holds a comparable number of letters, so the dashboard's comparisons mean something.

Everything is drawn from one seeded random generator, relative to today: the same day gives the
same letters. Rows are built as plain values and written with `engagement.bulk`, not the ORM.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement import bulk
from engagement.calendar_admin import load_calendar
from engagement.models import Department, DepartmentKind, table_of
from engagement.settings import Settings, get_settings
from engagement.timeutil import utcnow
from engagement.workdays import WorkCalendar
from feedback.mailbox import demo_letters as texts
from feedback.mailbox import finder, rules
from feedback.mailbox.demo_letters import TOWN, Topic
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
from feedback.mailbox.service import CODE_ALPHABET, CODE_LENGTH, hash_code, word_counts

CURRENT_YEAR = 2300  # letters in the 365 days up to today
PREVIOUS_YEAR = 2050  # and in the 365 days before: a county writing a little more every year
SEED = 2026
DEMO_KEY = "demo-letter-"
NAMES = texts.NAMES

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
    "support",
    "duplicate_of_id",
    "reply_hours",
    "on_time",
    "extension_days",
    "extension_reason",
    "created_at",
    "updated_at",
)
EVENT_COLUMNS = ("letter_id", "at", "kind", "public", "department_id", "note", "detail")
REPLY_COLUMNS = ("id", "letter_id", "department_id", "body", "public", "replied_at")
RATING_COLUMNS = ("id", "letter_id", "reply_id", "satisfaction", "comment", "rated_at")
WORD_COLUMNS = ("letter_id", "word", "n")


@dataclass
class _Reply:
    department_id: int
    body: str
    at: datetime
    rating: tuple[Satisfaction, str, datetime] | None = None


@dataclass
class DemoLetter:
    """One letter and its life so far, before it has an id."""

    topic: Topic
    submitted: datetime
    subject: str
    body: str
    fill: dict[str, str]  # the places the letter names, for its replies
    township: Department
    name: str
    phone: str
    consent: bool
    code: str
    duplicate_of: DemoLetter | None = None
    row: dict[str, Any] = field(default_factory=dict)
    events: list[tuple[datetime, EventKind, bool, int | None, str, dict[str, Any]]] = field(
        default_factory=list
    )
    replies: list[_Reply] = field(default_factory=list)
    id: int = 0

    def number(self, tz: Any) -> str:
        return f"{self.submitted.astimezone(tz):%Y%m%d}{self.id:06d}"

    def event(
        self,
        at: datetime,
        kind: EventKind,
        unit: int | None = None,
        *,
        public: bool = True,
        note: str = "",
        **detail: Any,
    ) -> None:
        self.events.append((at, kind, public, unit, note, detail))


@dataclass
class _County:
    rng: random.Random
    now: datetime
    settings: Settings
    calendar: WorkCalendar
    units: dict[str, Department]
    townships: dict[str, Department]
    stuck: int = 0  # letters left unanswered for months: the leaders' alarm list

    @property
    def today(self) -> date:
        return self.now.astimezone(self.settings.tz).date()

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.settings.tz)

    def this_year(self, at: datetime) -> bool:
        return self.now - at < timedelta(days=365)


# --- loading -----------------------------------------------------------------------------------


def load(session: Session, *, scale: str, progress: Any = None) -> list[str]:
    lines = _load_small(session, progress)
    if scale == "large":
        from feedback.mailbox import demo_large

        lines += demo_large.load(session, progress=progress)
    return lines


def _load_small(session: Session, progress: Any) -> list[str]:
    if session.scalar(select(Letter.id).where(Letter.submission_key == f"{DEMO_KEY}0")):
        return []
    settings, now = get_settings(), utcnow()
    task = progress.add_task("letters", total=CURRENT_YEAR + PREVIOUS_YEAR) if progress else None
    letters = plan(now, list(session.scalars(select(Department))), load_calendar(session), settings)
    _write(session, settings, letters)
    if task is not None:
        progress.advance(task, len(letters))
    finder.index_missing(session)
    before = sum(now - d.submitted >= timedelta(days=365) for d in letters)
    lines = [
        f"Demo letters: {len(letters)} ({len(letters) - before} this year, {before} the year before)"
    ]
    sample = next(
        (d for d in reversed(letters) if d.row["status"] == Status.replied and d.row["published"]),
        None,
    )
    if sample:
        number = sample.number(settings.tz)
        lines.append(f"Track a demo letter: /mailbox/track?number={number}&code={sample.code}")
    return lines


def plan(
    now: datetime, departments: list[Department], calendar: WorkCalendar, settings: Settings
) -> list[DemoLetter]:
    """The demo's letters up to `now`, oldest first, each as far in its life as it has got.

    The same day, units and calendar give the same letters (one seeded generator)."""
    county = _County(
        random.Random(SEED),  # noqa: S311 (reproducible demo data, not secrets)
        now,
        settings,
        calendar,
        {d.slug: d for d in departments if d.kind == DepartmentKind.department},
        {d.slug: d for d in departments if d.kind == DepartmentKind.township},
    )
    letters = _regular_letters(county) + _incidents(county)
    letters.sort(key=lambda d: d.submitted)
    for letter in letters:
        _live(county, letter)
    return letters


# --- who writes, when, about what --------------------------------------------------------------


def _regular_letters(county: _County) -> list[DemoLetter]:
    """Letters spread over two years: more on weekdays, in winter and in the summer rains."""
    rng, today = county.rng, county.today
    drafts: list[DemoLetter] = []
    for first, count in ((364, CURRENT_YEAR), (729, PREVIOUS_YEAR)):
        days = [today - timedelta(days=back) for back in range(first - 364, first + 1)]
        weights = [_day_weight(day) for day in days]
        chosen = sorted(rng.choices(days, weights=weights, k=count))
        for day in chosen:
            submitted = _moment(county, day)
            topic = _topic(rng, county.local(submitted).month)
            drafts.append(_draft(county, topic, submitted))
    return drafts


MONTH_LOAD = {m: sum(t.weight(m) for t in texts.TOPICS) for m in range(1, 13)}


def _day_weight(day: date) -> float:
    weekday = 1.0 if day.weekday() < 5 else 0.65
    return weekday * MONTH_LOAD[day.month]


# Letters are written from early morning to late at night, most in office hours and evenings.
HOURS = list(range(24))
HOUR_WEIGHTS = [1, 0.5, 0.3, 0.2, 0.2, 0.5, 2, 5, 9, 11, 11, 9, 6, 5, 8, 9, 9, 8, 6, 7, 9, 9, 6, 3]


def _moment(county: _County, day: date) -> datetime:
    """A time of `day` (local) when someone writes; today, only hours already past."""
    rng, tz = county.rng, county.settings.tz
    for _ in range(50):
        hour = rng.choices(HOURS, weights=HOUR_WEIGHTS)[0]
        at = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=tz)
        if at < county.now:
            return at.astimezone(UTC)
    return county.now - timedelta(minutes=rng.randint(5, 60))


def _topic(rng: random.Random, month: int) -> Topic:
    return rng.choices(texts.TOPICS, weights=[t.weight(month) for t in texts.TOPICS])[0]


def _draft(
    county: _County,
    topic: Topic,
    submitted: datetime,
    *,
    places: dict[str, str] | None = None,
    writer: tuple[str, str] | None = None,
    letter: tuple[str, str] | None = None,
) -> DemoLetter:
    rng = county.rng
    township, fill = places_for(county, topic) if places is None else _known(county, places)
    subjects, body = letter or rng.choice(topic.letters)
    subject = rng.choice(subjects.split("|"))
    if topic.place == "county":  # a county-wide matter, from someone who lives somewhere
        home = texts.LIVES_IN_TOWN if township.slug == "chengguan" else texts.LIVES_IN_VILLAGE
        body = rng.choice(home) + body
    body = f"{rng.choice(texts.OPENINGS)}{body}{rng.choice(texts.CLOSINGS)}"
    name, phone = writer or _writer(rng)
    return DemoLetter(
        topic,
        submitted,
        subject.format(**fill),
        body.format(**fill),
        fill,
        township,
        name,
        phone,
        rng.random() < 0.6,
        "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)),
    )


def _writer(rng: random.Random) -> tuple[str, str]:
    prefix = rng.choice(["13", "15", "18", "17"])
    return rng.choice(texts.NAMES), f"{prefix}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"


def places_for(county: _County, topic: Topic) -> tuple[Department, dict[str, str]]:
    """The writer's township and the places the letter names, drawn for the topic's kind."""
    rng = county.rng
    towns = list(county.townships)
    if topic.place == "estate":
        estate, town = rng.choice(texts.ESTATES)
    elif topic.place == "road":
        estate, town = rng.choice(texts.ESTATES)[0], "chengguan"
    elif topic.place == "market town":
        estate, town = "", rng.choice([t for t in towns if t != "chengguan"])
    elif topic.place == "village":
        estate, town = "", rng.choice([t for t in towns if t != "chengguan"] * 4 + ["chengguan"])
    else:
        estate, town = "", rng.choice([*towns, "chengguan"])
    fill = {
        "estate": estate or rng.choice(texts.ESTATES)[0],
        "road": rng.choice(texts.ROADS),
        "village": rng.choice(texts.VILLAGES[town]),
        "town": county.townships[town].name,
        "hometown": county.townships[rng.choice([t for t in towns if t != "chengguan"])].name,
        "school": rng.choice(texts.SCHOOLS),
        "n": str(rng.randint(1, 28)),
        "amount": str(rng.randrange(18, 160) * 1000 + rng.choice([0, 500])),
        "months": rng.choice(["三个多月", "半年", "八个月", "大半年", "十个月"]),
    }
    return county.townships[town], fill


def _known(county: _County, places: dict[str, str]) -> tuple[Department, dict[str, str]]:
    town = next(d for d in county.townships.values() if d.name == places["town"])
    return town, dict(places)


def _incidents(county: _County) -> list[DemoLetter]:
    """One problem at one place, written about by several people within days, every month."""
    rng, today = county.rng, county.today
    by_key = {t.key: t for t in texts.TOPICS}
    drafts: list[DemoLetter] = []
    month_start = today.replace(day=1)
    for _ in range(24):
        for key in texts.INCIDENTS[month_start.month]:
            topic = by_key[key]
            if month_start.year == today.year and month_start.month == today.month:
                start = today - timedelta(days=12)  # this month's: some letters still open
            else:
                start = month_start + timedelta(days=rng.randint(0, 18))
            drafts += _incident(county, topic, start)
        month_start = (month_start - timedelta(days=1)).replace(day=1)
    return [
        d
        for d in drafts
        if d.submitted < county.now and county.now - d.submitted < timedelta(days=729)
    ]


def _incident(county: _County, topic: Topic, start: date) -> list[DemoLetter]:
    rng = county.rng
    _, places = places_for(county, topic)
    # Neighbours who write about one problem tell much the same story, of the same building.
    story = rng.choice(topic.letters)
    drafts: list[DemoLetter] = []
    for _ in range(rng.randint(8, 14)):
        day = start + timedelta(days=min(rng.expovariate(0.3), 12))
        told = story if rng.random() < 0.75 else rng.choice(topic.letters)
        draft = _draft(county, topic, _moment(county, day), places=places, letter=told)
        if drafts and rng.random() < 0.15:  # someone writes again before hearing back
            first = rng.choice(drafts)
            draft = _draft(
                county, topic, first.submitted + timedelta(hours=rng.uniform(20, 70)),
                places=places, writer=(first.name, first.phone), letter=story,
            )  # fmt: skip
            draft.duplicate_of = first
        drafts.append(draft)
    return drafts


# --- what happens to a letter ------------------------------------------------------------------


def _live(county: _County, d: DemoLetter) -> None:
    """Assignment, reply, rating, publication: as far as the letter has got by now."""
    rng, now = county.rng, county.now
    row = d.row
    row.update(
        status=Status.submitted,
        assign_due_at=rules.assign_deadline(d.submitted, county.calendar, county.settings),
        published=False,
        support=0,
        updated_at=d.submitted,
    )
    d.event(d.submitted, EventKind.submitted)
    assigned = _office_hours(county, d.submitted + timedelta(hours=rng.uniform(0.5, 4)))
    fresh = now - d.submitted < timedelta(days=6)
    if assigned > now or (fresh and rng.random() < 0.06):  # new, or forgotten: overdue to assign
        return
    if d.topic.reject:
        row.update(status=Status.rejected, rejection_reason=d.topic.reject, closed_at=assigned)
        d.event(assigned, EventKind.rejected, note=d.topic.reject)
        row["updated_at"] = assigned
        return
    if d.duplicate_of is not None:
        row.update(status=Status.closed, closed_at=assigned, updated_at=assigned)
        d.event(assigned, EventKind.merged)  # `into` is the other letter's number, known later
        return
    _assign(county, d, assigned)


def _office_hours(county: _County, at: datetime) -> datetime:
    """`at`, or the next working morning when it falls at night, a weekend or a holiday."""
    local = county.local(at)
    day = local.date()
    if county.calendar.is_working_day(day) and time(8, 30) <= local.time() <= time(17, 30):
        return at
    if not county.calendar.is_working_day(day) or local.time() > time(17, 30):
        day = county.calendar.next_working_day(day)
    minutes = county.rng.randint(0, 150)
    start = datetime.combine(day, time(8, 30), tzinfo=county.settings.tz)
    return (start + timedelta(minutes=minutes)).astimezone(UTC)


def _assign(county: _County, d: DemoLetter, assigned: datetime) -> None:
    rng, row = county.rng, d.row
    unit = d.township if d.topic.unit == TOWN else county.units[d.topic.unit]
    first = unit
    if d.topic.unit != TOWN and rng.random() < 0.07:  # sent to the township first, then on
        first = d.township
    row.update(status=Status.assigned, department_id=first.id, assigned_at=assigned)
    row["reply_due_at"] = rules.reply_deadline(
        assigned, d.topic.category, county.calendar, county.settings
    )
    d.event(assigned, EventKind.assigned, first.id)
    handed = assigned
    if first is not unit:
        handed = assigned + timedelta(hours=rng.uniform(3, 30))
        if handed > county.now:
            return
        row.update(department_id=unit.id, assigned_at=handed)
        d.event(handed, EventKind.transferred, unit.id, previous=first.slug)
    row["updated_at"] = handed
    d.fill.update(we=_we(unit), unit=unit.name)
    _answer(county, d, unit, handed)


def _answer(county: _County, d: DemoLetter, unit: Department, start: datetime) -> None:
    """The first reply: on time mostly, late more often the year before; some need longer."""
    rng, now, row = county.rng, county.now, d.row
    due = row["reply_due_at"]
    long_kind = rules.reply_working_days(d.topic.category, county.settings) > 5
    if long_kind and rng.random() < 0.05:  # a leader grants more time
        asked = start + (due - start) * 0.6
        if asked <= now:
            _extend(county, d, unit, asked, approved=asked + timedelta(hours=20) <= now)
            due = row["reply_due_at"]
    if _stuck(county, d):
        return
    late = rng.random() < _lateness(county, d)
    span = (due - start) * (rng.uniform(1.1, 2.8) if late else rng.uniform(0.15, 0.95))
    if start + span > now:
        if long_kind and not row.get("extension_days") and rng.random() < 0.1:
            asked = start + (due - start) * 0.5
            if asked <= now:
                _extend(county, d, unit, asked, approved=False)
        return
    _reply(county, d, unit, start + span, rng.choice(d.topic.replies))


def _lateness(county: _County, d: DemoLetter) -> float:
    """How often a reply comes late: less this year than the year before, but more in the
    last weeks for the season's demands (heating in winter, floods in summer), which pile up."""
    if (
        county.now - d.submitted < timedelta(days=45)
        and county.local(d.submitted).month in d.topic.months
    ):
        return 0.3
    return 0.1 if county.this_year(d.submitted) else 0.16


def _stuck(county: _County, d: DemoLetter) -> bool:
    """Two hard cases left unanswered for two months and more (the alarm list)."""
    age = county.now - d.submitted
    hard = d.topic.key in ("land-compensation", "title-deed", "wages")
    if hard and timedelta(days=62) < age < timedelta(days=95) and county.stuck < 2:
        county.stuck += 1
        return True
    return False


def _extend(
    county: _County, d: DemoLetter, unit: Department, at: datetime, *, approved: bool
) -> None:
    rng, row = county.rng, d.row
    reason = rng.choice(texts.EXTENSION_REASONS)
    d.event(at, EventKind.extension_requested, public=False, note=reason, days=10)
    if approved:
        row["reply_due_at"] = county.calendar.add_working_days(row["reply_due_at"], 10)
        d.event(at + timedelta(hours=20), EventKind.extension_approved, days=10)
    else:  # waiting for a leader's decision
        row.update(extension_days=10, extension_reason=reason)
    row["updated_at"] = at


def _reply(county: _County, d: DemoLetter, unit: Department, at: datetime, template: str) -> None:
    rng, row = county.rng, d.row
    since = row.get("replied_at") or row["assigned_at"]
    text = template.format(
        **d.fill,
        issue=d.topic.issue,
        visit=_day(county, since + (at - since) * rng.uniform(0.2, 0.7)),
        finish=_day(county, at + timedelta(days=rng.randint(7, 25))),
    )
    d.replies.append(_Reply(unit.id, text, at))
    row.update(status=Status.replied, replied_at=at, updated_at=at)
    if row.get("first_replied_at") is None:
        row.update(
            first_replied_at=at,
            reply_hours=(at - d.submitted).total_seconds() / 3600,
            on_time=at <= row["reply_due_at"],
        )
    d.event(at, EventKind.replied, unit.id)
    _publish(county, d, at)
    _rate(county, d, unit, at)


def _day(county: _County, at: datetime) -> str:
    local = county.local(at)
    return f"{local.month}月{local.day}日"


def _we(unit: Department) -> str:
    """How the unit says "we" in a reply: 我局, 我委, 我镇, 我乡…"""
    if unit.kind == DepartmentKind.township:
        return f"我{unit.name[-1]}"
    return texts.WE.get(unit.slug, "我局")


def _publish(county: _County, d: DemoLetter, replied: datetime) -> None:
    rng, row = county.rng, d.row
    at = replied + timedelta(hours=rng.uniform(4, 60))
    if not d.consent or row["published"] or at > county.now or rng.random() < 0.65:
        return
    row.update(published=True, published_at=at, support=int(rng.paretovariate(1.6)) - 1)
    d.event(at, EventKind.published)


def _rate(county: _County, d: DemoLetter, unit: Department, replied: datetime) -> None:
    """Most writers rate; a few are unhappy and the letter opens again for a second reply."""
    rng, now, row = county.rng, county.now, d.row
    window = timedelta(days=county.settings.rating_window_days)
    rated = replied + timedelta(days=rng.uniform(0.1, 6))
    second = len(d.replies) > 1
    if rated > now or rng.random() < (0.5 if second else 0.3):
        if now - replied > window:
            row.update(status=Status.closed, closed_at=replied + window)
            d.event(replied + window, EventKind.closed)
        return
    weights = [62, 27, 11] if county.this_year(d.submitted) else [55, 30, 15]
    choice = rng.choices(list(Satisfaction), weights=weights)[0]
    unhappy = choice == Satisfaction.unsatisfied
    comment = rng.choice(texts.POOR_COMMENTS if unhappy else texts.GOOD_COMMENTS)
    d.replies[-1].rating = (choice, comment, rated)
    row.update(satisfaction=choice, updated_at=rated)
    d.event(rated, EventKind.rated, satisfaction=choice.value)
    if not unhappy or second:
        row.update(status=Status.closed, closed_at=rated)
        d.event(rated, EventKind.closed)
        return
    row["status"] = Status.reopened
    row["reply_due_at"] = rules.reply_deadline(
        rated, d.topic.category, county.calendar, county.settings
    )
    d.event(rated, EventKind.reopened)
    again = rated + (row["reply_due_at"] - rated) * rng.uniform(0.5, 1.4)
    if again <= now:
        _reply(county, d, unit, again, rng.choice(texts.SECOND_REPLIES[d.topic.category]))


# --- writing -----------------------------------------------------------------------------------


def _write(session: Session, settings: Settings, drafts: list[DemoLetter]) -> None:
    first_letter = bulk.next_id(session, table_of(Letter))
    next_reply = bulk.next_id(session, table_of(Reply))
    next_rating = bulk.next_id(session, table_of(Rating))
    tz = settings.tz
    for i, d in enumerate(drafts):
        d.id = first_letter + i
    rows: dict[str, list[tuple[Any, ...]]] = {
        "letters": [],
        "words": [],
        "replies": [],
        "ratings": [],
        "events": [],
    }
    counted: dict[str, dict[str, int]] = {}
    for i, d in enumerate(drafts):
        day = f"{d.submitted.astimezone(tz):%Y%m%d}"
        letter = {
            **d.row,
            "id": d.id,
            "number_day": day,
            "tracking_code_hash": hash_code(d.code),
            "submission_key": f"{DEMO_KEY}{i}",
            "category": d.topic.category,
            "subject": d.subject,
            "body": d.body,
            "name": d.name,
            "phone": d.phone,
            "township_id": d.township.id,
            "publish_consent": d.consent,
            "submitted_at": d.submitted,
            "created_at": d.submitted,
            "duplicate_of_id": d.duplicate_of.id if d.duplicate_of else None,
        }
        rows["letters"].append(tuple(letter.get(c) for c in LETTER_COLUMNS))
        text = f"{d.subject}\n{d.body}"
        if text not in counted:
            counted[text] = word_counts(text)
        rows["words"] += [(d.id, w, n) for w, n in counted[text].items()]
        for reply in d.replies:
            rows["replies"].append(
                (next_reply, d.id, reply.department_id, reply.body, True, reply.at)
            )
            if reply.rating:
                choice, comment, at = reply.rating
                rows["ratings"].append((next_rating, d.id, next_reply, choice, comment, at))
                next_rating += 1
            next_reply += 1
        for at, kind, public, unit, note, detail in d.events:
            if kind == EventKind.merged and d.duplicate_of is not None:
                detail = {"into": d.duplicate_of.number(tz)}
            rows["events"].append((d.id, at, kind, public, unit, note, detail))
    for model, key, columns in (
        (Letter, "letters", LETTER_COLUMNS),
        (LetterWord, "words", WORD_COLUMNS),
        (Reply, "replies", REPLY_COLUMNS),
        (Rating, "ratings", RATING_COLUMNS),
        (LetterEvent, "events", EVENT_COLUMNS),
    ):
        bulk.write_rows(session, table_of(model), columns, rows[key])
    for model in (Letter, Reply, Rating, LetterEvent):
        bulk.sync_sequence(session, table_of(model))


# --- kept for the city-scale demo and the import benchmark -------------------------------------
# They draw letters from four-field topics (unit, kind, subject, body with {town} and {n}), the
# heating topic first; `demo_large` looks the rural road topic up by this subject.
LEGACY_SUBJECTS = {"heating": "小区冬季供暖温度不达标", "village-road": "乡村道路坑洼严重"}


class _Keep(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _legacy(topic: Topic) -> tuple[str, Category, str, str]:
    subjects, body = topic.letters[0]
    subject = subjects.split("|")[0]
    sample = _Keep(estate="锦绣花园", road="人民路", village="李家庄村", hometown="东风镇",
                   school="县第一实验小学", amount="36000", months="八个月")  # fmt: skip
    return (
        topic.unit if topic.unit != TOWN else "chengguan",
        topic.category,
        LEGACY_SUBJECTS.get(topic.key) or subject.format_map(_Keep(sample, town="本镇")),
        body.format_map(sample),
    )


TOPICS: list[tuple[str, Category, str, str]] = [
    _legacy(t) for t in sorted(texts.TOPICS, key=lambda t: t.key != "heating") if not t.reject
]
REPLIES = ["您好！您反映的问题已收悉。经我单位调查核实，{detail}感谢您对我县工作的关心和支持。"]
DETAILS = [
    "相关问题已责成责任单位限期整改，预计两周内完成。",
    "相关政策及办理流程已在政府网站公开，您可携带身份证到政务服务中心窗口办理。",
    "已协调有关方面进行处理，目前问题已基本解决。",
]
