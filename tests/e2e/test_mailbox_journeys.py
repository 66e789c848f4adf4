"""The mayor's mailbox end to end: a citizen's letter, its handling, rating and publication."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from PIL import Image
from playwright.sync_api import BrowserContext, Locator, Page, expect

from engagement import i18n
from tests.e2e.conftest import (
    LEADER,
    PHONE,
    STAFF_PASSWORD,
    ContextFactory,
    arrow_to,
    shot,
    sign_in,
    sign_in_by_keyboard,
    t,
    tab_to,
)

PHONE_NUMBER = "13912345678"
MASKED_PHONE = "139****5678"
CONSENT = (
    "I agree that my letter and its reply may be published on this site, with my name, phone and "
    "ID numbers hidden."
)


def field(page: Page, msgid: str) -> Locator:
    """The form field labelled with `msgid`'s text, whether or not it is marked required (*)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(t(msgid))}\s*\*?\s*$"))


def small_jpeg(folder: Path) -> Path:
    path = folder / "pothole.jpg"
    Image.new("RGB", (64, 48), (180, 120, 60)).save(path, "JPEG")
    return path


def write_letter(
    page: Page,
    *,
    subject: str,
    body: str,
    name: str,
    photo: Path | None = None,
    consent: bool = False,
) -> tuple[str, str]:
    """Fills /mailbox as a citizen and returns the number and tracking code the receipt shows."""
    page.goto("/mailbox")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Write to the mayor"))
    page.get_by_label(t("Complaint"), exact=True).check()
    field(page, "Subject").fill(subject)
    field(page, "Your letter").fill(body)
    field(page, "Name").fill(name)
    field(page, "Phone").fill(PHONE_NUMBER)
    if photo is not None:
        page.get_by_label(t("Photos (optional)")).set_input_files(photo)
    if consent:
        page.get_by_label(t(CONSENT)).check()
    page.get_by_role("button", name=t("Send the letter")).click()
    return read_receipt(page)


def read_receipt(page: Page) -> tuple[str, str]:
    expect(page).to_have_url(re.compile(r"/mailbox/sent$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Your letter was received"))
    # The receipt is a status region; the page's own live region for htmx messages is another.
    receipt = page.locator(".receipt[role=status]")
    expect(receipt).to_contain_text(t("Letter number"))
    expect(receipt).to_contain_text(t("Tracking code"))
    number = page.locator("#letter-number").inner_text().strip()
    code = page.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"\d{8,20}", number), number
    assert re.fullmatch(r"[A-Z0-9]{6,32}", code), code
    return number, code


def track(page: Page, number: str, code: str) -> None:
    """Looks a letter up through the tracking form, as the writer types it in."""
    page.goto("/mailbox/track")
    page.get_by_label(t("Letter number")).fill(number)
    page.get_by_label(t("Tracking code")).fill(code)
    page.get_by_role("button", name=t("Look up")).click()


def status_badge(page: Page) -> Locator:
    return page.locator("dl.facts dd .badge").first


def signed_in(context: BrowserContext, base_url: str, username: str, password: str) -> Page:
    page = context.new_page()
    sign_in(page, base_url, username, password)
    return page


def test_citizen_letter_with_photo_from_writing_to_publication(
    new_context: ContextFactory, base_url: str, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    subject = f"幸福路路面塌陷 {tag}"
    body = (
        f"幸福路与建设街交叉口的路面塌陷已有两周，晚上骑车很危险。我叫王建国，电话{PHONE_NUMBER}，"
        "请尽快修复。"
    )
    citizen = new_context(PHONE).new_page()

    # The citizen writes on a phone, with a photo, and agrees to publication.
    number, code = write_letter(
        citizen,
        subject=subject,
        body=body,
        name="王建国",
        photo=small_jpeg(tmp_path),
        consent=True,
    )
    shot(citizen, "mailbox-sent-phone")

    track(citizen, number, code)
    expect(citizen.get_by_role("heading", name=subject)).to_be_visible()
    expect(status_badge(citizen)).to_have_text(t("Received, awaiting assignment"))
    shot(citizen, "mailbox-track-submitted-phone")

    # A leader assigns it to the housing bureau.
    leader = signed_in(new_context(), base_url, *LEADER)
    leader.goto(f"/staff/letters/{number}")
    expect(leader.get_by_role("heading", level=1)).to_have_text(subject)
    leader.get_by_label(t("Unit"), exact=True).select_option("housing")
    leader.get_by_role("button", name=t("Assign"), exact=True).click()
    expect(status_badge(leader)).to_have_text(t("Being handled"))
    expect(leader.locator("dl.facts")).to_contain_text("县住房和城乡建设局")

    # The housing clerk sees the photo and replies on the letter page.
    clerk = signed_in(new_context(), base_url, "staff-housing", STAFF_PASSWORD)
    clerk.goto(f"/staff/letters/{number}")
    photo = clerk.get_by_role("img", name=t("Photo %(n)s sent with the letter", n=1))
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 64
    shot(clerk, "mailbox-staff-letter-desktop")
    reply = f"已安排施工队于本周内修复幸福路塌陷路面，感谢您的反映。{tag}"
    clerk.get_by_label(t("Reply to the writer")).fill(reply)
    clerk.get_by_role("button", name=t("Send the reply")).click()
    expect(status_badge(clerk)).to_have_text(t("Replied"))

    # The citizen sees the reply and rates it satisfied: the case is closed.
    track(citizen, number, code)
    expect(status_badge(citizen)).to_have_text(t("Replied"))
    expect(citizen.locator("article.reply")).to_contain_text(reply)
    expect(citizen.locator("article.reply")).to_contain_text(
        t("Reply from %(unit)s", unit="县住房和城乡建设局")
    )
    citizen.get_by_label(t("Satisfied"), exact=True).check()
    citizen.get_by_role("button", name=t("Send my rating")).click()
    expect(status_badge(citizen)).to_have_text(t("Case closed"))
    expect(citizen.locator("dl.facts")).to_contain_text(t("Satisfied"))
    expect(citizen.get_by_role("button", name=t("Send my rating"))).to_have_count(0)
    shot(citizen, "mailbox-track-closed-phone")

    # The leader approves publication; the letter is on the public list, personal data masked.
    leader.goto(f"/staff/letters/{number}")
    leader.get_by_role("button", name=t("Approve for publication")).click()
    expect(leader.locator("dl.facts")).to_contain_text(t("Published"))
    expect(leader.get_by_role("button", name=t("Approve for publication"))).to_have_count(0)

    citizen.goto("/mailbox/letters")
    card = citizen.locator(f"#letter-{number}")
    expect(card).to_be_visible()
    expect(card).to_contain_text(subject)
    expect(card).to_contain_text(reply)
    expect(card).to_contain_text(MASKED_PHONE)
    expect(card).not_to_contain_text(PHONE_NUMBER)
    expect(card).not_to_contain_text("王建国")
    shot(citizen, "mailbox-public-letters-phone", full_page=False)
    assert PHONE_NUMBER not in citizen.content()

    card.get_by_role("link", name=subject).click()
    expect(citizen).to_have_url(re.compile(rf"/mailbox/letters/{number}$"))
    letter = citizen.locator("article.public-letter")
    expect(letter).to_contain_text(MASKED_PHONE)
    expect(letter.locator(".reply")).to_contain_text(reply)
    assert PHONE_NUMBER not in citizen.content()


def test_wrong_tracking_code_reads_like_an_unknown_number(page: Page) -> None:
    created = page.request.post(
        "/api/v1/letters",
        data={
            "category": "suggestion",
            "subject": "建议增加公交班次",
            "body": "早高峰公交车太挤，建议增加班次。",
            "name": "李四",
            "phone": PHONE_NUMBER,
            "publish_consent": False,
        },
    )
    assert created.status == 201, created.text()
    number = created.json()["number"]
    not_found = t("No letter matches this number and tracking code.")

    track(page, number, "WRONGCODE")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(not_found)
    expect(page.locator("#h-letter")).to_have_count(0)
    wrong_code_main = page.locator("main").inner_text().replace(number, "")

    unknown = "19990101999999"
    response = page.goto(f"/mailbox/track?number={unknown}&code=WRONGCODE")
    assert response is not None and response.status == 404
    expect(alert).to_have_text(not_found)
    expect(page.locator("#h-letter")).to_have_count(0)
    assert page.locator("main").inner_text().replace(unknown, "") == wrong_code_main


def test_keyboard_only_citizen_writes_and_tracks_a_letter(
    page: Page, new_context: ContextFactory, base_url: str, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    subject = f"小区路灯不亮 {tag}"
    page.goto("/mailbox")

    # Tab to the first kind of letter and choose it with Space.
    first_kind = page.get_by_label(t("Enquiry"), exact=True)
    tab_to(page, first_kind)
    page.keyboard.press("Space")
    expect(first_kind).to_be_checked()

    tab_to(page, field(page, "Subject"))
    page.keyboard.type(subject)
    tab_to(page, field(page, "Your letter"))
    page.keyboard.type("幸福小区三号楼前的路灯坏了一个月，晚上出行不便，请修理。")
    tab_to(page, field(page, "Name"))
    page.keyboard.type("赵六")
    page.keyboard.press("Tab")
    expect(field(page, "Phone")).to_be_focused()
    page.keyboard.type(PHONE_NUMBER)
    # Space on the photo field opens the system's file chooser, as it would for a person.
    photos = page.get_by_label(t("Photos (optional)"))
    tab_to(page, photos)
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(small_jpeg(tmp_path))
    assert photos.evaluate("input => input.files.length") == 1
    send = page.get_by_role("button", name=t("Send the letter"))
    tab_to(page, send)
    outline = send.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "the focused button shows no focus outline"
    page.keyboard.press("Enter")

    number, code = read_receipt(page)

    # The receipt's own button, then the tracking form, both by keyboard.
    tab_to(page, page.get_by_role("button", name=t("Track this letter")))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=subject)).to_be_visible()

    page.goto("/mailbox/track")
    tab_to(page, page.get_by_label(t("Letter number")))
    page.keyboard.type(number)
    page.keyboard.press("Tab")
    expect(page.get_by_label(t("Tracking code"))).to_be_focused()
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=subject)).to_be_visible()
    expect(status_badge(page)).to_have_text(t("Received, awaiting assignment"))
    expect(page.get_by_role("alert")).to_have_count(0)

    # The photo arrived with the letter.
    leader = signed_in(new_context(), base_url, *LEADER)
    leader.goto(f"/staff/letters/{number}")
    photo = leader.get_by_role("img", name=t("Photo %(n)s sent with the letter", n=1))
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 64


def test_keyboard_only_letter_is_assigned_answered_rated_and_published(
    new_context: ContextFactory, base_url: str
) -> None:
    tag = uuid.uuid4().hex[:6]
    subject = f"菜市场门口积水 {tag}"
    citizen = new_context().new_page()
    created = citizen.request.post(
        "/api/v1/letters",
        data={
            "category": "complaint",
            "subject": subject,
            "body": "菜市场门口下雨就积水，老人出入很不方便，请尽快疏通排水。",
            "name": "孙七",
            "phone": PHONE_NUMBER,
            "publish_consent": True,
        },
    )
    assert created.status == 201, created.text()
    number, code = created.json()["number"], created.json()["tracking_code"]

    # The leader chooses the unit in the list with the arrow keys and assigns the letter.
    leader = new_context().new_page()
    sign_in_by_keyboard(leader, *LEADER)
    leader.goto(f"/staff/letters/{number}")
    unit = leader.get_by_label(t("Unit"), exact=True)
    tab_to(leader, unit)
    arrow_to(leader, unit, "housing")
    tab_to(leader, leader.get_by_role("button", name=t("Assign"), exact=True), max_tabs=3)
    leader.keyboard.press("Enter")
    expect(status_badge(leader)).to_have_text(t("Being handled"))

    # The clerk signs in, opens the queue, narrows it (htmx: the focus stays where it was).
    clerk = new_context().new_page()
    sign_in_by_keyboard(clerk, "staff-housing", STAFF_PASSWORD)
    expect(clerk).to_have_url(f"{base_url}/staff")
    tab_to(clerk, clerk.get_by_role("link", name=t("Letters to handle")))
    clerk.keyboard.press("Enter")
    expect(clerk).to_have_url(f"{base_url}/staff/letters")
    queue = clerk.get_by_role("navigation", name=t("Queues"))
    in_progress = queue.get_by_role("link", name=re.compile(rf"^{t('In progress')}"))
    tab_to(clerk, in_progress)
    clerk.keyboard.press("Enter")
    expect(clerk).to_have_url(re.compile(r"/staff/letters\?queue=in_progress$"))
    expect(in_progress).to_have_attribute("aria-current", "page")
    expect(in_progress).to_be_focused()
    search = clerk.get_by_label(t("Search subject, text or number"))
    tab_to(clerk, search)
    clerk.keyboard.type(tag)
    clerk.keyboard.press("Enter")
    expect(clerk.locator("#queue")).to_contain_text(
        i18n.translations("zh").ngettext("%(num)s letter", "%(num)s letters", 1) % {"num": 1}
    )
    expect(search).to_be_focused()

    # ... opens the letter and replies.
    tab_to(clerk, clerk.get_by_role("link", name=number))
    clerk.keyboard.press("Enter")
    expect(clerk).to_have_url(f"{base_url}/staff/letters/{number}")
    expect(clerk.get_by_role("heading", level=1)).to_have_text(subject)
    reply = f"已安排环卫部门疏通菜市场门口排水管道。{tag}"
    tab_to(clerk, clerk.get_by_label(t("Reply to the writer")))
    clerk.keyboard.type(reply)
    clerk.keyboard.press("Tab")
    public = clerk.get_by_label(
        t("This reply may be published if the writer consented and a leader approves")
    )
    expect(public).to_be_focused()
    expect(public).to_be_checked()
    clerk.keyboard.press("Tab")
    expect(clerk.get_by_role("button", name=t("Send the reply"))).to_be_focused()
    clerk.keyboard.press("Enter")
    expect(status_badge(clerk)).to_have_text(t("Replied"))
    expect(clerk.locator("article.reply")).to_contain_text(reply)

    # The citizen reads the reply and rates it satisfied.
    citizen.goto(f"/mailbox/track?number={number}&code={code}")
    expect(citizen.locator("article.reply")).to_contain_text(reply)
    satisfied = citizen.get_by_label(t("Satisfied"), exact=True)
    tab_to(citizen, satisfied)
    citizen.keyboard.press("Space")
    expect(satisfied).to_be_checked()
    tab_to(citizen, citizen.get_by_role("button", name=t("Send my rating")), max_tabs=4)
    citizen.keyboard.press("Enter")
    expect(status_badge(citizen)).to_have_text(t("Case closed"))

    # The leader approves publication; the letter is on the public list.
    leader.reload()
    tab_to(leader, leader.get_by_role("button", name=t("Approve for publication")))
    leader.keyboard.press("Enter")
    expect(leader.locator("dl.facts")).to_contain_text(t("Published"))
    citizen.goto("/mailbox/letters")
    expect(citizen.locator(f"#letter-{number}")).to_contain_text(reply)
