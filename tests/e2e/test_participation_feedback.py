"""Surveys and consultations in the browser after an action or a period: the citizen sees the
answer received (not a blank form), a closed consultation offers nothing to do and shows its
outcome, a private results page says so, the clerk's actions are confirmed where they were made;
in Chinese and English, at 1280 px and on a 390 px phone, with axe finding nothing."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    STAFF_PASSWORD,
    ContextFactory,
    has_focus,
    shot,
    sign_in,
)
from tests.e2e.conftest import t as text

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
SCREENS = [
    ("zh", DESKTOP, "desktop"),
    ("en", PHONE, "phone"),
    ("zh", PHONE, "phone"),
    ("en", DESKTOP, "desktop"),
]


def axe_violations(page: Page) -> list[str]:
    result = Axe().run(page, options=RULES).response
    return [f"{page.url}: {v['id']} {v['nodes'][0]['target']}" for v in result["violations"]]


def fits_the_width(page: Page) -> bool:
    """Nothing makes the page scroll sideways (a table's own scroll region may)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def api_token(base_url: str, username: str) -> dict[str, str]:
    answer = httpx.post(
        f"{base_url}/api/v1/auth/token", data={"username": username, "password": STAFF_PASSWORD}
    )
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def new_survey(base_url: str, *, publish: bool = True, **settings: Any) -> int:
    """A two-question survey of the transport bureau, made through the API."""
    auth = api_token(base_url, "staff-transport")
    now = datetime.now(UTC)
    body = {
        "title": f"公交站台候车环境调查 {uuid.uuid4().hex[:4]}",
        "description": "请花一分钟告诉我们您对候车环境的看法。",
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=20)).isoformat(),
        "results_public": True,
        "one_response_per_browser": True,
        "questions": [
            {
                "key": "shelter",
                "kind": "single",
                "text": "您常用的站台有候车亭吗？",
                "required": True,
                "options": ["有", "没有"],
            },
            {"key": "score", "kind": "rating", "text": "您对候车环境满意吗？", "required": True},
        ],
        **settings,
    }
    created = httpx.post(f"{base_url}/api/v1/staff/surveys", json=body, headers=auth)
    created.raise_for_status()
    survey_id = int(created.json()["id"])
    if publish:
        httpx.post(
            f"{base_url}/api/v1/staff/surveys/{survey_id}/publish", headers=auth
        ).raise_for_status()
    return survey_id


def demo_consultation(base_url: str, status: str) -> int:
    items = httpx.get(f"{base_url}/api/v1/consultations").json()["items"]
    return int(next(c["id"] for c in items if c["status"] == status))


def notice(page: Page, place: str) -> Locator:
    return page.locator(f"#{place} [data-notice]")


# --- the citizen's answer -------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "device", "name"), SCREENS)
def test_after_answering_the_survey_says_so_instead_of_a_blank_form(
    new_context: ContextFactory, base_url: str, language: str, device: dict[str, Any], name: str
) -> None:
    survey_id = new_survey(base_url)
    page = new_context(device).new_page()

    page.goto(f"/surveys/{survey_id}?lang={language}")
    page.get_by_label("有", exact=True).check()
    page.get_by_label("4", exact=True).check()
    page.get_by_role("button", name=text("Send my answers", language)).click()

    received = notice(page, "survey-answered")
    expect(received).to_have_text(text("Thank you: your answers were received.", language))
    expect(received).to_be_in_viewport()
    assert has_focus(received), "the message is focused, so a screen reader reads it"
    expect(page.locator("[name^='q-']")).to_have_count(0)
    expect(page.get_by_role("link", name=text("See the results", language))).to_be_visible()
    shot(page, f"participation-survey-answered-{name}-{language}")
    assert axe_violations(page) == []

    page.reload()
    expect(notice(page, "survey-answered")).to_have_count(0)
    expect(page.locator("#survey-answered")).to_contain_text(
        text("You have already answered this survey from this browser. Thank you!", language)
    )
    expect(page.locator("[name^='q-']")).to_have_count(0)


def test_the_survey_page_of_a_browser_that_answered_a_repeatable_survey_offers_another_answer(
    new_context: ContextFactory, base_url: str
) -> None:
    survey_id = new_survey(base_url, one_response_per_browser=False, results_public=False)
    page = new_context(PHONE).new_page()
    page.goto(f"/surveys/{survey_id}")
    page.get_by_label("没有", exact=True).check()
    page.get_by_label("2", exact=True).check()
    page.get_by_role("button", name=text("Send my answers")).click()

    expect(notice(page, "survey-answered")).to_be_visible()
    expect(page.locator("#survey-answered")).to_contain_text(
        text("The results of this survey are not published.")
    )
    page.get_by_role("link", name=text("Answer again")).click()
    expect(page.get_by_label("没有", exact=True)).not_to_be_checked()  # a fresh form on request
    expect(page.locator("#survey-form")).to_be_in_viewport()


# --- closed consultations and their outcome -------------------------------------------------------


@pytest.mark.parametrize(("language", "device", "name"), SCREENS)
def test_a_closed_consultation_offers_nothing_to_do_and_shows_the_outcome(
    new_context: ContextFactory, base_url: str, language: str, device: dict[str, Any], name: str
) -> None:
    page = new_context(device).new_page()
    for status in ("closed", "reported"):
        page.goto(f"/consultations/{demo_consultation(base_url, status)}?lang={language}")
        closed = page.locator("#consultation-closed")
        expect(closed.get_by_role("heading")).to_have_text(
            text("This consultation is closed", language)
        )
        expect(
            page.get_by_role("button", name=re.compile(text("I agree", language)))
        ).to_have_count(0)
        expect(page.locator("form[action$='/comments']")).to_have_count(0)
        expect(page.locator("details.comment-form")).to_have_count(0)
        page.locator("details.comments > summary").first.click()
        expect(page.locator(".agree-count").first).to_be_visible()  # the support stays readable
        shot(page, f"participation-consultation-{status}-{name}-{language}")
        assert axe_violations(page) == []
        assert fits_the_width(page)

    figures = page.locator("#report-figures")
    expect(figures).to_contain_text(text("Comments received online", language))
    expect(figures).to_contain_text(text("Not adopted", language))
    closed.get_by_role("link", name=text("How the opinions were used", language)).click()
    expect(page.locator("#report")).to_be_in_viewport()


# --- private results ------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "device", "name"), SCREENS)
def test_a_private_results_page_says_the_results_are_not_public(
    new_context: ContextFactory, base_url: str, language: str, device: dict[str, Any], name: str
) -> None:
    surveys = httpx.get(f"{base_url}/api/v1/surveys").json()["items"]
    private = next(s["id"] for s in surveys if not s["results_public"])
    page = new_context(device).new_page()

    answer = page.goto(f"/surveys/{private}/results?lang={language}")

    assert answer is not None and answer.status == 401
    title = text("The results of this survey are not public", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page).to_have_title(re.compile(f"^{re.escape(title)}"))
    expect(page.get_by_role("link", name=text("Back to the survey", language))).to_be_visible()
    shot(page, f"participation-results-private-{name}-{language}")
    assert axe_violations(page) == []


# --- the clerk's actions and tables ---------------------------------------------------------------


def test_publishing_and_closing_a_survey_are_confirmed_where_the_buttons_were(
    new_context: ContextFactory, base_url: str
) -> None:
    survey_id = new_survey(base_url, publish=False)
    page = new_context(PHONE).new_page()
    sign_in(page, base_url, "staff-transport", STAFF_PASSWORD)
    page.goto(f"/staff/surveys/{survey_id}")

    page.get_by_role("button", name=text("Publish"), exact=True).click()
    published = notice(page, "survey-status")
    expect(published).to_have_text(text("The survey is published and open for answers."))
    expect(published).to_be_in_viewport()
    assert has_focus(published)
    shot(page, "participation-survey-published-phone")

    page.get_by_role("button", name=text("Close now")).click()
    expect(notice(page, "survey-status")).to_have_text(
        text("The survey is closed: no more answers.")
    )


def test_moderating_a_comment_is_shown_and_announced_in_place(
    new_context: ContextFactory, base_url: str
) -> None:
    consultation_id = demo_consultation(base_url, "open")
    unit = httpx.get(f"{base_url}/api/v1/consultations/{consultation_id}").json()["department"]
    opinion = f"建议在学校周边增设护学岗，方便学生上下学。{uuid.uuid4().hex[:4]}"
    httpx.post(
        f"{base_url}/api/v1/consultations/{consultation_id}/comments", json={"body": opinion}
    ).raise_for_status()
    page = new_context().new_page()
    sign_in(page, base_url, f"staff-{unit['slug']}", STAFF_PASSWORD)
    page.goto(f"/staff/consultations/{consultation_id}")

    pending = page.locator("#comments li.comment").filter(has_text=opinion)
    comment_id = int(str(pending.get_attribute("id")).removeprefix("mod-"))
    pending.get_by_role("button", name=re.compile(rf"^{text('Approve')}")).click()

    said = text("Comment %(n)s is approved and shown on the public page.", n=comment_id)
    expect(page.locator(f"#mod-{comment_id}.moderated .alert-ok")).to_have_text(said)
    expect(page.locator("#announcer")).to_have_text(said)
    shot(page, "participation-comment-moderated-desktop")


@pytest.mark.parametrize("path", ["/staff/surveys", "/staff/consultations", "results"])
def test_staff_lists_and_results_fit_a_phone(
    new_context: ContextFactory, base_url: str, path: str
) -> None:
    page = new_context(PHONE).new_page()
    if path == "results":
        surveys = httpx.get(f"{base_url}/api/v1/surveys").json()["items"]
        path = f"/surveys/{next(s['id'] for s in surveys if s['results_public'])}/results"
    else:  # units whose lists have rows: transport runs surveys, housing consultations
        clerk = "staff-housing" if "consultations" in path else "staff-transport"
        sign_in(page, base_url, clerk, STAFF_PASSWORD)

    page.goto(path)
    page.wait_for_load_state("networkidle")

    assert fits_the_width(page)
    assert axe_violations(page) == []
    expect(page.locator("table tbody tr").first).to_be_visible()
    shot(page, "participation-" + path.strip("/").replace("/", "-") + "-phone")
