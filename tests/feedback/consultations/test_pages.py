"""The consultation pages, driven like a browser: a clerk, a citizen, a moderator, an admin."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement.models import User
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from feedback.consultations.models import Comment, CommentStatus, Consultation
from tests.conftest import csrf_from, login
from tests.feedback.consultations.conftest import close, zh

Browser = Callable[[str | None], TestClient]

DRAFT = """为加强城市绿化管理，现将《县城市绿化管理办法（征求意见稿）》全文公布，征求社会各界意见。
第一章 总则
第一条 为了促进城市绿化事业的发展，改善生态环境，结合本县实际，制定本办法。
第二条 本办法适用于本县城市规划区内的城市绿化规划、建设、保护和管理。
第二章 保护和管理
第三条 任何单位和个人不得擅自占用城市绿地。
"""
OPINION = "建议在第一条中写明“海绵城市”建设要求，提升城市排水能力。"


def local(delta: timedelta) -> str:
    """A datetime-local field's value, `delta` from now in the platform's time zone."""
    return (utcnow() + delta).astimezone(get_settings().tz).strftime("%Y-%m-%dT%H:%M")


def notice_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "title": "关于《县城市绿化管理办法（征求意见稿）》公开征求意见的公告",
        "kind": "other",
        "summary": "县住建局起草了本办法，现向社会公开征求意见。",
        "background": "",
        "how_to_comment": "可在本页逐条发表意见。",
        "opens_at": local(-timedelta(hours=1)),
        "closes_at": local(timedelta(days=40)),
        "short_period_reason": "",
        "draft": "",
    }
    form.update(overrides)
    return form


def fields(html: str) -> tuple[list[str], list[str]]:
    """The article headings and texts of the editor, as the browser would send them back."""
    headings = re.findall(r'<input id="h-\d+" name="heading" value="([^"]*)"', html)
    texts = re.findall(r'<textarea id="t-\d+" name="text"[^>]*>(.*?)</textarea>', html, re.S)
    return [unescape(h) for h in headings], [unescape(t) for t in texts]


def new_consultation(clerk: TestClient, **overrides: Any) -> int:
    """Pastes the draft, splits it, saves the articles as split: the consultation's id."""
    token = csrf_from(clerk, "/staff/consultations/new")
    form = notice_form(draft=DRAFT, **overrides)
    preview = clerk.post(
        "/staff/consultations",
        data={**form, "heading": "", "text": "", "action": "split", "csrf_token": token},
    )
    assert preview.status_code == 200, preview.text
    headings, texts = fields(preview.text)
    saved = clerk.post(
        "/staff/consultations",
        data={**form, "heading": headings, "text": texts, "action": "save", "csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    match = re.fullmatch(
        r"/staff/consultations/(\d+)#consultation-status", saved.headers["location"]
    )
    assert match, saved.headers["location"]
    return int(match.group(1))


def publish(clerk: TestClient, consultation_id: int) -> None:
    token = csrf_from(clerk, f"/staff/consultations/{consultation_id}")
    response = clerk.post(
        f"/staff/consultations/{consultation_id}/publish",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def post_comment(
    citizen: TestClient, consultation_id: int, body: str, section: str = "", **extra: str
) -> Any:
    token = csrf_from(citizen, f"/consultations/{consultation_id}")
    return citizen.post(
        f"/consultations/{consultation_id}/comments",
        data={"csrf_token": token, "section": section, "body": body, **extra},
        follow_redirects=False,
    )


def comments_in(db: Session, consultation_id: int) -> list[Comment]:
    db.expire_all()
    return list(
        db.scalars(
            select(Comment).where(Comment.consultation_id == consultation_id).order_by(Comment.id)
        )
    )


def moderate(clerk: TestClient, consultation_id: int, comment_id: int, **data: str) -> Any:
    token = csrf_from(clerk, f"/staff/consultations/{consultation_id}")
    return clerk.post(
        f"/staff/comments/{comment_id}/moderate",
        data={"csrf_token": token, **data},
        follow_redirects=False,
    )


@pytest.fixture
def clerk(browser_for: Browser, staff: User) -> TestClient:
    return browser_for(staff.username)


@pytest.fixture
def citizen(browser_for: Browser) -> TestClient:
    return browser_for(None)


@pytest.fixture
def open_consultation(clerk: TestClient) -> int:
    consultation_id = new_consultation(clerk)
    publish(clerk, consultation_id)
    return consultation_id


# --- drafting ------------------------------------------------------------------------------------


def test_a_pasted_draft_is_previewed_as_editable_articles(clerk: TestClient) -> None:
    token = csrf_from(clerk, "/staff/consultations/new")

    preview = clerk.post(
        "/staff/consultations",
        data={
            **notice_form(draft=DRAFT),
            "heading": "",
            "text": "",
            "action": "split",
            "csrf_token": token,
        },
    )

    assert preview.status_code == 200
    headings, texts = fields(preview.text)
    assert headings == ["说明", "第一章 总则 · 第一条", "第二条", "第二章 保护和管理 · 第三条"]
    assert texts[1] == "为了促进城市绿化事业的发展，改善生态环境，结合本县实际，制定本办法。"
    # The rest of the form is kept as typed.
    assert 'value="关于《县城市绿化管理办法（征求意见稿）》公开征求意见的公告"' in preview.text


def test_splitting_or_adding_an_article_puts_the_focus_on_the_part_to_fill_in(
    clerk: TestClient,
) -> None:
    token = csrf_from(clerk, "/staff/consultations/new")
    form = {**notice_form(draft=DRAFT), "csrf_token": token}

    split = clerk.post(
        "/staff/consultations", data={**form, "heading": "", "text": "", "action": "split"}
    )
    headings, texts = fields(split.text)
    added = clerk.post(
        "/staff/consultations",
        data={**form, "heading": headings, "text": texts, "action": "add"},
    )

    focused = r'<input id="(h-\d+)"[^>]*\bautofocus'
    assert re.findall(focused, split.text) == ["h-1"]
    assert len(fields(added.text)[0]) == 5
    assert re.findall(focused, added.text) == ["h-5"]


def test_saving_the_split_draft_creates_it_with_its_articles(
    clerk: TestClient, db: Session
) -> None:
    consultation_id = new_consultation(clerk)

    stored = db.get(Consultation, consultation_id)
    assert stored is not None
    assert [(s.ordinal, s.heading) for s in stored.sections] == [
        (1, "说明"),
        (2, "第一章 总则 · 第一条"),
        (3, "第二条"),
        (4, "第二章 保护和管理 · 第三条"),
    ]
    assert stored.published_at is None
    assert stored.department.slug == "housing"


def test_a_draft_regulation_below_30_days_is_sent_back_with_the_reason_asked(
    clerk: TestClient,
) -> None:
    token = csrf_from(clerk, "/staff/consultations/new")

    response = clerk.post(
        "/staff/consultations",
        data={
            **notice_form(kind="regulation_draft", closes_at=local(timedelta(days=10))),
            "heading": "第一条",
            "text": "为了规范管理，制定本办法。",
            "action": "save",
            "csrf_token": token,
        },
    )

    assert response.status_code == 422
    assert 'id="e-short_period_reason"' in response.text
    assert 'id="f-short" name="short_period_reason" rows="2" aria-invalid="true"' in response.text


# --- a citizen's comment, moderated --------------------------------------------------------------


def test_a_citizen_comments_on_an_article_and_is_thanked(
    citizen: TestClient, db: Session, open_consultation: int
) -> None:
    response = post_comment(
        citizen, open_consultation, OPINION, section="2", name="王小明", contact="13712345678"
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/consultations/{open_consultation}#section-2"
    page = citizen.get(response.headers["location"])
    assert zh("Thank you. Your comment will appear here once it has been reviewed.") in page.text
    assert "海绵城市" not in page.text  # not shown before review
    (stored,) = comments_in(db, open_consultation)
    assert (stored.status, stored.section.ordinal if stored.section else None) == (
        CommentStatus.pending,
        2,
    )
    assert stored.contact == "13712345678"
    # The thanks is said once.
    again = citizen.get(f"/consultations/{open_consultation}")
    assert (
        zh("Thank you. Your comment will appear here once it has been reviewed.") not in again.text
    )


def test_a_comment_form_without_csrf_token_is_refused(
    citizen: TestClient, db: Session, open_consultation: int
) -> None:
    citizen.get(f"/consultations/{open_consultation}")

    response = citizen.post(
        f"/consultations/{open_consultation}/comments",
        data={"section": "", "body": OPINION},
        follow_redirects=False,
    )

    assert response.status_code == 403
    assert comments_in(db, open_consultation) == []


def test_a_too_short_comment_is_shown_again_with_its_error(
    citizen: TestClient, open_consultation: int
) -> None:
    response = post_comment(citizen, open_consultation, "好", section="2")

    assert response.status_code == 422
    assert 'id="err-2"' in response.text
    assert zh("A comment has 5 to 2000 characters.") in response.text


def test_an_approved_comment_shows_on_the_public_page(
    clerk: TestClient, citizen: TestClient, db: Session, open_consultation: int
) -> None:
    post_comment(
        citizen, open_consultation, OPINION, section="2", name="王小明", contact="wxm@qq.com"
    )
    (stored,) = comments_in(db, open_consultation)
    queue = clerk.get(f"/staff/consultations/{open_consultation}")
    assert f'id="mod-{stored.id}"' in queue.text
    assert "wxm@qq.com" in queue.text  # staff see the contact

    response = moderate(clerk, open_consultation, stored.id, decision="approve")

    assert response.status_code == 303
    page = citizen.get(f"/consultations/{open_consultation}")
    section = page.text.split('id="section-2"')[1].split("</article>")[0]
    assert "海绵城市" in unescape(section)
    assert "王**" in section
    assert "王小明" not in page.text and "wxm@qq.com" not in page.text


def test_rejecting_from_the_form_needs_a_reason(
    clerk: TestClient, citizen: TestClient, db: Session, open_consultation: int
) -> None:
    post_comment(citizen, open_consultation, "这里是一条无关的推销信息，请联系我。")
    (stored,) = comments_in(db, open_consultation)

    without = moderate(clerk, open_consultation, stored.id, decision="reject")
    with_reason = moderate(clerk, open_consultation, stored.id, decision="reject", reason="广告")

    assert without.status_code == 422
    assert zh("Give the reason for rejecting the comment.") in without.text
    assert with_reason.status_code == 303
    assert comments_in(db, open_consultation)[0].status == CommentStatus.rejected
    assert "推销" not in citizen.get(f"/consultations/{open_consultation}").text


def test_a_sensitive_word_is_marked_for_the_moderator(
    browser_for: Browser,
    admin: User,
    clerk: TestClient,
    citizen: TestClient,
    db: Session,
    open_consultation: int,
) -> None:
    root = browser_for(admin.username)
    token = csrf_from(root, "/staff/sensitive-words")
    added = root.post(
        "/staff/sensitive-words",
        data={"word": "代开发票", "csrf_token": token},
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert "代开发票" in root.get("/staff/sensitive-words").text

    post_comment(citizen, open_consultation, "绿化工程可以找我们代开发票，价格优惠。")

    (stored,) = comments_in(db, open_consultation)
    assert stored.flagged_words == ["代开发票"]
    queue = clerk.get(f"/staff/consultations/{open_consultation}")
    assert "<mark>代开发票</mark>" in queue.text
    assert zh("Contains sensitive words") in queue.text


def test_staff_may_not_edit_the_sensitive_words(clerk: TestClient) -> None:
    assert clerk.get("/staff/sensitive-words").status_code == 403


# --- the report ----------------------------------------------------------------------------------


def test_after_closing_the_report_form_publishes_the_answers(
    clerk: TestClient, citizen: TestClient, db: Session, open_consultation: int
) -> None:
    post_comment(citizen, open_consultation, OPINION, section="2")
    post_comment(citizen, open_consultation, "总体上支持出台本办法，希望加强执法检查。")
    first, second = comments_in(db, open_consultation)
    moderate(clerk, open_consultation, first.id, decision="approve")
    moderate(clerk, open_consultation, second.id, decision="approve")
    close(db, open_consultation)
    form_page = clerk.get(f"/staff/consultations/{open_consultation}")
    assert f'action="/staff/consultations/{open_consultation}/report#report-form"' in form_page.text
    assert f'name="decision-{first.id}"' in form_page.text
    token = csrf_from(clerk, f"/staff/consultations/{open_consultation}")
    summary = "征求意见期间共收到意见两条，采纳一条，部分采纳一条。"

    incomplete = clerk.post(
        f"/staff/consultations/{open_consultation}/report",
        data={
            "csrf_token": token,
            "summary": summary,
            f"decision-{first.id}": "adopted",
            f"reason-{first.id}": "已在第一条增加相关表述。",
        },
    )
    published = clerk.post(
        f"/staff/consultations/{open_consultation}/report",
        data={
            "csrf_token": token,
            "summary": summary,
            f"decision-{first.id}": "adopted",
            f"reason-{first.id}": "已在第一条增加海绵城市建设要求。",
            f"decision-{second.id}": "partially_adopted",
            f"reason-{second.id}": "执法检查另行规定。",
            "channel-phone": "2",
        },
        follow_redirects=False,
    )

    assert incomplete.status_code == 422
    assert str(second.id) in incomplete.text
    assert published.status_code == 303
    assert published.headers["location"] == f"/consultations/{open_consultation}#report"
    page = unescape(citizen.get(f"/consultations/{open_consultation}").text)
    report = page.split('id="report"')[1].split("</section>")[0]
    assert zh("How the opinions were used") in report
    assert summary in report
    assert f"<dt>{zh('Adopted')}</dt><dd>1</dd>" in report
    assert f"<dt>{zh('Partly adopted')}</dt><dd>1</dd>" in report
    # Each decision is shown with the article it concerns, or with the whole draft.
    article = page.split('id="section-2"')[1].split("</article>")[0]
    assert f"<strong>{zh('Adopted')}</strong>" in article
    assert "已在第一条增加海绵城市建设要求。" in article
    general = page.split('id="comment-all"')[1].split("</section>")[0]
    assert f"<strong>{zh('Partly adopted')}</strong>" in general
    assert "执法检查另行规定。" in general
    assert zh("Results published") in page


def test_there_is_no_report_form_while_open(clerk: TestClient, open_consultation: int) -> None:
    page = clerk.get(f"/staff/consultations/{open_consultation}")

    assert f"/staff/consultations/{open_consultation}/report" not in page.text


# --- revisions -----------------------------------------------------------------------------------


def test_editing_an_open_draft_needs_a_revision_note_shown_publicly(
    clerk: TestClient, citizen: TestClient, open_consultation: int
) -> None:
    headings, texts = fields(clerk.get(f"/staff/consultations/{open_consultation}").text)
    texts[1] = texts[1].replace("改善生态环境", "改善生态环境，建设海绵城市")
    token = csrf_from(clerk, f"/staff/consultations/{open_consultation}")
    form = {
        **notice_form(),
        "department": "housing",
        "heading": headings,
        "text": texts,
        "action": "save",
        "csrf_token": token,
    }

    without = clerk.post(f"/staff/consultations/{open_consultation}", data=form)
    with_note = clerk.post(
        f"/staff/consultations/{open_consultation}",
        data={**form, "revision_note": "第一条增加海绵城市建设的表述。"},
        follow_redirects=False,
    )

    assert without.status_code == 422
    assert zh("Say what changed: the note is shown publicly.") in without.text
    assert with_note.status_code == 303
    page = citizen.get(f"/consultations/{open_consultation}").text
    revisions = page.split('id="h-revisions"')[1].split("</section>")[0]
    assert zh("Changes since the draft opened") in revisions
    assert "第一条增加海绵城市建设的表述。" in revisions
    assert "建设海绵城市" in page


def test_editing_a_draft_needs_no_note(clerk: TestClient, citizen: TestClient) -> None:
    consultation_id = new_consultation(clerk)
    headings, texts = fields(clerk.get(f"/staff/consultations/{consultation_id}").text)
    token = csrf_from(clerk, f"/staff/consultations/{consultation_id}")

    response = clerk.post(
        f"/staff/consultations/{consultation_id}",
        data={
            **notice_form(title="城市绿化管理办法（修改稿）"),
            "heading": headings[1:],
            "text": texts[1:],
            "action": "save",
            "csrf_token": token,
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    publish(clerk, consultation_id)
    page = citizen.get(f"/consultations/{consultation_id}").text
    assert "城市绿化管理办法（修改稿）" in page
    assert 'id="h-revisions"' not in page
    assert 'id="section-4"' not in page


# --- export and attachments ----------------------------------------------------------------------


def test_the_comments_export_opens_in_excel_with_a_row_per_comment(
    clerk: TestClient, citizen: TestClient, db: Session, open_consultation: int
) -> None:
    post_comment(
        citizen, open_consultation, OPINION, section="2", name="王小明", contact="13712345678"
    )
    post_comment(citizen, open_consultation, "总体上支持出台本办法。")
    post_comment(citizen, open_consultation, "这里是一条无关的推销信息。")
    first, second, third = comments_in(db, open_consultation)
    moderate(clerk, open_consultation, first.id, decision="approve")
    moderate(clerk, open_consultation, third.id, decision="reject", reason="广告")

    response = clerk.get(f"/staff/consultations/{open_consultation}/export.xlsx")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 3
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {first.id, second.id, third.id}
    assert by_id[first.id][1:7] == (
        "第一章 总则 · 第一条",
        OPINION,
        "王小明",
        "13712345678",
        by_id[first.id][5],
        "approved",
    )
    assert by_id[second.id][1] == "全文" and by_id[second.id][6] == "pending"
    assert (by_id[third.id][6], by_id[third.id][8]) == ("rejected", "广告")


def test_the_export_is_for_the_unit_only(
    browser_for: Browser, citizen: TestClient, outsider: User, open_consultation: int
) -> None:
    anonymous = citizen.get(
        f"/staff/consultations/{open_consultation}/export.xlsx", follow_redirects=False
    )
    foreign = browser_for(outsider.username).get(
        f"/staff/consultations/{open_consultation}/export.xlsx"
    )

    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert foreign.status_code == 403


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document><w:body>起草说明</w:body></w:document>")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def upload(clerk: TestClient, consultation_id: int, name: str, data: bytes) -> Any:
    token = csrf_from(clerk, f"/staff/consultations/{consultation_id}")
    return clerk.post(
        f"/staff/consultations/{consultation_id}/attachments",
        data={"csrf_token": token},
        files={"attachment": (name, data, "application/octet-stream")},
        follow_redirects=False,
    )


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("起草说明.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument"),
        ("征求意见稿.pdf", PDF, "application/pdf"),
    ],
)
def test_a_pdf_or_docx_attachment_is_accepted_by_its_content(
    clerk: TestClient,
    citizen: TestClient,
    open_consultation: int,
    name: str,
    data: bytes,
    content_type: str,
) -> None:
    response = upload(clerk, open_consultation, name, data)

    assert response.status_code == 303, response.text
    page = citizen.get(f"/consultations/{open_consultation}").text
    match = re.search(
        rf'<a href="(/consultations/{open_consultation}/attachments/\d+)">{name}</a>', page
    )
    assert match, "the attachment is not listed on the public page"
    download = citizen.get(match.group(1))
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"].startswith(content_type)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("征求意见稿.pdf", "这其实是一个文本文件。".encode()),
        ("起草说明.docx", "这其实是一个文本文件。".encode()),
        ("表格.docx", b"PK\x03\x04not really a zip archive"),
    ],
)
def test_a_renamed_file_is_refused(
    clerk: TestClient, citizen: TestClient, open_consultation: int, name: str, data: bytes
) -> None:
    response = upload(clerk, open_consultation, name, data)

    assert response.status_code == 422
    assert zh("Only PDF and Word (DOCX) files can be attached.") in response.text
    assert "/attachments/" not in citizen.get(f"/consultations/{open_consultation}").text


@pytest.mark.parametrize(
    "tampered",
    [
        {"decision-abc": "adopted"},
        {"decision-²": "adopted"},  # "²" passes str.isdigit() and fails int()
        {"channel-phone": "²"},
        {"channel-phone": "9" * 5000},  # past int()'s 4300-digit limit
    ],
)
def test_a_tampered_report_form_is_not_a_server_error(
    app: Any, staff: User, db: Session, open_consultation: int, tampered: dict[str, str]
) -> None:
    lenient = TestClient(app, base_url="http://testserver", raise_server_exceptions=False)
    login(lenient, staff.username)
    post_comment(lenient, open_consultation, OPINION)
    (stored,) = comments_in(db, open_consultation)
    moderate(lenient, open_consultation, stored.id, decision="approve")
    close(db, open_consultation)
    token = csrf_from(lenient, f"/staff/consultations/{open_consultation}")

    response = lenient.post(
        f"/staff/consultations/{open_consultation}/report",
        data={"csrf_token": token, "summary": "共收到意见一条。", **tampered},
    )

    # The approved comment still lacks its decision: the form comes back with the error.
    assert response.status_code == 422
    assert str(stored.id) in response.text


@pytest.mark.parametrize("section", ["²", "9" * 5000])
def test_a_section_that_is_not_a_number_takes_the_comment_on_the_whole_draft(
    citizen: TestClient, db: Session, open_consultation: int, section: str
) -> None:
    """² passes str.isdigit() and fails int(); 5000 nines pass it and exceed int()'s limit."""
    response = post_comment(citizen, open_consultation, OPINION, section=section)

    assert response.status_code == 303
    assert [c.section_id for c in comments_in(db, open_consultation)] == [None]
