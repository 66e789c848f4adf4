"""What a person sees after a consultation's period and after each action on it: a closed draft
offers nothing more to do and says why, the report's figures add up, and every clerk's action is
confirmed at its place."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement import i18n
from engagement.models import Department, User
from feedback.consultations.models import CommentStatus
from tests.conftest import csrf_from
from tests.feedback.consultations.conftest import close, zh
from tests.feedback.consultations.test_pages import (
    OPINION,
    Browser,
    comments_in,
    moderate,
    new_consultation,
    post_comment,
    publish,
)
from tests.surveys.page_reading import notice_at, parse

OTHER = "总体上支持出台本办法，希望加强执法检查。"
SPAM = "广告：优惠办理各类证件，请加微信。"


def forms_posting_to(page: str, pattern: str) -> list[str]:
    """The actions of the forms on the page whose address matches `pattern`."""
    actions = [n.attrs.get("action", "") for n in parse(page).find_all(lambda n: n.tag == "form")]
    return [a for a in actions if re.search(pattern, a)]


def staff_post(clerk: TestClient, consultation_id: int, path: str, **data: Any) -> Any:
    token = csrf_from(clerk, f"/staff/consultations/{consultation_id}")
    return clerk.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


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
    clerk.get(f"/staff/consultations/{consultation_id}")  # reads the notices of saving, publishing
    return consultation_id


@pytest.fixture
def commented(clerk: TestClient, citizen: TestClient, db: Session, open_consultation: int) -> int:
    """Three comments online: two approved (one agreed with), one rejected; then closed."""
    post_comment(citizen, open_consultation, OPINION, section="2")
    post_comment(citizen, open_consultation, OTHER)
    post_comment(citizen, open_consultation, SPAM)
    first, second, spam = comments_in(db, open_consultation)
    moderate(clerk, open_consultation, first.id, decision="approve")
    moderate(clerk, open_consultation, second.id, decision="approve")
    moderate(clerk, open_consultation, spam.id, decision="reject", reason="广告信息")
    return open_consultation


def report(clerk: TestClient, db: Session, consultation_id: int, **extra: str) -> Any:
    first, second, _spam = comments_in(db, consultation_id)
    fields = {
        "summary": "共收到网上意见三条，公开两条，采纳一条，未采纳一条。",
        f"decision-{first.id}": "adopted",
        f"reason-{first.id}": "已在第一条增加海绵城市建设要求。",
        f"decision-{second.id}": "not_adopted",
        f"reason-{second.id}": "执法检查另行规定。",
        "channel-phone": "2",
    }
    path = f"/staff/consultations/{consultation_id}/report"
    return staff_post(clerk, consultation_id, path, **(fields | extra))


# --- a closed consultation -----------------------------------------------------------------------


def test_a_closed_consultation_offers_no_agreeing_or_commenting_and_says_it_is_closed(
    citizen: TestClient, db: Session, commented: int, housing: Department
) -> None:
    open_page = citizen.get(f"/consultations/{commented}").text
    token = csrf_from(citizen, f"/consultations/{commented}")
    first = comments_in(db, commented)[0]
    close(db, commented)

    page = citizen.get(f"/consultations/{commented}").text
    late_agree = citizen.post(  # from a page kept open since
        f"/consultations/comments/{first.id}/agree",
        data={"csrf_token": token},
        follow_redirects=False,
    )

    assert forms_posting_to(open_page, r"/agree$")  # while open, one may agree
    assert forms_posting_to(page, r"/agree$") == []
    assert forms_posting_to(page, r"/comments$") == []
    closed = parse(page).by_id("consultation-closed")
    assert closed is not None
    assert closed.text().startswith(zh("This consultation is closed"))
    assert (
        zh(
            "%(unit)s is considering the opinions received; how they were used will be "
            "published on this page.",
            unit=housing.name,
        )
        in closed.text()
    )
    assert late_agree.status_code == 409
    db.expire_all()
    assert comments_in(db, commented)[0].agree_count == 0
    # The approved opinions stay readable, with how many agreed.
    assert "海绵城市" in page


def test_a_reported_consultation_points_to_its_outcome(
    clerk: TestClient, citizen: TestClient, db: Session, commented: int
) -> None:
    close(db, commented)
    report(clerk, db, commented)

    page = citizen.get(f"/consultations/{commented}").text
    closed = parse(page).by_id("consultation-closed")

    assert closed is not None
    assert zh("The results of the consultation are published below.") in closed.text()
    assert 'href="#report"' in page
    assert forms_posting_to(page, r"/(agree|comments)$") == []


# --- the adoption report -------------------------------------------------------------------------


def test_the_report_counts_the_online_comments_beside_the_decisions(
    clerk: TestClient, citizen: TestClient, db: Session, commented: int
) -> None:
    close(db, commented)
    report(clerk, db, commented)

    page = citizen.get(f"/consultations/{commented}").text
    figures = parse(page).by_id("report-figures")
    assert figures is not None
    items = {
        dt.text(): dd.text()
        for dt, dd in zip(
            figures.find_all(lambda n: n.tag == "dt"),
            figures.find_all(lambda n: n.tag == "dd"),
            strict=True,
        )
    }

    # Adopted, partly and not adopted add up to the comments published after review.
    assert items == {
        zh("Comments received online"): "3",
        zh("Published after review"): "2",
        zh("Not published"): "1",
        zh("Adopted"): "1",
        zh("Partly adopted"): "0",
        zh("Not adopted"): "1",
        zh("Phone"): "2",
    }
    assert ":" not in figures.text()  # no half-width colon in the Chinese figures


def test_the_api_report_has_the_online_counts(
    client: TestClient, clerk: TestClient, db: Session, commented: int
) -> None:
    close(db, commented)
    report(clerk, db, commented)

    body = client.get(f"/api/v1/consultations/{commented}").json()["report"]

    assert body["online_comments"] == 3
    assert body["published_comments"] == 2
    assert body["decision_counts"] == {"adopted": 1, "partially_adopted": 0, "not_adopted": 1}
    assert sum(body["decision_counts"].values()) == body["published_comments"]
    assert len(body["dispositions"]) == 2  # the contract's fields stay


def test_publishing_the_report_is_confirmed_at_the_report(
    clerk: TestClient, citizen: TestClient, db: Session, commented: int
) -> None:
    close(db, commented)

    published = report(clerk, db, commented)
    page = clerk.get(published.headers["location"]).text

    assert published.headers["location"] == f"/consultations/{commented}#report"
    assert notice_at(page, "report") == zh("The adoption report is published.")


def test_report_errors_show_at_the_report_form(
    clerk: TestClient, db: Session, commented: int
) -> None:
    close(db, commented)

    bad = report(clerk, db, commented, summary="短")
    form = parse(bad.text).by_id("report-form")

    assert bad.status_code == 422
    assert form is not None and form.attrs["action"].endswith("#report-form")
    (alert,) = form.find_all(lambda n: n.attrs.get("role") == "alert")
    assert zh("Write a summary of the opinions received.") in alert.text()
    # What was chosen and written is kept, not lost with the error.
    assert "已在第一条增加海绵城市建设要求。" in bad.text


# --- the clerk's other actions -------------------------------------------------------------------


def test_publishing_is_confirmed_at_the_status(clerk: TestClient) -> None:
    consultation_id = new_consultation(clerk)

    published = staff_post(
        clerk, consultation_id, f"/staff/consultations/{consultation_id}/publish"
    )
    page = clerk.get(published.headers["location"]).text

    assert published.headers["location"] == (
        f"/staff/consultations/{consultation_id}#consultation-status"
    )
    assert notice_at(page, "consultation-status") == zh(
        "The consultation is published and open for comment."
    )


def test_saving_a_new_draft_is_confirmed(clerk: TestClient) -> None:
    consultation_id = new_consultation(clerk)  # saves, without following the redirect

    page = clerk.get(f"/staff/consultations/{consultation_id}").text

    assert notice_at(page, "consultation-status") == zh(
        "The draft is saved. Publish it when it is ready."
    )


@pytest.mark.parametrize("htmx", [False, True], ids=["plain form", "htmx"])
def test_moderating_is_confirmed_where_the_comment_was(
    clerk: TestClient, citizen: TestClient, db: Session, open_consultation: int, htmx: bool
) -> None:
    post_comment(citizen, open_consultation, OPINION)
    (pending,) = comments_in(db, open_consultation)

    token = csrf_from(clerk, f"/staff/consultations/{open_consultation}")
    done = clerk.post(
        f"/staff/comments/{pending.id}/moderate",
        data={"csrf_token": token, "decision": "approve"},
        headers={"HX-Request": "true"} if htmx else {},
        follow_redirects=False,
    )

    if htmx:
        assert "engagement:announce" in done.headers["HX-Trigger"]
        swapped = parse(done.text).by_id(f"mod-{pending.id}")
        assert swapped is not None
        assert zh("Comment %(n)s is approved and shown on the public page.", n=pending.id) in (
            swapped.text()
        )
    else:
        page = clerk.get(done.headers["location"]).text
        assert done.headers["location"].endswith("#comments")
        assert notice_at(page, "comments") == zh(
            "Comment %(n)s is approved and shown on the public page.", n=pending.id
        )


def test_approving_several_comments_is_confirmed(
    clerk: TestClient, citizen: TestClient, db: Session, open_consultation: int
) -> None:
    post_comment(citizen, open_consultation, OPINION)
    post_comment(citizen, open_consultation, OTHER)
    ids = [c.id for c in comments_in(db, open_consultation)]

    done = staff_post(
        clerk,
        open_consultation,
        f"/staff/consultations/{open_consultation}/comments/approve",
        comment=[str(i) for i in ids],
    )
    page = clerk.get(done.headers["location"]).text

    approved = i18n.translations("zh").ngettext(
        "%(num)s comment approved.", "%(num)s comments approved.", 2
    )
    assert notice_at(page, "comments") == approved % {"num": 2}


def test_a_missing_attachment_is_said_at_the_upload_form(
    clerk: TestClient, open_consultation: int
) -> None:
    token = csrf_from(clerk, f"/staff/consultations/{open_consultation}")

    bad = clerk.post(
        f"/staff/consultations/{open_consultation}/attachments",
        data={"csrf_token": token},
        files={"attachment": ("", b"", "application/octet-stream")},
    )
    form = parse(bad.text).by_id("attachments")

    assert bad.status_code == 422
    assert form is not None
    (alert,) = form.find_all(lambda n: n.attrs.get("role") == "alert")
    assert alert.text() == zh("Choose a file.")


def test_a_sensitive_word_added_or_removed_is_confirmed(browser_for: Browser, admin: User) -> None:
    manager = browser_for(admin.username)
    token = csrf_from(manager, "/staff/sensitive-words")

    added = manager.post(
        "/staff/sensitive-words",
        data={"csrf_token": token, "word": "代办证件"},
        follow_redirects=False,
    )
    page = manager.get(added.headers["location"]).text
    (remove,) = forms_posting_to(page, r"/staff/sensitive-words/\d+/delete#sensitive-words$")
    removed = manager.post(remove, data={"csrf_token": token}, follow_redirects=False)

    assert notice_at(page, "sensitive-words") == zh("“%(word)s” is added.", word="代办证件")
    assert notice_at(manager.get(removed.headers["location"]).text, "sensitive-words") == zh(
        "“%(word)s” is removed.", word="代办证件"
    )


@pytest.mark.parametrize("htmx", [False, True], ids=["plain form", "htmx"])
def test_rejecting_without_a_reason_is_said_at_the_comment(
    clerk: TestClient, citizen: TestClient, db: Session, open_consultation: int, htmx: bool
) -> None:
    post_comment(citizen, open_consultation, OPINION)
    (pending,) = comments_in(db, open_consultation)
    token = csrf_from(clerk, f"/staff/consultations/{open_consultation}")

    refused = clerk.post(
        f"/staff/comments/{pending.id}/moderate",
        data={"csrf_token": token, "decision": "reject", "reason": " "},
        headers={"HX-Request": "true"} if htmx else {},
        follow_redirects=False,
    )
    comment = parse(refused.text).by_id(f"mod-{pending.id}")

    # htmx swaps only a 2xx answer: the comment comes back in place with its error.
    assert refused.status_code == (200 if htmx else 422)
    assert comment is not None
    (alert,) = comment.find_all(lambda n: n.attrs.get("role") == "alert")
    assert alert.text() == zh("Give the reason for rejecting the comment.")
    (reason,) = comment.find_all(lambda n: n.attrs.get("name") == "reason")
    assert reason.attrs.get("aria-invalid") == "true"
    assert "autofocus" in reason.attrs  # the page opens at the field to fill in
    db.expire_all()
    assert comments_in(db, open_consultation)[0].status == CommentStatus.pending
