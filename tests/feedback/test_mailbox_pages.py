"""The mailbox's HTML pages: writing (with photos), tracking and rating, the public list, and the
staff queue and letter page with their CSRF-protected forms and audit trail."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo
from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement.models import AuditEvent, Department, User
from feedback.mailbox.models import Letter, LetterEvent, Photo
from tests.feedback import factories as letters
from tests.feedback.htmlparse import controls, forms_posting_to, hidden_value, text_of

Browser = Callable[[str | None], TestClient]
Upload = tuple[str, tuple[str, bytes, str]]
BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW"


def _multipart(fields: dict[str, str], files: list[Upload]) -> tuple[bytes, dict[str, str]]:
    """The body a browser sends for the form; with no photo chosen, an empty part with
    filename="" (which httpx cannot produce: it drops an empty filename)."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value.encode()
        + b"\r\n"
        for name, value in fields.items()
    ]
    for name, (filename, content, kind) in files or [
        ("photos", ("", b"", "application/octet-stream"))
    ]:
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def _fields(**overrides: Any) -> dict[str, str]:
    data = {
        "category": "complaint",
        "subject": "东风路夜间施工噪音扰民",
        "body": "东风路工地每天晚上十一点以后还在施工，噪音很大，附近居民无法休息。",
        "name": "赵丽娟",
        "phone": "13712345678",
        "email": "",
        "township": "",
        "publish_consent": "true",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _post_letter(
    client: TestClient,
    files: list[Upload] | None = None,
    key: str | None = None,
    **overrides: Any,
):
    page = client.get("/mailbox").text
    data = _fields(**overrides)
    data["csrf_token"] = hidden_value(page, "csrf_token")
    data["submission_key"] = key or hidden_value(page, "submission_key")
    body, headers = _multipart(data, files or [])
    return client.post("/mailbox", content=body, headers=headers, follow_redirects=False)


def _letters_with_subject(db: Session, subject: str) -> list[Letter]:
    db.expire_all()
    return list(db.scalars(select(Letter).where(Letter.subject == subject)))


def _audit(db: Session, action: str, number: str) -> list[AuditEvent]:
    db.expire_all()
    return list(
        db.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.object_id == number)
            .order_by(AuditEvent.id)
        )
    )


# --- writing -----------------------------------------------------------------------------------


def test_the_write_page_has_a_label_for_every_input(client: TestClient, township) -> None:
    response = client.get("/mailbox")

    assert response.status_code == 200
    assert 'lang="zh-CN"' in response.text
    found, labelled = controls(response.text)
    names = {c.attrs.get("name") for c in found}
    assert {"category", "subject", "body", "name", "phone", "email", "township"} <= names
    assert {"photos", "publish_consent"} <= names
    for control in found:
        assert control.inside_label or control.attrs.get("id") in labelled, control.attrs
    radios = [c for c in found if c.attrs.get("name") == "category"]
    assert {r.attrs["value"] for r in radios} == {
        "consultation",
        "complaint",
        "suggestion",
        "help",
        "report",
    }
    assert 'value="chengguan"' in response.text


def test_bad_input_is_shown_again_with_chinese_messages_next_to_fields(
    client: TestClient, db: Session
) -> None:
    before = letters.letter_count(db)

    response = _post_letter(client, category="", phone="12345", body="太短了", email="bad@")

    assert response.status_code == 422
    assert (
        text_of(response.text, "f-phone-error")
        == "请填写11位中国大陆手机号码，或带区号的固定电话号码。"
    )
    assert text_of(response.text, "f-body-error") == "来信内容须为10至5000个字符。"
    assert text_of(response.text, "f-category-error") == "请选择来信类型。"
    assert text_of(response.text, "f-email-error") == "请填写有效的电子邮箱地址，或留空。"
    assert text_of(response.text, "f-subject-error") == ""  # the good field has no message
    assert 'value="东风路夜间施工噪音扰民"' in response.text  # what was typed is kept
    assert 'aria-invalid="true"' in response.text
    assert letters.letter_count(db) == before


def test_an_unknown_township_is_shown_next_to_the_township_field(
    client: TestClient, db: Session, township
) -> None:
    before = letters.letter_count(db)

    response = _post_letter(client, township="atlantis")

    assert response.status_code == 422
    assert "乡镇" in text_of(response.text, "f-township-error")
    assert letters.letter_count(db) == before


def test_a_good_letter_redirects_to_a_receipt_with_number_and_code(
    client: TestClient, db: Session
) -> None:
    response = _post_letter(client)

    assert response.status_code == 303
    assert response.headers["location"].endswith("/mailbox/sent")
    receipt = client.get("/mailbox/sent")
    assert receipt.status_code == 200
    number = text_of(receipt.text, "letter-number")
    code = text_of(receipt.text, "tracking-code")
    [letter] = _letters_with_subject(db, "东风路夜间施工噪音扰民")
    assert number == letter.number
    assert letter.publish_consent is True
    tracked = client.get(f"/api/v1/letters/{number}", params={"code": code})
    assert tracked.status_code == 200


def test_sending_the_same_form_twice_stores_one_letter(client: TestClient, db: Session) -> None:
    page = client.get("/mailbox").text
    key = hidden_value(page, "submission_key")

    first = _post_letter(client, key=key)
    second = _post_letter(client, key=key)

    assert first.status_code == second.status_code == 303
    assert len(_letters_with_subject(db, "东风路夜间施工噪音扰民")) == 1
    receipt = client.get("/mailbox/sent").text
    assert (
        text_of(receipt, "letter-number")
        == _letters_with_subject(db, "东风路夜间施工噪音扰民")[0].number
    )


def test_each_new_form_gets_its_own_submission_key(client: TestClient) -> None:
    keys = {hidden_value(client.get("/mailbox").text, "submission_key") for _ in range(3)}

    assert len(keys) == 3


def test_a_form_without_its_csrf_token_is_refused(client: TestClient, db: Session) -> None:
    client.get("/mailbox")
    before = letters.letter_count(db)

    body, headers = _multipart(_fields(), [])
    response = client.post("/mailbox", content=body, headers=headers, follow_redirects=False)

    assert response.status_code == 403
    assert "表单已过期" in response.text
    assert letters.letter_count(db) == before


def test_the_receipt_page_without_a_letter_goes_back_to_the_form(client: TestClient) -> None:
    response = client.get("/mailbox/sent", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].endswith("/mailbox")


# --- photos ------------------------------------------------------------------------------------


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Model X"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (34.0, 45.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (113.0, 37.0, 12.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    # The photo really carries a location before it is sent.
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"Exif" in data and b"PhoneMaker" in data
    return data


def _photos_of(db: Session, subject: str) -> list[Photo]:
    [letter] = _letters_with_subject(db, subject)
    return list(db.scalars(select(Photo).where(Photo.letter_id == letter.id)))


def test_a_jpeg_is_stored_without_exif_or_location(client: TestClient, db: Session) -> None:
    response = _post_letter(
        client, files=[("photos", ("工地.jpg", _jpeg_with_gps(), "image/jpeg"))]
    )

    assert response.status_code == 303
    [photo] = _photos_of(db, "东风路夜间施工噪音扰民")
    assert photo.content_type == "image/jpeg"
    assert photo.size == len(photo.data)
    assert b"Exif" not in photo.data
    assert b"PhoneMaker" not in photo.data
    stored = Image.open(io.BytesIO(photo.data))
    assert stored.format == "JPEG" and stored.size == (64, 48)
    assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert len(stored.getexif()) == 0


def test_a_png_is_stored_without_its_text_chunks(client: TestClient, db: Session) -> None:
    info = PngInfo()
    info.add_text("Comment", "拍摄地点 34.7N 113.6E")
    image, out = Image.new("RGB", (20, 20), "blue"), io.BytesIO()
    image.save(out, "PNG", pnginfo=info)

    response = _post_letter(client, files=[("photos", ("a.png", out.getvalue(), "image/png"))])

    assert response.status_code == 303
    [photo] = _photos_of(db, "东风路夜间施工噪音扰民")
    assert photo.content_type == "image/png"
    assert b"tEXt" not in photo.data and "拍摄地点".encode() not in photo.data


def test_the_handling_unit_can_open_the_photo(
    client: TestClient, db: Session, browser_for: Browser, leader: User, staff: User
) -> None:
    _post_letter(client, files=[("photos", ("工地.jpg", _jpeg_with_gps(), "image/jpeg"))])
    [letter] = _letters_with_subject(db, "东风路夜间施工噪音扰民")
    from engagement.audit import Actor
    from feedback.mailbox import service

    service.assign_letter(db, Actor(leader), number=letter.number, department="housing")
    db.flush()
    [photo] = _photos_of(db, "东风路夜间施工噪音扰民")

    response = browser_for("staff1").get(f"/staff/letters/{letter.number}/photos/{photo.id}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.content == photo.data


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            ("账单.jpg", "这不是图片，只是一段文字。".encode() * 10, "image/jpeg"),
            "照片仅支持JPEG和PNG格式。",
        ),
        (
            ("a.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
            "照片仅支持JPEG和PNG格式。",
        ),
        (
            ("big.jpg", b"\xff\xd8\xff\xe0" + b"\0" * (6 * 1024 * 1024), "image/jpeg"),
            "每张照片不能超过5MB。",
        ),
    ],
    ids=["text-renamed-jpg", "gif", "six-megabytes"],
)
def test_bad_photos_are_refused_with_a_message(
    client: TestClient, db: Session, upload: tuple[str, bytes, str], message: str
) -> None:
    before = letters.letter_count(db)

    response = _post_letter(client, files=[("photos", upload)])

    assert response.status_code == 422
    assert text_of(response.text, "f-photos-error") == message
    assert letters.letter_count(db) == before


def test_more_than_three_photos_are_refused(client: TestClient, db: Session) -> None:
    photo = _jpeg_with_gps()
    before = letters.letter_count(db)

    response = _post_letter(
        client, files=[("photos", (f"{n}.jpg", photo, "image/jpeg")) for n in range(4)]
    )

    assert response.status_code == 422
    assert text_of(response.text, "f-photos-error") == "最多可上传3张照片。"
    assert letters.letter_count(db) == before


# --- tracking and rating -----------------------------------------------------------------------


def _track_page(client: TestClient, made: letters.Made) -> str:
    response = client.get("/mailbox/track", params={"number": made.number, "code": made.code})
    assert response.status_code == 200, response.text
    return response.text


def test_tracking_shows_status_and_timeline_but_no_rating_before_a_reply(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    made = letters.assigned(db, leader)

    page = _track_page(client, made)

    assert "办理中" in page
    assert "收到来信" in page and "交由县住房和城乡建设局办理" in page
    assert forms_posting_to(page, "/mailbox/track/rating") == 0


def test_a_wrong_code_shows_a_message_and_nothing_of_the_letter(
    client: TestClient, db: Session
) -> None:
    made = letters.letter(db, subject="不应被别人看到的标题")

    response = client.get("/mailbox/track", params={"number": made.number, "code": "WRONGCOD"})

    assert response.status_code == 404
    assert "没有与该信件编号和查询码相符的信件。" in response.text
    assert "不应被别人看到的标题" not in response.text


def test_the_rating_form_closes_the_letter(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    made = letters.replied(db, leader, staff, reply="您好，工地已停止夜间施工。")
    page = _track_page(client, made)
    assert "已答复" in page and "您好，工地已停止夜间施工。" in page
    assert forms_posting_to(page, "/mailbox/track/rating") == 1

    response = client.post(
        "/mailbox/track/rating",
        data={
            "csrf_token": hidden_value(page, "csrf_token"),
            "number": hidden_value(page, "number"),
            "code": hidden_value(page, "code"),
            "satisfaction": "satisfied",
            "comment": "很满意",
        },
        follow_redirects=False,
    )

    assert response.status_code == 200  # shown at once: a redirect would carry the code
    after = response.text
    assert "谢谢，您的评价已记录。" in after
    assert "已办结" in after and "来信人已评价" in after
    assert forms_posting_to(after, "/mailbox/track/rating") == 0
    assert letters.stored(db, made.number).status.value == "closed"


def test_rating_without_csrf_is_refused(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    made = letters.replied(db, leader, staff)
    _track_page(client, made)

    response = client.post(
        "/mailbox/track/rating",
        data={"number": made.number, "code": made.code, "satisfaction": "satisfied"},
    )

    assert response.status_code == 403
    assert letters.stored(db, made.number).status.value == "replied"


def test_the_track_page_shows_a_rejection_reason(
    client: TestClient, db: Session, leader: User
) -> None:
    from engagement.audit import Actor
    from feedback.mailbox import service

    made = letters.letter(db)
    service.reject_letter(db, Actor(leader), number=made.number, reason="该事项已进入诉讼程序")
    db.flush()

    page = _track_page(client, made)

    assert "不予受理" in page and "该事项已进入诉讼程序" in page


# --- public letters ----------------------------------------------------------------------------


def test_the_public_list_shows_published_letters_masked(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    shown = letters.published(
        db,
        leader,
        staff,
        subject="路灯问题",
        body="我叫孙志强，电话13612345678，身份证410102199003071234，路灯坏了很久。",
        name="孙志强",
        reply="孙志强您好，路灯已修复。",
    )
    hidden = letters.replied(db, leader, staff, subject="尚未批准公开的来信")

    page = client.get("/mailbox/letters")

    assert page.status_code == 200
    assert f"letter-{shown.number}" in page.text
    assert "路灯坏了很久" in page.text and "路灯已修复" in page.text
    assert hidden.number not in page.text and "尚未批准公开的来信" not in page.text
    for secret in ["孙志强", "13612345678", "410102199003071234"]:
        assert secret not in page.text
    detail = client.get(f"/mailbox/letters/{shown.number}")
    assert detail.status_code == 200
    assert "路灯坏了很久" in detail.text
    for secret in ["孙志强", "13612345678", "410102199003071234"]:
        assert secret not in detail.text
    assert client.get(f"/mailbox/letters/{hidden.number}").status_code == 404


def test_filtering_the_public_list_over_htmx_sends_only_the_results(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    letters.published(db, leader, staff, category="help", subject="求助的来信")
    letters.published(db, leader, staff, category="complaint", subject="投诉的来信")

    response = client.get(
        "/mailbox/letters", params={"category": "help"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "求助的来信" in response.text and "投诉的来信" not in response.text
    assert "<html" not in response.text


# --- the staff queue ---------------------------------------------------------------------------


def test_the_queue_needs_a_signed_in_user(client: TestClient) -> None:
    response = client.get("/staff/letters", follow_redirects=False)

    assert response.status_code == 303
    assert "/login" in response.headers["location"]


def test_the_queue_shows_only_the_units_letters_and_the_tabs(
    db: Session, browser_for: Browser, leader: User, staff: User, other_staff: User
) -> None:
    ours = letters.assigned(db, leader, subject="住建局的来信")
    theirs = letters.assigned(db, leader, unit="transport", subject="交通局的来信")
    new = letters.letter(db, subject="尚未交办的来信")

    page = browser_for("staff1").get("/staff/letters").text

    assert ours.number in page and "住建局的来信" in page
    assert theirs.number not in page and "交通局的来信" not in page
    assert new.number not in page
    for tab in ["all", "new", "in_progress", "due_soon", "overdue", "reopened", "replied"]:
        assert f"/staff/letters?queue={tab}" in page
    for label in ["全部", "新来信", "即将到期", "超期", "重新办理"]:
        assert label in page
    leader_page = browser_for("leader1").get("/staff/letters").text
    assert all(m.number in leader_page for m in (ours, theirs, new))


def test_the_overdue_tab_lists_late_letters_in_red(
    db: Session, browser_for: Browser, leader: User, staff: User
) -> None:
    from datetime import timedelta

    from engagement.timeutil import utcnow

    late = letters.assigned(db, leader, subject="超期的来信")
    letters.stored(db, late.number).reply_due_at = utcnow() - timedelta(hours=3)
    on_time = letters.assigned(db, leader, subject="按期的来信")
    db.flush()

    page = browser_for("staff1").get("/staff/letters", params={"queue": "overdue"}).text

    assert late.number in page and on_time.number not in page
    assert "urgency-overdue" in page


# --- the staff letter page: actions, timeline, audit -------------------------------------------


def _act(browser: TestClient, number: str, action: str, **data: str):
    token = hidden_value(browser.get(f"/staff/letters/{number}").text, "csrf_token")
    return browser.post(
        f"/staff/letters/{number}/{action}",
        data={"csrf_token": token, **data},
        follow_redirects=False,
    )


def test_assign_reply_note_and_publish_through_the_forms(
    db: Session, browser_for: Browser, leader: User, staff: User
) -> None:
    made = letters.letter(db)
    as_leader, as_staff = browser_for("leader1"), browser_for("staff1")

    page = as_leader.get(f"/staff/letters/{made.number}").text
    assert forms_posting_to(page, f"/staff/letters/{made.number}/assign") == 1
    assert forms_posting_to(page, f"/staff/letters/{made.number}/reply") == 0  # not the leader's

    assert (
        _act(as_leader, made.number, "assign", department="housing", note="请尽快核实").status_code
        == 303
    )
    page = as_staff.get(f"/staff/letters/{made.number}").text
    assert forms_posting_to(page, f"/staff/letters/{made.number}/reply") == 1
    response = _act(
        as_staff, made.number, "reply", body="您好，已责令工地夜间停工。", public="true"
    )
    assert response.status_code == 303
    assert _act(as_staff, made.number, "note", text="已电话回访来信人").status_code == 303
    assert _act(as_leader, made.number, "publish").status_code == 303

    letter = letters.stored(db, made.number)
    assert (letter.status.value, letter.published, letter.department.slug) == (
        "replied",
        True,
        "housing",
    )
    timeline = as_leader.get(f"/staff/letters/{made.number}").text
    for line in [
        "交由县住房和城乡建设局办理",
        "县住房和城乡建设局已答复",
        "批准公开",
        "已电话回访来信人",
        "请尽快核实",
    ]:
        assert line in timeline
    for action, actor in [
        ("letter.assign", leader),
        ("letter.reply", staff),
        ("letter.note", staff),
        ("letter.publish", leader),
    ]:
        [event] = _audit(db, action, made.number)
        assert (event.actor_id, event.actor_name) == (actor.id, actor.username)
        assert event.object_type == "letter"
        assert event.client_ip == "testclient"


def test_internal_notes_never_reach_the_writer(
    client: TestClient, db: Session, browser_for: Browser, leader: User, staff: User
) -> None:
    made = letters.assigned(db, leader)
    assert (
        _act(
            browser_for("staff1"), made.number, "note", text="来信人情绪激动，注意方式"
        ).status_code
        == 303
    )

    page = _track_page(client, made)
    api = client.get(f"/api/v1/letters/{made.number}", params={"code": made.code}).text

    assert "来信人情绪激动" not in page and "来信人情绪激动" not in api
    assert "内部备注" not in page


def test_rejecting_through_the_form_with_another_reason(
    client: TestClient, db: Session, browser_for: Browser, leader: User
) -> None:
    made = letters.letter(db)

    response = _act(
        browser_for("leader1"), made.number, "reject", reason="other", other="重复来信，已在办理"
    )

    assert response.status_code == 303
    letter = letters.stored(db, made.number)
    assert (letter.status.value, letter.rejection_reason) == ("rejected", "重复来信，已在办理")
    [event] = _audit(db, "letter.reject", made.number)
    assert event.actor_name == "leader1" and event.client_ip == "testclient"
    assert "重复来信，已在办理" in _track_page(client, made)
    staff_page = browser_for("leader1").get(f"/staff/letters/{made.number}").text
    assert "不予受理" in staff_page and "重复来信，已在办理" in staff_page


def test_a_refused_action_shows_the_letter_again_with_the_reason(
    db: Session, browser_for: Browser, leader: User, staff: User
) -> None:
    made = letters.assigned(db, leader)

    response = _act(browser_for("staff1"), made.number, "reply", body="短")

    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert letters.stored(db, made.number).status.value == "assigned"
    assert _audit(db, "letter.reply", made.number) == []


def test_a_staff_action_without_csrf_changes_nothing(
    db: Session, browser_for: Browser, leader: User, staff: User
) -> None:
    made = letters.assigned(db, leader)
    browser = browser_for("staff1")

    response = browser.post(
        f"/staff/letters/{made.number}/reply", data={"body": "没有令牌的答复内容"}
    )

    assert response.status_code == 403
    assert letters.stored(db, made.number).status.value == "assigned"


def test_another_units_staff_cannot_open_or_act_on_the_letter(
    db: Session, browser_for: Browser, leader: User, staff: User, other_staff: User
) -> None:
    made = letters.assigned(db, leader, subject="住建局的来信")
    browser = browser_for("staff2")

    page = browser.get(f"/staff/letters/{made.number}")
    token = hidden_value(browser.get("/staff/letters").text, "csrf_token")
    reply = browser.post(
        f"/staff/letters/{made.number}/reply",
        data={"csrf_token": token, "body": "越权的答复内容"},
        follow_redirects=False,
    )

    assert page.status_code == 403 and "住建局的来信" not in page.text
    assert reply.status_code == 403
    assert letters.stored(db, made.number).status.value == "assigned"


def test_a_leader_sees_the_writers_contact_masked_on_the_page(
    db: Session, browser_for: Browser, leader: User, staff: User
) -> None:
    made = letters.assigned(db, leader, name="钱秀英", phone="13598765432")

    as_leader = browser_for("leader1").get(f"/staff/letters/{made.number}").text
    as_staff = browser_for("staff1").get(f"/staff/letters/{made.number}").text

    assert "13598765432" not in as_leader and "钱秀英" not in as_leader
    assert "13598765432" in as_staff and "钱秀英" in as_staff


def test_a_reject_form_offered_to_a_leader_works(
    db: Session, browser_for: Browser, leader: User, staff: User
) -> None:
    made = letters.assigned(db, leader)
    browser = browser_for("leader1")
    page = browser.get(f"/staff/letters/{made.number}").text
    offered = forms_posting_to(page, f"/staff/letters/{made.number}/reject") == 1

    response = _act(browser, made.number, "reject", reason="other", other="不属于受理范围")

    assert not offered or response.status_code == 303


def test_a_merge_button_offered_to_a_leader_works(
    db: Session, browser_for: Browser, leader: User, staff: User
) -> None:
    first = letters.assigned(db, leader, subject="同一件事")
    second = letters.assigned(db, leader, subject="同一件事")
    browser = browser_for("leader1")
    page = browser.get(f"/staff/letters/{second.number}").text
    offered = forms_posting_to(page, f"/staff/letters/{second.number}/merge") >= 1

    response = _act(browser, second.number, "merge", into=first.number)

    assert not offered or response.status_code == 303


def test_the_page_only_offers_publishing_when_it_is_allowed(
    db: Session, browser_for: Browser, leader: User, staff: User, housing: Department
) -> None:
    consented = letters.replied(db, leader, staff)
    refused = letters.replied(db, leader, staff, publish_consent=False)
    browser = browser_for("leader1")

    assert (
        forms_posting_to(
            browser.get(f"/staff/letters/{consented.number}").text,
            f"/staff/letters/{consented.number}/publish",
        )
        == 1
    )
    assert (
        forms_posting_to(
            browser.get(f"/staff/letters/{refused.number}").text,
            f"/staff/letters/{refused.number}/publish",
        )
        == 0
    )
    events = db.scalars(select(LetterEvent).where(LetterEvent.kind == "published")).all()
    assert events == []


@pytest.mark.parametrize("who", ["leader1", "staff1"])
def test_staff_pages_have_a_label_for_every_input(
    db: Session, browser_for: Browser, leader: User, staff: User, who: str
) -> None:
    made = letters.assigned(db, leader)
    browser = browser_for(who)

    for path in [f"/staff/letters/{made.number}", "/staff/letters"]:
        page = browser.get(path)
        assert page.status_code == 200
        found, labelled = controls(page.text)
        assert found, path
        for control in found:
            assert control.inside_label or control.attrs.get("id") in labelled, (path, control)


def test_public_pages_have_a_label_for_every_input(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    made = letters.replied(db, leader, staff)

    for path in [f"/mailbox/track?number={made.number}&code={made.code}", "/mailbox/letters"]:
        page = client.get(path)
        assert page.status_code == 200
        found, labelled = controls(page.text)
        assert found, path
        for control in found:
            assert control.inside_label or control.attrs.get("id") in labelled, (path, control)
