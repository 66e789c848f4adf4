"""A draft survey is invisible to the public: 404 on every public page and call, as for an id
that does not exist, while its unit's staff still see and edit it."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.models import User
from engagement.timeutil import utcnow
from tests.conftest import csrf_from
from tests.surveys.conftest import answer, create, create_open, set_times, stored_counts

API = "/api/v1"
MISSING = 999_999
VALID = {"district": "城西", "satisfaction": 3}


def _public_answers(client: TestClient, survey_id: int) -> dict[str, int]:
    token = csrf_from(client, "/login")
    return {
        "api GET": client.get(f"{API}/surveys/{survey_id}").status_code,
        "api POST response": answer(client, survey_id, VALID).status_code,
        "api GET results": client.get(f"{API}/surveys/{survey_id}/results").status_code,
        "page": client.get(f"/surveys/{survey_id}").status_code,
        "page POST": client.post(
            f"/surveys/{survey_id}",
            data={"district": "城西", "satisfaction": "3", "csrf_token": token},
            follow_redirects=False,
        ).status_code,
        "results page": client.get(f"/surveys/{survey_id}/results").status_code,
    }


def test_a_draft_answers_the_public_as_a_missing_survey_does(
    client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    draft = create(client, staff_auth)

    answers = _public_answers(client, draft)

    assert answers == _public_answers(client, MISSING)
    assert set(answers.values()) == {404}
    assert stored_counts(db, draft) == (0, 0)


def test_staff_still_see_their_draft(
    client: TestClient,
    staff_auth: dict[str, str],
    browser_for: Callable[[str | None], TestClient],
    staff: User,
) -> None:
    draft = create(client, staff_auth)
    browser = browser_for(staff.username)

    assert browser.get(f"/staff/surveys/{draft}").status_code == 200
    assert browser.get(f"/staff/surveys/{draft}/preview").status_code == 200


def test_a_published_survey_that_is_not_open_still_answers_409(
    client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    survey_id = create_open(client, staff_auth)
    set_times(db, survey_id, closes_at=utcnow())

    assert answer(client, survey_id, VALID).status_code == 409
