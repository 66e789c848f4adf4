"""Every page that htmx updates in place answers an HX-Request with only its fragment, and the
same address without it with the whole page (so Back and refresh never show a bare fragment)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engagement.timeutil import utcnow
from feedback.consultations.models import Consultation, Kind, Section
from surveys.models import Question, QuestionKind, Survey
from tests.conftest import login

HX = {"HX-Request": "true"}


@pytest.fixture
def content(db, housing):
    now = utcnow()
    consultation = Consultation(
        department_id=housing.id,
        kind=Kind.other,
        title="供热方案",
        summary="征求意见",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=9),
        published_at=now,
        sections=[Section(ordinal=1, heading="第一条", text="内容")],
    )
    survey = Survey(
        department_id=housing.id,
        title="满意度调查",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=9),
        published_at=now,
        results_public=True,
        questions=[
            Question(
                key="q1",
                ordinal=1,
                kind=QuestionKind.single,
                text="满意吗",
                options=["满意", "不满意"],
            )
        ],
    )
    db.add_all([consultation, survey])
    db.flush()
    return consultation, survey


def pages(consultation_id: int, survey_id: int) -> list[str]:
    return [
        "/admin/audit?page=1",
        "/mailbox/letters?category=complaint",
        "/staff/letters?queue=overdue",
        "/search?q=供热",
        f"/staff/consultations/{consultation_id}?comments=approved",
        "/dashboard?sort=overdue",
        f"/staff/surveys/{survey_id}",
        f"/surveys/{survey_id}",
    ]


def test_fragments_and_full_pages(client, admin, content):
    consultation, survey = content
    login(client, admin.username)
    for path in pages(consultation.id, survey.id):
        fragment = client.get(path, headers=HX)
        assert fragment.status_code == 200, (path, fragment.text[:500])
        assert "<html" not in fragment.text, path
        assert "HX-Request" in fragment.headers.get("vary", ""), path
        whole = client.get(path)
        assert whole.status_code == 200, path
        assert "<html" in whole.text, path


def test_history_restore_gets_the_whole_page(client, admin):
    login(client, admin.username)
    response = client.get("/admin/audit", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in response.text
