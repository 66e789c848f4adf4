"""One response per browser holds on the JSON API too (issue: 10 of 10 repeats were accepted):
an API client names its browser in X-Browser-Id; without it such a survey takes no response."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.surveys.conftest import create_open, stored_counts

ANSWERS = {"answers": {"district": "城东", "satisfaction": 4}}


def respond(client: TestClient, survey_id: int, browser: str | None = None) -> int:
    headers = {"X-Browser-Id": browser} if browser else {}
    url = f"/api/v1/surveys/{survey_id}/responses"
    return client.post(url, json=ANSWERS, headers=headers).status_code


def test_repeats_from_one_browser_are_refused(
    client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    survey_id = create_open(client, staff_auth, one_response_per_browser=True)

    answers = [respond(client, survey_id, "browser-a") for _ in range(10)]
    other = respond(client, survey_id, "browser-b")

    assert answers == [201] + [409] * 9
    assert other == 201
    assert stored_counts(db, survey_id)[0] == 2


def test_without_a_browser_id_such_a_survey_answers_409_and_says_why(
    client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    survey_id = create_open(client, staff_auth, one_response_per_browser=True)

    response = client.post(f"/api/v1/surveys/{survey_id}/responses", json=ANSWERS)

    assert response.status_code == 409
    assert "X-Browser-Id" in response.json()["detail"]
    assert stored_counts(db, survey_id)[0] == 0


def test_other_surveys_take_every_response(
    client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    survey_id = create_open(client, staff_auth)

    assert [respond(client, survey_id) for _ in range(3)] == [201] * 3
