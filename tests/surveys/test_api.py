"""The surveys' JSON API as the contract (§5, Surveys) describes it."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from engagement.models import User
from engagement.timeutil import utcnow
from tests.conftest import bearer
from tests.surveys.conftest import (
    QUESTIONS,
    answer,
    create,
    create_open,
    error_fields,
    error_locs,
    iso,
    set_times,
    stored_counts,
    survey_body,
)

API = "/api/v1"


def questions(*changes: dict[str, Any], base: list[dict[str, Any]] | None = None) -> list[Any]:
    """The sample questions with some replaced by key (or appended when the key is new)."""
    out = [dict(q) for q in (base if base is not None else QUESTIONS)]
    for change in changes:
        for i, q in enumerate(out):
            if q["key"] == change["key"]:
                out[i] = change
                break
        else:
            out.append(change)
    return out


# --- building ------------------------------------------------------------------------------------


def test_staff_creates_a_draft_survey(client: TestClient, staff_auth: dict[str, str]) -> None:
    response = client.post(f"{API}/staff/surveys", json=survey_body(), headers=staff_auth)

    assert response.status_code == 201
    assert response.json()["status"] == "draft"
    survey_id = response.json()["id"]
    assert client.get(f"{API}/surveys/{survey_id}").status_code == 404
    assert client.get(f"{API}/surveys").json()["total"] == 0


def test_creating_needs_a_token(client: TestClient) -> None:
    assert client.post(f"{API}/staff/surveys", json=survey_body()).status_code == 401


@pytest.mark.parametrize(
    ("qs", "bad"),
    [
        # the same key twice
        (
            [
                {"key": "q1", "kind": "text", "text": "问题一"},
                {"key": "q1", "kind": "text", "text": "问题二"},
            ],
            "questions.1",
        ),
        # a choice without options, or with one
        ([{"key": "q1", "kind": "single", "text": "您的片区？"}], "questions.0"),
        (
            [{"key": "q1", "kind": "multiple", "text": "您的片区？", "options": ["城东"]}],
            "questions.0",
        ),
        # options that repeat
        (
            [{"key": "q1", "kind": "single", "text": "您的片区？", "options": ["城东", "城东"]}],
            "questions.0",
        ),
        # show_if on a later question
        (
            [
                {
                    "key": "q1",
                    "kind": "text",
                    "text": "原因？",
                    "show_if": {"key": "q2", "in": ["是"]},
                },
                {"key": "q2", "kind": "single", "text": "是否？", "options": ["是", "否"]},
            ],
            "questions.0",
        ),
        # show_if on a question that is not a choice
        (
            [
                {"key": "q1", "kind": "number", "text": "年龄？"},
                {
                    "key": "q2",
                    "kind": "text",
                    "text": "原因？",
                    "show_if": {"key": "q1", "in": ["30"]},
                },
            ],
            "questions.1",
        ),
        # show_if on values the question does not offer
        (
            [
                {"key": "q1", "kind": "single", "text": "是否？", "options": ["是", "否"]},
                {
                    "key": "q2",
                    "kind": "text",
                    "text": "原因？",
                    "show_if": {"key": "q1", "in": ["也许"]},
                },
            ],
            "questions.1",
        ),
        # show_if on itself
        (
            [
                {
                    "key": "q1",
                    "kind": "single",
                    "text": "是否？",
                    "options": ["是", "否"],
                    "show_if": {"key": "q1", "in": ["是"]},
                }
            ],
            "questions.0",
        ),
        # a minimum above the maximum, bounds on a text
        ([{"key": "q1", "kind": "number", "text": "年龄？", "min": 100, "max": 16}], "questions.0"),
        ([{"key": "q1", "kind": "text", "text": "意见？", "max": 5}], "questions.0"),
        # a rating scale of fractions, or of a billion buttons
        ([{"key": "q1", "kind": "rating", "text": "打分？", "min": 0.5}], "questions.0"),
        ([{"key": "q1", "kind": "rating", "text": "打分？", "max": 10**9}], "questions.0"),
        # a key that is not a name
        ([{"key": "1st", "kind": "text", "text": "意见？"}], "questions.0"),
    ],
)
def test_a_bad_definition_is_refused_on_the_question(
    client: TestClient, staff_auth: dict[str, str], qs: list[dict[str, Any]], bad: str
) -> None:
    response = client.post(
        f"{API}/staff/surveys", json=survey_body(questions=qs), headers=staff_auth
    )

    assert error_fields(response) == [bad]


def test_a_bound_beyond_any_float_is_refused_on_the_question(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    qs = [{"key": "q1", "kind": "number", "text": "年龄？", "max": "BOUND"}]
    body = json.dumps(survey_body(questions=qs)).replace('"BOUND"', "1e400")

    response = client.post(
        f"{API}/staff/surveys",
        content=body,
        headers={**staff_auth, "Content-Type": "application/json"},
    )

    assert error_fields(response) == ["questions.0"]


def test_every_bad_question_gets_its_own_entry(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    qs = [
        {"key": "a", "kind": "single", "text": "片区？"},
        {"key": "b", "kind": "text", "text": "意见？"},
        {"key": "b", "kind": "text", "text": "再说一次？"},
    ]

    response = client.post(
        f"{API}/staff/surveys",
        json=survey_body(questions=qs, title="   ", closes_at=iso(utcnow() - timedelta(days=2))),
        headers=staff_auth,
    )

    assert sorted(error_fields(response)) == ["closes_at", "questions.0", "questions.2", "title"]


def test_a_survey_needs_questions(client: TestClient, staff_auth: dict[str, str]) -> None:
    response = client.post(
        f"{API}/staff/surveys", json=survey_body(questions=[]), headers=staff_auth
    )

    assert error_fields(response) == ["questions"]


def test_publishing_opens_it_and_shows_the_definition(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    survey_id = create(client, staff_auth)

    published = client.post(f"{API}/staff/surveys/{survey_id}/publish", headers=staff_auth)

    assert published.status_code == 200
    assert published.json()["status"] == "open"
    definition = client.get(f"{API}/surveys/{survey_id}").json()
    assert definition["status"] == "open"
    assert definition["department"] == {"slug": "housing", "name": "县住房和城乡建设局"}
    by_key = {q["key"]: q for q in definition["questions"]}
    assert [q["key"] for q in definition["questions"]] == [q["key"] for q in QUESTIONS]
    assert by_key["bus"]["show_if"] == {"key": "services", "in": ["公交"]}
    assert by_key["district"]["show_if"] is None
    assert by_key["district"]["options"] == ["城东", "城西", "城南"]
    assert (by_key["district"]["required"], by_key["advice"]["required"]) == (True, False)
    assert (by_key["age"]["min"], by_key["age"]["max"]) == (16, 100)
    listed = client.get(f"{API}/surveys").json()
    assert [(s["id"], s["status"]) for s in listed["items"]] == [(survey_id, "open")]
    assert (
        client.post(f"{API}/staff/surveys/{survey_id}/publish", headers=staff_auth).status_code
        == 409
    )


def test_staff_of_another_unit_may_not_publish(
    client: TestClient, staff_auth: dict[str, str], outsider: User
) -> None:
    survey_id = create(client, staff_auth)

    response = client.post(
        f"{API}/staff/surveys/{survey_id}/publish", headers=bearer(client, outsider.username)
    )

    assert response.status_code == 403


# --- answering ---------------------------------------------------------------------------------


def test_a_whole_response_is_stored(
    client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    survey_id = create_open(client, staff_auth)

    response = answer(
        client,
        survey_id,
        {
            "district": "城东",
            "services": ["公交", "公园"],
            "bus": "增加夜班车",
            "satisfaction": 4,
            "age": 36.5,
            "advice": "",
        },
    )

    assert response.status_code == 201
    assert isinstance(response.json()["id"], int)
    # One answer row per chosen option: district, 2 services, bus, satisfaction, age.
    assert stored_counts(db, survey_id) == (1, 6)


def test_one_entry_per_bad_answer_and_nothing_stored(
    client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    survey_id = create_open(client, staff_auth)

    response = answer(
        client,
        survey_id,
        {
            "district": "城北",  # not an option
            "services": ["图书馆", "游泳馆"],  # one option unknown
            "bus": "公交太少了",  # hidden: 公交 was not chosen
            "satisfaction": 6,  # out of 1–5
            "age": 12,  # below 16
            "hobby": "钓鱼",  # no such question
        },
    )

    assert sorted(error_locs(response)) == sorted(
        ("body", key) for key in ("district", "services", "bus", "satisfaction", "age", "hobby")
    )
    assert stored_counts(db, survey_id) == (0, 0)


def test_missing_required_answers_are_named(
    client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    survey_id = create_open(client, staff_auth)

    response = answer(client, survey_id, {"advice": "无"})

    assert sorted(error_fields(response)) == ["district", "satisfaction"]
    assert stored_counts(db, survey_id) == (0, 0)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("satisfaction", 0),
        ("satisfaction", 3.5),
        ("satisfaction", "4"),
        ("satisfaction", True),
        ("age", 100.5),
        ("age", "三十"),
        ("district", ["城东"]),
        ("services", "公交"),
        ("services", ["公交", "公交"]),
        ("advice", "长" * 2001),
    ],
)
def test_a_single_bad_value_is_one_entry(
    client: TestClient, db: Session, staff_auth: dict[str, str], key: str, value: Any
) -> None:
    survey_id = create_open(client, staff_auth)
    answers = {"district": "城西", "satisfaction": 3, key: value}

    response = answer(client, survey_id, answers)

    assert error_fields(response) == [key]
    assert stored_counts(db, survey_id) == (0, 0)


@pytest.mark.parametrize("number", ["1e400", "1" + "0" * 400])
def test_a_number_beyond_any_float_is_one_entry_not_a_500(
    client: TestClient, db: Session, staff_auth: dict[str, str], number: str
) -> None:
    """1e400 arrives as infinity, 10⁴⁰⁰ as an int that math.isfinite could not take (a 500)."""
    survey_id = create_open(client, staff_auth)
    answers = {"district": "城西", "satisfaction": 3, "age": "NUMBER"}
    body = json.dumps({"answers": answers}).replace('"NUMBER"', number)

    response = client.post(
        f"{API}/surveys/{survey_id}/responses",
        content=body,
        headers={"Content-Type": "application/json"},
    )

    assert error_fields(response) == ["age"]
    assert stored_counts(db, survey_id) == (0, 0)


def test_bounds_are_inclusive(client: TestClient, staff_auth: dict[str, str]) -> None:
    survey_id = create_open(client, staff_auth)

    low = answer(client, survey_id, {"district": "城西", "satisfaction": 1, "age": 16})
    high = answer(client, survey_id, {"district": "城西", "satisfaction": 5, "age": 100})

    assert (low.status_code, high.status_code) == (201, 201)


def test_a_draft_survey_takes_no_answers(client: TestClient, staff_auth: dict[str, str]) -> None:
    survey_id = create(client, staff_auth)

    response = answer(client, survey_id, {"district": "城西", "satisfaction": 3})

    assert response.status_code in (404, 409)


def test_a_draft_survey_answers_404_as_for_no_survey(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    survey_id = create(client, staff_auth)

    response = answer(client, survey_id, {"district": "城西", "satisfaction": 3})

    assert response.status_code == 404


def test_a_scheduled_or_closed_survey_takes_no_answers(
    client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    now = utcnow()
    scheduled = create(
        client,
        staff_auth,
        opens_at=iso(now + timedelta(days=2)),
        closes_at=iso(now + timedelta(days=20)),
    )
    publish = client.post(f"{API}/staff/surveys/{scheduled}/publish", headers=staff_auth)
    closed = create_open(client, staff_auth)
    set_times(db, closed, closes_at=now - timedelta(minutes=1))
    valid = {"district": "城西", "satisfaction": 3}

    assert publish.json()["status"] == "scheduled"
    assert answer(client, scheduled, valid).status_code == 409
    assert answer(client, closed, valid).status_code == 409
    assert client.get(f"{API}/surveys/{closed}").json()["status"] == "closed"
    assert stored_counts(db, closed) == (0, 0)


# --- results -------------------------------------------------------------------------------------

ANSWERS = [
    {
        "district": "城东",
        "services": ["公交", "公园"],
        "bus": "增加夜班车",
        "satisfaction": 5,
        "age": 30,
    },
    {"district": "城东", "services": ["图书馆"], "satisfaction": 4, "age": 45},
    {"district": "城西", "satisfaction": 4, "advice": "希望多建几个口袋公园"},
    {"district": "城西", "services": ["公交"], "satisfaction": 2, "age": 60},
]


def answered(client: TestClient, auth: dict[str, str], **overrides: Any) -> int:
    survey_id = create_open(client, auth, **overrides)
    for answers in ANSWERS:
        assert answer(client, survey_id, answers).status_code == 201
    return survey_id


def test_results_count_exactly(client: TestClient, staff_auth: dict[str, str]) -> None:
    survey_id = answered(client, staff_auth)

    response = client.get(f"{API}/surveys/{survey_id}/results")

    assert response.status_code == 200
    body = response.json()
    assert body["responses"] == 4
    results = body["questions"]
    assert set(results) == {q["key"] for q in QUESTIONS}
    assert results["district"]["kind"] == "single"
    assert results["district"]["counts"] == {"城东": 2, "城西": 2, "城南": 0}
    assert results["services"]["counts"] == {"公交": 2, "图书馆": 1, "公园": 1, "医院": 0}
    assert results["satisfaction"]["counts"] == {"1": 0, "2": 1, "3": 0, "4": 2, "5": 1}
    assert results["satisfaction"]["mean"] == pytest.approx(3.75)
    assert results["age"]["mean"] == pytest.approx(45.0)
    assert sum(results["age"]["counts"].values()) == 3
    assert "mean" not in results["district"]


def test_results_of_an_unanswered_survey_are_zeros(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    survey_id = create_open(client, staff_auth)

    body = client.get(f"{API}/surveys/{survey_id}/results").json()

    assert body["responses"] == 0
    assert body["questions"]["district"]["counts"] == {"城东": 0, "城西": 0, "城南": 0}
    assert body["questions"]["satisfaction"]["counts"] == dict.fromkeys("12345", 0)
    assert body["questions"]["satisfaction"]["mean"] is None


def test_a_custom_rating_scale_lists_all_its_values(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    qs = [{"key": "score", "kind": "rating", "text": "打分（0–10）", "min": 0, "max": 10}]
    survey_id = create_open(client, staff_auth, questions=qs)
    for score in (0, 10, 10):
        assert answer(client, survey_id, {"score": score}).status_code == 201

    result = client.get(f"{API}/surveys/{survey_id}/results").json()["questions"]["score"]

    assert list(result["counts"]) == [str(v) for v in range(11)]
    assert (result["counts"]["0"], result["counts"]["10"], result["counts"]["5"]) == (1, 2, 0)
    assert result["mean"] == pytest.approx(20 / 3, abs=0.01)


def test_private_results_are_for_the_unit_and_the_leadership(
    client: TestClient,
    staff_auth: dict[str, str],
    outsider: User,
    leader: User,
    admin: User,
) -> None:
    survey_id = answered(client, staff_auth, results_public=False)
    path = f"{API}/surveys/{survey_id}/results"

    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer(client, outsider.username)).status_code == 403
    assert client.get(path, headers=staff_auth).json()["responses"] == 4
    assert client.get(path, headers=bearer(client, leader.username)).status_code == 200
    assert client.get(path, headers=bearer(client, admin.username)).status_code == 200


def test_public_results_need_no_token(client: TestClient, staff_auth: dict[str, str]) -> None:
    survey_id = answered(client, staff_auth, results_public=True)

    assert client.get(f"{API}/surveys/{survey_id}/results").json()["responses"] == 4


# --- export --------------------------------------------------------------------------------------


def test_csv_export_has_a_row_per_response_and_a_column_per_question(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    survey_id = answered(client, staff_auth)

    response = client.get(f"{API}/staff/surveys/{survey_id}/export?format=csv", headers=staff_auth)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    keys = [q["key"] for q in QUESTIONS]
    assert rows[0] == ["response", "submitted_at", *keys]  # one header row, then data only
    data = rows[1:]
    assert len(data) == len(ANSWERS) and all(row[0].isdigit() for row in data)
    assert len(pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig")) == len(ANSWERS)
    assert all(len(row) == len(rows[0]) for row in data)
    first = dict(zip(rows[0], data[0], strict=True))
    assert first["district"] == "城东"
    assert set(first["services"].split("；")) == {"公交", "公园"}
    assert (first["bus"], first["satisfaction"], first["age"], first["advice"]) == (
        "增加夜班车",
        "5",
        "30",
        "",
    )
    third = dict(zip(rows[0], data[2], strict=True))
    assert (third["services"], third["advice"]) == ("", "希望多建几个口袋公园")


def test_xlsx_export_has_a_column_per_option_of_multiple_choice(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    survey_id = answered(client, staff_auth)

    response = client.get(f"{API}/staff/surveys/{survey_id}/export?format=xlsx", headers=staff_auth)

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["responses", "questions"]
    rows = list(book["responses"].iter_rows(values_only=True))
    header = list(rows[0])
    assert [h for h in header if str(h).startswith("services")] == [
        "services:公交",
        "services:图书馆",
        "services:公园",
        "services:医院",
    ]
    assert "district" in header and "satisfaction" in header
    data = [row for row in rows if isinstance(row[0], int)]
    assert len(data) == len(ANSWERS)
    first = dict(zip(header, data[0], strict=True))
    assert (first["services:公交"], first["services:图书馆"], first["services:公园"]) == (1, 0, 1)
    assert (first["district"], first["satisfaction"], first["age"]) == ("城东", 5, 30)
    third = dict(zip(header, data[2], strict=True))
    assert third["services:公交"] == 0 and third["age"] is None
    assert len(rows) == 1 + len(ANSWERS)  # no row of question texts under the keys
    questions = list(book["questions"].iter_rows(values_only=True))
    assert questions[0] == ("key", "text", "kind", "options")
    by_key = {q[0]: q[1:] for q in questions[1:]}
    assert list(by_key) == [q["key"] for q in QUESTIONS]
    assert by_key["district"] == ("您居住在哪个片区？", "single", "城东；城西；城南")


def test_export_is_for_the_unit(
    client: TestClient, staff_auth: dict[str, str], outsider: User
) -> None:
    survey_id = create_open(client, staff_auth)
    path = f"{API}/staff/surveys/{survey_id}/export?format=csv"

    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer(client, outsider.username)).status_code == 403
    bad = client.get(f"{API}/staff/surveys/{survey_id}/export?format=pdf", headers=staff_auth)
    assert bad.status_code == 422


@pytest.mark.parametrize("value", [{"公交": True}, [["公交"]], [{"option": "公交"}]])
def test_a_malformed_choice_answer_is_a_422_not_a_500(
    app: Any, staff_auth: dict[str, str], value: Any
) -> None:
    lenient = TestClient(app, raise_server_exceptions=False)
    survey_id = create_open(lenient, staff_auth)
    answers = {"district": "城东", "satisfaction": 3, "services": value}

    response = answer(lenient, survey_id, answers)

    assert response.status_code == 422
    assert error_fields(response) == ["services"]


def test_a_number_answer_is_at_most_fifteen_digits_so_results_stay_finite(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    qs = [{"key": "area", "kind": "number", "text": "承包面积（亩）？"}]
    survey_id = create_open(client, staff_auth, questions=qs)

    huge = answer(client, survey_id, {"area": 1.7e308})
    assert error_fields(huge) == ["area"]
    for value in (999_999_999_999_999, 999_999_999_999_999):
        assert answer(client, survey_id, {"area": value}).status_code == 201

    result = client.get(f"{API}/surveys/{survey_id}/results")
    assert result.status_code == 200
    assert result.json()["questions"]["area"]["mean"] == pytest.approx(999_999_999_999_999)
