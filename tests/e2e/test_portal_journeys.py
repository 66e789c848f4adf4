"""The one-stop portal in a browser: search in Chinese, the similar-letters hint, and both with
the language and display switches by keyboard alone."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import t, tab_to


def main_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name=t("Main"))


def font_size(page: Page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))


def page_of(number: int) -> re.Pattern[str]:
    """The pager's "page N of M" in Chinese, for any M."""
    pattern = re.escape(t("Page %(page)s of %(pages)s"))
    return re.compile(
        pattern.replace(re.escape("%(page)s"), str(number)).replace(re.escape("%(pages)s"), r"\d+")
    )


def test_search_finds_a_published_reply_and_never_an_unpublished_letter(
    page: Page, base_url: str
) -> None:
    word = "供暖"  # the demo's published replies include letters about heating
    secret = {
        "category": "complaint",
        "subject": "麒麟湾码头夜间施工扰民",
        "body": "麒麟湾码头每晚施工到凌晨，噪声很大，请查处。",
        "name": "赵六",
        "phone": "13900001111",
        "publish_consent": False,
    }
    assert httpx.post(f"{base_url}/api/v1/letters", json=secret).status_code == 201

    page.goto("/search")
    box = page.get_by_label(t("Search letters, replies, drafts, comments and surveys"))
    box.fill(word)
    box.press("Enter")
    results = page.locator("ol.search-results > li")
    expect(results.first).to_be_visible()
    expect(results.first.locator("mark").first).to_have_text(word)

    box.fill("麒麟湾")
    box.press("Enter")
    expect(page.get_by_text(t("Nothing public matches. Try fewer or other words."))).to_be_visible()
    expect(page.locator("ol.search-results > li")).to_have_count(0)


def test_similar_answered_letters_appear_while_typing_a_subject(page: Page) -> None:
    page.goto("/mailbox")
    page.get_by_label(t("Subject")).press_sequentially("小区供暖温度不达标", delay=40)
    hint = page.locator("#similar")
    expect(hint.get_by_role("heading", name=t("Already answered: similar letters"))).to_be_visible()
    links = hint.get_by_role("link")
    expect(links.first).to_be_visible()
    assert links.count() <= 5


def test_keyboard_only_reader_searches_finds_similar_letters_and_sets_the_display(
    page: Page, base_url: str
) -> None:
    # Search from the main navigation; results and pages swap in place (htmx).
    page.goto("/")
    tab_to(page, main_nav(page).get_by_role("link", name=t("Search"), exact=True))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}/search")
    tab_to(page, page.get_by_label(t("Search letters, replies, drafts, comments and surveys")))
    page.keyboard.type("供暖")
    page.keyboard.press("Enter")
    results = page.locator("ol.search-results > li")
    expect(results.first.locator("mark").first).to_have_text("供暖")
    next_page = page.get_by_role("link", name=t("Next"), exact=True)
    tab_to(page, next_page)
    page.keyboard.press("Enter")
    expect(page.locator(".pager")).to_contain_text(page_of(2))
    expect(next_page).to_be_focused()
    first = results.first.get_by_role("link")
    href = first.get_attribute("href")
    tab_to(page, first, backwards=True)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}{href}")

    # While the subject is typed, similar answered letters appear right after it.
    page.goto("/mailbox")
    tab_to(page, page.get_by_label(re.compile(rf"^\s*{t('Subject')}")))
    page.keyboard.type("小区供暖温度不达标", delay=40)
    hint = page.locator("#similar")
    expect(hint.get_by_role("heading", name=t("Already answered: similar letters"))).to_be_visible()
    page.keyboard.press("Tab")
    expect(hint.get_by_role("link").first).to_be_focused()

    # The language and display switches in the header.
    tools = page.get_by_role("group", name=t("Display and language"))
    tab_to(page, tools.get_by_role("link", name="English"), backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/mailbox(\?lang=en)?$"))
    normal = font_size(page)
    tools = page.get_by_role("group", name="Display and language")
    tab_to(page, tools.get_by_role("link", name="Large text"))
    page.keyboard.press("Enter")
    expect(tools.get_by_role("link", name="Large text")).to_have_accessible_name("Large text (on)")
    assert font_size(page) >= normal * 1.15
    tab_to(page, tools.get_by_role("link", name="High contrast"))
    page.keyboard.press("Enter")
    expect(tools.get_by_role("link", name="High contrast")).to_have_accessible_name(
        "High contrast (on)"
    )
    expect(page.locator("body")).to_have_class(re.compile(r"\bhigh-contrast\b"))
    expect(page.locator("body")).to_have_class(re.compile(r"\blarge-text\b"))
    # Still usable: the focus is visible on the form in the high-contrast, large-text display.
    tab_to(page, page.get_by_label(re.compile(r"^\s*Subject")))
