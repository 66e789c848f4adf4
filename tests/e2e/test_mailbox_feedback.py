"""What the mailbox tells its readers (issue #15), in a browser, in Chinese and English, at 1280 px
and on a 390 px phone: each deadline under its own name, a message at the place of every action
(shown, focused, announced), the queue opening on the letters that need work, and the queue and
the import pages readable on a phone with no axe violation."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from engagement import i18n
from tests.e2e.conftest import (
    ADMIN,
    DESKTOP,
    LEADER,
    PHONE,
    STAFF_PASSWORD,
    ContextFactory,
    shot,
    sign_in,
    t,
)
from tests.e2e.test_accessibility import violations

HOUSING = "县住房和城乡建设局"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DEVICES: dict[str, dict[str, Any]] = {"desktop": DESKTOP, "phone": PHONE}


def fact(page: Page, msgid: str, language: str) -> Locator:
    """The <dd> of the facts list entry named `msgid`."""
    name = t(msgid, language)
    return page.locator(f"dl.facts dt:text-is('{name}') + dd")


def working_days(n: int, language: str) -> str:
    singular = "within %(num)s working day of assignment"
    plural = "within %(num)s working days of assignment"
    return i18n.translations(language).ngettext(singular, plural, n) % {"num": n}


def in_view(page: Page, target: Locator) -> bool:
    """Whether `target` lies inside the browser's viewport (the page has scrolled to it)."""
    box = target.bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    return box["y"] >= -1 and box["y"] + box["height"] <= size["height"] + 1  # sub-pixel


def the_notice(page: Page, place: str, text: str) -> Locator:
    """The message after an action: at `place`, saying `text`, focused (so read out) and shown."""
    expect(page).to_have_url(re.compile(rf"#{place}$"))
    notice = page.locator(f"#{place} [data-notice]")
    expect(notice).to_have_text(text)
    expect(notice).to_have_attribute("role", "status")
    expect(notice).to_be_focused()
    assert in_view(page, notice)
    return notice


def track(page: Page, number: str, code: str, language: str) -> None:
    page.goto(f"/mailbox/track?lang={language}")
    page.get_by_label(t("Letter number", language)).fill(number)
    page.get_by_label(t("Tracking code", language)).fill(code)
    page.get_by_role("button", name=t("Look up", language)).click()
    expect(page.get_by_role("heading", level=2).first).to_be_visible()


@pytest.mark.parametrize(("language", "device"), [("zh", "desktop"), ("en", "phone")])
def test_deadlines_have_their_names_and_every_action_says_what_it_did(
    new_context: ContextFactory, base_url: str, language: str, device: str
) -> None:
    screen = DEVICES[device]
    citizen = new_context(screen).new_page()
    created = citizen.request.post(
        "/api/v1/letters",
        data={
            "category": "complaint",
            "subject": f"小区门口路灯不亮 {uuid.uuid4().hex[:6]}",
            "body": "幸福小区门口的路灯坏了一个月，晚上出行很不方便，请尽快修复。",
            "name": "孙七",
            "phone": "13912345678",
            "publish_consent": True,
        },
    )
    assert created.status == 201, created.text()
    number, code = created.json()["number"], created.json()["tracking_code"]

    # A new letter: the date is the assignment's; the reply's clock has not started.
    track(citizen, number, code, language)
    expect(fact(citizen, "Assignment deadline", language)).to_have_text(DATE)
    expect(fact(citizen, "Reply deadline", language)).to_have_text(working_days(10, language))
    shot(citizen, f"mailbox-track-new-{language}-{device}")

    leader = new_context(screen).new_page()
    sign_in(leader, base_url, *LEADER)
    leader.goto(f"/staff/letters/{number}?lang={language}")
    expect(fact(leader, "Assignment deadline", language)).to_have_text(DATE)
    leader.locator("#f-department").select_option("housing")
    leader.get_by_role("button", name=t("Assign", language), exact=True).click()
    the_notice(leader, "actions", t("Now handled by %(unit)s.", language, unit=HOUSING))
    expect(fact(leader, "Reply deadline", language)).to_have_text(DATE)
    shot(leader, f"mailbox-letter-assigned-{language}-{device}", full_page=False)
    assert violations(leader, f"/staff/letters/{number}?lang={language}") == []

    clerk = new_context(screen).new_page()
    sign_in(clerk, base_url, "staff-housing", STAFF_PASSWORD)
    clerk.goto(f"/staff/letters/{number}?lang={language}")
    clerk.get_by_label(t("Reply to the writer", language)).fill("您好，路灯已于今日修复。")
    clerk.get_by_role("button", name=t("Send the reply", language)).click()
    sent = "Reply sent. The writer can read it with the letter's number and code, and rate it."
    the_notice(clerk, "actions", t(sent, language))
    shot(clerk, f"mailbox-letter-replied-{language}-{device}", full_page=False)

    # Answered: the reply kept its deadline, and the writer may rate until a date.
    track(citizen, number, code, language)
    expect(fact(citizen, "Reply deadline", language)).to_contain_text(
        t("replied in time", language)
    )
    expect(fact(citizen, "Rating deadline", language)).to_have_text(DATE)
    shot(citizen, f"mailbox-track-replied-{language}-{device}")
    citizen.get_by_label(t("Satisfied", language), exact=True).check()
    citizen.get_by_role("button", name=t("Send my rating", language)).click()
    the_notice(citizen, "rate", t("Thank you: your rating was recorded.", language))
    shot(citizen, f"mailbox-track-rated-{language}-{device}", full_page=False)

    leader.goto(f"/staff/letters/{number}?lang={language}")
    leader.get_by_role("button", name=t("Approve for publication", language)).click()
    published = (
        "Approved for publication: the letter and its reply are public now, personal data masked."
    )
    the_notice(leader, "actions", t(published, language))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_queue_opens_on_work_and_shows_unit_and_deadline_on_a_phone(
    new_context: ContextFactory, base_url: str, language: str
) -> None:
    page = new_context(PHONE).new_page()
    sign_in(page, base_url, "staff-housing", STAFF_PASSWORD)
    page.goto(f"/staff/letters?lang={language}")

    queues = page.get_by_role("navigation", name=t("Queues", language))
    expect(queues.locator("[aria-current=page]")).to_contain_text(t("To do", language))
    first = page.locator("table.queue tbody tr").first
    for column in ("Unit", "Deadline"):
        cell = first.locator(f"td[data-label='{t(column, language)}']")
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, column
    expect(first.locator("td[data-label] .deadline-kind")).to_have_text(
        re.compile(f"{t('Reply deadline', language)}|{t('Assignment deadline', language)}")
    )
    page.locator("table.queue").scroll_into_view_if_needed()
    shot(page, f"mailbox-queue-{language}-phone", full_page=False)


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_queue_and_the_import_pages_have_no_violations(
    new_context: ContextFactory, base_url: str, device: str
) -> None:
    clerk = new_context(DEVICES[device]).new_page()
    sign_in(clerk, base_url, "staff-housing", STAFF_PASSWORD)
    admin = new_context(DEVICES[device]).new_page()
    sign_in(admin, base_url, *ADMIN)

    found = [
        *violations(clerk, "/staff/letters"),
        *violations(clerk, "/staff/letters?queue=all&lang=en"),
        *violations(clerk, "/staff/templates"),
        *violations(admin, "/admin/import"),
    ]

    assert found == []
    clerk.goto("/staff/letters?queue=all&lang=en")
    shot(clerk, f"mailbox-queue-all-en-{device}", full_page=False)
    shot(admin, f"mailbox-import-{device}")
