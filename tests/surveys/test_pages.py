"""The survey pages as a citizen without JavaScript uses them, and the results pages."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.models import User
from tests.conftest import csrf_from
from tests.surveys.conftest import answer, create_open, stored_counts, zh

Browser = Callable[[str | None], TestClient]


@pytest.fixture
def citizen(browser_for: Browser) -> TestClient:
    return browser_for(None)


@pytest.fixture
def survey_id(client: TestClient, staff_auth: dict[str, str]) -> int:
    return create_open(client, staff_auth)


def send(
    citizen: TestClient,
    survey_id: int,
    fields: dict[str, Any],
    action: str = "submit",
    token: str | None = None,
) -> Any:
    token = token or csrf_from(citizen, f"/surveys/{survey_id}")
    return citizen.post(
        f"/surveys/{survey_id}",
        data={"csrf_token": token, "action": action, **fields},
        follow_redirects=False,
    )


def question_block(html: str, key: str) -> str:
    """The fieldset of one question, where its input and its error message are."""
    match = re.search(rf'<fieldset class="question[^"]*" id="q-{key}".*?</fieldset>', html, re.S)
    assert match, f"question {key} is not on the page"
    return match.group(0)


# --- answering without JavaScript ----------------------------------------------------------------


def test_a_follow_up_question_appears_only_after_its_condition(
    citizen: TestClient, survey_id: int
) -> None:
    first = citizen.get(f"/surveys/{survey_id}")
    other = send(citizen, survey_id, {"q-district": "城东", "q-services": "图书馆"}, "refresh")
    refreshed = send(
        citizen, survey_id, {"q-district": "城东", "q-services": ["公交", "公园"]}, "refresh"
    )

    assert first.status_code == 200
    assert 'name="q-district"' in first.text
    assert 'name="q-bus"' not in first.text
    assert 'value="refresh"' in first.text  # the button a browser without JavaScript uses
    assert 'name="q-bus"' not in other.text
    assert refreshed.status_code == 200
    assert 'name="q-bus"' in refreshed.text
    # What was already chosen stays chosen.
    services = question_block(refreshed.text, "services")
    assert re.search(r'value="公交" checked', services)
    assert re.search(r'value="公园" checked', services)
    assert not re.search(r'value="医院" checked', services)
    assert re.search(r'value="城东" checked', question_block(refreshed.text, "district"))


def test_refreshing_stores_nothing(citizen: TestClient, db: Session, survey_id: int) -> None:
    send(citizen, survey_id, {"q-district": "城东", "q-satisfaction": "4"}, "refresh")

    assert stored_counts(db, survey_id) == (0, 0)


def test_a_missing_required_answer_is_shown_next_to_its_question(
    citizen: TestClient, db: Session, survey_id: int
) -> None:
    response = send(
        citizen, survey_id, {"q-services": "公交", "q-bus": "增加夜班车", "q-satisfaction": "4"}
    )

    assert response.status_code == 422
    district = question_block(response.text, "district")
    assert (
        f'<p class="error-text" id="err-district">{zh("This question needs an answer.")}</p>'
        in district
    )
    assert 'aria-describedby="err-district"' in district
    assert "err-satisfaction" not in response.text
    # The answers given are kept for the second try.
    assert "增加夜班车" in question_block(response.text, "bus")
    assert re.search(r'value="4" checked', question_block(response.text, "satisfaction"))
    assert stored_counts(db, survey_id) == (0, 0)


def test_an_out_of_range_number_is_shown_next_to_its_question(
    citizen: TestClient, survey_id: int
) -> None:
    response = send(citizen, survey_id, {"q-district": "城南", "q-satisfaction": "3", "q-age": "7"})

    assert response.status_code == 422
    age = question_block(response.text, "age")
    assert 'id="err-age"' in age
    assert zh("Enter a number from %(low)s to %(high)s.", low="16", high="100") in unescape(age)


def test_a_response_ends_on_the_survey_saying_it_was_received_with_the_results_link(
    citizen: TestClient, db: Session, survey_id: int
) -> None:
    response = send(
        citizen,
        survey_id,
        {
            "q-district": "城西",
            "q-services": ["公交"],
            "q-bus": "增加夜班车",
            "q-satisfaction": "5",
            "q-age": "36",
        },
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/surveys/{survey_id}#survey-answered"
    thanks = citizen.get(response.headers["location"])
    assert zh("Thank you: your answers were received.") in thanks.text
    assert f'href="/surveys/{survey_id}/results"' in thanks.text
    assert stored_counts(db, survey_id) == (1, 5)


def test_an_answer_to_a_question_hidden_again_is_dropped(
    citizen: TestClient, db: Session, survey_id: int
) -> None:
    """The citizen saw the follow-up, answered it, then unticked 公交: the form still sends it."""
    response = send(
        citizen,
        survey_id,
        {
            "q-district": "城西",
            "q-services": ["图书馆"],
            "q-bus": "增加夜班车",
            "q-satisfaction": "3",
        },
    )

    assert response.status_code == 303
    assert stored_counts(db, survey_id) == (1, 3)  # district, services, satisfaction


def test_one_response_per_browser_refuses_a_second_answer(
    client: TestClient,
    staff_auth: dict[str, str],
    citizen: TestClient,
    browser_for: Browser,
    db: Session,
) -> None:
    survey_id = create_open(client, staff_auth, one_response_per_browser=True)
    fields = {"q-district": "城东", "q-satisfaction": "4"}

    token = csrf_from(citizen, f"/surveys/{survey_id}")
    first = send(citizen, survey_id, fields, token=token)
    again_page = citizen.get(f"/surveys/{survey_id}")
    # The form is gone, but a kept tab (or a replayed request) may still send it.
    second = send(citizen, survey_id, fields, token=token)
    other_browser = send(browser_for(None), survey_id, fields)

    assert first.status_code == 303
    assert (
        zh("You have already answered this survey from this browser. Thank you!") in again_page.text
    )
    assert 'name="q-district"' not in again_page.text
    assert second.status_code == 409
    assert other_browser.status_code == 303
    assert stored_counts(db, survey_id)[0] == 2


def test_a_browser_may_answer_twice_when_the_survey_allows_it(
    citizen: TestClient, db: Session, survey_id: int
) -> None:
    fields = {"q-district": "城东", "q-satisfaction": "4"}

    assert send(citizen, survey_id, fields).status_code == 303
    token = csrf_from(citizen, f"/surveys/{survey_id}?again=1")  # "Answer again"
    assert send(citizen, survey_id, fields, token=token).status_code == 303
    assert stored_counts(db, survey_id)[0] == 2


# --- results -----------------------------------------------------------------------------------


@pytest.fixture
def answered(client: TestClient, survey_id: int) -> int:
    for answers in (
        {"district": "城东", "services": ["公交", "公园"], "satisfaction": 5},
        {"district": "城东", "services": ["图书馆"], "satisfaction": 4},
        {"district": "城西", "services": ["公交"], "satisfaction": 4},
    ):
        assert answer(client, survey_id, answers).status_code == 201
    return survey_id


def counts_table(html: str, key: str) -> dict[str, int]:
    section = html.split(f'id="r-{key}"')[1].split("</section>")[0]
    body = section.split("<tbody>")[1].split("</tbody>")[0]
    rows = re.findall(r'<tr><td>(.*?)</td><td class="num">(\d+)</td>', body)
    return {unescape(option): int(n) for option, n in rows}


def test_the_results_page_has_charts_and_counts(citizen: TestClient, answered: int) -> None:
    page = citizen.get(f"/surveys/{answered}/results")

    assert page.status_code == 200
    assert counts_table(page.text, "district") == {"城东": 2, "城西": 1, "城南": 0}
    assert counts_table(page.text, "services") == {"公交": 2, "图书馆": 1, "公园": 1, "医院": 0}
    assert counts_table(page.text, "satisfaction") == {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}
    scripts = dict(
        re.findall(
            r'<script type="application/json" class="plotly-figure" data-target="chart-(\w+)">'
            r"(.*?)</script>",
            page.text,
            re.S,
        )
    )
    assert set(scripts) == {"district", "services", "satisfaction"}
    figure = json.loads(scripts["district"])
    (bar,) = figure["data"]
    assert dict(zip(bar["y"], bar["x"], strict=True)) == {"城东": 2, "城西": 1, "城南": 0}
    assert 'id="h-crosstab"' not in page.text  # the public sees no cross-tab


def test_staff_see_the_cross_tabulation(browser_for: Browser, staff: User, answered: int) -> None:
    clerk = browser_for(staff.username)

    form = clerk.get(f"/surveys/{answered}/results")
    table = clerk.get(f"/surveys/{answered}/results?rows=district&columns=services")

    assert 'id="h-crosstab"' in form.text
    assert 'name="rows"' in form.text and 'name="columns"' in form.text
    crosstab = table.text.split('id="h-crosstab"')[1].split("</section>")[0]
    rows = dict(re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', crosstab))
    cells = {k: [int(n) for n in re.findall(r"<td>(\d+)</td>", v)] for k, v in rows.items()}
    # Columns in option order: 公交, 图书馆, 公园, 医院.
    assert cells == {"城东": [1, 1, 1, 0], "城西": [1, 0, 0, 0], "城南": [0, 0, 0, 0]}


def test_private_results_pages_are_refused_to_the_public(
    client: TestClient,
    staff_auth: dict[str, str],
    citizen: TestClient,
    browser_for: Browser,
    outsider: User,
    staff: User,
) -> None:
    survey_id = create_open(client, staff_auth, results_public=False)

    assert citizen.get(f"/surveys/{survey_id}/results").status_code == 401
    assert browser_for(outsider.username).get(f"/surveys/{survey_id}/results").status_code == 403
    assert browser_for(staff.username).get(f"/surveys/{survey_id}/results").status_code == 200
    thanks = citizen.get(f"/surveys/{survey_id}/thanks")  # the old address: the survey's page
    assert thanks.url.path == f"/surveys/{survey_id}"
    assert f"/surveys/{survey_id}/results" not in thanks.text
