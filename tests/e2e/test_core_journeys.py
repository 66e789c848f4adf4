"""Journeys a clerk takes through the core: signing in and out, language, display, errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from engagement.auth.service import LOCKED
from tests.e2e.conftest import CJK, STAFF_PASSWORD, ContextFactory, sign_in, t, tab_to


def font_size(page: Page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))


def main_nav(page: Page, language: str = "zh") -> Locator:
    return page.get_by_role("navigation", name=t("Main", language))


def test_staff_signs_in_by_keyboard_and_out(page: Page, base_url: str) -> None:
    page.goto("/login")
    username = page.get_by_label(t("Username"))
    password = page.get_by_label(t("Password"))

    tab_to(page, username)
    page.keyboard.type("staff-housing")
    page.keyboard.press("Tab")
    expect(password).to_be_focused()
    page.keyboard.type(STAFF_PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{base_url}/staff")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Workbench"))
    main = page.locator("main")
    expect(main).to_contain_text(t("Signed in as %(name)s", name="县住房和城乡建设局工作人员"))
    expect(main).to_contain_text("县住房和城乡建设局")
    expect(main_nav(page).locator(".who")).to_have_text("县住房和城乡建设局工作人员")

    tab_to(page, page.get_by_role("button", name=t("Sign out")))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}/")
    expect(main_nav(page).get_by_role("link", name=t("Staff sign-in"))).to_be_visible()
    expect(page.get_by_role("button", name=t("Sign out"))).to_have_count(0)
    page.goto("/staff")
    expect(page).to_have_url(re.compile(r"/login\?next=/staff$"))


def test_pages_are_in_chinese_by_default(new_context: ContextFactory) -> None:
    page = new_context(locale="fr-FR").new_page()  # a browser preferring neither language
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    nav = main_nav(page)
    for msgid in ("Home", "Mayor's mailbox", "Consultations", "Departments"):
        expect(nav.get_by_role("link", name=t(msgid), exact=True)).to_have_text(CJK)
    footer_line = t("Public engagement platform")
    assert CJK.search(footer_line), f"no Chinese for {footer_line!r} in the catalog"
    expect(page.locator("footer")).to_contain_text(footer_line)


def test_language_switch_in_the_header_is_remembered(page: Page, base_url: str) -> None:
    page.goto("/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-CN")
    tools = page.get_by_role("group", name=t("Display and language"))
    expect(tools.locator("[aria-current=true]")).to_have_text("中文")

    tools.get_by_role("link", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    nav = main_nav(page, "en")
    expect(nav.get_by_role("link", name="Home", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Mayor's mailbox")).to_be_visible()
    expect(page.locator("footer")).to_contain_text("Public engagement platform")

    nav.get_by_role("link", name="Departments", exact=True).click()
    expect(page).to_have_url(f"{base_url}/departments")
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Departments and townships")

    page.get_by_role("group", name="Display and language").get_by_role("link", name="中文").click()
    expect(html).to_have_attribute("lang", "zh-CN")
    page.goto("/")
    expect(html).to_have_attribute("lang", "zh-CN")


def test_locked_account_refuses_the_right_password(page: Page, base_url: str) -> None:
    """From the address that guessed wrong: others still sign in (tests/engagement/auth)."""
    wrong = t("Incorrect username or password.")
    locked = t(LOCKED, minutes=15)
    alert = page.get_by_role("alert")
    for attempt in range(1, 6):
        sign_in(page, base_url, "staff-water", f"wrong-{attempt}", expect_success=False)
        expect(alert).to_have_text(locked if attempt == 5 else wrong)

    sign_in(page, base_url, "staff-water", STAFF_PASSWORD, expect_success=False)
    expect(alert).to_have_text(locked)
    expect(page.get_by_label(t("Username"))).to_have_value("staff-water")
    expect(page.get_by_role("button", name=t("Sign out"))).to_have_count(0)
    page.goto("/staff")
    expect(page).to_have_url(re.compile(r"/login\?next=/staff$"))


def test_large_text_switch_enlarges_text_and_is_remembered(page: Page, base_url: str) -> None:
    page.goto("/")
    normal = font_size(page)
    switch = page.get_by_role("link", name=t("Large text"))
    expect(switch).to_have_accessible_name(f"{t('Large text')} ({t('off')})")

    switch.click()
    expect(page).to_have_url(f"{base_url}/")
    expect(page.get_by_role("link", name=t("Large text"))).to_have_accessible_name(
        f"{t('Large text')} ({t('on')})"
    )
    large = font_size(page)
    assert large >= normal * 1.15, (normal, large)

    main_nav(page).get_by_role("link", name=t("Departments"), exact=True).click()
    expect(page).to_have_url(f"{base_url}/departments")
    assert font_size(page) == large
    page.goto("/login")
    assert font_size(page) == large
    expect(page.get_by_role("link", name=t("Large text"))).to_have_accessible_name(
        f"{t('Large text')} ({t('on')})"
    )

    page.get_by_role("link", name=t("Large text")).click()
    expect(page).to_have_url(f"{base_url}/login")
    assert font_size(page) == normal


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page: Page) -> None:
    page.goto("/departments")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=t("Skip to main content"))
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, f"skip link off screen: {box}"

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    inside_main = page.evaluate("document.activeElement.closest('main') !== null")
    assert inside_main, "the Tab after the skip link should land inside the main content"


@pytest.mark.parametrize(
    ("language", "query", "html_lang"),
    [
        pytest.param("zh", "", "zh-CN", id="zh"),
        pytest.param("en", "?lang=en", "en", id="en"),
    ],
)
def test_unknown_page_is_friendly(
    page: Page, base_url: str, language: str, query: str, html_lang: str
) -> None:
    response = page.goto(f"/no-such-page{query}")
    assert response is not None and response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", html_lang)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(t("Page not found", language))
    expect(page.get_by_role("alert")).to_have_text(
        t("The page you asked for does not exist or has moved.", language)
    )
    expect(main_nav(page, language)).to_be_visible()
    if language == "zh":
        expect(heading).to_have_text(CJK)

    page.get_by_role("link", name=t("Back to the home page", language)).click()
    expect(page).to_have_url(f"{base_url}/")
    expect(page.locator("html")).to_have_attribute("lang", html_lang)


def body_modes(page: Page) -> tuple[bool, bool]:
    """(large text, high contrast) as the page shows them: the body's font size and colours."""
    large = font_size(page) >= 18 * 1.15  # html is 112.5% of 16 px; large text adds 25%
    text_colour = page.evaluate("getComputedStyle(document.body).color")
    return large, text_colour == "rgb(0, 0, 0)"  # high contrast: pure black text


def test_large_text_and_high_contrast_combine_and_switch_off_one_at_a_time(
    page: Page, base_url: str
) -> None:
    page.goto("/departments")
    assert body_modes(page) == (False, False)

    def switch(name: str, now: str) -> None:
        page.get_by_role("link", name=t(name)).click()
        expect(page).to_have_url(f"{base_url}/departments")
        expect(page.get_by_role("link", name=t(name))).to_have_accessible_name(
            f"{t(name)} ({t(now)})"
        )

    switch("Large text", "on")
    assert body_modes(page) == (True, False)
    switch("High contrast", "on")
    assert body_modes(page) == (True, True), "turning on high contrast switched large text off"
    expect(page.get_by_role("link", name=t("Large text"))).to_have_accessible_name(
        f"{t('Large text')} ({t('on')})"
    )
    page.goto("/login")  # both remembered on another page
    assert body_modes(page) == (True, True)
    page.goto("/departments")

    switch("Large text", "off")
    assert body_modes(page) == (False, True), "turning large text off also lost high contrast"
    switch("Large text", "on")
    switch("High contrast", "off")
    assert body_modes(page) == (True, False), "turning high contrast off also lost large text"


def test_a_page_opened_before_a_mode_changed_keeps_the_other_mode(
    new_context: ContextFactory, base_url: str
) -> None:
    """A second tab (or a page come back to with Back) still shows the header it was drawn with:
    its switch must add its own mode to the modes in force, not set the modes it once saw."""
    context = new_context()
    older, newer = context.new_page(), context.new_page()
    older.goto("/departments")
    newer.goto("/departments")

    newer.get_by_role("link", name=t("Large text")).click()
    expect(newer.get_by_role("link", name=t("Large text"))).to_have_accessible_name(
        f"{t('Large text')} ({t('on')})"
    )
    older.get_by_role("link", name=t("High contrast")).click()
    expect(older.get_by_role("link", name=t("High contrast"))).to_have_accessible_name(
        f"{t('High contrast')} ({t('on')})"
    )
    assert body_modes(older) == (True, True), "high contrast from an older page lost large text"


def in_view(page: Page, target: Locator) -> bool:
    """The element is on screen, not 3,000 px below where the browser shows the page."""
    box = target.bounding_box()
    height = page.viewport_size["height"] if page.viewport_size else 0
    return box is not None and 0 <= box["y"] < height


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_an_admin_sees_a_refused_user_and_an_added_one_where_they_acted(
    new_context: ContextFactory, base_url: str, phone: bool
) -> None:
    from tests.e2e.conftest import ADMIN, PHONE

    page = new_context(PHONE if phone else None).new_page()
    sign_in(page, base_url, *ADMIN)
    page.goto("/admin/users")
    form = page.locator("#add-user-form")
    name = f"clerk-{'p' if phone else 'd'}{abs(hash(base_url)) % 1000}"

    form.get_by_label(t("Username")).fill(name)
    form.get_by_label(t("Initial password")).fill("short")  # too short: refused
    form.get_by_role("button", name=t("Add user")).click()
    alert = form.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_be_focused()
    assert in_view(page, alert), "the error is off screen"
    expect(form.get_by_label(t("Initial password"))).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label(t("Username"))).to_have_value(name)  # kept

    form.get_by_label(t("Initial password")).fill("a-long-enough-password")
    form.get_by_label(t("Department or township")).select_option(index=1)
    form.get_by_role("button", name=t("Add user")).click()
    notice = page.locator("#add-user").get_by_role("status")
    expect(notice).to_contain_text(name)
    expect(notice).to_be_focused()
    assert in_view(page, notice), "the confirmation is off screen"
    expect(page.locator(f"#user-{name}")).to_contain_text(t("Active"))

    page.locator(f"#user-{name}").get_by_role("button", name=t("Deactivate")).click()
    row_notice = page.locator(f"#user-{name}").get_by_role("status")
    expect(row_notice).to_be_focused()
    assert in_view(page, row_notice)
    expect(page.locator(f"#user-{name}")).to_contain_text(t("Deactivated"))
