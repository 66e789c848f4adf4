"""Contract §5: every export (CSV, XLSX, any module) shows what a citizen typed and runs nothing.

Hostile text is planted where each export reads it (survey answers, consultation comments, the
briefing's hot issues and topics, unit names, published letters); every file is downloaded
through its route, XLSX opened with openpyxl, CSV parsed with the csv module and with pandas.
The text is stored straight into the database after the citizen's route took it, because the
routes strip a leading tab or line break and old or imported data need not have passed them.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from analytics.models import HotIssue, HotIssueLetter, HotIssueRun, Topic, TopicRun
from engagement.models import Department, User
from feedback.consultations.models import Comment
from feedback.mailbox.models import Letter
from feedback.mailbox.service import find_by_number
from surveys.models import Answer, Question
from tests import factories
from tests.analytics.helpers import no_rate_limits  # noqa: F401 (autouse: many writes, one address)
from tests.conftest import bearer, login
from tests.feedback import factories as letters
from tests.feedback.consultations.conftest import consultation_body
from tests.hostile_text import HOSTILE
from tests.surveys.conftest import answer, create_open

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def xlsx_reads(text: str) -> str:
    """XML, and so XLSX, keeps no bare carriage return: a reader sees a line break."""
    return text.replace("\r", "\n")


def xlsx_values(response: Any) -> list[Any]:
    """Every cell of every sheet, after checking that none of them is a formula."""
    assert response.status_code == 200, response.text
    book = load_workbook(io.BytesIO(response.content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert cells
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    return [c.value for c in cells]


def assert_shown_as_typed(response: Any, planted: list[str]) -> None:
    values = xlsx_values(response)
    assert [text for text in planted if xlsx_reads(text) not in values] == []


def csv_rows(response: Any, *, data_rows: int, planted: list[str]) -> list[list[str]]:
    """The rows (header first); no field of the csv module's or pandas' reading starts a
    formula, each planted text is there behind the one protective quote."""
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    frame = pd.read_csv(
        io.BytesIO(response.content), encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    assert len(rows) == 1 + data_rows
    assert len(frame) == data_rows
    fields = [f for row in rows for f in row]
    read_by_pandas = [*frame.columns, *(str(v) for v in frame.to_numpy().ravel())]
    assert [f for f in fields + read_by_pandas if f.startswith(FORMULA_STARTS)] == []
    for text in planted:
        assert "'" + text in fields, text
        assert "'" + text in read_by_pandas, text
    return rows


# --- surveys -----------------------------------------------------------------------------------


def test_survey_exports_show_text_answers_as_typed(
    client: TestClient, db: Session, staff: User
) -> None:
    auth = bearer(client, staff.username)
    survey_id = create_open(client, auth)
    for n in range(len(HOSTILE)):
        sent = answer(client, survey_id, {"district": "城东", "satisfaction": 4, "advice": f"#{n}"})
        assert sent.status_code == 201, sent.text
    for n, text in enumerate(HOSTILE):
        db.execute(update(Answer).where(Answer.text == f"#{n}").values(text=text))
    db.execute(
        update(Question)
        .where(Question.survey_id == survey_id, Question.key == "advice")
        .values(text=HOSTILE[1])
    )
    db.flush()
    login(client, staff.username)
    api = f"/api/v1/staff/surveys/{survey_id}/export"

    for response in (
        client.get(api, params={"format": "csv"}, headers=auth),
        client.get(f"/staff/surveys/{survey_id}/export.csv"),
    ):
        rows = csv_rows(response, data_rows=len(HOSTILE), planted=HOSTILE)
        advice = rows[0].index("advice")
        assert [r[advice].removeprefix("'") for r in rows[1:]] == HOSTILE
    for response in (
        client.get(api, params={"format": "xlsx"}, headers=auth),
        client.get(f"/staff/surveys/{survey_id}/export.xlsx"),
    ):
        assert_shown_as_typed(response, HOSTILE)
        sheet = load_workbook(io.BytesIO(response.content))["responses"]
        assert sheet.max_row == 1 + len(HOSTILE)


# --- consultations -----------------------------------------------------------------------------


def test_consultation_export_shows_comments_and_names_as_typed(
    client: TestClient, db: Session, staff: User
) -> None:
    auth = bearer(client, staff.username)
    made = client.post("/api/v1/staff/consultations", json=consultation_body(), headers=auth)
    consultation_id = made.json()["id"]
    client.post(f"/api/v1/staff/consultations/{consultation_id}/publish", headers=auth)
    for n in range(len(HOSTILE)):
        sent = client.post(
            f"/api/v1/consultations/{consultation_id}/comments",
            json={"section": None, "body": f"第{n}条意见的内容", "name": "市民"},
        )
        assert sent.status_code == 201, sent.text
    comments = db.scalars(
        select(Comment).where(Comment.consultation_id == consultation_id).order_by(Comment.id)
    )
    for comment, text in zip(comments, HOSTILE, strict=True):
        comment.body, comment.name, comment.contact = text, text, "+86 139 1234 5678"
    db.flush()
    login(client, staff.username)

    response = client.get(f"/staff/consultations/{consultation_id}/export.xlsx")

    assert_shown_as_typed(response, [*HOSTILE, "+86 139 1234 5678"])
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [(r[2], r[3]) for r in rows[1:]] == [(xlsx_reads(t), xlsx_reads(t)) for t in HOSTILE]


# --- the briefing ------------------------------------------------------------------------------


def test_briefing_workbook_shows_hot_issues_and_topics_as_text(
    client: TestClient, db: Session, leader: User, housing: Department
) -> None:
    run = HotIssueRun(letters=len(HOSTILE), method="planted")
    db.add(run)
    for text in HOSTILE:
        made = letters.assigned(db, leader, subject=f"{text}反映的问题")
        letter = find_by_number(db, made.number)
        assert letter is not None
        issue = HotIssue(title=text, places=[text], keywords=[text])
        db.add(issue)
        db.flush()
        db.add(HotIssueLetter(letter_id=letter.id, issue_id=issue.id))
    topics = TopicRun(letters=len(HOSTILE), method="planted")
    db.add(topics)
    db.flush()
    db.add(
        Topic(
            run_id=topics.id,
            rank=1,
            label=HOSTILE[1],
            words=[HOSTILE[0]],
            size=7,
            recent=7,
            previous=0,
            examples=[HOSTILE[3]],
            units=["县住房和城乡建设局"],
        )
    )
    db.flush()
    login(client, leader.username)

    response = client.get("/dashboard/briefing.xlsx")

    assert_shown_as_typed(response, HOSTILE)
    book = load_workbook(io.BytesIO(response.content))
    hot = list(book["热点问题"].iter_rows(values_only=True))
    assert sorted(r[0] for r in hot[1:]) == sorted(xlsx_reads(t) for t in HOSTILE)
    assert all(r[0] == r[1] == r[2] for r in hot[1:])  # title, places, keywords
    assert book["主题"]["A2"].value == HOSTILE[1]


# --- open statistics and open data -------------------------------------------------------------


def test_statistics_csv_shows_unit_names_as_text(client: TestClient, db: Session) -> None:
    leader = factories.user(username="leader1", role="leader")
    for n, text in enumerate(HOSTILE):
        factories.department(slug=f"unit{n}", name=text)
        letters.assigned(db, leader, unit=f"unit{n}")

    response = client.get("/statistics.csv")

    rows = csv_rows(response, data_rows=len(HOSTILE), planted=HOSTILE)
    assert sorted(r[1].removeprefix("'") for r in rows[1:]) == sorted(HOSTILE)


@pytest.fixture
def published_hostile(db: Session, leader: User, staff: User) -> list[str]:
    numbers = [letters.published(db, leader, staff).number for _ in HOSTILE]
    for number, text in zip(numbers, HOSTILE, strict=True):
        db.execute(update(Letter).where(Letter.id == int(number[8:])).values(subject=text))
    db.flush()
    return numbers


def test_open_data_shows_subjects_as_text(client: TestClient, published_hostile: list[str]) -> None:
    rows = csv_rows(client.get("/statistics/letters.csv"), data_rows=len(HOSTILE), planted=HOSTILE)
    items = json.loads(client.get("/statistics/letters.json").content)["items"]

    subject = rows[0].index("标题")
    assert [r[subject].removeprefix("'") for r in rows[1:]] == HOSTILE
    assert [i["subject"] for i in items] == HOSTILE  # JSON runs nothing: exactly as typed
