"""Public survey results never show what citizens wrote: a text question shows how many answered,
not the words, which name people that masking cannot find; the unit's staff still see them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from engagement.models import User
from tests.surveys.conftest import answer, create_open, zh

API = "/api/v1"
NAMES = ("李明", "张三", "王建国")
TEXTS = [
    "希望李明书记多来村里看看，公交班次太少",
    "张三的摊位长期占道经营，公交班次也少",
    "我叫王建国，电话13812345678，建议增加公交班次",
]


@pytest.fixture
def survey_id(client: TestClient, staff_auth: dict[str, str]) -> int:
    survey_id = create_open(client, staff_auth)
    for text in TEXTS:
        response = answer(
            client, survey_id, {"district": "城西", "satisfaction": 4, "advice": text}
        )
        assert response.status_code == 201, response.text
    return survey_id


def test_the_public_api_gives_counts_of_a_text_question_and_no_words(
    client: TestClient, survey_id: int
) -> None:
    response = client.get(f"{API}/surveys/{survey_id}/results")

    advice = response.json()["questions"]["advice"]
    assert advice["answered"] == 3
    assert "words" not in advice
    assert not any(name in response.text for name in NAMES)


def test_the_public_results_page_names_nobody_and_says_why(
    client: TestClient, survey_id: int
) -> None:
    page = client.get(f"/surveys/{survey_id}/results").text

    assert not any(name in page for name in NAMES)
    assert "公交班次" not in page
    assert (
        zh("The written answers are read by the unit running the survey; they are not published.")
        in page
    )


def test_the_units_staff_see_the_frequent_words(
    survey_id: int, browser_for: Callable[[str | None], TestClient], staff: User
) -> None:
    page = browser_for(staff.username).get(f"/surveys/{survey_id}/results").text

    assert "公交班次" in page
