"""Turning HTML form fields into survey answers and question specs, and back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.datastructures import FormData

from surveys.models import Question, QuestionKind
from surveys.rules import QuestionSpec


def answers_from_form(questions: Sequence[Question], form: FormData) -> dict[str, Any]:
    """Typed answers; a number that does not parse stays a string so that it is reported."""
    answers: dict[str, Any] = {}
    for q in questions:
        field = f"q-{q.key}"
        if q.kind == QuestionKind.multiple:
            chosen = [str(v) for v in form.getlist(field) if str(v)]
            if chosen:
                answers[q.key] = chosen
            continue
        raw = str(form.get(field) or "").strip()
        if not raw:
            continue
        answers[q.key] = (
            _number(raw) if q.kind in (QuestionKind.rating, QuestionKind.number) else raw
        )
    return answers


def _number(raw: str) -> Any:
    try:
        value = float(raw)
    except ValueError:
        return raw
    return int(value) if value.is_integer() else value


def spec_from_form(form: FormData) -> QuestionSpec:
    """A question from the editor's fields (options one per line; show-if as key + values)."""
    kind = str(form.get("kind") or "single")
    options = [line.strip() for line in str(form.get("options") or "").splitlines() if line.strip()]
    show_key = str(form.get("show_if_key") or "").strip() or None
    show_values = [
        v.strip() for v in str(form.get("show_if_values") or "").splitlines() if v.strip()
    ]
    return QuestionSpec(
        key=str(form.get("key") or "").strip(),
        kind=QuestionKind(kind) if kind in QuestionKind.__members__ else QuestionKind.single,
        text=str(form.get("text") or ""),
        required=form.get("required") == "true",
        options=options if kind in ("single", "multiple") else [],
        min=_bound(form.get("min")),
        max=_bound(form.get("max")),
        show_if_key=show_key,
        show_if_values=show_values if show_key else [],
    )


def _bound(value: Any) -> float | None:
    try:
        return float(str(value)) if str(value or "").strip() else None
    except ValueError:
        return None
