"""Fixtures for the survey tests: cheap hashing, a second unit, browsers, a ready questionnaire."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engagement import i18n
from engagement.models import Department, User
from engagement.timeutil import utcnow
from surveys.models import Answer, Question, Response, Survey
from tests import factories
from tests.conftest import bearer, login


@pytest.fixture
def transport(db: Session) -> Department:
    return factories.department(slug="transport", name="县交通运输局")


@pytest.fixture
def outsider(db: Session, transport: Department) -> User:
    """Staff of another unit than the one running the survey."""
    return factories.user(username="staff-transport", role="staff", department=transport)


@pytest.fixture
def staff_auth(client: TestClient, staff: User) -> dict[str, str]:
    return bearer(client, staff.username)


@pytest.fixture
def browser_for(app: FastAPI) -> Callable[[str | None], TestClient]:
    """A separate browser with its own cookies, signed in as `username` when given."""

    def make(username: str | None = None) -> TestClient:
        browser = TestClient(app, base_url="http://testserver")
        if username:
            login(browser, username)
        return browser

    return make


# --- a questionnaire ---------------------------------------------------------------------------

QUESTIONS: list[dict[str, Any]] = [
    {
        "key": "district",
        "kind": "single",
        "text": "您居住在哪个片区？",
        "required": True,
        "options": ["城东", "城西", "城南"],
    },
    {
        "key": "services",
        "kind": "multiple",
        "text": "您经常使用哪些公共服务？",
        "options": ["公交", "图书馆", "公园", "医院"],
    },
    {
        "key": "bus",
        "kind": "text",
        "text": "您对公交线路有什么建议？",
        "show_if": {"key": "services", "in": ["公交"]},
    },
    {"key": "satisfaction", "kind": "rating", "text": "您对公共服务总体满意吗？", "required": True},
    {"key": "age", "kind": "number", "text": "您的年龄", "min": 16, "max": 100},
    {"key": "advice", "kind": "text", "text": "其他意见和建议"},
]


def iso(moment: datetime) -> str:
    return moment.isoformat()


def survey_body(**overrides: Any) -> dict[str, Any]:
    now = utcnow()
    body: dict[str, Any] = {
        "title": "2025年城区公共服务满意度调查",
        "description": "为了解居民对公共服务的需求，特开展本次调查，约需三分钟。",
        "opens_at": iso(now - timedelta(hours=1)),
        "closes_at": iso(now + timedelta(days=30)),
        "results_public": True,
        "one_response_per_browser": False,
        "questions": [dict(q) for q in QUESTIONS],
    }
    body.update(overrides)
    return body


def create(client: TestClient, auth: dict[str, str], **overrides: Any) -> int:
    response = client.post("/api/v1/staff/surveys", json=survey_body(**overrides), headers=auth)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def create_open(client: TestClient, auth: dict[str, str], **overrides: Any) -> int:
    survey_id = create(client, auth, **overrides)
    published = client.post(f"/api/v1/staff/surveys/{survey_id}/publish", headers=auth)
    assert published.status_code == 200, published.text
    return survey_id


def answer(client: TestClient, survey_id: int, answers: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/surveys/{survey_id}/responses", json={"answers": answers})


def stored_counts(db: Session, survey_id: int) -> tuple[int, int]:
    """(responses, answer rows) stored for a survey."""
    db.expire_all()
    responses = db.scalar(select(func.count(Response.id)).where(Response.survey_id == survey_id))
    answers = db.scalar(
        select(func.count(Answer.id))
        .join(Question, Question.id == Answer.question_id)
        .where(Question.survey_id == survey_id)
    )
    return responses or 0, answers or 0


def set_times(db: Session, survey_id: int, **times: datetime) -> None:
    db.expire_all()
    survey = db.get(Survey, survey_id)
    assert survey is not None
    for name, value in times.items():
        setattr(survey, name, value)
    db.flush()


def zh(msgid: str, **params: Any) -> str:
    text = i18n.translations("zh").gettext(msgid)
    return text % params if params else text


def error_fields(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    return [str(entry["loc"][-1]) for entry in response.json()["detail"]]


def error_locs(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 422, response.text
    return [tuple(entry["loc"]) for entry in response.json()["detail"]]
