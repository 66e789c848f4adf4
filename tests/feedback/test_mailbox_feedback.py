"""What the mailbox's pages tell their reader (issue #15): each deadline under its own name,
a message at the place of every action, the queue opening on the letters that need work."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.models import User
from engagement.rendering import local_time
from feedback.mailbox.models import Status
from tests.feedback import factories as letters
from tests.feedback.htmlparse import facts, hidden_value

Browser = Callable[[str | None], TestClient]


def _track_page(client: TestClient, made: letters.Made) -> str:
    response = client.get("/mailbox/track", params={"number": made.number, "code": made.code})
    assert response.status_code == 200, response.text
    return response.text


# --- 1. each deadline under its own name -------------------------------------------------------


def test_tracking_a_new_letter_names_the_assignment_deadline_and_the_later_reply_deadline(
    client: TestClient, db: Session
) -> None:
    made = letters.letter(db, category="complaint")
    assign_by = local_time(letters.stored(db, made.number).assign_due_at)

    shown = facts(_track_page(client, made))

    assert shown["分办期限"] == assign_by
    # The reply's clock starts at assignment: no date yet, and never the assignment's date.
    assert shown["答复期限"] == "分办后10个工作日内"


def test_tracking_an_assigned_letter_shows_its_reply_deadline_only(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    made = letters.assigned(db, leader, category="consultation")
    reply_by = local_time(letters.stored(db, made.number).reply_due_at)

    shown = facts(_track_page(client, made))

    assert shown["答复期限"] == reply_by
    assert "分办期限" not in shown


def test_tracking_a_replied_letter_shows_until_when_it_can_be_rated(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    from datetime import timedelta

    made = letters.replied(db, leader, staff)
    letter = letters.stored(db, made.number)
    assert letter.replied_at is not None

    page = _track_page(client, made)
    shown = facts(page)

    rate_by = local_time(letter.replied_at + timedelta(days=10))
    assert shown["评价期限"] == rate_by
    assert shown["答复期限"].endswith("按期答复")
    assert f"如在{rate_by}前未作评价，来信将按现状办结。" in page  # by the rating form


def test_the_staff_letter_page_names_each_deadline(
    db: Session, browser_for: Browser, leader: User, staff: User
) -> None:
    made = letters.letter(db, category="help")
    as_leader = browser_for("leader1")

    new = facts(as_leader.get(f"/staff/letters/{made.number}").text)
    assert new["分办期限"] == local_time(letters.stored(db, made.number).assign_due_at)
    assert new["答复期限"] == "分办后3个工作日内"

    _act(as_leader, made.number, "assign", department="housing")
    assigned = facts(as_leader.get(f"/staff/letters/{made.number}").text)
    assert assigned["答复期限"] == local_time(letters.stored(db, made.number).reply_due_at)
    assert "分办期限" not in assigned


def _act(browser: TestClient, number: str, action: str, **data: str):
    token = hidden_value(browser.get(f"/staff/letters/{number}").text, "csrf_token")
    return browser.post(
        f"/staff/letters/{number}/{action}",
        data={"csrf_token": token, **data},
        follow_redirects=False,
    )


# --- 3. a message at the place of every action --------------------------------------------------


def _within(page: str, element_id: str) -> str:
    """The HTML of the element with this id (a form, a section or a div), up to its end tag."""
    match = re.search(rf'<(form|section|div)\b[^>]*\bid="{element_id}"[^>]*>', page)
    assert match, f"no #{element_id} on the page"
    tag, start, depth = match.group(1), match.end(), 1
    for m in re.finditer(rf"<(/?){tag}\b[^>]*>", page[start:]):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return page[start : start + m.start()]
    raise AssertionError(f"#{element_id} is not closed")


def _notice(browser: TestClient, response, place: str) -> str:
    """What the page the action led to says at `place` (role=status, focused by site.js)."""
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.endswith(f"#{place}")
    page = browser.get(location).text
    found = re.search(r'role="status"[^>]*data-notice>(.*?)</div>', _within(page, place), re.S)
    assert found, f"no message at #{place}"
    return found.group(1).strip()


def test_each_staff_action_says_what_it_did_where_it_was_done(
    db: Session, browser_for: Browser, leader: User, staff: User
) -> None:
    made = letters.letter(db)
    as_leader, as_staff = browser_for("leader1"), browser_for("staff1")

    assigned = _act(as_leader, made.number, "assign", department="housing")
    assert _notice(as_leader, assigned, "actions") == "已交由县住房和城乡建设局办理。"
    # Shown once: a reload does not say it again.
    assert (
        "已交由县住房和城乡建设局办理。" not in as_leader.get(f"/staff/letters/{made.number}").text
    )

    noted = _act(as_staff, made.number, "note", text="已电话联系来信人")
    assert _notice(as_staff, noted, "note") == "备注已记入办理过程。"
    asked = _act(as_staff, made.number, "extension", days="5", reason="需要现场核实")
    assert _notice(as_staff, asked, "actions").startswith("延期申请已提交")
    decided = _act(as_leader, made.number, "extension/decision", approve="true")
    due = local_time(letters.stored(db, made.number).reply_due_at)
    assert _notice(as_leader, decided, "actions") == f"已批准延期，答复期限延至{due}。"
    replied = _act(as_staff, made.number, "reply", body="您好，路灯已修复。", public="true")
    assert _notice(as_staff, replied, "actions").startswith("答复已发出")
    published = _act(as_leader, made.number, "publish")
    assert _notice(as_leader, published, "actions").startswith("已批准公开")


def test_rejecting_and_merging_say_so(db: Session, browser_for: Browser, leader: User) -> None:
    first, second, third = letters.letter(db), letters.letter(db), letters.letter(db)
    as_leader = browser_for("leader1")

    rejected = _act(as_leader, first.number, "reject", reason="other", other="广告内容")
    assert _notice(as_leader, rejected, "actions").startswith("已作不予受理处理")
    merged = _act(as_leader, second.number, "merge", into=third.number)
    assert _notice(as_leader, merged, "actions") == (
        f"已并入来信{third.number}，该信的答复同时答复本信。"
    )


def test_a_refused_reply_shows_its_reason_in_the_reply_form(
    db: Session, browser_for: Browser, leader: User, staff: User
) -> None:
    made = letters.assigned(db, leader)
    browser = browser_for("staff1")
    page = browser.get(f"/staff/letters/{made.number}").text
    assert f'action="/staff/letters/{made.number}/reply#reply"' in page  # lands on the form

    response = _act(browser, made.number, "reply", body="短    ")

    assert response.status_code == 422
    form = _within(response.text, "reply")
    assert 'role="alert"' in form and "答复内容须为5至10000个字符。" in form
    assert 'aria-invalid="true" aria-describedby="reply-error"' in form
    assert response.text.count('role="alert"') == 1  # not also atop the page


def test_a_refused_action_whose_form_is_gone_shows_atop_the_actions(
    db: Session, browser_for: Browser, leader: User, staff: User
) -> None:
    made = letters.replied(db, leader, staff)

    response = _act(browser_for("staff1"), made.number, "reply", body="再次答复的内容")

    assert response.status_code == 409
    assert 'role="alert"' in _within(response.text, "actions")


def test_rating_thanks_the_writer_where_the_rating_form_was(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    made = letters.replied(db, leader, staff)
    page = _track_page(client, made)
    assert 'action="/mailbox/track/rating#rate"' in page

    response = client.post(
        "/mailbox/track/rating",
        data={
            "csrf_token": hidden_value(page, "csrf_token"),
            "number": made.number,
            "code": made.code,
            "satisfaction": "unsatisfied",
        },
    )

    rate = _within(response.text, "rate")
    assert 'role="status"' in rate and "data-notice" in rate
    assert "来信已重新办理，承办单位将再次答复。" in rate


def test_a_rating_without_a_choice_says_why_at_the_rating_place(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    made = letters.replied(db, leader, staff)
    page = _track_page(client, made)
    data = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "number": made.number,
        "code": made.code,
        "satisfaction": "bogus",
    }

    response = client.post("/mailbox/track/rating", data=data)

    assert response.status_code == 422
    rate = _within(response.text, "rate")
    assert 'role="alert"' in rate and "请选择您对答复的满意程度。" in rate


def test_saving_a_reply_template_says_so_at_the_form(
    db: Session, browser_for: Browser, staff: User
) -> None:
    browser = browser_for("staff1")
    token = hidden_value(browser.get("/staff/templates").text, "csrf_token")

    saved = browser.post(
        "/staff/templates",
        data={"csrf_token": token, "title": "路灯维修", "body": "您好，路灯已安排维修。"},
        follow_redirects=False,
    )
    assert _notice(browser, saved, "new-template") == "模板“路灯维修”已保存，答复时可选用。"

    refused = browser.post(
        "/staff/templates",
        data={"csrf_token": token, "title": "空", "body": "短"},
        follow_redirects=False,
    )
    assert refused.status_code == 422
    form = _within(refused.text, "new-template")
    assert 'role="alert"' in form and 'aria-invalid="true"' in form


# --- 4. the queue opens on the letters that need work ------------------------------------------


def test_the_queue_opens_on_open_letters_and_keeps_closed_ones_a_tab_away(
    db: Session, browser_for: Browser, leader: User, staff: User
) -> None:
    open_letter = letters.assigned(db, leader, subject="仍在办理的来信")
    closed = letters.replied(db, leader, staff, subject="已经办结的来信")
    stored = letters.stored(db, closed.number)
    stored.status = Status.closed
    db.flush()
    browser = browser_for("staff1")

    default = browser.get("/staff/letters").text

    assert open_letter.number in default and closed.number not in default
    assert re.search(r'id="queue-open"[^>]*aria-current="page"', default)
    everything = browser.get("/staff/letters", params={"queue": "all"}).text
    assert open_letter.number in everything and closed.number in everything
    unknown = browser.get("/staff/letters", params={"queue": "nonsense"}).text
    assert closed.number not in unknown and open_letter.number in unknown


# --- 5. the queue on a phone: every cell under its column's name --------------------------------


def test_every_queue_cell_carries_its_columns_name_for_a_phone(
    db: Session, browser_for: Browser, leader: User, staff: User
) -> None:
    made = letters.assigned(db, leader)

    page = browser_for("staff1").get("/staff/letters").text

    table = page[page.index('<table class="queue stack">') : page.index("</table>")]
    row = next(r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S) if made.number in r)
    labels = re.findall(r'<td data-label="([^"]+)"', row)
    assert labels == ["信件编号", "标题", "状态", "单位", "办理期限"]
    assert "答复期限" in row  # which deadline the date is


# --- 6. words: no raw codes ---------------------------------------------------------------------


def test_an_extension_reads_as_words_on_both_timelines(
    client: TestClient, db: Session, browser_for: Browser, leader: User, staff: User
) -> None:
    made = letters.assigned(db, leader)
    as_leader, as_staff = browser_for("leader1"), browser_for("staff1")
    _act(as_staff, made.number, "extension", days="5", reason="需要现场核实")
    _act(as_leader, made.number, "extension/decision", approve="true")

    staff_page = as_leader.get(f"/staff/letters/{made.number}").text
    writer_page = _track_page(client, made)

    assert "申请延期5个工作日" in staff_page and "办理期限延长5个工作日" in staff_page
    assert "办理期限延长5个工作日" in writer_page
    for page in (staff_page, writer_page):
        assert "extension_" not in page


def test_the_import_pages_tables_become_cards_on_a_phone(
    client: TestClient, db: Session, admin: User
) -> None:
    from tests.conftest import login

    login(client, admin.username)
    page = client.get("/admin/import").text

    tables = re.findall(r"<table[^>]*>.*?</table>", page, re.S)
    assert tables and all('class="stack"' in table for table in tables)
    cells = [cell for table in tables for cell in re.findall(r"<td\b[^>]*>", table)]
    assert cells and all("data-label=" in cell for cell in cells)
