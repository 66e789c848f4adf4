"""Raw answers for staff: one row per response, one column per question (CSV and XLSX).

One header row of question keys, then data rows only, so a spreadsheet or pandas reads every row
as a response; the question texts are on the workbook's second sheet.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement.settings import get_settings
from engagement.spreadsheet import XLSX, append_row, csv_bytes, xlsx_bytes
from surveys.models import Answer, Question, QuestionKind, Response, Survey

__all__ = ["XLSX", "to_csv", "to_xlsx"]
BATCH = 2000


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else value


def _responses(session: Session, survey: Survey) -> Iterator[tuple[Response, dict[int, list[Any]]]]:
    """Responses in order with their answers per question id, read in batches; a number
    answer is a number, a choice or a text is the text."""
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
                else (_number(a.number) if a.number is not None else a.text)
            )
            answers[a.response_id].setdefault(a.question_id, []).append(value)
        for response in batch:
            yield response, answers[response.id]
        last = ids[-1]


def _time(response: Response) -> str:
    return response.created_at.astimezone(get_settings().tz).strftime("%Y-%m-%d %H:%M:%S")


def _csv_cell(given: list[Any]) -> Any:
    """One answer as it is (a number stays a number); several choices joined by ；."""
    if len(given) == 1:
        return given[0]
    return "；".join(map(str, given))


def to_csv(session: Session, survey: Survey) -> bytes:
    """UTF-8 with a BOM so that Excel opens the Chinese text correctly; choices joined by ；."""
    rows = (
        [
            response.id,
            _time(response),
            *[_csv_cell(answers.get(q.id, [])) for q in survey.questions],
        ]
        for response, answers in _responses(session, survey)
    )
    return csv_bytes(["response", "submitted_at", *[q.key for q in survey.questions]], rows)


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
    """Sheet "responses": keys, then a row per response (1/0 per option of multiple choice);
    sheet "questions": each question's key, text, kind and options."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("responses")
    columns = _columns(survey)
    append_row(
        sheet, ["response", "submitted_at", *[f"{q.key}:{o}" if o else q.key for q, o in columns]]
    )
    for response, answers in _responses(session, survey):
        row: list[Any] = [response.id, _time(response)]
        for q, option in columns:
            given = answers.get(q.id, [])
            if option is not None:
                row.append(1 if option in given else 0)
            else:
                row.append(given[0] if given else None)
        append_row(sheet, row)
    questions = book.create_sheet("questions")
    append_row(questions, ["key", "text", "kind", "options"])
    for q in survey.questions:
        append_row(questions, [q.key, q.text, q.kind.value, "；".join(q.options)])
    return xlsx_bytes(book)
