"""The figures pages (dashboard, briefing, open statistics, a hot issue) at 1280 px and on a
390 px phone, in Chinese and English: month labels read whole, nothing of a table is cut off,
axe finds nothing, and the headline cards say what each change compares with (issue #15).

Screenshots land in screenshots/figures-<device>-<language>-<page>.png.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import pairwise

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import BROWSER_DEFAULTS, DESKTOP, LEADER, PHONE, shot, sign_in, t

DEVICES = {"desktop": DESKTOP, "phone": PHONE}
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

Leader = Callable[[str, str], Page]


@pytest.fixture(scope="module")
def leader(browser: Browser, base_url: str) -> Iterator[Leader]:
    """One signed-in leader's page per device and language, reused by this module's tests."""
    pages: dict[tuple[str, str], Page] = {}

    def page_for(device: str, language: str) -> Page:
        if (device, language) not in pages:
            context = browser.new_context(
                base_url=base_url, **{**BROWSER_DEFAULTS, **DEVICES[device]}
            )
            context.set_default_timeout(15_000)
            page = context.new_page()
            sign_in(page, base_url, *LEADER)
            page.goto(f"/dashboard?lang={language}")  # the language is remembered
            pages[device, language] = page
        return pages[device, language]

    yield page_for
    for page in pages.values():
        page.context.close()


def figures_pages(page: Page) -> dict[str, str]:
    """The pages to check, by a short name: the hot issue is the dashboard's hottest."""
    page.goto("/dashboard")
    hottest = page.locator("section.hot-issues a[href^='/dashboard/hot-issues/']").first
    return {
        "dashboard": "/dashboard",
        "briefing": "/dashboard/briefing",
        "statistics": "/statistics",
        "hot-issue": str(hottest.get_attribute("href")),
    }


def boxes(page: Page, selector: str) -> list[dict[str, float]]:
    return [box for box in (el.bounding_box() for el in page.locator(selector).all()) if box]


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_month_labels_read_whole_and_level(leader: Leader, device: str) -> None:
    page = leader(device, "zh")
    page.goto("/dashboard")
    chart = page.locator("#chart-volume.js-plotly-plot")
    expect(chart.locator("svg.main-svg").first).to_be_visible()

    labels = chart.locator(".xtick text").evaluate_all("texts => texts.map(t => t.textContent)")
    assert len(labels) >= 3, labels
    assert all(re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", label) for label in labels), labels
    area = chart.bounding_box()
    assert area is not None
    placed = sorted(boxes(page, "#chart-volume .xtick text"), key=lambda b: b["x"])
    for box in placed:
        assert box["height"] < 2 * 14 * 1.5, "a month label stands upright"
        assert area["x"] <= box["x"] and box["x"] + box["width"] <= area["x"] + area["width"]
    for left, right in pairwise(placed):
        assert left["x"] + left["width"] <= right["x"], "two month labels overlap"
    shot(page, f"figures-{device}-zh-volume-chart", full_page=False)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_no_table_of_figures_is_cut_on_a_phone(leader: Leader, language: str) -> None:
    page = leader("phone", language)
    for name, path in figures_pages(page).items():
        page.goto(path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        # Every cell of every table lies on the screen: none hides in a sideways scroll (a
        # stacked table's head is hidden for screen readers only: each cell shows its name).
        cut = page.evaluate(
            """width => [...document.querySelectorAll('main table td, main table th')]
                 .filter(cell => cell.getClientRects().length)
                 .filter(cell => !cell.closest('table.stack thead'))
                 .filter(cell => cell.getBoundingClientRect().right > width + 1)
                 .map(cell => cell.textContent.trim().slice(0, 20))""",
            width,
        )
        assert cut == [], f"{name}: cells off the screen: {cut[:5]}"
        shot(page, f"figures-phone-{language}-{name}")


@pytest.mark.parametrize("device", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_figures_pages_have_no_axe_violations(leader: Leader, device: str, language: str) -> None:
    page = leader(device, language)
    found = []
    for name, path in figures_pages(page).items():
        page.goto(path)
        page.wait_for_load_state("networkidle")
        result = Axe().run(page, options=RULES).response
        found += [f"{name}: {v['id']} {v['nodes'][0]['target']}" for v in result["violations"]]
        if device == "desktop":
            shot(page, f"figures-desktop-{language}-{name}")
    assert found == []


def test_headline_changes_are_labelled_or_explained(leader: Leader) -> None:
    page = leader("desktop", "zh")
    page.goto("/dashboard")
    cards = page.get_by_role("region", name=t("Headline figures"))
    expect(cards.locator(".headline").first).to_be_visible()

    text = cards.inner_text()
    assert "▲" not in text and "▼" not in text
    changes = cards.locator(".headline-change").all_inner_texts()
    note = page.locator(".comparison-note").inner_text()
    if changes:  # a comparable previous period: every change says what it compares with
        assert note.startswith("“比上期”与上一个等长时期")
        assert all(c.startswith(("比上期 +", "比上期 \u2212", "与上期持平")) for c in changes)
    else:
        assert note.startswith("不显示变化：没有可比的上期。")
