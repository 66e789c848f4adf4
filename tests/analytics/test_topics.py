"""Topics found among the letters: labelled, sized, trending, with masked examples."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics import topics
from engagement import demo
from engagement.models import User
from feedback.mailbox import demo_large
from feedback.mailbox.models import Letter
from tests.conftest import login


@pytest.fixture
def found(db: Session) -> list[topics.Topic]:
    demo.load_units(db)
    demo_large.load(db, count=6000)
    topics.refresh_topics(db)
    return topics.latest(db)[1]


def test_topics_have_labels_sizes_units_and_masked_examples(db: Session, found: list) -> None:
    run, _ = topics.latest(db)
    assert run is not None and run.letters > 300
    assert 5 <= len(found) <= topics.TOPICS
    assert sum(t.size for t in found) <= run.letters
    assert [t.size for t in found] == sorted((t.size for t in found), reverse=True)
    for t in found:
        assert t.label == " · ".join(t.words[:3])
        assert 1 <= len(t.examples) <= 3 and t.units
        for example in t.examples:
            number = example.split()[0]
            assert db.scalar(select(Letter.id).where(Letter.id == int(number[8:])))
            assert not re.search(r"1[3-9]\d{9}", example)  # no phone number


def test_the_cold_snap_makes_heating_a_rising_topic(found: list) -> None:
    heating = next(t for t in found if all("供暖" in e for e in t.examples))
    assert heating.recent > heating.previous
    assert topics.is_rising(heating)
    assert not all(topics.is_rising(t) for t in found)


def test_leaders_see_topics_on_the_dashboard_and_staff_do_not(
    client: TestClient, leader: User, staff: User, found: list
) -> None:
    login(client, leader.username)
    page = client.get("/dashboard", params={"lang": "en"})
    assert page.status_code == 200
    assert "Topics" in page.text and found[0].label in page.text
    assert "Computed" in page.text

    client.post("/logout")
    login(client, staff.username)
    page = client.get("/dashboard", params={"lang": "en"})
    assert page.status_code == 200
    assert found[0].label not in page.text


def test_too_few_letters_give_no_topics(db: Session) -> None:
    run = topics.refresh_topics(db)
    assert run.letters == 0
    assert topics.latest(db)[1] == []
