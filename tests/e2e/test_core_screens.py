"""The core pages at phone and desktop widths, in both languages: screenshots and overflow.

Screenshots land in screenshots/core-<device>-<language>-<page>.png for a person to look at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import ADMIN, BROWSER_DEFAULTS, DESKTOP, PHONE, shot, sign_in

DEVICES = {"phone": PHONE, "desktop": DESKTOP}
PAGES = [
    ("home", "/", False),
    ("login", "/login", False),
    ("departments", "/departments", False),
    ("staff", "/staff", True),
    ("admin-users", "/admin/users", True),
    ("admin-departments", "/admin/departments", True),
    ("admin-holidays", "/admin/holidays", True),
    ("admin-audit", "/admin/audit", True),
]
# Shown as an expected failure while it lasts; any other overflow fails the test.
TABLE_WRAP_LEAK = (
    "the .visually-hidden spans in a table (header 'Actions', the username after each button) "
    "are absolutely positioned, so .table-wrap's horizontal scroll does not contain them and "
    "the whole page scrolls sideways on a phone (engagement/static/site.css: give .table-wrap "
    "`position: relative`)"
)

Visitor = Callable[[str, str, bool], Page]


@pytest.fixture(scope="module")
def visitor(browser: Browser, base_url: str) -> Iterator[Visitor]:
    """One page per device, language and signed-in state, reused by this module's tests."""
    pages: dict[tuple[str, str, bool], Page] = {}

    def page_for(device: str, language: str, as_admin: bool) -> Page:
        key = (device, language, as_admin)
        if key not in pages:
            context = browser.new_context(
                base_url=base_url, **{**BROWSER_DEFAULTS, **DEVICES[device]}
            )
            page = context.new_page()
            page.goto(f"/?lang={language}")  # remembered for the rest of the visit
            if as_admin:
                sign_in(page, base_url, *ADMIN)
            pages[key] = page
        return pages[key]

    yield page_for
    for page in pages.values():
        page.context.close()


def sideways_overflow(page: Page) -> str | None:
    """What makes the page wider than the screen (a phone then scrolls or zooms out), if any."""
    return page.evaluate(
        """() => {
          const root = document.documentElement;
          const width = root.clientWidth;
          if (root.scrollWidth <= width) return null;
          const scrolls = el => ['auto', 'scroll', 'hidden', 'clip']
            .includes(getComputedStyle(el).overflowX);
          const escapes = el => {
            if (['absolute', 'fixed'].includes(getComputedStyle(el).position)) return true;
            for (let up = el.parentElement; up && up !== document.body; up = up.parentElement)
              if (scrolls(up)) return false;
            return true;
          };
          const wide = [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > width + 1 && escapes(el))
            .slice(0, 4)
            .map(el => el.tagName.toLowerCase()
                       + (el.classList.length ? '.' + [...el.classList].join('.') : '')
                       + ` (right edge ${Math.round(el.getBoundingClientRect().right)}px)`);
          return `${root.scrollWidth}px wide on a ${width}px screen: ${wide.join(', ')}`;
        }"""
    )


def only_table_wrap_leak(page: Page) -> bool:
    """True when hiding the tables' visually-hidden spans removes the overflow."""
    return bool(
        page.evaluate(
            """() => {
              const spans = [...document.querySelectorAll('.table-wrap .visually-hidden')];
              spans.forEach(el => { el.dataset.e2eDisplay = el.style.display;
                                    el.style.display = 'none'; });
              const fits = document.documentElement.scrollWidth
                           <= document.documentElement.clientWidth;
              spans.forEach(el => { el.style.display = el.dataset.e2eDisplay; });
              return spans.length > 0 && fits;
            }"""
        )
    )


def _cases() -> list[object]:
    cases: list[object] = []
    for device in DEVICES:
        for language in ("zh", "en"):
            for name, path, as_admin in PAGES:
                case_id = f"{device}-{language}-{name}"
                cases.append(pytest.param(device, language, name, path, as_admin, id=case_id))
    return cases


@pytest.mark.parametrize(("device", "language", "name", "path", "as_admin"), _cases())
def test_core_page_fits_the_screen(
    visitor: Visitor, device: str, language: str, name: str, path: str, as_admin: bool
) -> None:
    page = visitor(device, language, as_admin)
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response)
    assert page.locator("html").get_attribute("lang") == ("zh-CN" if language == "zh" else "en")
    shot(page, f"core-{device}-{language}-{name}")
    overflow = sideways_overflow(page)
    if overflow and only_table_wrap_leak(page):
        pytest.xfail(f"{path}: {TABLE_WRAP_LEAK}; {overflow}")
    assert overflow is None, f"{path}: {overflow}"
