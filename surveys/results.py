"""Survey results counted in SQL: one GROUP BY per kind of question, whatever the volume."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from engagement.segment import top_words
from surveys.models import CHOICE_KINDS, Answer, Question, QuestionKind, Response, Survey

TEXT_SAMPLE = 3000  # newest free-text answers read for word frequencies


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    mean: float | None = None
    words: list[tuple[str, int]] | None = None  # staff only: see `compute`

    def percent(self, n: int) -> float:
        return round(100 * n / self.answered, 1) if self.answered else 0.0


@dataclass
class SurveyResults:
    responses: int
    questions: list[QuestionResult]

    def as_contract(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for r in self.questions:
            item: dict[str, Any] = {
                "kind": r.question.kind.value,
                "counts": r.counts,
                "answered": r.answered,
            }
            if r.question.kind in (QuestionKind.rating, QuestionKind.number):
                item["mean"] = r.mean
            if r.words is not None:
                item["words"] = [{"word": w, "count": n} for w, n in r.words]
            out[r.question.key] = item
        return {"responses": self.responses, "questions": out}


def label(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def compute(session: Session, survey: Survey, *, with_words: bool = False) -> SurveyResults:
    """The figures of every question; the frequent words of text answers only `with_words`.

    What the public sees of a text question is how many answered it, never what they wrote, not
    even as frequent words: answers name people (李明书记, 张三的摊位) whom masking cannot tell
    from other words. That is what a county publishes of a survey: the figures, and the unit's
    own summary of the comments. Staff of the owning unit, leaders and admins see the words.
    """
    ids = [q.id for q in survey.questions]
    responses = (
        session.scalar(select(func.count(Response.id)).where(Response.survey_id == survey.id)) or 0
    )
    answered = dict(
        session.execute(
            select(Answer.question_id, func.count(func.distinct(Answer.response_id)))
            .where(Answer.question_id.in_(ids))
            .group_by(Answer.question_id)
        ).all()
    )
    options = session.execute(
        select(Answer.question_id, Answer.option, func.count())
        .where(Answer.question_id.in_(ids), Answer.option.is_not(None))
        .group_by(Answer.question_id, Answer.option)
    ).all()
    numbers = session.execute(
        select(Answer.question_id, Answer.number, func.count())
        .where(Answer.question_id.in_(ids), Answer.number.is_not(None))
        .group_by(Answer.question_id, Answer.number)
    ).all()
    results = {q.id: _empty_result(q, answered.get(q.id, 0)) for q in survey.questions}
    for qid, option, n in options:
        results[qid].counts[str(option)] = n
    sums: dict[int, tuple[float, int]] = {}
    for qid, number, n in numbers:
        value = float(number or 0)
        results[qid].counts[label(value)] = results[qid].counts.get(label(value), 0) + n
        total, count = sums.get(qid, (0.0, 0))
        sums[qid] = (total + value * n, count + n)
    for qid, (total, count) in sums.items():
        results[qid].mean = round(total / count, 2) if count else None
    if with_words:
        for q in survey.questions:
            if q.kind == QuestionKind.text:
                results[q.id].words = _words(session, q.id)
    return SurveyResults(responses, [results[q.id] for q in survey.questions])


def _empty_result(q: Question, answered: int) -> QuestionResult:
    result = QuestionResult(q, answered)
    if q.kind in CHOICE_KINDS:
        result.counts = dict.fromkeys(q.options, 0)
    elif q.kind == QuestionKind.rating and q.low is not None and q.high is not None:
        result.counts = {str(v): 0 for v in range(int(q.low), int(q.high) + 1)}
    return result


def _words(session: Session, question_id: int) -> list[tuple[str, int]]:
    texts = session.scalars(
        select(Answer.text)
        .where(Answer.question_id == question_id, Answer.text.is_not(None))
        .order_by(Answer.id.desc())
        .limit(TEXT_SAMPLE)
    )
    return top_words((t for t in texts if t), limit=30)


def crosstab(session: Session, rows: Question, columns: Question) -> dict[str, dict[str, int]]:
    """Respondents by their answers to two choice questions (counted in SQL)."""
    a, b = aliased(Answer), aliased(Answer)
    table = {r: dict.fromkeys(columns.options, 0) for r in rows.options}
    counts = session.execute(
        select(a.option, b.option, func.count())
        .join(b, b.response_id == a.response_id)
        .where(a.question_id == rows.id, b.question_id == columns.id)
        .group_by(a.option, b.option)
    )
    for row_value, column_value, n in counts:
        if row_value in table and column_value in table[row_value]:
            table[row_value][column_value] = n
    return table
