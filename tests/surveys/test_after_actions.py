"""What a person sees after acting on a survey: the citizen's answer received, the clerk's
publishing, closing and editing confirmed at the place of the action, refusals said plainly."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from engagement.models import User
from tests.conftest import csrf_from
from tests.surveys.conftest import create, create_open, zh
from tests.surveys.page_reading import Node, inputs_named, notice_at, parse

Browser = Callable[[str | None], TestClient]
FIELDS = {"q-district": "城东", "q-satisfaction": "4"}


@pytest.fixture
def citizen(browser_for: Browser) -> TestClient:
    return browser_for(None)


@pytest.fixture
def clerk(browser_for: Browser, staff: User) -> TestClient:
    return browser_for(staff.username)


def answer_form(citizen: TestClient, survey_id: int, *, htmx: bool = False) -> Any:
    token = csrf_from(citizen, f"/surveys/{survey_id}")
    return citizen.post(
        f"/surveys/{survey_id}",
        data={"csrf_token": token, "action": "submit", **FIELDS},
        headers={"HX-Request": "true"} if htmx else {},
        follow_redirects=False,
    )


def landing(response: Any) -> str:
    """Where the browser goes after the action: the 303's Location or htmx's HX-Redirect."""
    return str(response.headers.get("location") or response.headers["HX-Redirect"])


# --- the citizen's answer -------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True], ids=["plain form", "htmx"])
def test_after_answering_the_survey_says_it_was_received_instead_of_a_blank_form(
    client: TestClient, staff_auth: dict[str, str], citizen: TestClient, htmx: bool
) -> None:
    survey_id = create_open(client, staff_auth, one_response_per_browser=True)

    sent = answer_form(citizen, survey_id, htmx=htmx)
    url = landing(sent)
    page = citizen.get(url).text
    reload = citizen.get(url).text

    assert sent.status_code == (200 if htmx else 303)
    assert url == f"/surveys/{survey_id}#survey-answered"
    assert notice_at(page, "survey-answered") == zh("Thank you: your answers were received.")
    assert inputs_named(page, "q-") == []  # no blank form again
    assert f'href="/surveys/{survey_id}/results"' in page  # the results are public
    assert notice_at(reload, "survey-answered") == ""  # said once
    assert zh("You have already answered this survey from this browser. Thank you!") in reload
    assert inputs_named(reload, "q-") == []


def test_a_browser_that_answered_is_recognised_even_without_its_answered_cookie(
    client: TestClient, staff_auth: dict[str, str], citizen: TestClient
) -> None:
    survey_id = create_open(client, staff_auth, one_response_per_browser=True)
    answer_form(citizen, survey_id)
    citizen.cookies.delete(f"answered_{survey_id}")

    page = citizen.get(f"/surveys/{survey_id}").text

    assert zh("You have already answered this survey from this browser. Thank you!") in page
    assert inputs_named(page, "q-") == []


def test_private_results_are_not_offered_after_answering(
    client: TestClient, staff_auth: dict[str, str], citizen: TestClient
) -> None:
    survey_id = create_open(client, staff_auth, results_public=False)

    page = citizen.get(landing(answer_form(citizen, survey_id))).text

    assert notice_at(page, "survey-answered") == zh("Thank you: your answers were received.")
    assert f"/surveys/{survey_id}/results" not in page
    assert zh("The results of this survey are not published.") in page


def test_a_survey_taking_several_answers_offers_another_on_request_not_at_once(
    client: TestClient, staff_auth: dict[str, str], citizen: TestClient
) -> None:
    survey_id = create_open(client, staff_auth)  # one_response_per_browser=False
    page = citizen.get(landing(answer_form(citizen, survey_id))).text
    again = parse(page).find_all(lambda n: n.tag == "a" and "again=1" in n.attrs.get("href", ""))

    assert inputs_named(page, "q-") == []
    assert [a.text() for a in again] == [zh("Answer again")]
    form = citizen.get(again[0].attrs["href"].split("#")[0]).text
    assert inputs_named(form, "q-district")  # the form, for another person at this browser


# --- results that are not public ---------------------------------------------------------------


def test_a_private_results_page_says_the_results_are_not_public(
    client: TestClient,
    staff_auth: dict[str, str],
    citizen: TestClient,
    browser_for: Browser,
    outsider: User,
) -> None:
    survey_id = create_open(client, staff_auth, results_public=False)

    public = citizen.get(f"/surveys/{survey_id}/results")
    other_unit = browser_for(outsider.username).get(f"/surveys/{survey_id}/results")

    for page, status in ((public, 401), (other_unit, 403)):
        tree = parse(page.text)
        (h1,) = tree.find_all(lambda n: n.tag == "h1")
        (title,) = tree.find_all(lambda n: n.tag == "title")
        assert page.status_code == status
        assert h1.text() == zh("The results of this survey are not public")
        assert title.text().startswith(zh("The results of this survey are not public"))
        assert zh("Something is not right") not in page.text
        assert f'href="/surveys/{survey_id}"' in page.text  # back to the survey itself
    assert 'href="/login?next=/surveys/' in public.text  # the unit's staff may sign in


# --- the clerk's actions ----------------------------------------------------------------------


def post(clerk: TestClient, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    token = csrf_from(clerk, "/staff/surveys")
    return clerk.post(
        path, data={"csrf_token": token, **(data or {})}, follow_redirects=False, **kw
    )


def test_publishing_and_closing_are_confirmed_where_the_buttons_were(
    client: TestClient, staff_auth: dict[str, str], clerk: TestClient
) -> None:
    survey_id = create(client, staff_auth)

    published = post(clerk, f"/staff/surveys/{survey_id}/publish")
    after_publish = clerk.get(published.headers["location"]).text
    closed = post(clerk, f"/staff/surveys/{survey_id}/close")
    after_close = clerk.get(closed.headers["location"]).text

    assert published.headers["location"] == f"/staff/surveys/{survey_id}#survey-status"
    assert notice_at(after_publish, "survey-status") == zh(
        "The survey is published and open for answers."
    )
    assert notice_at(after_close, "survey-status") == zh("The survey is closed: no more answers.")


def test_saved_settings_are_confirmed_and_a_bad_date_is_shown_at_the_settings_form(
    client: TestClient, staff_auth: dict[str, str], clerk: TestClient
) -> None:
    survey_id = create(client, staff_auth)
    good = {"title": "新标题", "opens_at": "2030-01-01T08:00", "closes_at": "2030-02-01T08:00"}

    saved = post(clerk, f"/staff/surveys/{survey_id}/settings", good)
    after = clerk.get(saved.headers["location"]).text
    bad = post(
        clerk, f"/staff/surveys/{survey_id}/settings", {**good, "closes_at": "2029-01-01T08:00"}
    )
    settings = parse(bad.text).by_id("survey-settings")

    assert notice_at(after, "survey-settings") == zh("The settings are saved.")
    assert bad.status_code == 422
    assert settings is not None and settings.attrs.get("open") is not None  # shown, not folded
    (form,) = settings.find_all(lambda n: n.tag == "form")
    assert form.attrs["action"].endswith("#survey-settings")
    (error,) = form.find_all(lambda n: n.attrs.get("role") == "alert")
    assert zh("The closing time must be after the opening.") in error.text()
    (closes,) = form.find_all(lambda n: n.attrs.get("name") == "closes_at")
    assert closes.attrs.get("aria-invalid") == "true"


def test_a_question_added_with_htmx_is_announced_and_confirmed_in_the_list(
    client: TestClient, staff_auth: dict[str, str], clerk: TestClient
) -> None:
    survey_id = create(client, staff_auth)
    question = {"key": "bus2", "kind": "text", "text": "还有什么建议？"}

    swapped = post(
        clerk, f"/staff/surveys/{survey_id}/questions", question, headers={"HX-Request": "true"}
    )
    plain = post(clerk, f"/staff/surveys/{survey_id}/questions", {**question, "key": "bus3"})

    assert swapped.status_code == 200
    assert "engagement:announce" in swapped.headers["HX-Trigger"]
    (message,) = parse(swapped.text).find_all(lambda n: n.has_class("question-saved"))
    assert message.text() == zh("The question is added.")
    assert notice_at(clerk.get(plain.headers["location"]).text, "questions") == zh(
        "The question is added."
    )


def test_creating_a_survey_says_what_to_do_next(clerk: TestClient) -> None:
    created = post(
        clerk,
        "/staff/surveys",
        {"title": "测试调查", "opens_at": "2030-01-01T08:00", "closes_at": "2030-02-01T08:00"},
    )
    page = clerk.get(created.headers["location"]).text

    assert re.search(r"/staff/surveys/\d+#questions$", created.headers["location"])
    assert notice_at(page, "questions") == zh(
        "The survey is created as a draft. Write its questions, then publish it."
    )


def test_a_new_survey_with_bad_dates_is_sent_back_with_the_errors_at_its_form(
    clerk: TestClient,
) -> None:
    refused = post(
        clerk,
        "/staff/surveys",
        {"title": "测试调查", "opens_at": "2030-02-01T08:00", "closes_at": "2030-01-01T08:00"},
    )
    form = parse(refused.text).by_id("survey-new")

    assert refused.status_code == 422
    assert form is not None and form.attrs["action"].endswith("#survey-new")
    (alert,) = form.find_all(lambda n: n.attrs.get("role") == "alert")
    assert zh("The closing time must be after the opening.") in alert.text()
    (closes,) = form.find_all(lambda n: n.attrs.get("name") == "closes_at")
    assert closes.attrs.get("aria-invalid") == "true"
    assert closes.attrs.get("value") == "2030-01-01T08:00"  # what was typed stays


# --- tables on a phone --------------------------------------------------------------------------


def scroll_regions_without_focus(page: str) -> list[Node]:
    """Wrappers that scroll a wide table but that a keyboard cannot reach (axe's
    scrollable-region-focusable)."""
    return parse(page).find_all(lambda n: n.has_class("table-wrap") and "tabindex" not in n.attrs)


def test_the_staff_list_stacks_on_a_phone_and_results_tables_need_no_scrolling(
    client: TestClient, staff_auth: dict[str, str], clerk: TestClient
) -> None:
    survey_id = create_open(client, staff_auth)
    staff_list = clerk.get("/staff/surveys").text
    results = clerk.get(f"/surveys/{survey_id}/results?rows=district&columns=services").text

    (table,) = parse(staff_list).find_all(lambda n: n.tag == "table")
    cells = table.find_all(lambda n: n.tag == "td")
    labels = [c.attrs.get("data-label") for c in cells]
    assert table.has_class("stack")
    assert labels[1:] == [zh("Unit"), zh("Status"), zh("Responses"), zh("Closes")]
    assert scroll_regions_without_focus(staff_list) == []
    assert scroll_regions_without_focus(results) == []
    assert parse(results).find_all(lambda n: n.has_class("counts"))  # the counts, as they are
