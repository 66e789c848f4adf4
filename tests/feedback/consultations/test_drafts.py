"""A draft consultation is invisible to the public: 404 on every public page and call, as for an
id that does not exist, while its unit's staff still see and edit it."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.models import User
from tests.conftest import csrf_from
from tests.feedback.consultations.conftest import close, create, create_open

API = "/api/v1"
MISSING = 999_999


def _public_answers(client: TestClient, consultation_id: int) -> dict[str, int]:
    token = csrf_from(client, "/login")
    body = {"body": "草稿阶段也能提意见吗？请说明。"}
    return {
        "api GET": client.get(f"{API}/consultations/{consultation_id}").status_code,
        "api POST comment": client.post(
            f"{API}/consultations/{consultation_id}/comments", json=body
        ).status_code,
        "page": client.get(f"/consultations/{consultation_id}").status_code,
        "page POST comment": client.post(
            f"/consultations/{consultation_id}/comments",
            data={**body, "csrf_token": token},
            follow_redirects=False,
        ).status_code,
    }


def test_a_draft_answers_the_public_as_a_missing_consultation_does(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    draft = create(client, staff_auth)

    answers = _public_answers(client, draft)

    assert answers == _public_answers(client, MISSING)
    assert set(answers.values()) == {404}


def test_staff_still_see_their_draft(
    client: TestClient,
    staff_auth: dict[str, str],
    browser_for: Callable[[str | None], TestClient],
    staff: User,
) -> None:
    draft = create(client, staff_auth)

    page = browser_for(staff.username).get(f"/staff/consultations/{draft}")
    comments = client.get(f"{API}/staff/consultations/{draft}/comments", headers=staff_auth)

    assert page.status_code == 200
    assert comments.status_code == 200


def test_a_published_consultation_that_is_not_open_still_answers_409(
    client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    consultation_id = create_open(client, staff_auth)
    close(db, consultation_id)

    response = client.post(
        f"{API}/consultations/{consultation_id}/comments", json={"body": "我来晚了，还想提意见。"}
    )

    assert response.status_code == 409
