"""The leadership dashboard: every panel, filtering by a unit in place, the printable briefing."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import (
    LEADER,
    PHONE,
    ContextFactory,
    arrow_to,
    shot,
    sign_in,
    sign_in_by_keyboard,
    t,
    tab_to,
)

HOUSING = "县住房和城乡建设局"
TRANSPORT = "县交通运输局"
HEADLINES = [
    "Letters received",
    "Reply rate",
    "On-time rate",
    "Satisfaction rate",
    "Resolution rate",
    "Median hours to reply",
    "Overdue now",
]
PANELS = [
    "Letters per month by kind",
    "Hot words",
    "Units league table",
    "By township",
    "Participation",
    "Topics",
    "Hot issues",
]


def scoped(msgid: str, scope: str = "全县") -> re.Pattern[str]:
    """A briefing heading: its title, then the unit (or 全县) and the period in brackets."""
    return re.compile(rf"^{re.escape(t(msgid))}（{re.escape(scope)}，\d{{4}}-\d\d-\d\d至")


def panel(page: Page, msgid: str) -> Locator:
    """A dashboard panel, found by its heading."""
    return page.get_by_role("region", name=t(msgid), exact=True)


def drawn_chart(page: Page, chart_id: str) -> Locator:
    """A chart once plotly.js has drawn it (plotly marks the div and adds its svg)."""
    return page.locator(f"#{chart_id}.js-plotly-plot svg.main-svg").first


def headline(page: Page, msgid: str) -> Locator:
    figures = page.get_by_role("region", name=t("Headline figures"))
    return figures.locator(".headline").filter(
        has=page.locator(".headline-label", has_text=re.compile(rf"^{re.escape(t(msgid))}$"))
    )


def league_units(page: Page) -> Locator:
    return panel(page, "Units league table").locator("tbody tr td:first-child")


def total_letters(page: Page) -> int:
    return int(
        headline(page, "Letters received")
        .locator(".headline-value")
        .inner_text()
        .strip()
        .replace(",", "")
    )


def open_dashboard(page: Page, base_url: str) -> None:
    sign_in(page, base_url, *LEADER)
    page.goto("/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("What the public is asking for"))


def test_leader_sees_every_panel_and_filters_by_unit_in_place(
    new_context: ContextFactory, base_url: str
) -> None:
    page = new_context().new_page()
    open_dashboard(page, base_url)

    for msgid in HEADLINES:
        expect(headline(page, msgid).locator(".headline-value")).to_have_text(re.compile(r"\d"))
    for msgid in PANELS:
        expect(panel(page, msgid)).to_be_visible()
    expect(drawn_chart(page, "chart-volume")).to_be_visible()
    expect(drawn_chart(page, "chart-words")).to_be_visible()
    expect(panel(page, "Letters per month by kind").locator("tbody tr")).to_have_count(5)
    expect(league_units(page).filter(has_text=HOUSING)).to_have_count(1)
    expect(league_units(page).filter(has_text=TRANSPORT)).to_have_count(1)
    expect(panel(page, "By township").locator("tbody")).to_contain_text("城关镇")
    participation = panel(page, "Participation")
    expect(participation).to_contain_text(t("Comments on consultations"))
    expect(participation).to_contain_text(t("Survey responses"))
    expect(participation.locator("dd").first).to_have_text(re.compile(r"^[1-9]\d*"))
    topics = panel(page, "Topics")
    expect(topics.locator("tbody tr").first).to_be_visible()
    expect(topics).to_contain_text(re.compile(r"\d{14} "))  # example letters by number
    everyone = total_letters(page)
    assert everyone > 0
    shot(page, "dashboard-desktop")

    # Choosing a unit updates the panels in place (htmx) and the address records the filter.
    page.evaluate("window.__sameDocument = true")
    page.get_by_label(t("Unit"), exact=True).select_option("housing")
    expect(page).to_have_url(re.compile(r"[?&]department=housing(&|$)"))
    expect(league_units(page)).to_have_count(1)
    expect(league_units(page)).to_have_text(HOUSING)
    expect(drawn_chart(page, "chart-volume")).to_be_visible()
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
    housing = total_letters(page)
    assert 0 < housing < everyone, (housing, everyone)
    shot(page, "dashboard-housing-desktop")

    # On a phone the same dashboard stays within the screen's width.
    phone = new_context(PHONE).new_page()
    open_dashboard(phone, base_url)
    expect(drawn_chart(phone, "chart-volume")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the dashboard is {width}px wide on a 390px phone"
    shot(phone, "dashboard-phone")


def test_leader_opens_the_printable_briefing(new_context: ContextFactory, base_url: str) -> None:
    page = new_context().new_page()
    open_dashboard(page, base_url)
    page.get_by_role("link", name=t("Printable briefing")).click()
    expect(page).to_have_url(re.compile(r"/dashboard/briefing\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text(scoped("Briefing on public demands"))
    for msgid in ("Overview", "Hot issues", "Top demands", "Units' performance"):
        expect(page.get_by_role("heading", name=scoped(msgid))).to_be_visible()
    topics = re.compile(rf"^{t('Topics')}（全县，{t('the last 90 days')}）$")
    expect(page.get_by_role("heading", name=topics)).to_be_visible()
    expect(page.get_by_role("button", name=t("Print"))).to_be_visible()
    overview = page.locator("table").first
    expect(overview).to_contain_text(t("Letters received"))
    expect(overview.locator("thead th").nth(0)).to_have_text(t("Figure"))
    expect(overview.locator("thead th").nth(1)).to_have_text(t("This period"))
    expect(page.locator("article.briefing")).to_contain_text(HOUSING)
    shot(page, "briefing-desktop")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name=t("Print"))).to_be_hidden()
    shot(page, "briefing-print")


def test_briefing_follows_the_unit_chosen_on_the_dashboard(
    new_context: ContextFactory, base_url: str
) -> None:
    page = new_context().new_page()
    open_dashboard(page, base_url)
    page.get_by_label(t("Unit"), exact=True).select_option("housing")
    expect(page).to_have_url(re.compile(r"[?&]department=housing(&|$)"))
    expect(league_units(page)).to_have_count(1)
    link = page.get_by_role("link", name=t("Printable briefing"))
    expect(link).to_have_attribute("href", re.compile(r"[?&]department=housing(&|$)"), timeout=1000)
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        scoped("Briefing on public demands", HOUSING)
    )
    units = page.locator("table", has=page.locator("thead", has_text=t("Median hours")))
    units = units.locator("tbody tr")
    expect(units).to_have_count(1)
    expect(units).to_contain_text(HOUSING)


def test_keyboard_only_leader_filters_by_unit_in_place_and_opens_its_briefing(
    new_context: ContextFactory, base_url: str
) -> None:
    page = new_context().new_page()
    sign_in_by_keyboard(page, *LEADER)
    work = page.get_by_role("main")  # the workbench's links
    tab_to(page, work.get_by_role("link", name=t("Dashboard"), exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("What the public is asking for"))
    expect(league_units(page).filter(has_text=TRANSPORT)).to_have_count(1)
    everyone = total_letters(page)

    # The arrow keys walk down the units; the panels follow in place (htmx) and the focus stays
    # on the list, so the leader can go on choosing.
    page.evaluate("window.__sameDocument = true")
    unit = page.get_by_label(t("Unit"), exact=True)
    tab_to(page, unit)
    arrow_to(page, unit, "housing")
    expect(page).to_have_url(re.compile(r"[?&]department=housing(&|$)"))
    expect(league_units(page)).to_have_count(1)
    expect(league_units(page)).to_have_text(HOUSING)
    expect(drawn_chart(page, "chart-volume")).to_be_visible()
    expect(unit).to_be_focused()
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
    housing = total_letters(page)
    assert 0 < housing < everyone, (housing, everyone)

    # The printable briefing, reached from the panels, covers the chosen unit only.
    tab_to(page, page.get_by_role("link", name=t("Printable briefing")))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dashboard/briefing\?.*department=housing(&|$)"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        scoped("Briefing on public demands", HOUSING)
    )
    units = page.locator("table", has=page.locator("thead", has_text=t("Median hours")))
    expect(units.locator("tbody tr")).to_have_count(1)
    expect(units.locator("tbody tr")).to_contain_text(HOUSING)


def test_leader_opens_the_hottest_issue_from_the_dashboard_and_the_briefing(
    new_context: ContextFactory, base_url: str
) -> None:
    page = new_context().new_page()
    open_dashboard(page, base_url)
    hot = panel(page, "Hot issues")
    expect(hot).to_contain_text(t("Heat"))
    first = hot.locator("tbody tr").first.get_by_role("link")
    title = first.inner_text()
    first.click()
    expect(page).to_have_url(re.compile(r"/dashboard/hot-issues/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    letters = page.get_by_role("table").locator("tbody tr")
    assert letters.count() >= 2
    expect(letters.first.get_by_role("link")).to_have_text(re.compile(r"^\d{14}$"))
    shot(page, "hot-issue-desktop")

    page.goto("/dashboard/briefing")
    expect(page.get_by_role("heading", name=scoped("Hot issues"))).to_be_visible()
    page.get_by_role("region", name=t("Hot issues")).get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"\S"))
    expect(page.get_by_role("heading", name=t("Its letters"))).to_be_visible()

    phone = new_context(PHONE).new_page()
    open_dashboard(phone, base_url)
    expect(panel(phone, "Hot issues")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the dashboard is {width}px wide on a 390px phone"
    shot(phone, "dashboard-hot-issues-phone")
