"""Consultations end to end: a draft split into articles, comments, moderation and the report."""

from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import APIRequestContext, BrowserContext, Locator, Page, expect

from engagement import i18n
from tests.e2e.conftest import (
    PHONE,
    STAFF_PASSWORD,
    ContextFactory,
    has_focus,
    shot,
    sign_in,
    sign_in_by_keyboard,
    t,
    tab_to,
)

LOCAL = ZoneInfo("Asia/Shanghai")
# How far ahead the API-made consultation closes: time for the steps before the deadline.
CLOSES_IN = timedelta(seconds=20)
DRAFT = """为规范城区停车秩序，制定本办法。
第一条 本办法适用于城区范围内的道路停车泊位。
第二条 道路停车泊位实行分时段收费，每日7时至21时收费，其余时间免费。
第三条 本办法自发布之日起施行。"""


def field(page: Page | Locator, msgid: str, **params: Any) -> Locator:
    """The form field labelled with `msgid`'s text, whether or not it is marked required (*)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(t(msgid, **params))}\s*\*?\s*$"))


def ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.translations("zh").ngettext(singular, plural, n) % {"num": n}


def local_input(moment: datetime) -> str:
    """A datetime-local value, in the county's time."""
    return moment.astimezone(LOCAL).strftime("%Y-%m-%dT%H:%M")


def signed_in(context: BrowserContext, base_url: str, username: str, password: str) -> Page:
    page = context.new_page()
    sign_in(page, base_url, username, password)
    return page


def bearer(api: APIRequestContext, username: str, password: str) -> dict[str, str]:
    response = api.post("/api/v1/auth/token", form={"username": username, "password": password})
    assert response.status == 200, response.text()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def open_consultation(
    api: APIRequestContext,
    auth: dict[str, str],
    title: str,
    sections: list[tuple[str, str]],
    closes_at: datetime,
) -> int:
    """A consultation open for comment until `closes_at`, made through the staff API."""
    created = api.post(
        "/api/v1/staff/consultations",
        headers=auth,
        data={
            "title": title,
            "summary": f"现就{title.split()[0]}公开征求意见。",
            "sections": [{"heading": h, "text": text} for h, text in sections],
            "opens_at": (datetime.now(LOCAL) - timedelta(hours=1)).isoformat(),
            "closes_at": closes_at.isoformat(),
        },
    )
    assert created.status == 201, created.text()
    consultation_id = int(created.json()["id"])
    published = api.post(f"/api/v1/staff/consultations/{consultation_id}/publish", headers=auth)
    assert published.status == 200, published.text()
    assert published.json()["status"] == "open"
    return consultation_id


def approved_comment(
    api: APIRequestContext,
    auth: dict[str, str],
    consultation_id: int,
    section: int,
    body: str,
    **extra: str,
) -> int:
    """A citizen's comment on an article, approved by the clerk; returns its id."""
    posted = api.post(
        f"/api/v1/consultations/{consultation_id}/comments",
        data={"section": section, "body": body, **extra},
    )
    assert posted.status == 201, posted.text()
    comment_id = int(posted.json()["id"])
    approved = api.post(
        f"/api/v1/staff/comments/{comment_id}/moderate", headers=auth, data={"decision": "approve"}
    )
    assert approved.status == 200, approved.text()
    return comment_id


def wait_for_the_deadline(closes_at: datetime) -> None:
    remaining = (closes_at - datetime.now(LOCAL)).total_seconds()
    assert remaining > 0, f"the steps before the deadline took {-remaining:.0f} s too long"
    time.sleep(remaining + 0.5)


def figure(report: Locator, msgid: str) -> Locator:
    """The number the adoption report gives beside the name `msgid` (采纳, 不予采纳…)."""
    name = report.locator("dt").filter(has_text=re.compile(rf"^{re.escape(t(msgid))}$"))
    return name.locator("xpath=following-sibling::dd[1]")


def badge(page: Page) -> Locator:
    """The status badge under the title, on the staff page and on the public page."""
    return page.locator("#consultation-status .badge, main h1 + p .badge").first


def test_clerk_splits_a_draft_and_a_moderated_comment_appears_under_its_article(
    new_context: ContextFactory, base_url: str
) -> None:
    tag = uuid.uuid4().hex[:6]
    title = f"城区道路停车管理办法（征求意见稿）{tag}"
    clerk = signed_in(new_context(), base_url, "staff-housing", STAFF_PASSWORD)

    clerk.goto("/staff/consultations/new")
    expect(clerk.get_by_role("heading", level=1)).to_have_text(t("New consultation"))
    field(clerk, "Title").fill(title)
    field(clerk, "The matter and its content").fill("现就城区道路停车管理办法公开征求意见。")
    now = datetime.now(LOCAL)
    field(clerk, "Opens").fill(local_input(now - timedelta(hours=1)))
    field(clerk, "Closes").fill(local_input(now + timedelta(days=30)))
    clerk.get_by_label(t("Paste the whole draft to split it into articles")).fill(DRAFT)
    clerk.get_by_role("button", name=t("Split into articles")).click()

    # The articles are editable fields, in order, the preamble kept as its own part.
    headings = clerk.locator(".sections-editor input[name=heading]")
    expect(headings).to_have_count(4)
    expect(field(clerk, "Heading of part %(n)s", n=2)).to_have_value("第一条")
    expect(field(clerk, "Heading of part %(n)s", n=3)).to_have_value("第二条")
    expect(field(clerk, "Text of part %(n)s", n=3)).to_have_value(
        "道路停车泊位实行分时段收费，每日7时至21时收费，其余时间免费。"
    )
    expect(field(clerk, "Heading of part %(n)s", n=4)).to_have_value("第三条")
    expect(field(clerk, "Title")).to_have_value(title)
    shot(clerk, "consultation-split-desktop")
    field(clerk, "Text of part %(n)s", n=4).fill("本办法自2026年1月1日起施行。")
    clerk.get_by_role("button", name=t("Save"), exact=True).click()

    expect(clerk).to_have_url(re.compile(r"/staff/consultations/\d+#consultation-status$"))
    consultation_id = int(clerk.url.split("#")[0].rsplit("/", 1)[1])
    expect(badge(clerk)).to_have_text(t("Draft"))
    clerk.get_by_role("button", name=t("Publish"), exact=True).click()
    expect(badge(clerk)).to_have_text(t("Open for comment"))

    # A citizen on a phone comments on 第二条, the draft's article 2 (third part).
    citizen = new_context(PHONE).new_page()
    citizen.goto(f"/consultations/{consultation_id}")
    expect(citizen.get_by_role("heading", level=1)).to_have_text(title)
    article = citizen.locator("article.section").filter(
        has=citizen.get_by_role("heading", name="第二条", exact=True)
    )
    expect(article).to_contain_text("每日7时至21时收费")
    expect(citizen.locator("article.section").last).to_contain_text("本办法自2026年1月1日起施行。")
    article.get_by_text(t("Comment on this article")).click()
    opinion = f"建议夜间21时后也设置限时停车，防止长期占用泊位。{tag}"
    field(article, "Your opinion (5 to 2000 characters)").fill(opinion)
    article.get_by_label(t("Name (optional, shown shortened)")).fill("张小明")
    shot(citizen, "consultation-comment-phone", full_page=False)
    article.get_by_role("button", name=t("Send my opinion")).click()
    expect(article.get_by_role("status")).to_have_text(
        t("Thank you. Your comment will appear here once it has been reviewed.")
    )
    expect(article).not_to_contain_text(opinion)

    # The clerk approves it in the moderation queue, in place (htmx), without a reload.
    clerk.goto(f"/staff/consultations/{consultation_id}")
    pending = clerk.locator("#comments li.comment").filter(has_text=opinion)
    expect(pending).to_contain_text("第二条")
    clerk.evaluate("window.__sameDocument = true")
    pending.get_by_role("button", name=re.compile(rf"^{t('Approve')}\s*#\d+$")).click()
    moderated = clerk.locator("#comments li.moderated").filter(has_text=opinion)
    expect(moderated).to_contain_text(t("Approved"))
    assert clerk.evaluate("window.__sameDocument === true"), "the page reloaded"
    expect(clerk).to_have_url(re.compile(rf"/staff/consultations/{consultation_id}$"))
    shot(clerk, "consultation-moderated-desktop")

    # The comment now shows on the public page, under article 第二条 only.
    citizen.reload()
    summary = article.locator("details.comments > summary")
    expect(summary).to_have_text(ngettext("%(num)s comment", "%(num)s comments", 1))
    summary.click()
    comment = article.locator("li.comment")
    expect(comment).to_contain_text(opinion)
    expect(comment).to_contain_text("张**")
    expect(citizen.locator("li.comment").filter(has_text=opinion)).to_have_count(1)
    shot(citizen, "consultation-public-comment-phone")


def test_report_is_written_after_the_deadline_and_shown_to_the_public(
    new_context: ContextFactory, base_url: str
) -> None:
    tag = uuid.uuid4().hex[:6]
    title = f"社区养老服务设施布局方案 {tag}"
    context = new_context()
    api = context.request
    auth = bearer(api, "staff-housing", STAFF_PASSWORD)
    closes_at = datetime.now(LOCAL) + CLOSES_IN
    sections = [
        ("第一条", "每个社区至少设置一处日间照料中心。"),
        ("第二条", "新建小区按每百户二十平方米配建养老用房。"),
    ]
    consultation_id = open_consultation(api, auth, title, sections, closes_at)
    opinion = f"建议日间照料中心提供送餐上门服务。{tag}"
    approved_comment(api, auth, consultation_id, 1, opinion, name="刘芳")

    # Before the deadline: no report form for the clerk, no report for the public.
    clerk = signed_in(context, base_url, "staff-housing", STAFF_PASSWORD)
    clerk.goto(f"/staff/consultations/{consultation_id}")
    expect(badge(clerk)).to_have_text(t("Open for comment"))
    report_heading = clerk.get_by_role("heading", name=t("Adoption report"))
    expect(report_heading).to_have_count(0)
    citizen = new_context(PHONE).new_page()
    citizen.goto(f"/consultations/{consultation_id}")
    expect(citizen.get_by_role("heading", name=t("How the opinions were used"))).to_have_count(0)

    wait_for_the_deadline(closes_at)

    # After it: the clerk writes the report in the browser.
    clerk.reload()
    expect(badge(clerk)).to_have_text(t("Closed"))
    expect(report_heading).to_be_visible()
    report = clerk.locator("section").filter(has=report_heading)
    summary = "共收到意见1条，采纳1条，已据此修改方案第一条。"
    report.get_by_label(t("Summary of the opinions and how they were used")).fill(summary)
    decision = report.locator("fieldset.card").filter(has_text=opinion)
    expect(decision).to_contain_text("第一条")
    decision.get_by_label(t("Adopted"), exact=True).check()
    decision.get_by_label(t("Reason"), exact=True).fill("已在第一条中增加送餐服务。")
    shot(clerk, "consultation-report-form-desktop")
    report.get_by_role("button", name=t("Publish the report")).click()

    # The public page shows the report, the count and the decision under the article.
    expect(clerk).to_have_url(re.compile(rf"/consultations/{consultation_id}#report$"))
    citizen.reload()
    expect(badge(citizen)).to_have_text(t("Results published"))
    published_report = citizen.locator("#report")
    expect(published_report.get_by_role("heading")).to_have_text(t("How the opinions were used"))
    expect(published_report).to_contain_text(summary)
    expect(figure(published_report, "Adopted")).to_have_text("1")
    first = citizen.locator("#section-1")
    first.locator("details.comments > summary").click()
    expect(first.locator("li.comment")).to_contain_text(opinion)
    expect(first.locator("ul.dispositions")).to_contain_text(t("Adopted"))
    expect(first.locator("ul.dispositions")).to_contain_text("已在第一条中增加送餐服务。")
    expect(citizen.get_by_role("button", name=t("Send my opinion"))).to_have_count(0)
    shot(citizen, "consultation-report-phone")


def test_keyboard_only_citizen_comments_and_agrees_and_a_clerk_moderates(
    new_context: ContextFactory, base_url: str
) -> None:
    tag = uuid.uuid4().hex[:6]
    title = f"城区公园开放时间调整方案 {tag}"
    context = new_context()
    api = context.request
    auth = bearer(api, "staff-housing", STAFF_PASSWORD)
    sections = [
        ("第一条", "城区公园每日开放时间调整为5时至23时。"),
        ("第二条", "夜间22时后园内停止广场舞等有噪声的活动。"),
    ]
    closes_at = datetime.now(LOCAL) + timedelta(days=30)
    consultation_id = open_consultation(api, auth, title, sections, closes_at)
    approved_comment(api, auth, consultation_id, 1, f"建议冬季开放时间推迟到6时。{tag}")

    # The citizen finds the draft in the list and opens it.
    citizen = new_context().new_page()
    citizen.goto("/consultations")
    tab_to(citizen, citizen.get_by_role("link", name=title))
    citizen.keyboard.press("Enter")
    expect(citizen).to_have_url(f"{base_url}/consultations/{consultation_id}")
    expect(citizen.get_by_role("heading", level=1)).to_have_text(title)

    # Agrees with the approved comment under article 1: the count changes in place (htmx).
    first = citizen.locator("#section-1")
    comments = first.locator("details.comments")
    tab_to(citizen, comments.locator("summary"))
    citizen.keyboard.press("Enter")
    expect(comments).to_have_attribute("open", "")
    agree = comments.get_by_role("button", name=re.compile(rf"^{t('I agree')}"))
    tab_to(citizen, agree, max_tabs=3)
    citizen.keyboard.press("Enter")
    expect(comments.locator(".agree-count")).to_have_text(
        i18n.translations("zh").ngettext("%(num)s person agrees", "%(num)s people agree", 1)
        % {"num": 1}
    )
    expect(agree).to_be_focused()

    # Comments on article 2 through its disclosure and form.
    second = citizen.locator("#section-2")
    form = second.locator("details.comment-form")
    tab_to(citizen, form.locator("summary"))
    citizen.keyboard.press("Enter")
    expect(form).to_have_attribute("open", "")
    citizen.keyboard.press("Tab")
    expect(field(second, "Your opinion (5 to 2000 characters)")).to_be_focused()
    opinion = f"建议广场舞活动截止时间改为21时30分。{tag}"
    citizen.keyboard.type(opinion)
    citizen.keyboard.press("Tab")
    expect(second.get_by_label(t("Name (optional, shown shortened)"))).to_be_focused()
    citizen.keyboard.type("王丽")
    tab_to(citizen, second.get_by_role("button", name=t("Send my opinion")), max_tabs=3)
    citizen.keyboard.press("Enter")
    expect(citizen).to_have_url(f"{base_url}/consultations/{consultation_id}#section-2")
    expect(second.get_by_role("status")).to_have_text(
        t("Thank you. Your comment will appear here once it has been reviewed.")
    )

    # The clerk signs in, opens the draft from the workbench and approves the comment in place;
    # the focus lands on the moderated comment, not back at the top of the page.
    clerk = context.new_page()
    sign_in_by_keyboard(clerk, "staff-housing", STAFF_PASSWORD)
    work = clerk.get_by_role("region", name=t("Work"))
    tab_to(clerk, work.get_by_role("link", name=t("Consultations"), exact=True))
    clerk.keyboard.press("Enter")
    tab_to(clerk, clerk.get_by_role("link", name=title))
    clerk.keyboard.press("Enter")
    expect(clerk).to_have_url(f"{base_url}/staff/consultations/{consultation_id}")
    pending = clerk.locator("#comments li.comment").filter(has_text=opinion)
    tab_to(clerk, pending.get_by_role("button", name=re.compile(rf"^{t('Approve')}\s*#\d+$")))
    clerk.keyboard.press("Enter")
    moderated = clerk.locator("#comments li.moderated").filter(has_text=opinion)
    expect(moderated).to_contain_text(t("Approved"))
    expect(moderated).to_be_focused()

    # The citizen reloads the page and finds the comment under article 2.
    citizen.reload()
    published_comments = second.locator("details.comments")
    tab_to(citizen, published_comments.locator("summary"))
    citizen.keyboard.press("Space")
    expect(published_comments.locator("li.comment")).to_contain_text(opinion)
    expect(published_comments.locator("li.comment")).to_contain_text("王*")


def step_each_part(page: Page, target: Locator, key: str) -> None:
    """Sets a date and time field from the keyboard: `key` twice in each of its parts, then Tab
    to the next part, until Tab leaves the field. Chromium orders the parts by the system's
    locale, not the page's, so typing digits would fit one machine only. Empty parts start from
    this year and the first month, day and hour: ArrowDown twice lands late last year,
    ArrowUp twice early next year."""
    expect(target).to_be_focused()
    for _ in range(8):
        page.keyboard.press(key)
        page.keyboard.press(key)
        page.keyboard.press("Tab")
        if not has_focus(target):
            break
    expect(target).not_to_have_value("")


def test_keyboard_only_clerk_splits_a_draft_into_articles_and_publishes_it(
    new_context: ContextFactory, base_url: str
) -> None:
    tag = uuid.uuid4().hex[:6]
    title = f"城区非机动车停放管理办法（征求意见稿）{tag}"
    clerk = new_context().new_page()
    sign_in_by_keyboard(clerk, "staff-housing", STAFF_PASSWORD)
    work = clerk.get_by_role("region", name=t("Work"))
    tab_to(clerk, work.get_by_role("link", name=t("Consultations"), exact=True))
    clerk.keyboard.press("Enter")
    tab_to(clerk, clerk.get_by_role("link", name=t("New consultation")))
    clerk.keyboard.press("Enter")
    expect(clerk.get_by_role("heading", level=1)).to_have_text(t("New consultation"))

    tab_to(clerk, field(clerk, "Title"))
    clerk.keyboard.type(title)
    tab_to(clerk, field(clerk, "The matter and its content"), max_tabs=3)
    clerk.keyboard.type("现就城区非机动车停放管理办法公开征求意见。")
    opens, closes = field(clerk, "Opens"), field(clerk, "Closes")
    tab_to(clerk, opens, max_tabs=3)
    step_each_part(clerk, opens, "ArrowDown")
    step_each_part(clerk, closes, "ArrowUp")
    tab_to(clerk, clerk.get_by_label(t("Paste the whole draft to split it into articles")))
    clerk.keyboard.type(DRAFT)
    tab_to(clerk, clerk.get_by_role("button", name=t("Split into articles")), max_tabs=1)
    clerk.keyboard.press("Enter")

    # The form comes back split, with the focus on the first part rather than at the top.
    expect(clerk.locator(".sections-editor input[name=heading]")).to_have_count(4)
    expect(field(clerk, "Heading of part %(n)s", n=1)).to_be_focused()
    expect(field(clerk, "Heading of part %(n)s", n=2)).to_have_value("第一条")
    expect(field(clerk, "Heading of part %(n)s", n=3)).to_have_value("第二条")
    expect(field(clerk, "Text of part %(n)s", n=3)).to_have_value(
        "道路停车泊位实行分时段收费，每日7时至21时收费，其余时间免费。"
    )
    expect(field(clerk, "Title")).to_have_value(title)
    last_text = field(clerk, "Text of part %(n)s", n=4)
    tab_to(clerk, last_text, max_tabs=8)
    clerk.keyboard.press("Control+A")
    clerk.keyboard.type("本办法自2026年1月1日起施行。")
    tab_to(clerk, clerk.get_by_role("button", name=t("Save"), exact=True), max_tabs=3)
    clerk.keyboard.press("Enter")

    expect(clerk).to_have_url(re.compile(r"/staff/consultations/\d+#consultation-status$"))
    consultation_id = int(clerk.url.split("#")[0].rsplit("/", 1)[1])
    expect(badge(clerk)).to_have_text(t("Draft"))
    tab_to(clerk, clerk.get_by_role("button", name=t("Publish"), exact=True))
    clerk.keyboard.press("Enter")
    expect(badge(clerk)).to_have_text(t("Open for comment"))

    # The public page shows the draft article by article, with the corrected last article.
    tab_to(clerk, clerk.get_by_role("link", name=t("Public page")))
    clerk.keyboard.press("Enter")
    expect(clerk).to_have_url(f"{base_url}/consultations/{consultation_id}")
    expect(clerk.get_by_role("heading", level=1)).to_have_text(title)
    articles = clerk.locator("article.section")
    expect(articles).to_have_count(4)
    expect(articles.nth(2).get_by_role("heading")).to_have_text("第二条")
    expect(articles.nth(2)).to_contain_text("每日7时至21时收费")
    expect(articles.last).to_contain_text("本办法自2026年1月1日起施行。")
    expect(articles.last).not_to_contain_text("本办法自发布之日起施行。")


def test_keyboard_only_report_is_written_after_the_deadline(
    new_context: ContextFactory, base_url: str
) -> None:
    tag = uuid.uuid4().hex[:6]
    title = f"农村客运班线调整方案 {tag}"
    context = new_context()
    api = context.request
    auth = bearer(api, "staff-housing", STAFF_PASSWORD)
    closes_at = datetime.now(LOCAL) + CLOSES_IN
    sections = [
        ("第一条", "每个行政村每日至少通行两班客车。"),
        ("第二条", "客运班线票价按里程分段计价。"),
    ]
    consultation_id = open_consultation(api, auth, title, sections, closes_at)
    opinions = {
        1: f"建议赶集日增开早班车。{tag}",
        2: f"建议六十五岁以上老人免费乘车。{tag}",
    }
    for section, opinion in opinions.items():
        approved_comment(api, auth, consultation_id, section, opinion)

    # Before the deadline the clerk finds the consultation from the workbench: no report form.
    clerk = context.new_page()
    sign_in_by_keyboard(clerk, "staff-housing", STAFF_PASSWORD)
    work = clerk.get_by_role("region", name=t("Work"))
    tab_to(clerk, work.get_by_role("link", name=t("Consultations"), exact=True))
    clerk.keyboard.press("Enter")
    tab_to(clerk, clerk.get_by_role("link", name=title))
    clerk.keyboard.press("Enter")
    expect(clerk).to_have_url(f"{base_url}/staff/consultations/{consultation_id}")
    expect(badge(clerk)).to_have_text(t("Open for comment"))
    report_heading = clerk.get_by_role("heading", name=t("Adoption report"))
    expect(report_heading).to_have_count(0)

    wait_for_the_deadline(closes_at)

    # After it: the summary, a count from another channel, and a decision for each comment,
    # the second chosen with the arrow keys.
    clerk.reload()
    expect(badge(clerk)).to_have_text(t("Closed"))
    report = clerk.locator("section").filter(has=report_heading)
    tab_to(clerk, report.get_by_label(t("Summary of the opinions and how they were used")))
    summary = "共收到意见2条，采纳1条，另有电话意见2条。"
    clerk.keyboard.type(summary)
    clerk.keyboard.press("Tab")
    phone = report.get_by_label(t("Phone"), exact=True)
    expect(phone).to_be_focused()
    clerk.keyboard.press("ArrowUp")
    clerk.keyboard.press("ArrowUp")
    expect(phone).to_have_value("2")

    first = report.locator("fieldset.card").filter(has_text=opinions[1])
    adopted = first.get_by_label(t("Adopted"), exact=True)
    tab_to(clerk, adopted)
    clerk.keyboard.press("Space")
    expect(adopted).to_be_checked()
    clerk.keyboard.press("Tab")
    expect(first.get_by_label(t("Reason"), exact=True)).to_be_focused()
    clerk.keyboard.type("已增开赶集日早班车。")

    second = report.locator("fieldset.card").filter(has_text=opinions[2])
    clerk.keyboard.press("Tab")
    expect(second.get_by_label(t("Adopted"), exact=True)).to_be_focused()
    clerk.keyboard.press("ArrowDown")
    clerk.keyboard.press("ArrowDown")
    not_adopted = second.get_by_label(t("Not adopted"), exact=True)
    expect(not_adopted).to_be_checked()
    expect(not_adopted).to_be_focused()
    clerk.keyboard.press("Tab")
    expect(second.get_by_label(t("Reason"), exact=True)).to_be_focused()
    clerk.keyboard.type("老年人乘车优惠由县民政局另行规定。")
    clerk.keyboard.press("Tab")
    expect(report.get_by_role("button", name=t("Publish the report"))).to_be_focused()
    clerk.keyboard.press("Enter")

    # The public report: the summary, the counts, and each decision under its article.
    expect(clerk).to_have_url(f"{base_url}/consultations/{consultation_id}#report")
    expect(badge(clerk)).to_have_text(t("Results published"))
    published_report = clerk.locator("#report")
    expect(published_report.get_by_role("heading")).to_have_text(t("How the opinions were used"))
    expect(published_report).to_contain_text(summary)
    expect(figure(published_report, "Adopted")).to_have_text("1")
    expect(figure(published_report, "Not adopted")).to_have_text("1")
    expect(figure(published_report, "Phone")).to_have_text("2")
    expect(figure(published_report, "Comments received online")).to_have_text("2")
    comments = clerk.locator("#section-2 details.comments")
    tab_to(clerk, comments.locator("summary"))
    clerk.keyboard.press("Enter")
    expect(comments).to_have_attribute("open", "")
    expect(comments.locator("ul.dispositions")).to_be_visible()
    expect(comments.locator("ul.dispositions")).to_contain_text(t("Not adopted"))
    expect(comments.locator("ul.dispositions")).to_contain_text(
        "老年人乘车优惠由县民政局另行规定。"
    )
    expect(clerk.get_by_role("button", name=t("Send my opinion"))).to_have_count(0)
