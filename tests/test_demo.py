"""`engagement demo` reads like a county's year: varied letters by unit and season, replies that
answer them, issues several people write about, every state of a workbench, and a year before
that the dashboard can compare with.

The demo runs once for the module, as an operator runs it (the console script on a fresh SQLite
file), then once more; the tests read what it wrote.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics.models import HotIssue, HotIssueLetter
from engagement import segment
from engagement.db import make_engine
from engagement.models import Department, DepartmentKind
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from engagement.workdays import WorkCalendar
from feedback.mailbox import demo, demo_letters
from feedback.mailbox.models import OPEN_STATUSES, EventKind, Letter, LetterEvent, Reply, Status

BIN = Path(sys.executable).with_name("engagement")
LOCAL = ZoneInfo("Asia/Shanghai")
# Words that any letter or reply may use: they say nothing of what a letter asks.
GENERIC = set(
    [
        "小区",
        "问题",
        "咨询",
        "建议",
        "反映",
        "投诉",
        "举报",
        "县城",
        "关于",
        "怎么",
        "什么",
        "能否",
        "请求",
        "帮助",
        "希望",
        "政府",
        "有关",
        "部门",
        "办理",
        "哪里",
        "需要",
        "村民",
        "今年",
        "还是",
        "不能",
        "为什么",
        "谢谢",
        "解决",
        "请问",
        "领导",
        "多少",
        "时间",
        "情况",
    ]
)


@dataclass
class Run:
    output: str


@dataclass
class Demo:
    url: str
    first: Run
    second: Run
    letters_after_first: int


def _env(database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENGAGEMENT_")}
    env.update(
        ENGAGEMENT_DATABASE_URL=f"sqlite:///{database}",
        ENGAGEMENT_SECRET_KEY="demo-test-secret-not-for-production",
        COLUMNS="200",
    )
    return env


def _engagement(database: Path, *args: str) -> Run:
    result = subprocess.run(
        [str(BIN), *args],
        capture_output=True,
        text=True,
        env=_env(database),
        cwd=database.parent,  # never the project's .env or database
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return Run(result.stdout)


def _count_letters(url: str) -> int:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.scalar(select(func.count(Letter.id))) or 0
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    database = tmp_path_factory.mktemp("demo") / "demo.db"
    _engagement(database, "migrate")
    first = _engagement(database, "demo")
    url = f"sqlite:///{database}"
    letters = _count_letters(url)
    second = _engagement(database, "demo")
    return Demo(url, first, second, letters)


@pytest.fixture(scope="module", autouse=True)
def _own_segmentation() -> Iterator[None]:
    """Reads with the county's vocabulary and the demo's places only: words other tests in this
    process taught jieba (their letters' names) would cut these subjects differently."""
    saved = segment._instance, set(segment._added)
    segment._instance = None
    segment._added.clear()
    yield
    segment._instance = saved[0]
    segment._added.clear()
    segment._added.update(saved[1])


@pytest.fixture
def session(county: Demo) -> Iterator[Session]:
    engine = make_engine(county.url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def _letters(session: Session) -> list[Letter]:
    return list(session.scalars(select(Letter).order_by(Letter.id)))


def _month(at: datetime) -> int:
    return at.astimezone(LOCAL).month


# --- runs ----------------------------------------------------------------------------------------


def test_demo_runs_twice_without_adding_anything_twice(county: Demo, session: Session) -> None:
    assert "Demo letters:" in county.first.output
    assert "Demo letters:" not in county.second.output  # the second run finds them there
    assert session.scalar(select(func.count(Letter.id))) == county.letters_after_first
    keys = session.scalars(select(Letter.submission_key)).all()
    assert len(keys) == len(set(keys))
    for run in (county.first, county.second):
        assert "staff-housing" in run.output and "demo-leader-pass" in run.output


def test_the_same_day_gives_the_same_letters() -> None:
    settings = get_settings()
    units = [
        Department(id=i, slug=slug, name=name, kind=kind)
        for i, (slug, name, kind) in enumerate(
            [(s, n, DepartmentKind.department) for s, n in _departments()]
            + [(s, n, DepartmentKind.township) for s, n in _townships()],
            start=1,
        )
    ]
    now = utcnow()
    calendar = WorkCalendar(settings.tz, {})

    def letters() -> list[tuple[object, ...]]:
        return [
            (
                d.submitted,
                d.subject,
                d.body,
                d.name,
                d.row["status"],
                tuple(r.body for r in d.replies),
            )
            for d in demo.plan(now, units, calendar, settings)
        ]

    assert letters() == letters()


def _departments() -> list[tuple[str, str]]:
    from engagement.demo import DEPARTMENTS

    return DEPARTMENTS


def _townships() -> list[tuple[str, str]]:
    from engagement.demo import TOWNSHIPS

    return TOWNSHIPS


# --- what the letters say ------------------------------------------------------------------------


def test_letters_ask_about_many_different_things(session: Session) -> None:
    letters = _letters(session)
    subjects = Counter(x.subject for x in letters)
    bodies = Counter(x.body for x in letters)
    assert len(subjects) >= 0.4 * len(letters), subjects.most_common(5)
    subject, uses = subjects.most_common(1)[0]
    assert uses <= 0.01 * len(letters), (subject, uses)
    body, uses = bodies.most_common(1)[0]
    assert uses <= 0.005 * len(letters), (body, uses)
    # Every unit hears from the public, and every township writes.
    handled = {x.department_id for x in letters if x.department_id}
    assert len(handled) == session.scalar(select(func.count(Department.id)))


def _topic_words(subject: str, places: set[str]) -> set[str]:
    return {
        w
        for w in segment.words(subject)
        if w not in GENERIC and w not in places and not w.isdigit() and len(w) >= 2
    }


def _places(session: Session) -> set[str]:
    names = {e for e, _ in demo_letters.ESTATES} | set(demo_letters.ROADS)
    names |= {v for villages in demo_letters.VILLAGES.values() for v in villages}
    names |= set(demo_letters.SCHOOLS) | set(session.scalars(select(Department.name)))
    segment.use_words(names)
    return names


def test_every_reply_answers_what_its_letter_asks(session: Session) -> None:
    """A reply speaks of the letter's own demand (heating, medical insurance…), in other words
    than the subject it may quote; a stock reply that fits any letter does not."""
    places = _places(session)
    subjects = dict(session.execute(select(Letter.id, Letter.subject)).all())
    replies = session.execute(select(Reply.letter_id, Reply.body)).all()
    assert len(replies) > 3000
    off_topic = []
    for letter_id, body in replies:
        subject = subjects[letter_id]
        words = _topic_words(subject, places)
        said = set(segment.words(body.replace(subject, "")))
        if words and not words & said:
            off_topic.append((subject, body[:60]))
    assert off_topic == [], f"{len(off_topic)} replies miss their letter: {off_topic[:5]}"
    assert len({body for _, body in replies}) >= 0.5 * len(replies)
    assert all(body.startswith("您好！") for _, body in replies)


# --- when ---------------------------------------------------------------------------------------


def test_the_year_before_holds_a_comparable_number_of_letters(session: Session) -> None:
    now = utcnow()
    this_year = session.scalar(
        select(func.count(Letter.id)).where(Letter.submitted_at >= now - timedelta(days=365))
    )
    year_before = session.scalar(
        select(func.count(Letter.id)).where(
            Letter.submitted_at < now - timedelta(days=365),
            Letter.submitted_at >= now - timedelta(days=730),
        )
    )
    assert this_year and year_before
    assert this_year > 1500
    assert 0.75 <= year_before / this_year <= 1.1, (this_year, year_before)


def _share_in(letters: list[Letter], pattern: str, months: set[int]) -> tuple[int, float]:
    about = [x for x in letters if re.search(pattern, x.subject)]
    inside = [x for x in about if _month(x.submitted_at) in months]
    return len(about), len(inside) / max(len(about), 1)


def test_the_seasons_show(session: Session) -> None:
    letters = _letters(session)
    # Heating from autumn to spring, most of it in the coldest months.
    count, share = _share_in(letters, "暖气|供暖", {9, 10, 11, 12, 1, 2, 3})
    assert count >= 100 and share >= 0.98, (count, share)
    assert _share_in(letters, "暖气|供暖", {11, 12, 1, 2})[1] >= 0.7
    # Water in the streets and fields in the summer rains.
    count, share = _share_in(letters, "积水|内涝|倒灌|河堤|被雨水淹", {6, 7, 8, 9})
    assert count >= 50 and share >= 0.9, (count, share)
    # School places before the school year.
    count, share = _share_in(letters, "入学|划片", {5, 6, 7, 8, 9})
    assert count >= 50 and share >= 0.8, (count, share)
    # Wages owed, most of all before Spring Festival: per month, far more in Dec–Feb.
    count, share = _share_in(letters, "工资", {12, 1, 2})
    assert count >= 50 and share / 3 >= 2.5 * (1 - share) / 9, (count, share)


# --- the workbench and the dashboard -------------------------------------------------------------


def test_the_workbench_shows_every_state(session: Session) -> None:
    now = utcnow()
    letters = _letters(session)
    states = Counter(x.status for x in letters)
    assert states[Status.submitted] >= 3
    assert states[Status.assigned] >= 20
    assert states[Status.replied] >= 10
    assert states[Status.reopened] >= 2
    assert states[Status.rejected] >= 5
    assert states[Status.closed] >= 0.8 * len(letters)
    overdue = [x for x in letters if x.is_overdue(now)]
    assert 5 <= len(overdue) <= 60, len(overdue)
    # Two hard cases open for two months and more: the leaders' alarm list.
    assert any(
        x.is_open and x.first_replied_at is None and now - x.submitted_at > timedelta(days=60)
        for x in letters
    )
    assert any(x.extension_days for x in letters if x.is_open)
    assert sum(x.duplicate_of_id is not None for x in letters) >= 5
    assert sum(x.published for x in letters) >= 300
    assert all(x.rejection_reason for x in letters if x.status == Status.rejected)
    kinds = Counter(session.scalars(select(LetterEvent.kind)))
    assert kinds[EventKind.transferred] >= 50
    assert kinds[EventKind.extension_approved] >= 20
    assert kinds[EventKind.published] == sum(x.published for x in letters)
    # This year's units answer on time more often than the year before's.
    on_time = {
        year: [
            x.on_time
            for x in letters
            if x.on_time is not None and (now - x.submitted_at).days // 365 == year
        ]
        for year in (0, 1)
    }
    assert sum(on_time[0]) / len(on_time[0]) > sum(on_time[1]) / len(on_time[1])
    assert not any(
        x.status in OPEN_STATUSES and x.submitted_at < now - timedelta(days=100) for x in letters
    )


def test_hot_issues_are_one_problem_at_one_place(session: Session) -> None:
    """Several people write about one problem at one place within days (the demo's incidents),
    and the dashboard's hot issues find them."""
    issues = session.execute(
        select(HotIssue.id, func.count(HotIssueLetter.letter_id))
        .join(HotIssueLetter, HotIssueLetter.issue_id == HotIssue.id)
        .group_by(HotIssue.id)
    ).all()
    sizes = sorted((n for _, n in issues), reverse=True)
    assert sum(n >= 5 for n in sizes) >= 20, sizes[:30]
    assert sizes[0] <= 40, sizes[:5]  # no stock letter that everyone sends alike
    recent = utcnow() - timedelta(days=45)
    hottest, letters_lately = session.execute(
        select(HotIssueLetter.issue_id, func.count())
        .join(Letter, Letter.id == HotIssueLetter.letter_id)
        .where(Letter.submitted_at >= recent)
        .group_by(HotIssueLetter.issue_id)
        .order_by(func.count().desc(), HotIssueLetter.issue_id)
        .limit(1)
    ).one()
    assert letters_lately >= 5, "no issue that several people wrote about in the last weeks"
    letters = session.scalars(
        select(Letter).join(HotIssueLetter).where(HotIssueLetter.issue_id == hottest)
    ).all()
    units = Counter(x.department_id for x in letters if x.department_id)
    assert units.most_common(1)[0][1] >= 0.8 * sum(units.values())
    assert session.get_one(HotIssue, hottest).places
