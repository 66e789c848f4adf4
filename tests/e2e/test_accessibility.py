"""axe-core (WCAG 2.1 A and AA rules) finds nothing on any public page, in Chinese and English,
in the normal and the high-contrast display, nor on the staff queue."""

from __future__ import annotations

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.e2e.conftest import ADMIN, PHONE, STAFF_PASSWORD, ContextFactory, sign_in

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PUBLIC = [
    "/",
    "/mailbox",
    "/mailbox/track",
    "/mailbox/letters",
    "/consultations",
    "/surveys",
    "/departments",
    "/departments/housing",
    "/statistics",
    "/search?q=供暖",
    "/login",
]


def violations(page: Page, path: str) -> list[str]:
    page.goto(path)
    result = Axe().run(page, options=RULES).response
    return [f"{path}: {v['id']} {v['nodes'][0]['target']}" for v in result["violations"]]


def detail_pages(base_url: str) -> list[str]:
    """One published letter, consultation and survey (with its results) of the demo data."""
    api = f"{base_url}/api/v1"
    letter = httpx.get(f"{api}/letters", params={"per_page": 1}).json()["items"][0]["number"]
    consultations = httpx.get(f"{api}/consultations").json()["items"]
    surveys = httpx.get(f"{api}/surveys").json()["items"]
    public_results = next(s["id"] for s in surveys if s["results_public"])
    return [
        f"/mailbox/letters/{letter}",
        f"/consultations/{consultations[0]['id']}",
        f"/surveys/{surveys[0]['id']}",
        f"/surveys/{public_results}/results",
    ]


@pytest.mark.parametrize("display", ["normal", "contrast"])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_public_pages_have_no_violations(
    new_context: ContextFactory, base_url: str, language: str, display: str
) -> None:
    context = new_context(locale="zh-CN" if language == "zh" else "en-US")
    context.add_cookies([{"name": "display", "value": display, "url": base_url}])
    page = context.new_page()
    page.goto(f"/?lang={language}")
    found = [v for path in PUBLIC + detail_pages(base_url) for v in violations(page, path)]
    assert found == []


def test_the_staff_queue_has_no_violations_on_a_phone(
    new_context: ContextFactory, base_url: str
) -> None:
    page = new_context(PHONE).new_page()
    sign_in(page, base_url, "staff-housing", STAFF_PASSWORD)
    assert (
        violations(page, "/staff/letters") + violations(page, "/staff/letters?queue=overdue") == []
    )


STAFF_PAGES = [
    "/staff",
    "/staff/letters",
    "/dashboard",
    "/admin/users",
    "/admin/departments",
    "/admin/holidays",
    "/admin/audit",
]


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_workbench_dashboard_queue_and_admin_pages_have_no_violations(
    new_context: ContextFactory, base_url: str, device: str
) -> None:
    """At 1280 px and on a 390 px phone, where a scrolling table must take the focus
    (scrollable-region-focusable) or turn into cards."""
    page = new_context(PHONE if device == "phone" else None).new_page()
    sign_in(page, base_url, *ADMIN)
    assert [v for path in STAFF_PAGES for v in violations(page, path)] == []
