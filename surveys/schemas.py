"""The surveys' JSON shapes (contract §5, Surveys)."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, BaseModel, Field

from engagement.timeutil import ApiDatetime
from feedback.mailbox.schemas import UnitRef
from surveys.models import QuestionKind, Status


class ShowIf(BaseModel):
    key: str = Field(max_length=40)
    in_: list[str] = Field(alias="in", min_length=1, max_length=50)

    model_config = {"populate_by_name": True}


class QuestionIn(BaseModel):
    key: str = Field(min_length=1, max_length=40)
    kind: QuestionKind
    text: str = Field(min_length=1, max_length=500)
    required: bool = False
    options: list[str] | None = Field(default=None, max_length=50)
    min: float | None = None
    max: float | None = None
    show_if: ShowIf | None = None


class SurveyCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    results_public: bool = False
    one_response_per_browser: bool = False
    questions: list[QuestionIn] = Field(min_length=1, max_length=100)
    department: str | None = Field(default=None, max_length=64)


class Created(BaseModel):
    id: int
    status: Status


class QuestionRead(BaseModel):
    key: str
    kind: QuestionKind
    text: str
    required: bool
    options: list[str] | None = None
    min: float | None = None
    max: float | None = None
    show_if: dict[str, Any] | None = None


class SurveyRead(BaseModel):
    id: int
    title: str
    description: str
    status: Status
    department: UnitRef
    opens_at: ApiDatetime
    closes_at: ApiDatetime
    results_public: bool
    one_response_per_browser: bool
    questions: list[QuestionRead]


class SurveySummary(BaseModel):
    id: int
    title: str
    status: Status
    department: UnitRef
    opens_at: ApiDatetime
    closes_at: ApiDatetime
    results_public: bool


class ResponseCreate(BaseModel):
    answers: dict[str, Any] = Field(max_length=100)


class ResponseCreated(BaseModel):
    id: int
