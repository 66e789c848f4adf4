"""What makes a questionnaire valid, which questions are shown, and what makes an answer valid.

Plain functions over plain data, so the API, the pages and the editor share one judge.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engagement.errors import DomainError
from surveys.models import CHOICE_KINDS, QuestionKind

KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
MAX_TEXT = 2000
MAX_RATING_POINTS = 11  # 0–10, the widest scale in use; the form shows one button a point


@dataclass
class QuestionSpec:
    key: str
    kind: QuestionKind
    text: str
    required: bool = False
    options: list[str] = field(default_factory=list)
    min: float | None = None
    max: float | None = None
    show_if_key: str | None = None
    show_if_values: list[str] = field(default_factory=list)

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


Errors = list[tuple[str | None, DomainError]]


def definition_errors(questions: Sequence[QuestionSpec]) -> Errors:
    """Everything wrong with a list of questions; show_if may only look at earlier questions."""
    errors: Errors = []
    seen: dict[str, QuestionSpec] = {}
    for i, q in enumerate(questions):
        where = f"questions.{i}"
        errors += [(where, e) for e in _question_errors(q, seen)]
        seen.setdefault(q.key, q)
    if not questions:
        errors.append(("questions", DomainError("A survey needs at least one question.")))
    return errors


def _question_errors(q: QuestionSpec, earlier: Mapping[str, QuestionSpec]) -> list[DomainError]:
    errors: list[DomainError] = []
    if not KEY.match(q.key):
        errors.append(DomainError("A key starts with a letter and has letters, digits or _."))
    elif q.key in earlier:
        errors.append(DomainError("The key %(key)s is used twice.", key=q.key))
    if not 1 <= len(q.text.strip()) <= 500:
        errors.append(DomainError("A question's text has 1 to 500 characters."))
    if q.kind in CHOICE_KINDS:
        cleaned = [o.strip() for o in q.options]
        if len(cleaned) < 2 or any(not o or len(o) > 200 for o in cleaned):
            errors.append(DomainError("A choice question needs at least two options."))
        elif len(set(cleaned)) != len(cleaned):
            errors.append(DomainError("Options must differ from each other."))
    elif q.options:
        errors.append(DomainError("Only choice questions have options."))
    if q.kind not in (QuestionKind.rating, QuestionKind.number) and (
        q.min is not None or q.max is not None
    ):
        errors.append(DomainError("Only rating and number questions have a minimum and maximum."))
    if not all(is_finite(v) for v in (q.min, q.max) if v is not None):
        errors.append(DomainError("Enter a number."))
    elif q.low is not None and q.high is not None and q.low >= q.high:
        errors.append(DomainError("The minimum must be below the maximum."))
    elif q.kind == QuestionKind.rating:
        errors += _scale_errors(q)
    if q.show_if_key is not None:
        errors += _condition_errors(q, earlier)
    return errors


def _scale_errors(q: QuestionSpec) -> list[DomainError]:
    low, high = q.low or 0, q.high or 0
    if low != int(low) or high != int(high):
        return [DomainError("Choose a whole number.")]
    if high - low >= MAX_RATING_POINTS:
        widest = low + MAX_RATING_POINTS - 1
        return [
            DomainError(
                "Enter a number from %(low)s to %(high)s.", low=_fmt(low + 1), high=_fmt(widest)
            )
        ]
    return []


def _condition_errors(q: QuestionSpec, earlier: Mapping[str, QuestionSpec]) -> list[DomainError]:
    parent = earlier.get(q.show_if_key or "")
    if parent is None:
        return [DomainError("A question can only depend on an earlier question.")]
    if parent.kind not in CHOICE_KINDS:
        return [DomainError("A question can only depend on a choice question.")]
    if not q.show_if_values or not set(q.show_if_values) <= set(parent.options):
        return [
            DomainError("Choose the answers of %(key)s that show this question.", key=parent.key)
        ]
    return []


def visible_keys(questions: Sequence[Any], answers: Mapping[str, Any]) -> set[str]:
    """Keys of the questions shown for these answers (a hidden question hides its dependants)."""
    shown: set[str] = set()
    for q in questions:
        if q.show_if_key is None:
            shown.add(q.key)
            continue
        given = answers.get(q.show_if_key)
        if isinstance(given, list):
            chosen = {v for v in given if isinstance(v, str)}
        else:
            chosen = {given} if isinstance(given, str) else set()
        if q.show_if_key in shown and chosen & set(q.show_if_values):
            shown.add(q.key)
    return shown


def answer_errors(questions: Sequence[Any], answers: Mapping[str, Any]) -> Errors:
    """One entry per bad answer: unknown key, hidden question, missing required, bad value."""
    errors: Errors = []
    by_key = {q.key: q for q in questions}
    shown = visible_keys(questions, answers)
    for key in answers:
        if key not in by_key:
            errors.append((key, DomainError("There is no question %(key)s.", key=key)))
        elif key not in shown and not _empty(answers[key]):
            errors.append((key, DomainError("This question is not shown for your answers.")))
    for q in questions:
        if q.key not in shown:
            continue
        value = answers.get(q.key)
        if _empty(value):
            if q.required:
                errors.append((q.key, DomainError("This question needs an answer.")))
            continue
        problem = _value_error(q, value)
        if problem:
            errors.append((q.key, problem))
    return errors


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _value_error(q: Any, value: Any) -> DomainError | None:
    kind = q.kind
    if kind == QuestionKind.single:
        if not isinstance(value, str) or value not in q.options:
            return DomainError("Choose one of the options.")
    elif kind == QuestionKind.multiple:
        if (
            not isinstance(value, list)
            or not all(isinstance(v, str) and v in q.options for v in value)
            or len(set(value)) != len(value)
        ):
            return DomainError("Choose among the options.")
    elif kind == QuestionKind.text:
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            return DomainError("Write at most %(n)s characters.", n=MAX_TEXT)
    else:
        return _number_error(q, value)
    return None


# No survey asks for more digits; two answers near float's limit would sum to infinity.
MAX_NUMBER = 10**15 - 1


def _number_error(q: Any, value: Any) -> DomainError | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not is_finite(value):
        return DomainError("Enter a number.")
    if abs(value) > MAX_NUMBER:
        return DomainError("Enter a number of at most 15 digits.")
    if q.kind == QuestionKind.rating and value != int(value):
        return DomainError("Choose a whole number.")
    low, high = q.low, q.high
    if (low is not None and value < low) or (high is not None and value > high):
        return DomainError(
            "Enter a number from %(low)s to %(high)s.", low=_fmt(low), high=_fmt(high)
        )
    return None


def is_finite(value: float) -> bool:
    """A number a float column can hold: JSON may carry 10**400, which `math.isfinite` cannot
    even take (OverflowError), and 1e400, which arrives as infinity."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _fmt(value: float | None) -> str:
    if value is None:
        return "…"
    return str(int(value)) if value == int(value) else str(value)


def meaning_changed(old: Sequence[QuestionSpec], new: Sequence[QuestionSpec]) -> bool:
    """True when an edit does more than fix wording (only texts may change once answered)."""
    if [q.key for q in old] != [q.key for q in new]:
        return True
    return any(
        (a.kind, a.required, a.options, a.min, a.max, a.show_if_key, a.show_if_values)
        != (b.kind, b.required, b.options, b.min, b.max, b.show_if_key, b.show_if_values)
        for a, b in zip(old, new, strict=True)
    )
