"""The one-stop portal in a browser: search in Chinese, and the similar-letters hint."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import t


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
