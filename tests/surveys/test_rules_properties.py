"""Properties of the one judge of answers, surveys.rules.answer_errors, on generated surveys."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from surveys.models import CHOICE_KINDS, QuestionKind
from surveys.rules import QuestionSpec, answer_errors, definition_errors, visible_keys

SETTINGS = settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])

option_text = st.text(
    alphabet=st.sampled_from("城东西南北公交图书馆公园医院是否很好一般差ABC12"),
    min_size=1,
    max_size=6,
)


@st.composite
def question(draw: st.DrawFn, key: str, earlier: list[QuestionSpec]) -> QuestionSpec:
    kind = draw(st.sampled_from(list(QuestionKind)))
    spec = QuestionSpec(key=key, kind=kind, text=f"问题{key}", required=draw(st.booleans()))
    if kind in CHOICE_KINDS:
        spec.options = draw(st.lists(option_text, min_size=2, max_size=5, unique=True))
    elif kind == QuestionKind.rating:
        if draw(st.booleans()):
            low = draw(st.integers(-5, 5))
            spec.min, spec.max = float(low), float(low + draw(st.integers(1, 10)))
    elif kind == QuestionKind.number:
        low = draw(st.none() | st.floats(-1000, 1000))
        high = draw(st.none() | st.floats(-1000, 1000))
        if low is not None and high is not None and low >= high:
            low, high = high - 1, low + 1
        spec.min, spec.max = low, high
    parents = [q for q in earlier if q.kind in CHOICE_KINDS]
    if parents and draw(st.booleans()):
        parent = draw(st.sampled_from(parents))
        spec.show_if_key = parent.key
        spec.show_if_values = draw(
            st.lists(st.sampled_from(parent.options), min_size=1, unique=True)
        )
    return spec


@st.composite
def survey(draw: st.DrawFn) -> list[QuestionSpec]:
    questions: list[QuestionSpec] = []
    for i in range(draw(st.integers(1, 7))):
        questions.append(draw(question(f"q{i}", questions)))
    assert definition_errors(questions) == [], "the generator must build valid surveys"
    return questions


def valid_value(draw: st.DrawFn, q: QuestionSpec) -> Any:
    if q.kind == QuestionKind.single:
        return draw(st.sampled_from(q.options))
    if q.kind == QuestionKind.multiple:
        return draw(st.lists(st.sampled_from(q.options), min_size=1, unique=True))
    if q.kind == QuestionKind.text:
        return draw(st.text(min_size=1, max_size=200))
    low, high = q.low, q.high
    if q.kind == QuestionKind.rating:
        assert low is not None and high is not None
        return draw(st.integers(int(low), int(high)))
    return draw(
        st.integers(-10_000, 10_000).filter(
            lambda v: (low is None or v >= low) and (high is None or v <= high)
        )
        | st.floats(
            min_value=low if low is not None else -1e9,
            max_value=high if high is not None else 1e9,
            allow_nan=False,
        )
    )


@st.composite
def answered(draw: st.DrawFn) -> tuple[list[QuestionSpec], dict[str, Any]]:
    """A survey and a valid response: every shown required question answered, hidden ones not."""
    questions = draw(survey())
    candidate = {
        q.key: valid_value(draw, q) for q in questions if q.required or draw(st.booleans())
    }
    shown = visible_keys(questions, candidate)
    return questions, {k: v for k, v in candidate.items() if k in shown}


def dependants(questions: list[QuestionSpec], key: str) -> set[str]:
    """Keys of the questions that hang on `key`, directly or through others."""
    out: set[str] = set()
    for q in questions:
        if q.show_if_key == key or (q.show_if_key in out):
            out.add(q.key)
    return out


@SETTINGS
@given(answered())
def test_a_valid_response_has_no_errors(case: tuple[list[QuestionSpec], dict[str, Any]]) -> None:
    questions, answers = case

    assert answer_errors(questions, answers) == []


@SETTINGS
@given(answered(), st.data())
def test_an_out_of_range_number_is_one_error_for_its_key(
    case: tuple[list[QuestionSpec], dict[str, Any]], data: st.DataObject
) -> None:
    questions, answers = case
    bounded = [
        q
        for q in questions
        if q.key in visible_keys(questions, answers)
        and q.kind in (QuestionKind.rating, QuestionKind.number)
        and (q.low is not None or q.high is not None)
    ]
    assume(bounded)
    q = data.draw(st.sampled_from(bounded))
    beyond = data.draw(st.integers(1, 1000))
    if q.high is not None and (q.low is None or data.draw(st.booleans())):
        value = int(q.high) + beyond
    else:
        assert q.low is not None
        value = int(q.low) - beyond

    errors = answer_errors(questions, {**answers, q.key: value})

    assert [key for key, _ in errors] == [q.key]


@SETTINGS
@given(answered(), st.data())
def test_an_unknown_option_is_one_error_for_its_key(
    case: tuple[list[QuestionSpec], dict[str, Any]], data: st.DataObject
) -> None:
    questions, answers = case
    choices = [
        q for q in questions if q.key in visible_keys(questions, answers) and q.kind in CHOICE_KINDS
    ]
    assume(choices)
    q = data.draw(st.sampled_from(choices))
    unknown = data.draw(option_text.filter(lambda o: o not in q.options))
    if q.kind == QuestionKind.single:
        value: Any = unknown
    else:
        value = [*answers.get(q.key, []), unknown]

    errors = answer_errors(questions, {**answers, q.key: value})

    keys = [key for key, _ in errors]
    assert keys.count(q.key) == 1
    # Only the questions that hang on a now-unknown choice may be reported besides it.
    assert set(keys) - {q.key} <= dependants(questions, q.key)
    if q.kind == QuestionKind.multiple:
        assert keys == [q.key]  # the known choices still show the same follow-ups


@SETTINGS
@given(answered(), st.text(min_size=1, max_size=10).filter(lambda k: not k.startswith("q")))
def test_an_unknown_key_is_one_error(
    case: tuple[list[QuestionSpec], dict[str, Any]], key: str
) -> None:
    questions, answers = case

    errors = answer_errors(questions, {**answers, key: "随便"})

    assert [k for k, _ in errors] == [key]


@SETTINGS
@given(answered(), st.data())
def test_a_missing_required_answer_is_one_error(
    case: tuple[list[QuestionSpec], dict[str, Any]], data: st.DataObject
) -> None:
    questions, answers = case
    required = [
        q
        for q in questions
        if q.required
        and q.key in answers
        and not dependants(questions, q.key)  # leaving it out hides nothing else
    ]
    assume(required)
    q = data.draw(st.sampled_from(required))

    errors = answer_errors(questions, {k: v for k, v in answers.items() if k != q.key})

    assert [k for k, _ in errors] == [q.key]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)


@SETTINGS
@given(answered(), st.data(), json_values)
def test_any_json_value_is_judged_without_crashing(
    case: tuple[list[QuestionSpec], dict[str, Any]], data: st.DataObject, value: Any
) -> None:
    questions, answers = case
    key = data.draw(st.sampled_from([q.key for q in questions]))

    errors = answer_errors(questions, {**answers, key: value})

    assert isinstance(errors, list)
