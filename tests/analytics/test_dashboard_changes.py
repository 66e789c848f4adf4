"""The dashboard's headline cards compare with the previous period only when it is comparable,
and then say every change with one sign and its label (issue #15)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from analytics import comparison
from tests.analytics.dataset import PERIOD, Dataset
from tests.analytics.helpers import backdate, local, submit
from tests.conftest import login

# PERIOD is 2024-03-01 to 2024-04-30 (61 days): its previous period is 2023-12-31 to 2024-02-29.
PREVIOUS = "2023-12-31 to 2024-02-29"


def cards(html: str) -> dict[str, str]:
    """Each headline card's label -> the text under its value (the change, the divisor)."""
    section = html.split('class="headlines"', 1)[1].split("</section>", 1)[0]
    out = {}
    for card in re.findall(r'<div class="headline">(.*?)</div>', section, re.S):
        label = re.search(r'class="headline-label">(.*?)</p>', card, re.S)
        rest = card.split('class="headline-value"', 1)[1].split("</p>", 1)[1]
        assert label is not None
        out[label.group(1).strip()] = " ".join(re.sub(r"<[^>]+>", " ", rest).split())
    return out


def letters_before(client: TestClient, db: Session, *days: tuple[int, int, int]) -> None:
    """Letters received on the given days (year, month, day), before PERIOD."""
    for y, m, d in days:
        letter = submit(client, "路灯不亮", "小区路灯坏了一个月，晚上出行不便。")
        backdate(db, letter["number"], local(y, m, d))


def test_no_change_is_shown_when_records_begin_inside_the_previous_period(
    client: TestClient, dataset: Dataset
) -> None:
    # The first letter on record came on 2024-02-29, the previous period's last day: comparing
    # 9 letters with its 1 would print a rise of 8 that is only the mailbox opening.
    login(client, "leader1")

    html = client.get("/dashboard", params={**PERIOD, "lang": "en"}).text

    assert "▲" not in html and "▼" not in html
    assert all("previous period" not in text for text in cards(html).values())
    assert (
        "No change is shown: there is no comparable previous period, because letters on record "
        "begin on 2024-02-29, after the previous period of the same length began (2023-12-31)."
    ) in html
    assert "at least 20 letters" in html  # the rule is stated
    assert "Whole county: letters received from 2024-03-01 to 2024-04-30" in html


def test_no_change_is_shown_when_the_previous_period_holds_few_letters(
    client: TestClient, db: Session, dataset: Dataset
) -> None:
    letters_before(client, db, (2023, 12, 20), (2024, 1, 15))
    login(client, "leader1")

    html = client.get("/dashboard", params={**PERIOD, "lang": "en"}).text

    assert all("previous period" not in text for text in cards(html).values())
    assert f"the previous period of the same length, {PREVIOUS}, holds only 2 letters." in html


def test_changes_are_signed_and_labelled_once_comparable(
    client: TestClient, db: Session, dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(comparison, "MIN_PREVIOUS_LETTERS", 3)
    # With L0a (2024-02-29) the previous period holds 3 letters, none replied yet.
    letters_before(client, db, (2023, 12, 20), (2024, 1, 15), (2024, 2, 1))
    login(client, "leader1")

    english = cards(client.get("/dashboard", params={**PERIOD, "lang": "en"}).text)
    chinese = cards(client.get("/dashboard", params={**PERIOD, "lang": "zh"}).text)

    assert english["Letters received"] == "+6 on the previous period"  # 9 against 3
    # 4 of 9 replied against 0 of 3: one sign, the unit, the comparison, and better in words.
    assert english["Reply rate"].startswith("+44.4 percentage points on the previous period")
    assert "(better)" in english["Reply rate"]
    assert english["Overdue now"].startswith("open and past their deadline today")
    assert chinese["来信总量"] == "比上期 +6"
    assert chinese["答复率"].startswith("比上期 +44.4 个百分点（向好）")


def test_a_fall_has_one_minus_sign(
    client: TestClient, db: Session, dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(comparison, "MIN_PREVIOUS_LETTERS", 3)
    letters_before(client, db, (2023, 12, 31), *[(2024, 1, d) for d in range(1, 12)])
    login(client, "leader1")

    english = cards(client.get("/dashboard", params={**PERIOD, "lang": "en"}).text)

    # 9 letters against 1 (L0a) + 12: a fall of 4, written with one typographic minus.
    assert english["Letters received"] == "\u22124 on the previous period"
    assert not any("-" in text or "▼" in text for text in english.values())
