"""Surveys: questionnaires, their questions, and responses stored one answer per row.

One row per answer (per chosen option for multiple choice) lets results be counted in SQL with
GROUP BY, exactly and fast, however many responses there are.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.models import Base, Department, TimestampMixin
from engagement.timeutil import utcnow


class QuestionKind(enum.StrEnum):
    single = "single"
    multiple = "multiple"
    text = "text"
    rating = "rating"
    number = "number"


class Status(enum.StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    open = "open"
    closed = "closed"


CHOICE_KINDS = (QuestionKind.single, QuestionKind.multiple)


class Survey(TimestampMixin, Base):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    results_public: Mapped[bool] = mapped_column(default=False)
    one_response_per_browser: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None]

    department: Mapped[Department] = relationship(lazy="joined")
    questions: Mapped[list[Question]] = relationship(
        back_populates="survey",
        lazy="selectin",
        order_by="Question.ordinal",
        cascade="all, delete-orphan",
    )

    def status_at(self, now: datetime) -> Status:
        if self.published_at is None:
            return Status.draft
        if now < self.opens_at:
            return Status.scheduled
        if now < self.closes_at:
            return Status.open
        return Status.closed


class Question(Base):
    __tablename__ = "survey_questions"
    __table_args__ = (UniqueConstraint("survey_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    ordinal: Mapped[int]
    kind: Mapped[QuestionKind]
    text: Mapped[str] = mapped_column(String(500))
    required: Mapped[bool] = mapped_column(default=False)
    options: Mapped[list[str]] = mapped_column(default=list)
    min: Mapped[float | None] = mapped_column(Float)
    max: Mapped[float | None] = mapped_column(Float)
    show_if_key: Mapped[str | None] = mapped_column(String(40))
    show_if_values: Mapped[list[str]] = mapped_column(default=list)

    survey: Mapped[Survey] = relationship(back_populates="questions")

    @property
    def low(self) -> float | None:
        return (
            self.min if self.min is not None else (1 if self.kind == QuestionKind.rating else None)
        )

    @property
    def high(self) -> float | None:
        return (
            self.max if self.max is not None else (5 if self.kind == QuestionKind.rating else None)
        )


class Response(Base):
    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    browser: Mapped[str | None] = mapped_column(String(64))
    client_ip: Mapped[str | None] = mapped_column(String(64))


class Answer(Base):
    __tablename__ = "survey_answers"
    __table_args__ = (Index("ix_survey_answers_question_option", "question_id", "option"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"))
    option: Mapped[str | None] = mapped_column(String(200))
    number: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)
