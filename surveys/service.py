"""Survey rules: building, publishing, answering (whole or not at all) and counting."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from engagement import accounts, audit, search
from engagement.audit import Actor
from engagement.auth.policy import Action, can, require, unit_scope
from engagement.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    Unauthenticated,
)
from engagement.models import User, table_of
from engagement.timeutil import utcnow
from surveys import rules
from surveys.models import Answer, Question, QuestionKind, Response, Status, Survey
from surveys.rules import QuestionSpec


@dataclass
class SurveyIn:
    title: str
    description: str
    opens_at: datetime
    closes_at: datetime
    results_public: bool
    one_response_per_browser: bool
    questions: list[QuestionSpec]
    department: str | None = None


def survey_doc(survey: Survey) -> search.Doc:
    questions = "\n".join(q.text for q in survey.questions)
    return search.Doc(
        "survey",
        str(survey.id),
        survey.title,
        f"{survey.description}\n{questions}",
        f"/surveys/{survey.id}",
        survey.department_id,
        survey.published_at or utcnow(),
    )


def search_documents(session: Session) -> Iterator[search.Doc]:
    for survey in session.scalars(select(Survey).where(Survey.published_at.is_not(None))):
        yield survey_doc(survey)


def spec_of(q: Question) -> QuestionSpec:
    return QuestionSpec(
        key=q.key,
        kind=q.kind,
        text=q.text,
        required=q.required,
        options=list(q.options),
        min=q.min,
        max=q.max,
        show_if_key=q.show_if_key,
        show_if_values=list(q.show_if_values),
    )


def _survey_errors(data: SurveyIn) -> rules.Errors:
    errors = rules.definition_errors(data.questions)
    if not 1 <= len(data.title.strip()) <= 200:
        errors.append(("title", DomainError("A title of 1 to 200 characters is required.")))
    if data.closes_at <= data.opens_at:
        errors.append(("closes_at", DomainError("The closing time must be after the opening.")))
    return errors


def _questions(specs: Sequence[QuestionSpec]) -> list[Question]:
    return [
        Question(
            key=s.key,
            ordinal=i,
            kind=s.kind,
            text=s.text.strip(),
            required=s.required,
            options=[o.strip() for o in s.options],
            min=s.min,
            max=s.max,
            show_if_key=s.show_if_key,
            show_if_values=list(s.show_if_values),
        )
        for i, s in enumerate(specs, start=1)
    ]


def create_survey(session: Session, actor: Actor, data: SurveyIn) -> Survey:
    assert actor.user is not None
    unit_id = accounts.acting_unit(session, actor.user, data.department)
    require(actor.user, Action.manage_survey, unit_id)
    errors = _survey_errors(data)
    if errors:
        raise Invalid.many(errors)
    survey = Survey(
        department_id=unit_id,
        title=data.title.strip(),
        description=data.description.strip(),
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        results_public=data.results_public,
        one_response_per_browser=data.one_response_per_browser,
        questions=_questions(data.questions),
    )
    session.add(survey)
    session.flush()
    audit.record(
        session,
        actor,
        "survey.create",
        object_type="survey",
        object_id=survey.id,
        title=survey.title,
    )
    return survey


def update_survey(session: Session, actor: Actor, survey_id: int, data: SurveyIn) -> Survey:
    """Saves an edit; once answered, only wording may change (the questions' meaning may not)."""
    survey = get_for_staff(session, actor, survey_id, manage=True)
    errors = _survey_errors(data)
    if errors:
        raise Invalid.many(errors)
    answered = response_count(session, survey.id) > 0
    if answered and rules.meaning_changed([spec_of(q) for q in survey.questions], data.questions):
        raise Conflict(
            "This survey has responses: only the wording of its questions can change now."
        )
    survey.title, survey.description = data.title.strip(), data.description.strip()
    survey.opens_at, survey.closes_at = data.opens_at, data.closes_at
    survey.results_public = data.results_public
    survey.one_response_per_browser = data.one_response_per_browser
    if answered:
        for question, spec in zip(survey.questions, data.questions, strict=True):
            question.text = spec.text.strip()
    else:
        survey.questions.clear()
        session.flush()
        survey.questions.extend(_questions(data.questions))
    audit.record(session, actor, "survey.update", object_type="survey", object_id=survey.id)
    return survey


def publish(session: Session, actor: Actor, survey_id: int) -> Survey:
    survey = get_for_staff(session, actor, survey_id, manage=True)
    if survey.published_at is not None:
        raise Conflict("This survey is already published.")
    if survey.closes_at <= utcnow():
        raise Conflict("The closing time has passed: change it before publishing.")
    survey.published_at = utcnow()
    audit.record(session, actor, "survey.publish", object_type="survey", object_id=survey.id)
    session.flush()
    search.index(session, survey_doc(survey))
    return survey


def close_now(session: Session, actor: Actor, survey_id: int) -> Survey:
    survey = get_for_staff(session, actor, survey_id, manage=True)
    if survey.status_at(utcnow()) != Status.open:
        raise Conflict("Only an open survey can be closed.")
    survey.closes_at = utcnow()
    audit.record(session, actor, "survey.close", object_type="survey", object_id=survey.id)
    return survey


# --- reading -----------------------------------------------------------------------------------


def get_public(session: Session, survey_id: int) -> Survey:
    """A published survey; a draft is NotFound, as if it did not exist, until published."""
    survey = session.get(Survey, survey_id)
    if survey is None or survey.published_at is None:
        raise NotFound("No such survey.")
    return survey


def get_for_staff(
    session: Session, actor: Actor, survey_id: int, *, manage: bool = False
) -> Survey:
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise NotFound("No such survey.")
    require(actor.user, Action.manage_survey if manage else Action.view_unit, survey.department_id)
    return survey


def list_public(
    session: Session, *, offset: int = 0, limit: int = 20, department: str | None = None
) -> tuple[list[Survey], int]:
    stmt = select(Survey).where(Survey.published_at.is_not(None))
    if department:
        stmt = stmt.where(Survey.department_id == accounts.get_department(session, department).id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    now = utcnow()
    rows = sorted(
        session.scalars(stmt),
        key=lambda s: (
            {Status.open: 0, Status.scheduled: 1}.get(s.status_at(now), 2),
            -s.opens_at.timestamp(),
        ),
    )
    return rows[offset : offset + limit], total


def list_for_staff(session: Session, user: User) -> list[Survey]:
    stmt = select(Survey).order_by(Survey.id.desc())
    scope = unit_scope(user)
    if scope is not None:
        stmt = stmt.where(Survey.department_id == scope)
    return list(session.scalars(stmt))


def response_count(session: Session, survey_id: int) -> int:
    return (
        session.scalar(select(func.count(Response.id)).where(Response.survey_id == survey_id)) or 0
    )


def may_see_results(user: User | None, survey: Survey) -> bool:
    return survey.results_public or can(user, Action.view_unit, survey.department_id)


def require_results(user: User | None, survey: Survey) -> None:
    if may_see_results(user, survey):
        return
    if user is None:
        raise Unauthenticated("The results of this survey are not public: sign in.")
    raise Forbidden("The results of this survey are not public.")


# --- answering ---------------------------------------------------------------------------------


def _check_first_from(session: Session, survey: Survey, browser: str | None) -> None:
    """One response per browser: the site's form gives each browser an id in a cookie; an API
    client must send its own in `X-Browser-Id`, the same for every response from that browser
    (without it, nothing would tell a second response from a first, so none is taken)."""
    if not browser:
        raise Conflict(
            "This survey takes one response per browser: send the X-Browser-Id header, "
            "the same for every response from this browser."
        )
    if answered_from(session, survey.id, browser):
        raise Conflict("This browser has already answered this survey.")


def answered_from(session: Session, survey_id: int, browser: str) -> bool:
    """Whether this browser id has answered the survey (stored for one-per-browser surveys)."""
    answered = select(Response.id).where(
        Response.survey_id == survey_id, Response.browser == browser
    )
    return session.scalar(answered.limit(1)) is not None


def submit_response(
    session: Session,
    survey_id: int,
    answers: Mapping[str, Any],
    *,
    browser: str | None = None,
    ip: str | None = None,
) -> int:
    """Stores a whole response or nothing; returns its id."""
    survey = get_public(session, survey_id)
    if survey.status_at(utcnow()) != Status.open:
        raise Conflict("This survey is not open.")
    errors = rules.answer_errors(survey.questions, answers)
    if errors:
        raise Invalid.many(errors)
    if survey.one_response_per_browser:
        _check_first_from(session, survey, browser)
    response_id = session.execute(
        insert(table_of(Response)).returning(table_of(Response).c.id),
        {"survey_id": survey.id, "created_at": utcnow(), "browser": browser, "client_ip": ip},
    ).scalar_one()
    rows = list(_answer_rows(survey.questions, answers, response_id))
    if rows:
        session.execute(insert(table_of(Answer)), rows)
    return int(response_id)


def _answer_rows(
    questions: Sequence[Question], answers: Mapping[str, Any], response_id: int
) -> Any:
    for q in questions:
        value = answers.get(q.key)
        if value is None or value == "" or value == []:
            continue
        base = {
            "response_id": response_id,
            "question_id": q.id,
            "option": None,
            "number": None,
            "text": None,
        }
        if q.kind == QuestionKind.multiple:
            for option in value:
                yield {**base, "option": option}
        elif q.kind == QuestionKind.single:
            yield {**base, "option": value}
        elif q.kind == QuestionKind.text:
            yield {**base, "text": value}
        else:
            yield {**base, "number": float(value)}
