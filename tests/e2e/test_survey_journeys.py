"""Surveys end to end: the editor with a conditional question, answering with and without
JavaScript, and the public results with charts."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import BrowserContext, Locator, Page, expect

from engagement import i18n
from tests.e2e.conftest import (
    PHONE,
    STAFF_PASSWORD,
    ContextFactory,
    shot,
    sign_in,
    sign_in_by_keyboard,
    t,
    tab_to,
)

FIRST = "您平时主要怎样出行？"
MODES = ["公交车", "自驾车", "步行"]
FOLLOW_UP = "您对公交车的准点情况满意吗？"
VERDICTS = ["满意", "一般", "不满意"]


def field(scope: Page | Locator, msgid: str, **params: Any) -> Locator:
    """The form field labelled with `msgid`'s text, whether or not it is marked required (*)."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(t(msgid, **params))}\s*\*?\s*$"))


def ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.translations("zh").ngettext(singular, plural, n) % {"num": n}


def signed_in(context: BrowserContext, base_url: str, username: str, password: str) -> Page:
    page = context.new_page()
    sign_in(page, base_url, username, password)
    return page


def question(page: Page, text: str) -> Locator:
    """A question of the answer form, found by its wording."""
    return page.locator("fieldset.question").filter(has=page.locator("legend", has_text=text))


def drawn_chart(page: Page, key: str) -> Locator:
    """The chart of question `key` once plotly.js has drawn it (plotly marks the div)."""
    return page.locator(f"#chart-{key}.js-plotly-plot svg.main-svg").first


def count(result: Locator, option: str) -> Locator:
    """The count cell of `option` in a question's table of results."""
    row = result.locator("tbody tr").filter(
        has=result.page.get_by_role("cell", name=option, exact=True)
    )
    return row.locator("td").nth(1)


def build_survey(page: Page, title: str) -> int:
    """Staff-transport builds the survey in the editor and publishes it; returns its id."""
    page.goto("/staff/surveys/new")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("New survey"))
    field(page, "Title").fill(title)
    page.get_by_label(t("Introduction")).fill("为优化公交线路，请花一分钟回答两个问题。")
    page.get_by_role("button", name=t("Create and edit the questions")).click()
    expect(page).to_have_url(re.compile(r"/staff/surveys/\d+#questions$"))
    survey_id = int(page.url.split("#")[0].rsplit("/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    # The example question becomes the single-choice question (htmx, in place).
    questions = page.locator("#questions")
    example = questions.locator("li.card").first
    example.locator("summary").click()
    field(example, "Question").fill(FIRST)
    field(example, "Options (one per line, for choice questions)").fill("\n".join(MODES))
    example.get_by_role("button", name=t("Save question")).click()
    expect(questions.locator("li.card").first).to_contain_text(FIRST)
    expect(questions.locator("li.card").first).to_contain_text(" / ".join(MODES))

    # A follow-up shown only to those who go by bus.
    adder = questions.locator("details.card")
    adder.locator("summary").click()
    field(adder, "Key").fill("bus")
    field(adder, "Kind").select_option(label=t("Single choice"))
    field(adder, "Question").fill(FOLLOW_UP)
    field(adder, "Options (one per line, for choice questions)").fill("\n".join(VERDICTS))
    adder.get_by_label(t("An answer is required")).check()
    field(adder, "Show only if the answer to question…").select_option("q1")
    field(adder, "…is one of (one per line)").fill(MODES[0])
    adder.get_by_role("button", name=t("Add question")).click()
    follow_up = questions.locator("li.card").filter(has_text=FOLLOW_UP)
    expect(follow_up).to_contain_text(
        t("shown if the answer to question %(n)s is %(values)s", n=1, values=MODES[0])
    )
    expect(questions.locator("li.card")).to_have_count(2)
    expect(page.get_by_role("alert")).to_have_count(0)

    # Results public, through the settings form; then publish.
    page.locator("details.card > summary", has_text=t("Settings")).click()
    page.get_by_label(t("Publish the results on the portal")).check()
    page.get_by_role("button", name=t("Save settings")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    # The settings stay open where they were saved, saying so.
    saved = page.locator("#survey-settings [data-notice]")
    expect(saved).to_have_text(t("The settings are saved."))
    expect(page.get_by_label(t("Publish the results on the portal"))).to_be_checked()
    page.get_by_role("button", name=t("Publish"), exact=True).click()
    expect(page.locator("#survey-status .badge")).to_have_text(t("Open"))
    shot(page, "survey-editor-desktop")
    return survey_id


def test_survey_built_in_the_editor_is_answered_with_and_without_javascript(
    new_context: ContextFactory, base_url: str
) -> None:
    title = f"公交出行满意度调查 {uuid.uuid4().hex[:6]}"
    clerk = signed_in(new_context(), base_url, "staff-transport", STAFF_PASSWORD)
    survey_id = build_survey(clerk, title)

    # A phone with JavaScript: the follow-up appears as soon as "bus" is chosen.
    phone = new_context(PHONE).new_page()
    phone.goto(f"/surveys/{survey_id}")
    expect(phone.get_by_role("heading", level=1)).to_have_text(title)
    expect(question(phone, FIRST)).to_be_visible()
    expect(question(phone, FOLLOW_UP)).to_have_count(0)
    with phone.expect_response(re.compile(rf"/surveys/{survey_id}/visible$")):
        phone.get_by_label(MODES[1], exact=True).check()
    expect(question(phone, FOLLOW_UP)).to_have_count(0)
    phone.get_by_label(MODES[0], exact=True).check()
    expect(question(phone, FOLLOW_UP)).to_be_visible()
    expect(phone.get_by_label(MODES[0], exact=True)).to_be_checked()
    question(phone, FOLLOW_UP).get_by_label(VERDICTS[0], exact=True).check()
    shot(phone, "survey-answer-phone")
    phone.get_by_role("button", name=t("Send my answers")).click()
    expect(phone.locator("#survey-answered [data-notice]")).to_have_text(
        t("Thank you: your answers were received.")
    )

    # A phone without JavaScript: the follow-up comes with the "show follow-up" button.
    plain = new_context(PHONE, java_script_enabled=False).new_page()
    plain.goto(f"/surveys/{survey_id}")
    plain.get_by_label(MODES[0], exact=True).check()
    expect(question(plain, FOLLOW_UP)).to_have_count(0)
    plain.get_by_role("button", name=t("Show the follow-up questions")).click()
    expect(question(plain, FOLLOW_UP)).to_be_visible()
    expect(plain.get_by_label(MODES[0], exact=True)).to_be_checked()
    question(plain, FOLLOW_UP).get_by_label(VERDICTS[1], exact=True).check()
    shot(plain, "survey-answer-nojs-phone")
    plain.get_by_role("button", name=t("Send my answers")).click()
    expect(plain.locator("#survey-answered [data-notice]")).to_have_text(
        t("Thank you: your answers were received.")
    )

    # The public results: a drawn chart per question and the counts.
    plain.get_by_role("link", name=t("See the results")).click()
    expect(plain).to_have_url(re.compile(rf"/surveys/{survey_id}/results$"))
    results = new_context(PHONE).new_page()
    results.goto(f"/surveys/{survey_id}/results")
    expect(results.locator(".lead")).to_have_text(
        ngettext("%(num)s response", "%(num)s responses", 2)
    )
    for key in ("q1", "bus"):
        expect(drawn_chart(results, key)).to_be_visible()
    first = results.locator("section.result").filter(has_text=FIRST)
    follow = results.locator("section.result").filter(has_text=FOLLOW_UP)
    expect(count(first, MODES[0])).to_have_text("2")
    expect(count(first, MODES[1])).to_have_text("0")
    expect(count(follow, VERDICTS[0])).to_have_text("1")
    expect(count(follow, VERDICTS[1])).to_have_text("1")
    shot(results, "survey-results-phone")
    desktop = new_context().new_page()
    desktop.goto(f"/surveys/{survey_id}/results")
    expect(drawn_chart(desktop, "q1")).to_be_visible()
    expect(drawn_chart(desktop, "bus")).to_be_visible()
    shot(desktop, "survey-results-desktop")


def send_by_keyboard_and_open_the_results(page: Page, base_url: str, survey_id: int) -> None:
    """Sends the answers and follows the link to the results that replaces the form."""
    tab_to(page, page.get_by_role("button", name=t("Send my answers")), max_tabs=3)
    page.keyboard.press("Enter")
    expect(page.locator("#survey-answered [data-notice]")).to_have_text(
        t("Thank you: your answers were received.")
    )
    tab_to(page, page.get_by_role("link", name=t("See the results")))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}/surveys/{survey_id}/results")
    expect(page.locator(".lead")).to_have_text(ngettext("%(num)s response", "%(num)s responses", 1))


def test_keyboard_only_citizen_answers_a_survey_with_a_follow_up(
    new_context: ContextFactory, base_url: str
) -> None:
    title = f"公交站台改造意见调查 {uuid.uuid4().hex[:6]}"
    context = new_context()
    api = context.request
    token = api.post(
        "/api/v1/auth/token", form={"username": "staff-transport", "password": STAFF_PASSWORD}
    )
    auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
    now = datetime.now(UTC)
    created = api.post(
        "/api/v1/staff/surveys",
        headers=auth,
        data={
            "title": title,
            "description": "请用一分钟告诉我们您对公交站台的看法。",
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(days=30)).isoformat(),
            "results_public": True,
            "one_response_per_browser": True,
            "questions": [
                {
                    "key": "mode",
                    "kind": "single",
                    "text": FIRST,
                    "required": True,
                    "options": MODES,
                },
                {
                    "key": "bus",
                    "kind": "single",
                    "text": FOLLOW_UP,
                    "required": True,
                    "options": VERDICTS,
                    "show_if": {"key": "mode", "in": [MODES[0]]},
                },
                {
                    "key": "score",
                    "kind": "rating",
                    "text": "您对站台设施打几分？",
                    "required": True,
                },
                {
                    "key": "wishes",
                    "kind": "multiple",
                    "text": "您希望站台增加什么？",
                    "required": False,
                    "options": ["座椅", "雨棚", "电子站牌"],
                },
                {"key": "remarks", "kind": "text", "text": "其他建议", "required": False},
            ],
        },
    )
    assert created.status == 201, created.text()
    survey_id = created.json()["id"]
    published = api.post(f"/api/v1/staff/surveys/{survey_id}/publish", headers=auth)
    assert published.status == 200, published.text()

    page = context.new_page()
    page.goto("/surveys")
    tab_to(page, page.get_by_role("link", name=title))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    # Arrow keys choose within a radio group; the follow-up comes and goes (htmx) and the focus
    # stays on the chosen answer although the questions were swapped.
    bus = page.get_by_label(MODES[0], exact=True)
    car = page.get_by_label(MODES[1], exact=True)
    tab_to(page, bus)
    with page.expect_response(re.compile(rf"/surveys/{survey_id}/visible$")):
        page.keyboard.press("ArrowDown")
    expect(car).to_be_checked()
    expect(car).to_be_focused()
    expect(question(page, FOLLOW_UP)).to_have_count(0)
    page.keyboard.press("ArrowUp")
    expect(question(page, FOLLOW_UP)).to_be_visible()
    expect(bus).to_be_checked()
    expect(bus).to_be_focused()

    # Tab goes on into the follow-up, then to the rating, the checkboxes and the text.
    page.keyboard.press("Tab")
    expect(question(page, FOLLOW_UP).get_by_label(VERDICTS[0], exact=True)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(question(page, FOLLOW_UP).get_by_label(VERDICTS[1], exact=True)).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("1", exact=True)).to_be_focused()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(page.get_by_label("4", exact=True)).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("座椅", exact=True)).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_label("电子站牌", exact=True)).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_label("其他建议")).to_be_focused()
    page.keyboard.type("希望站台旁边增加公共自行车。")
    send_by_keyboard_and_open_the_results(page, base_url, survey_id)
    first = page.locator("section.result").filter(has_text=FIRST)
    follow = page.locator("section.result").filter(has_text=FOLLOW_UP)
    wishes = page.locator("section.result").filter(has_text="您希望站台增加什么？")
    expect(count(first, MODES[0])).to_have_text("1")
    expect(count(follow, VERDICTS[1])).to_have_text("1")
    expect(count(wishes, "座椅")).to_have_text("1")
    expect(count(wishes, "雨棚")).to_have_text("0")
    expect(count(wishes, "电子站牌")).to_have_text("1")


def test_keyboard_only_clerk_builds_a_survey_in_the_editor(
    new_context: ContextFactory, base_url: str
) -> None:
    title = f"公交线路优化调查 {uuid.uuid4().hex[:6]}"
    page = new_context().new_page()
    sign_in_by_keyboard(page, "staff-transport", STAFF_PASSWORD)
    work = page.get_by_role("region", name=t("Work"))
    tab_to(page, work.get_by_role("link", name=t("Surveys"), exact=True))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name=t("New survey")))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("New survey"))

    # Title and introduction; the suggested opening and closing times stay as they are.
    tab_to(page, field(page, "Title"))
    page.keyboard.type(title)
    page.keyboard.press("Tab")
    expect(page.get_by_label(t("Introduction"))).to_be_focused()
    page.keyboard.type("为优化公交线路，请花一分钟回答两个问题。")
    tab_to(page, page.get_by_role("button", name=t("Create and edit the questions")))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/surveys/\d+#questions$"))
    survey_id = int(page.url.split("#")[0].rsplit("/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    # The example question becomes the single-choice question (htmx, in place).
    questions = page.locator("#questions")
    example = questions.locator("li.card").first
    tab_to(page, example.locator("summary"))
    page.keyboard.press("Enter")
    wording = field(example, "Question")
    tab_to(page, wording, max_tabs=3)
    page.keyboard.press("Control+A")
    page.keyboard.type(FIRST)
    page.keyboard.press("Tab")
    expect(field(example, "Options (one per line, for choice questions)")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("\n".join(MODES))
    tab_to(page, example.get_by_role("button", name=t("Save question")), max_tabs=6)
    page.keyboard.press("Enter")
    expect(questions.locator("li.card").first).to_contain_text(FIRST)
    expect(questions.locator("li.card").first).to_contain_text(" / ".join(MODES))
    expect(questions).to_be_focused()

    # A follow-up shown only to those who go by bus: the box, the list and the choice.
    adder = questions.locator("details.card")
    tab_to(page, adder.locator("summary"))
    page.keyboard.press("Enter")
    expect(adder).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(field(adder, "Key")).to_be_focused()
    page.keyboard.type("bus")
    page.keyboard.press("Tab")
    expect(field(adder, "Kind")).to_be_focused()
    expect(field(adder, "Kind")).to_have_value("single")
    page.keyboard.press("Tab")
    page.keyboard.type(FOLLOW_UP)
    page.keyboard.press("Tab")
    page.keyboard.type("\n".join(VERDICTS))
    required = adder.get_by_label(t("An answer is required"))
    tab_to(page, required, max_tabs=3)
    page.keyboard.press("Space")
    expect(required).to_be_checked()
    page.keyboard.press("Tab")
    show_if = field(adder, "Show only if the answer to question…")
    expect(show_if).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(show_if).to_have_value("q1")
    page.keyboard.press("Tab")
    page.keyboard.type(MODES[0])
    page.keyboard.press("Tab")
    expect(adder.get_by_role("button", name=t("Add question"))).to_be_focused()
    page.keyboard.press("Enter")
    follow_up = questions.locator("li.card").filter(has_text=FOLLOW_UP)
    expect(follow_up).to_contain_text(
        t("shown if the answer to question %(n)s is %(values)s", n=1, values=MODES[0])
    )
    expect(questions.locator("li.card")).to_have_count(2)
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(questions).to_be_focused()

    # Results public, through the settings form (just before the questions); then publish.
    settings = page.locator("details.card").filter(
        has=page.locator("summary", has_text=t("Settings"))
    )
    tab_to(page, settings.locator("summary"), backwards=True)
    page.keyboard.press("Enter")
    public = page.get_by_label(t("Publish the results on the portal"))
    tab_to(page, public)
    page.keyboard.press("Space")
    expect(public).to_be_checked()
    tab_to(page, page.get_by_role("button", name=t("Save settings")), max_tabs=3)
    page.keyboard.press("Enter")
    saved = settings.locator("[data-notice]")
    expect(saved).to_have_text(t("The settings are saved."))
    expect(saved).to_be_focused()  # where the keyboard was, read out by a screen reader
    expect(public).to_be_checked()
    tab_to(page, page.get_by_role("button", name=t("Publish"), exact=True), backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator("#survey-status .badge")).to_have_text(t("Open"))

    # The survey as built: the follow-up appears for bus riders, and the results are public.
    page.goto(f"/surveys/{survey_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(question(page, FOLLOW_UP)).to_have_count(0)
    bus = page.get_by_label(MODES[0], exact=True)
    tab_to(page, bus)
    page.keyboard.press("Space")
    expect(question(page, FOLLOW_UP)).to_be_visible()
    expect(bus).to_be_focused()
    page.keyboard.press("Tab")
    satisfied = question(page, FOLLOW_UP).get_by_label(VERDICTS[0], exact=True)
    expect(satisfied).to_be_focused()
    page.keyboard.press("Space")
    send_by_keyboard_and_open_the_results(page, base_url, survey_id)
    follow = page.locator("section.result").filter(has_text=FOLLOW_UP)
    expect(count(follow, VERDICTS[0])).to_have_text("1")
