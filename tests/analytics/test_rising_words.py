"""Rising words (analytics/trends.py): z = (x − λ) / √max(λ, 1) ≥ 3 and x ≥ 5, with λ the mean
count over the six earlier periods of the same length; nothing rises without all six."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from analytics.queries import LetterFilter, period
from analytics.trends import rising_words
from engagement.models import User
from engagement.settings import get_settings
from feedback.mailbox.models import Category, Letter, LetterWord
from tests.analytics.helpers import PHONE, local
from tests.conftest import login

# The current period is the week of 24–30 June 2024; the six before it start on 13 May.
START = local(2024, 6, 24, 12)
WEEK = timedelta(days=7)


def letter_with(db: Session, when: datetime, words: dict[str, int]) -> Letter:
    letter = Letter(
        number_day=f"{when.astimezone(get_settings().tz):%Y%m%d}",
        tracking_code_hash="0" * 64,
        category=Category.complaint,
        subject="来信",
        body="来信内容十个字以上的正文",
        name="王五",
        phone=PHONE,
        submitted_at=when,
        assign_due_at=when + timedelta(days=1),
    )
    db.add(letter)
    db.flush()
    db.add_all(LetterWord(letter_id=letter.id, word=w, n=n) for w, n in words.items())
    db.flush()
    return letter


def history(db: Session, weeks: range, words: dict[str, int]) -> None:
    """One letter in each earlier week (1 = the week just before the current one)."""
    for i in weeks:
        letter_with(db, START - i * WEEK, words)


def current(db: Session, words: dict[str, int]) -> None:
    letter_with(db, START, words)


def this_week() -> LetterFilter:
    since, until = period(START.date(), START.date() + timedelta(days=6))
    return LetterFilter(since=since, until=until)


USUAL = {"供暖": 1, "道路": 5, "水费": 4, "电费": 4}
NOW = {"供暖": 8, "道路": 5, "水费": 10, "电费": 9, "噪音": 4}


def test_a_burst_rises_and_a_steady_word_does_not(db: Session) -> None:
    history(db, range(1, 7), USUAL)
    current(db, NOW)

    rising = rising_words(db, this_week())

    # 供暖: λ = 1, z = 7; 水费: λ = 4, z = (10 − 4) / 2 = 3, just enough
    assert [(r.word, r.count, r.baseline, r.z) for r in rising] == [
        ("供暖", 8, 1.0, 7.0),
        ("水费", 10, 4.0, 3.0),
    ]
    words = {r.word for r in rising}
    assert "道路" not in words  # as usual
    assert "电费" not in words  # z = 2.5
    assert "噪音" not in words  # new, z = 4, but fewer than 5 mentions


def test_nothing_rises_without_six_earlier_periods(db: Session) -> None:
    history(db, range(1, 6), USUAL)  # the sixth week before has no letter
    current(db, NOW)

    assert rising_words(db, this_week()) == []


def test_letters_older_than_the_baseline_do_not_count(db: Session) -> None:
    """A seventh week back is no part of the usual level: the sixth week is still missing."""
    history(db, [*range(1, 6), 7], USUAL)
    current(db, NOW)

    assert rising_words(db, this_week()) == []


def test_a_usual_level_from_busy_weeks_keeps_a_word_down(db: Session) -> None:
    history(db, range(1, 7), {"供暖": 8})
    current(db, {"供暖": 8})

    assert rising_words(db, this_week()) == []


@pytest.mark.usefixtures("leader")
def test_the_dashboard_lists_rising_words(client: TestClient, db: Session) -> None:
    history(db, range(1, 7), USUAL)
    current(db, NOW)
    login(client, "leader1")

    html = client.get(
        "/dashboard", params={"from": "2024-06-24", "to": "2024-06-30", "lang": "en"}
    ).text
    quiet = client.get(
        "/dashboard", params={"from": "2024-06-17", "to": "2024-06-23", "lang": "en"}
    ).text

    section = html.split("Rising now", 1)[1].split("</ul>", 1)[0]
    assert re.findall(r"<li>([^<:]*):", section) == ["供暖", "水费"]
    assert "<li>供暖: 8 (usually 1.0)</li>" in section
    assert "Nothing is well above its usual level." in quiet


def test_staff_rising_words_are_their_units(client: TestClient, db: Session, staff: User) -> None:
    """Staff of a unit without letters see nothing rising, though the county's words rise."""
    history(db, range(1, 7), USUAL)
    current(db, NOW)
    login(client, "staff1")

    html = client.get(
        "/dashboard", params={"from": "2024-06-24", "to": "2024-06-30", "lang": "en"}
    ).text

    assert "<strong>供暖</strong>" not in html
    assert "Nothing is well above its usual level." in html
