"""The staff editor: once answered, only the wording may change; conditions look backwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.models import User
from surveys.models import QuestionKind, Survey
from tests.conftest import csrf_from
from tests.surveys.conftest import answer, create, create_open, zh

Browser = Callable[[str | None], TestClient]

DISTRICT = {
    "key": "district",
    "kind": "single",
    "text": "您居住在哪个片区？",
    "options": "城东\n城西\n城南",
    "required": "true",
    "show_if_key": "",
    "show_if_values": "",
    "min": "",
    "max": "",
}


@pytest.fixture
def clerk(browser_for: Browser, staff: User) -> TestClient:
    return browser_for(staff.username)


def edit(clerk: TestClient, survey_id: int, key: str, **fields: Any) -> Any:
    token = csrf_from(clerk, f"/staff/surveys/{survey_id}")
    data = {k: v for k, v in {**DISTRICT, **fields}.items() if v is not None}
    return clerk.post(
        f"/staff/surveys/{survey_id}/questions/{key}",
        data={"csrf_token": token, **data},
        follow_redirects=False,
    )


def stored(db: Session, survey_id: int) -> Survey:
    db.expire_all()
    survey = db.get(Survey, survey_id)
    assert survey is not None
    return survey


@pytest.fixture
def answered_id(client: TestClient, staff_auth: dict[str, str]) -> int:
    survey_id = create_open(client, staff_auth)
    assert answer(client, survey_id, {"district": "城东", "satisfaction": 4}).status_code == 201
    return survey_id


def test_wording_may_change_after_responses(
    clerk: TestClient, db: Session, answered_id: int
) -> None:
    response = edit(clerk, answered_id, "district", text="您家住在城区哪个片区？")

    assert response.status_code == 303
    question = stored(db, answered_id).questions[0]
    assert question.text == "您家住在城区哪个片区？"
    assert question.options == ["城东", "城西", "城南"]
    page = clerk.get(f"/staff/surveys/{answered_id}")
    assert zh("This survey has responses: only the wording of questions can change.") in page.text


@pytest.mark.parametrize(
    "change",
    [
        {"options": "城东\n城西\n城南\n城北"},  # an option added
        {"options": "城东\n城西"},  # an option removed
        {"kind": "multiple"},
        {"required": None},  # the box unticked
    ],
)
def test_meaning_may_not_change_after_responses(
    clerk: TestClient, db: Session, answered_id: int, change: dict[str, Any]
) -> None:
    response = edit(clerk, answered_id, "district", text="改过的题目", **change)

    assert response.status_code == 409
    assert zh("This survey has responses: only the wording of its questions can change now.") in (
        response.text
    )
    question = stored(db, answered_id).questions[0]
    assert (question.text, question.kind, question.options, question.required) == (
        "您居住在哪个片区？",
        QuestionKind.single,
        ["城东", "城西", "城南"],
        True,
    )


def test_meaning_may_change_before_responses(
    clerk: TestClient, client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    survey_id = create(client, staff_auth)

    response = edit(clerk, survey_id, "district", options="城东\n城西\n城南\n城北", kind="multiple")

    assert response.status_code == 303
    question = stored(db, survey_id).questions[0]
    assert (question.kind, question.options) == (
        QuestionKind.multiple,
        ["城东", "城西", "城南", "城北"],
    )


def test_a_condition_on_a_later_question_is_refused(
    clerk: TestClient, client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    survey_id = create(client, staff_auth)

    response = edit(clerk, survey_id, "district", show_if_key="services", show_if_values="公交")

    assert response.status_code == 422
    assert zh("A question can only depend on an earlier question.") in response.text
    assert stored(db, survey_id).questions[0].show_if_key is None


def test_moving_a_follow_up_above_its_condition_is_refused(
    clerk: TestClient, client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    survey_id = create(client, staff_auth)
    token = csrf_from(clerk, f"/staff/surveys/{survey_id}")

    response = clerk.post(
        f"/staff/surveys/{survey_id}/questions/bus/move",
        data={"csrf_token": token, "direction": "up"},
        follow_redirects=False,
    )

    assert response.status_code == 422
    assert [q.key for q in stored(db, survey_id).questions][:3] == ["district", "services", "bus"]


def test_a_condition_on_a_number_question_is_refused(
    clerk: TestClient, client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    survey_id = create(client, staff_auth)
    token = csrf_from(clerk, f"/staff/surveys/{survey_id}")

    response = clerk.post(
        f"/staff/surveys/{survey_id}/questions",
        data={
            "csrf_token": token,
            "key": "retired",
            "kind": "single",
            "text": "您是否已退休？",
            "options": "是\n否",
            "show_if_key": "age",
            "show_if_values": "60",
        },
        follow_redirects=False,
    )

    assert response.status_code == 422
    assert zh("A question can only depend on a choice question.") in response.text
    assert "retired" not in [q.key for q in stored(db, survey_id).questions]


def test_the_condition_menu_offers_only_earlier_choice_questions(
    clerk: TestClient, client: TestClient, staff_auth: dict[str, str]
) -> None:
    survey_id = create(client, staff_auth)

    page = clerk.get(f"/staff/surveys/{survey_id}").text

    menu = page.split('id="sik-district"')[1].split("</select>")[0]
    assert 'value="services"' not in menu  # later
    bus_menu = page.split('id="sik-bus"')[1].split("</select>")[0]
    assert 'value="district"' in bus_menu and 'value="services"' in bus_menu
    assert 'value="age"' not in page.split('id="sik-new"')[1].split("</select>")[0]  # a number


def test_a_new_follow_up_on_an_earlier_choice_is_saved(
    clerk: TestClient, client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    survey_id = create(client, staff_auth)
    token = csrf_from(clerk, f"/staff/surveys/{survey_id}")

    response = clerk.post(
        f"/staff/surveys/{survey_id}/questions",
        data={
            "csrf_token": token,
            "key": "hospital",
            "kind": "text",
            "text": "您对医院服务有什么建议？",
            "show_if_key": "services",
            "show_if_values": "医院",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    added = stored(db, survey_id).questions[-1]
    assert (added.key, added.show_if_key, added.show_if_values) == (
        "hospital",
        "services",
        ["医院"],
    )
