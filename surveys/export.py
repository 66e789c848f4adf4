"""Raw answers for staff: one row per response, one column per question (CSV and XLSX)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement.settings import get_settings
from surveys.models import Answer, Question, QuestionKind, Response, Survey
from surveys.results import label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BATCH = 2000


def _responses(session: Session, survey: Survey) -> Iterator[tuple[Response, dict[int, list[Any]]]]:
    """Responses in order with their answers per question id, read in batches."""
    last = 0
    while True:
        batch = list(
            session.scalars(
                select(Response)
                .where(Response.survey_id == survey.id, Response.id > last)
                .order_by(Response.id)
                .limit(BATCH)
            )
        )
        if not batch:
            return
        ids = [r.id for r in batch]
        answers: dict[int, dict[int, list[Any]]] = {i: {} for i in ids}
        for a in session.scalars(
            select(Answer).where(Answer.response_id.in_(ids)).order_by(Answer.id)
        ):
            value = (
                a.option
                if a.option is not None
                else (label(a.number) if a.number is not None else a.text)
            )
            answers[a.response_id].setdefault(a.question_id, []).append(value)
        for response in batch:
            yield response, answers[response.id]
        last = ids[-1]


def _time(response: Response) -> str:
    return response.created_at.astimezone(get_settings().tz).strftime("%Y-%m-%d %H:%M:%S")


def to_csv(session: Session, survey: Survey) -> bytes:
    """UTF-8 with a BOM so that Excel opens the Chinese text correctly; choices joined by ；."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["response", "submitted_at", *[q.key for q in survey.questions]])
    writer.writerow(["", "", *[q.text for q in survey.questions]])
    for response, answers in _responses(session, survey):
        writer.writerow(
            [
                response.id,
                _time(response),
                *["；".join(map(str, answers.get(q.id, []))) for q in survey.questions],
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _columns(survey: Survey) -> list[tuple[Question, str | None]]:
    """One column per question, or one per option for multiple choice."""
    columns: list[tuple[Question, str | None]] = []
    for q in survey.questions:
        if q.kind == QuestionKind.multiple:
            columns += [(q, option) for option in q.options]
        else:
            columns.append((q, None))
    return columns


def to_xlsx(session: Session, survey: Survey) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("responses")
    columns = _columns(survey)
    sheet.append(
        ["response", "submitted_at", *[f"{q.key}:{o}" if o else q.key for q, o in columns]]
    )
    sheet.append(["", "", *[f"{q.text}（{o}）" if o else q.text for q, o in columns]])
    for response, answers in _responses(session, survey):
        row: list[Any] = [response.id, _time(response)]
        for q, option in columns:
            given = answers.get(q.id, [])
            if option is not None:
                row.append(1 if option in given else 0)
            elif q.kind in (QuestionKind.rating, QuestionKind.number) and given:
                row.append(float(given[0]))
            else:
                row.append(given[0] if given else None)
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
