"""The consultations' JSON API as the contract (§5, Consultations) describes it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.models import User
from engagement.timeutil import utcnow
from tests.conftest import bearer
from tests.feedback.consultations.conftest import (
    audit_actions,
    close,
    comment,
    consultation_body,
    create,
    create_open,
    error_fields,
    iso,
    moderate,
)

API = "/api/v1"

# --- creating ------------------------------------------------------------------------------------


def test_staff_creates_a_draft(client: TestClient, staff_auth: dict[str, str]) -> None:
    response = client.post(
        f"{API}/staff/consultations", json=consultation_body(), headers=staff_auth
    )

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft"
    assert isinstance(body["id"], int)
    # A draft is not public yet.
    assert client.get(f"{API}/consultations/{body['id']}").status_code == 404
    assert client.get(f"{API}/consultations").json()["total"] == 0


def test_creating_needs_a_token(client: TestClient, staff: User) -> None:
    assert client.post(f"{API}/staff/consultations", json=consultation_body()).status_code == 401


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"summary": ""}, "summary"),
        ({"sections": []}, "sections"),
        ({"opens_at": "not a time"}, "opens_at"),
        ({"closes_at": "2030-01-01T00:00:00"}, "closes_at"),  # no offset
        ({"kind": "law"}, "kind"),
    ],
)
def test_a_bad_field_is_named_in_the_422(
    client: TestClient, staff_auth: dict[str, str], overrides: dict[str, object], field: str
) -> None:
    response = client.post(
        f"{API}/staff/consultations", json=consultation_body(**overrides), headers=staff_auth
    )

    assert error_fields(response) == [field]


def test_every_bad_field_gets_its_own_entry(client: TestClient, staff_auth: dict[str, str]) -> None:
    response = client.post(
        f"{API}/staff/consultations",
        json=consultation_body(title="", summary="", sections=[]),
        headers=staff_auth,
    )

    assert sorted(error_fields(response)) == ["sections", "summary", "title"]


def test_closing_before_opening_is_refused_on_closes_at(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    now = utcnow()
    response = client.post(
        f"{API}/staff/consultations",
        json=consultation_body(opens_at=iso(now + timedelta(days=2)), closes_at=iso(now)),
        headers=staff_auth,
    )

    assert error_fields(response) == ["closes_at"]


@pytest.mark.parametrize("kind", ["regulation_draft", "major_decision"])
def test_regulations_below_30_days_need_a_reason(
    client: TestClient, staff_auth: dict[str, str], kind: str
) -> None:
    now = utcnow()
    period = {"opens_at": iso(now), "closes_at": iso(now + timedelta(days=29, hours=23))}

    refused = client.post(
        f"{API}/staff/consultations",
        json=consultation_body(kind=kind, **period),
        headers=staff_auth,
    )
    blank_reason = client.post(
        f"{API}/staff/consultations",
        json=consultation_body(kind=kind, short_period_reason="   ", **period),
        headers=staff_auth,
    )
    accepted = client.post(
        f"{API}/staff/consultations",
        json=consultation_body(
            kind=kind, short_period_reason="上级要求限期出台，时间紧迫。", **period
        ),
        headers=staff_auth,
    )
    thirty_days = client.post(
        f"{API}/staff/consultations",
        json=consultation_body(
            kind=kind, opens_at=iso(now), closes_at=iso(now + timedelta(days=30))
        ),
        headers=staff_auth,
    )

    assert error_fields(refused) == ["short_period_reason"]
    assert error_fields(blank_reason) == ["short_period_reason"]
    assert accepted.status_code == 201, accepted.text
    assert thirty_days.status_code == 201, thirty_days.text


def test_normative_documents_need_7_working_days(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    now = utcnow()
    short = client.post(
        f"{API}/staff/consultations",
        json=consultation_body(
            kind="normative_document", opens_at=iso(now), closes_at=iso(now + timedelta(days=5))
        ),
        headers=staff_auth,
    )
    explained = client.post(
        f"{API}/staff/consultations",
        json=consultation_body(
            kind="normative_document",
            opens_at=iso(now),
            closes_at=iso(now + timedelta(days=5)),
            short_period_reason="涉及紧急民生事项。",
        ),
        headers=staff_auth,
    )
    # Three weeks hold at least 7 working days whatever the holidays.
    long_enough = client.post(
        f"{API}/staff/consultations",
        json=consultation_body(
            kind="normative_document", opens_at=iso(now), closes_at=iso(now + timedelta(days=21))
        ),
        headers=staff_auth,
    )

    assert error_fields(short) == ["short_period_reason"]
    assert explained.status_code == 201
    assert long_enough.status_code == 201


def test_other_kinds_have_no_minimum_period(client: TestClient, staff_auth: dict[str, str]) -> None:
    now = utcnow()
    response = client.post(
        f"{API}/staff/consultations",
        json=consultation_body(opens_at=iso(now), closes_at=iso(now + timedelta(hours=2))),
        headers=staff_auth,
    )

    assert response.status_code == 201, response.text
    consultation_id = response.json()["id"]
    client.post(f"{API}/staff/consultations/{consultation_id}/publish", headers=staff_auth)
    assert client.get(f"{API}/consultations/{consultation_id}").json()["kind"] == "other"


# --- publishing and reading --------------------------------------------------------------------


def test_publishing_opens_it_when_the_opening_time_has_passed(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    consultation_id = create(client, staff_auth)

    response = client.post(
        f"{API}/staff/consultations/{consultation_id}/publish", headers=staff_auth
    )

    assert response.status_code == 200
    assert response.json()["status"] == "open"
    assert client.get(f"{API}/consultations/{consultation_id}").json()["status"] == "open"
    again = client.post(f"{API}/staff/consultations/{consultation_id}/publish", headers=staff_auth)
    assert again.status_code == 409


def test_publishing_schedules_it_while_the_opening_is_ahead(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    now = utcnow()
    consultation_id = create(
        client,
        staff_auth,
        opens_at=iso(now + timedelta(days=3)),
        closes_at=iso(now + timedelta(days=50)),
    )

    response = client.post(
        f"{API}/staff/consultations/{consultation_id}/publish", headers=staff_auth
    )

    assert response.status_code == 200
    assert response.json()["status"] == "scheduled"
    listed = client.get(f"{API}/consultations").json()["items"]
    assert [(c["id"], c["status"]) for c in listed] == [(consultation_id, "scheduled")]


def test_the_public_reads_the_draft_article_by_article(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    consultation_id = create_open(client, staff_auth)

    listing = client.get(f"{API}/consultations")
    detail = client.get(f"{API}/consultations/{consultation_id}")

    assert listing.status_code == 200
    page = listing.json()
    assert (page["total"], page["page"]) == (1, 1)
    assert page["items"][0]["id"] == consultation_id
    assert page["items"][0]["department"] == {"slug": "housing", "name": "县住房和城乡建设局"}
    body = detail.json()
    assert [(s["ordinal"], s["heading"], s["comment_count"]) for s in body["sections"]] == [
        (1, "第一条", 0),
        (2, "第二条", 0),
        (3, "第三条", 0),
    ]
    assert body["sections"][2]["text"].startswith("任何单位和个人不得擅自占用城市绿地")
    assert body["comments"] == []
    assert body["report"] is None
    assert body["opens_at"].endswith("+08:00")  # ISO 8601 with the local offset


def test_an_unknown_consultation_is_404(client: TestClient) -> None:
    assert client.get(f"{API}/consultations/999999").status_code == 404


# --- comments ----------------------------------------------------------------------------------


def test_a_comment_waits_for_moderation(client: TestClient, staff_auth: dict[str, str]) -> None:
    consultation_id = create_open(client, staff_auth)

    response = client.post(
        f"{API}/consultations/{consultation_id}/comments",
        json={"section": 2, "body": "第二条应明确城市规划区的具体范围，避免执行中产生争议。"},
    )

    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    public = client.get(f"{API}/consultations/{consultation_id}").json()
    assert public["comments"] == []
    assert public["sections"][1]["comment_count"] == 0


def test_an_approved_comment_shows_without_its_contact(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    consultation_id = create_open(client, staff_auth)
    comment_id = comment(
        client,
        consultation_id,
        section=1,
        body="我叫张三丰，建议增加社区口袋公园，我的电话13812345678。",
        name="张三丰",
        contact="zhangsanfeng@example.com",
    )
    general_id = comment(client, consultation_id, body="整体赞成，希望尽快出台实施。")

    assert moderate(client, staff_auth, comment_id).status_code == 200
    assert moderate(client, staff_auth, general_id).status_code == 200

    detail = client.get(f"{API}/consultations/{consultation_id}")
    body = detail.json()
    (shown, general) = body["comments"]
    assert (shown["id"], shown["section"]) == (comment_id, 1)
    assert shown["name"] == "张**"
    assert "张三丰" not in shown["body"] and "13812345678" not in shown["body"]
    assert "口袋公园" in shown["body"]
    assert (general["id"], general["section"], general["name"]) == (general_id, None, "")
    assert [s["comment_count"] for s in body["sections"]] == [1, 0, 0]
    for answer in (detail, client.get(f"{API}/consultations")):
        assert "zhangsanfeng" not in answer.text
        assert "contact" not in answer.text


def test_the_commenters_own_number_is_masked_even_where_it_reads_as_a_public_line(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    consultation_id = create_open(client, staff_auth)
    body = "建议多扶持农家乐，我家农家乐对外电话0731-84561234，欢迎来看看。"
    mine = comment(client, consultation_id, body=body, contact="0731-84561234")
    assert moderate(client, staff_auth, mine).status_code == 200

    (shown,) = client.get(f"{API}/consultations/{consultation_id}").json()["comments"]
    assert "84561234" not in shown["body"] and "扶持农家乐" in shown["body"]
    search = client.get("/search", params={"q": "农家乐"}).text
    assert "<mark>农家乐</mark>" in search and "84561234" not in search


def test_a_rejected_comment_never_shows(client: TestClient, staff_auth: dict[str, str]) -> None:
    consultation_id = create_open(client, staff_auth)
    comment_id = comment(client, consultation_id, body="这是一条与本次征求意见无关的广告内容。")

    without_reason = moderate(client, staff_auth, comment_id, "reject")
    rejected = moderate(client, staff_auth, comment_id, "reject", reason="与征求意见内容无关")

    assert error_fields(without_reason) == ["reason"]
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["reason"]) == (
        "rejected",
        "与征求意见内容无关",
    )
    assert client.get(f"{API}/consultations/{consultation_id}").json()["comments"] == []


def test_a_moderation_decision_must_be_approve_or_reject(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    consultation_id = create_open(client, staff_auth)
    comment_id = comment(client, consultation_id)

    assert moderate(client, staff_auth, comment_id, "maybe").status_code == 422
    assert moderate(client, staff_auth, 999999).status_code == 404


def test_a_comment_on_an_article_the_draft_lacks_is_refused(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    consultation_id = create_open(client, staff_auth)

    for ordinal in (0, 4, 99):
        response = client.post(
            f"{API}/consultations/{consultation_id}/comments",
            json={"section": ordinal, "body": "这一条的表述还需要再斟酌一下。"},
        )
        assert error_fields(response) == ["section"], ordinal


@pytest.mark.parametrize("body", ["好", "x" * 2001])
def test_a_comment_body_has_5_to_2000_characters(
    client: TestClient, staff_auth: dict[str, str], body: str
) -> None:
    consultation_id = create_open(client, staff_auth)

    response = client.post(f"{API}/consultations/{consultation_id}/comments", json={"body": body})

    assert error_fields(response) == ["body"]


def test_comments_are_refused_while_scheduled(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    now = utcnow()
    consultation_id = create(
        client,
        staff_auth,
        opens_at=iso(now + timedelta(days=1)),
        closes_at=iso(now + timedelta(days=40)),
    )
    client.post(f"{API}/staff/consultations/{consultation_id}/publish", headers=staff_auth)

    response = client.post(
        f"{API}/consultations/{consultation_id}/comments", json={"body": "征求意见还没开始吗？"}
    )

    assert response.status_code == 409


def test_comments_are_refused_after_closing(
    client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    consultation_id = create_open(client, staff_auth)
    close(db, consultation_id)

    response = client.post(
        f"{API}/consultations/{consultation_id}/comments",
        json={"body": "我来晚了，但还想提个意见。"},
    )

    assert response.status_code == 409
    assert client.get(f"{API}/consultations/{consultation_id}").json()["status"] == "closed"


def test_comments_on_a_draft_answer_404_as_for_no_consultation(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    consultation_id = create(client, staff_auth)

    response = client.post(
        f"{API}/consultations/{consultation_id}/comments", json={"body": "草稿阶段也能提意见吗？"}
    )

    assert response.status_code == 404


def test_staff_list_comments_by_status_with_contact(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    consultation_id = create_open(client, staff_auth)
    first = comment(client, consultation_id, name="李四", contact="13900001111")
    second = comment(client, consultation_id, section=3, body="第三条的审批手续应当公开办理时限。")
    moderate(client, staff_auth, second)

    def listed(status: str | None = None) -> list[dict[str, object]]:
        query = f"?status={status}" if status else ""
        response = client.get(
            f"{API}/staff/consultations/{consultation_id}/comments{query}", headers=staff_auth
        )
        assert response.status_code == 200, response.text
        return response.json()["items"]

    pending = listed("pending")
    assert [(c["id"], c["contact"], c["name"]) for c in pending] == [(first, "13900001111", "李四")]
    assert [(c["id"], c["section"]) for c in listed("approved")] == [(second, 3)]
    assert listed("rejected") == []
    assert [c["id"] for c in listed()] == [first, second]
    bad = client.get(
        f"{API}/staff/consultations/{consultation_id}/comments?status=spam", headers=staff_auth
    )
    assert bad.status_code == 422


# --- the adoption report -------------------------------------------------------------------------


def test_the_report_waits_for_the_closing_time(
    client: TestClient, staff_auth: dict[str, str]
) -> None:
    consultation_id = create_open(client, staff_auth)

    response = client.post(
        f"{API}/staff/consultations/{consultation_id}/report",
        json={"summary": "共收到意见若干条，均已认真研究。", "dispositions": []},
        headers=staff_auth,
    )

    assert response.status_code == 409


def test_every_approved_comment_needs_a_decision(
    client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    consultation_id = create_open(client, staff_auth)
    decided, forgotten = (
        comment(client, consultation_id),
        comment(client, consultation_id, section=1),
    )
    moderate(client, staff_auth, decided)
    moderate(client, staff_auth, forgotten)
    close(db, consultation_id)

    response = client.post(
        f"{API}/staff/consultations/{consultation_id}/report",
        json={
            "summary": "共收到意见两条，已逐条研究。",
            "dispositions": [{"comment_id": decided, "decision": "adopted", "reason": "已采纳。"}],
        },
        headers=staff_auth,
    )

    assert error_fields(response) == ["dispositions"]
    assert str(forgotten) in response.json()["detail"][0]["msg"]
    assert client.get(f"{API}/consultations/{consultation_id}").json()["status"] == "closed"


def test_a_decision_on_a_pending_comment_is_refused(
    client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    consultation_id = create_open(client, staff_auth)
    pending = comment(client, consultation_id)
    close(db, consultation_id)

    response = client.post(
        f"{API}/staff/consultations/{consultation_id}/report",
        json={
            "summary": "共收到意见一条。",
            "dispositions": [{"comment_id": pending, "decision": "adopted", "reason": "采纳。"}],
        },
        headers=staff_auth,
    )

    assert error_fields(response) == ["dispositions"]


def test_the_published_report_answers_each_opinion(
    client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    consultation_id = create_open(client, staff_auth)
    adopted = comment(client, consultation_id, section=1)
    refused = comment(client, consultation_id, section=2, body="建议删除第二条，没有必要单独规定。")
    ignored = comment(client, consultation_id, body="广告广告广告广告广告。")
    moderate(client, staff_auth, adopted)
    moderate(client, staff_auth, refused)
    moderate(client, staff_auth, ignored, "reject", reason="广告")
    close(db, consultation_id)

    response = client.post(
        f"{API}/staff/consultations/{consultation_id}/report",
        json={
            "summary": "征求意见期间共收到有效意见两条，采纳一条。",
            "dispositions": [
                {
                    "comment_id": adopted,
                    "decision": "adopted",
                    "reason": "已在第一条中增加相关表述。",
                },
                {
                    "comment_id": refused,
                    "decision": "not_adopted",
                    "reason": "第二条为适用范围，需保留。",
                },
            ],
            "other_channels": {"phone": 3},
        },
        headers=staff_auth,
    )

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "reported"
    public = client.get(f"{API}/consultations/{consultation_id}").json()
    assert public["status"] == "reported"
    report = public["report"]
    assert report["summary"] == "征求意见期间共收到有效意见两条，采纳一条。"
    assert report["other_channels"] == {"phone": 3}
    assert sorted((d["comment_id"], d["decision"]) for d in report["dispositions"]) == [
        (adopted, "adopted"),
        (refused, "not_adopted"),
    ]
    again = client.post(
        f"{API}/staff/consultations/{consultation_id}/report",
        json={"summary": "再发一次报告。", "dispositions": []},
        headers=staff_auth,
    )
    assert again.status_code == 409
    # Once reported, moderation is over.
    assert moderate(client, staff_auth, ignored).status_code == 409


def test_a_report_on_no_comments_is_allowed(
    client: TestClient, db: Session, staff_auth: dict[str, str]
) -> None:
    consultation_id = create_open(client, staff_auth)
    close(db, consultation_id)

    response = client.post(
        f"{API}/staff/consultations/{consultation_id}/report",
        json={"summary": "征求意见期间未收到意见。", "dispositions": []},
        headers=staff_auth,
    )

    assert response.status_code == 200
    assert response.json()["report"]["dispositions"] == []


# --- permissions and audit -----------------------------------------------------------------------


def test_staff_of_another_unit_may_not_touch_it(
    client: TestClient, staff_auth: dict[str, str], outsider: User
) -> None:
    consultation_id = create(client, staff_auth)
    foreign = bearer(client, outsider.username)

    publish = client.post(f"{API}/staff/consultations/{consultation_id}/publish", headers=foreign)
    assert publish.status_code == 403
    client.post(f"{API}/staff/consultations/{consultation_id}/publish", headers=staff_auth)
    comment_id = comment(client, consultation_id)

    listing = client.get(f"{API}/staff/consultations/{consultation_id}/comments", headers=foreign)
    moderation = moderate(client, foreign, comment_id)

    assert listing.status_code == 403
    assert moderation.status_code == 403


def test_a_leader_reads_comments_but_may_not_moderate(
    client: TestClient, staff_auth: dict[str, str], leader: User
) -> None:
    consultation_id = create_open(client, staff_auth)
    comment_id = comment(client, consultation_id)
    lead = bearer(client, leader.username)

    listing = client.get(f"{API}/staff/consultations/{consultation_id}/comments", headers=lead)
    moderation = moderate(client, lead, comment_id)

    assert listing.status_code == 200
    assert [c["id"] for c in listing.json()["items"]] == [comment_id]
    assert moderation.status_code == 403
    assert client.get(f"{API}/consultations/{consultation_id}").json()["comments"] == []


def test_an_admin_may_moderate_and_create_for_a_unit(
    client: TestClient, staff_auth: dict[str, str], admin: User
) -> None:
    consultation_id = create_open(client, staff_auth)
    comment_id = comment(client, consultation_id)
    root = bearer(client, admin.username)

    moderation = moderate(client, root, comment_id)
    without_unit = client.post(f"{API}/staff/consultations", json=consultation_body(), headers=root)
    with_unit = client.post(
        f"{API}/staff/consultations", json=consultation_body(department="housing"), headers=root
    )

    assert moderation.status_code == 200
    assert moderation.json()["status"] == "approved"
    assert error_fields(without_unit) == ["department"]
    assert with_unit.status_code == 201


def test_create_publish_moderate_and_report_are_audited(
    client: TestClient, db: Session, staff_auth: dict[str, str], staff: User
) -> None:
    consultation_id = create_open(client, staff_auth)
    kept, dropped = comment(client, consultation_id), comment(client, consultation_id)
    moderate(client, staff_auth, kept)
    moderate(client, staff_auth, dropped, "reject", reason="重复提交")
    close(db, consultation_id)
    client.post(
        f"{API}/staff/consultations/{consultation_id}/report",
        json={
            "summary": "共收到意见一条。",
            "dispositions": [
                {"comment_id": kept, "decision": "partially_adopted", "reason": "部分采纳。"}
            ],
        },
        headers=staff_auth,
    )

    assert audit_actions(db, "consultation", consultation_id) == [
        "consultation.create",
        "consultation.publish",
        "consultation.report",
    ]
    assert audit_actions(db, "comment", kept) == ["comment.submit", "comment.approve"]
    assert audit_actions(db, "comment", dropped) == ["comment.submit", "comment.reject"]
