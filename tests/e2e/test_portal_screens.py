"""The home page on a phone: what is open now, the latest replies, the mailbox and the year's
figures all in the first 390×844 screen; the same page at desktop width and in large text.

Screenshots land in screenshots/home-<device>-<language>[-large].png for a person to look at.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from engagement import i18n
from tests.e2e.conftest import DESKTOP, PHONE, ContextFactory, shot, t

SCREEN_HEIGHT = PHONE["viewport"]["height"]


def pattern(text: str, **numbers: str) -> re.Pattern[str]:
    """`text` from the catalog with each %(name)s placeholder matching `numbers[name]`."""
    escaped = re.escape(text)
    for name, regex in numbers.items():
        escaped = escaped.replace(re.escape(f"%({name})s"), regex)
    return re.compile(escaped)


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return {**found, "bottom": found["y"] + found["height"]}


def home_parts(page: Page, language: str) -> dict[str, Locator]:
    """What the home page must show, by the name a reader (or screen reader) knows it by."""

    def region(name: str | re.Pattern[str]) -> Locator:
        return page.get_by_role("region", name=name)

    return {
        "mailbox entry": page.get_by_role("link", name=t("Write to the mayor", language)).first,
        "consultations": region(t("Open for comment now", language)),
        "latest replies": region(t("Latest published replies", language)),
        "surveys": region(t("Surveys open now", language)),
        "figures": region(pattern(t("The mailbox in %(year)s", language), year=r"\d{4}")),
    }


def sideways_overflow(page: Page) -> bool:
    return bool(
        page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    )


@pytest.mark.parametrize("language", ["zh", "en"])
def test_home_fits_one_phone_screen_below_the_header(
    new_context: ContextFactory, language: str
) -> None:
    page = new_context(PHONE).new_page()
    page.goto(f"/?lang={language}")
    header = box(page.locator("header.site-header"))
    parts = home_parts(page, language)
    for part, locator in parts.items():
        expect(locator, part).to_be_visible()

    # Consultations with their days left, surveys and replies: two each, with a link to the rest.
    days_left = i18n.translations(language).ngettext("%(num)s day left", "%(num)s days left", 2)
    expect(parts["consultations"]).to_contain_text(pattern(days_left, num=r"\d+"))
    for part in ("consultations", "latest replies", "surveys"):
        items = parts[part].locator("li")
        assert items.count() >= 1, f"nothing in {part}: the demo data has some"
        shown = [item for item in items.all() if item.is_visible()]
        assert 1 <= len(shown) <= 2, f"{part}: {len(shown)} items shown on a phone"
        for item in shown:
            expect(item.get_by_role("link")).to_be_visible()
        more = parts[part].locator(".card-head").get_by_role("link")
        expect(more).to_be_visible()
        parts[f"{part}: more"] = more
    figures = parts["figures"].locator("dd")
    expect(figures).to_have_count(4)
    for n, figure in enumerate(figures.all(), start=1):
        parts[f"figure {n}"] = figure
    parts["statistics link"] = parts["figures"].get_by_role("link")

    outside = {
        part: round(found["bottom"])
        for part, found in ((part, box(locator)) for part, locator in parts.items())
        if found["y"] < header["bottom"] or found["bottom"] > SCREEN_HEIGHT
    }
    assert outside == {}, f"below the first {SCREEN_HEIGHT} px or under the header: {outside}"
    assert not sideways_overflow(page)
    shot(page, f"home-phone-{language}", full_page=False)

    # Large text may scroll, but everything is still there and nothing runs off sideways.
    page.get_by_role("link", name=t("Large text", language)).click()
    expect(page.locator("body")).to_have_class(re.compile(r"\blarge-text\b"))
    for part, locator in home_parts(page, language).items():
        expect(locator, part).to_be_visible()
    assert not sideways_overflow(page)
    shot(page, f"home-phone-{language}-large")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_home_at_desktop_width_shows_the_figures_in_one_row(
    new_context: ContextFactory, language: str
) -> None:
    page = new_context(DESKTOP).new_page()
    page.goto(f"/?lang={language}")
    parts = home_parts(page, language)
    for part, locator in parts.items():
        expect(locator, part).to_be_visible()
    for part in ("consultations", "latest replies", "surveys"):
        # Each list's link to the rest reads in full at this width.
        expect(parts[part].locator(".more-long")).to_be_visible()
    tops = {round(box(figure)["y"]) for figure in parts["figures"].locator("dd").all()}
    assert len(tops) == 1, f"the four figures are not in one row: {tops}"
    shot(page, f"home-desktop-{language}")
