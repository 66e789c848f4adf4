"""A letter's life through the JSON API: assign, reply, rate, reopen, reject, and refusals."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.models import User
from tests.feedback import factories as letters
from tests.feedback.factories import Made

Headers = dict[str, dict[str, str]]


def _track(client: TestClient, made: Made) -> dict:
    response = client.get(f"/api/v1/letters/{made.number}", params={"code": made.code})
    assert response.status_code == 200, response.text
    return response.json()


def _act(client: TestClient, headers: dict[str, str], number: str, action: str, **body):
    return client.post(
        f"/api/v1/staff/letters/{number}/{action}", json=body or None, headers=headers
    )


def _rate(client: TestClient, made: Made, satisfaction: str, **extra):
    return client.post(
        f"/api/v1/letters/{made.number}/rating",
        json={"code": made.code, "satisfaction": satisfaction, **extra},
    )


def test_the_whole_life_of_a_letter(client: TestClient, db: Session, tokens: Headers) -> None:
    made = letters.submit_api(client)

    assigned = _act(client, tokens["leader"], made.number, "assign", department="housing")
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["status"] == "assigned"
    assert assigned.json()["department"] == {"slug": "housing", "name": "县住房和城乡建设局"}
    assert assigned.json()["due_at"]
    seen = _track(client, made)
    assert seen["status"] == "assigned"
    assert seen["due_at"] and seen["due_at"] != assigned.json()["submitted_at"]

    replied = _act(
        client, tokens["staff"], made.number, "reply", body="您好，路灯已修复。", public=True
    )
    assert replied.status_code == 200, replied.text
    assert replied.json()["status"] == "replied"
    seen = _track(client, made)
    assert seen["status"] == "replied"
    assert [r["body"] for r in seen["replies"]] == ["您好，路灯已修复。"]

    rated = _rate(client, made, "satisfied", comment="修得很快，谢谢")
    assert rated.status_code == 200, rated.text
    assert rated.json()["status"] == "closed"
    assert rated.json()["satisfaction"] == "satisfied"
    assert rated.json()["number"] == made.number
    assert _track(client, made)["status"] == "closed"
    assert letters.stored(db, made.number).closed_at is not None


def test_basically_satisfied_also_closes(client: TestClient, db: Session, leader, staff) -> None:
    made = letters.replied(db, leader, staff)

    rated = _rate(client, made, "basically_satisfied")

    assert rated.status_code == 200
    assert rated.json()["status"] == "closed"
    assert rated.json()["satisfaction"] == "basically_satisfied"


def test_rating_twice_is_409_and_keeps_the_first_rating(
    client: TestClient, db: Session, leader, staff
) -> None:
    made = letters.replied(db, leader, staff)
    assert _rate(client, made, "satisfied").status_code == 200

    again = _rate(client, made, "unsatisfied")

    assert again.status_code == 409
    assert "detail" in again.json()
    seen = _track(client, made)
    assert (seen["status"], seen["satisfaction"]) == ("closed", "satisfied")


@pytest.mark.parametrize("state", ["submitted", "assigned"])
def test_rating_before_a_reply_is_409(
    client: TestClient, db: Session, leader, staff, state: str
) -> None:
    made = letters.letter(db) if state == "submitted" else letters.assigned(db, leader)

    response = _rate(client, made, "satisfied")

    assert response.status_code == 409
    assert _track(client, made)["status"] == state


def test_rating_with_a_wrong_code_is_404(client: TestClient, db: Session, leader, staff) -> None:
    made = letters.replied(db, leader, staff)

    response = client.post(
        f"/api/v1/letters/{made.number}/rating",
        json={"code": "WRONGCOD", "satisfaction": "satisfied"},
    )

    assert response.status_code == 404
    assert _track(client, made)["status"] == "replied"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"satisfaction": "delighted"}, "satisfaction"),
        ({"satisfaction": None}, "satisfaction"),
        ({"comment": "评" * 1001, "satisfaction": "satisfied"}, "comment"),
    ],
)
def test_a_bad_rating_is_422(
    client: TestClient, db: Session, leader, staff, body: dict, field: str
) -> None:
    made = letters.replied(db, leader, staff)

    response = client.post(
        f"/api/v1/letters/{made.number}/rating", json={"code": made.code, **body}
    )

    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["detail"]] == [field]
    assert _track(client, made)["status"] == "replied"


def test_unsatisfied_reopens_and_a_new_reply_can_be_rated(
    client: TestClient, db: Session, tokens: Headers, leader, staff
) -> None:
    made = letters.replied(db, leader, staff)

    reopened = _rate(client, made, "unsatisfied", comment="灯还是不亮")
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "reopened"
    assert reopened.json()["due_at"]
    assert _rate(client, made, "satisfied").status_code == 409  # nothing new to rate yet

    second = _act(client, tokens["staff"], made.number, "reply", body="已更换灯具，请再看看。")
    assert second.status_code == 200, second.text
    assert second.json()["status"] == "replied"
    assert len(_track(client, made)["replies"]) == 2

    final = _rate(client, made, "satisfied")
    assert final.status_code == 200
    assert final.json()["status"] == "closed"
    assert final.json()["satisfaction"] == "satisfied"


@pytest.mark.parametrize("state", ["submitted", "assigned"])
def test_reject_shows_the_reason_to_the_writer(
    client: TestClient, db: Session, tokens: Headers, leader, state: str
) -> None:
    made = letters.letter(db) if state == "submitted" else letters.assigned(db, leader)
    who = "leader" if state == "submitted" else "staff"
    reason = "该事项属于法院诉讼范围，请通过司法途径解决。"

    response = _act(client, tokens[who], made.number, "reject", reason=reason)

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "rejected"
    seen = _track(client, made)
    assert seen["status"] == "rejected"
    assert reason in str(seen)


def test_a_reject_without_a_reason_is_422(client: TestClient, db: Session, tokens: Headers) -> None:
    made = letters.letter(db)

    for body in [{}, {"reason": ""}, {"reason": "x"}]:
        response = client.post(
            f"/api/v1/staff/letters/{made.number}/reject", json=body, headers=tokens["leader"]
        )
        assert response.status_code == 422
        assert [e["loc"][-1] for e in response.json()["detail"]] == ["reason"]
    assert _track(client, made)["status"] == "submitted"


def test_a_reply_too_short_is_422(client: TestClient, db: Session, tokens: Headers, leader) -> None:
    made = letters.assigned(db, leader)

    response = _act(client, tokens["staff"], made.number, "reply", body="好")

    assert response.status_code == 422
    assert _track(client, made)["status"] == "assigned"


def test_assign_to_an_unknown_unit_is_422_on_department(
    client: TestClient, db: Session, tokens: Headers
) -> None:
    made = letters.letter(db)

    response = _act(client, tokens["leader"], made.number, "assign", department="no-such-unit")

    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["detail"]] == ["department"]
    assert _track(client, made)["status"] == "submitted"


def test_staff_of_the_unit_may_transfer_and_the_new_unit_takes_over(
    client: TestClient, db: Session, tokens: Headers, leader
) -> None:
    made = letters.assigned(db, leader)

    moved = _act(client, tokens["staff"], made.number, "assign", department="transport")

    assert moved.status_code == 200, moved.text
    assert moved.json()["department"]["slug"] == "transport"
    assert moved.json()["status"] == "assigned"
    assert (
        _act(client, tokens["staff"], made.number, "reply", body="我局已处理完毕。").status_code
        == 403
    )
    reply = _act(client, tokens["other_staff"], made.number, "reply", body="我局已处理完毕。")
    assert reply.status_code == 200


# --- transitions the contract does not have ----------------------------------------------------

Setup = Callable[[Session, User, User], Made]


def _submitted(db: Session, leader: User, staff: User) -> Made:
    return letters.letter(db)


def _assigned(db: Session, leader: User, staff: User) -> Made:
    return letters.assigned(db, leader)


def _replied(db: Session, leader: User, staff: User) -> Made:
    return letters.replied(db, leader, staff)


def _replied_no_public_reply(db: Session, leader: User, staff: User) -> Made:
    return letters.replied(db, leader, staff, public=False)


def _replied_no_consent(db: Session, leader: User, staff: User) -> Made:
    return letters.replied(db, leader, staff, publish_consent=False)


def _closed(db: Session, leader: User, staff: User) -> Made:
    from feedback.mailbox import service
    from feedback.mailbox.models import Satisfaction

    made = letters.replied(db, leader, staff)
    service.rate_letter(db, number=made.number, code=made.code, satisfaction=Satisfaction.satisfied)
    db.flush()
    return made


def _rejected(db: Session, leader: User, staff: User) -> Made:
    from engagement.audit import Actor
    from feedback.mailbox import service

    made = letters.letter(db)
    service.reject_letter(db, Actor(leader), number=made.number, reason="广告内容，不予受理")
    db.flush()
    return made


@pytest.mark.parametrize(
    ("setup", "state", "who", "action", "body"),
    [
        (_submitted, "submitted", "admin", "reply", {"body": "先答复一下试试"}),
        (_submitted, "submitted", "leader", "publish", None),
        (_assigned, "assigned", "leader", "publish", None),
        (_replied, "replied", "staff", "reject", {"reason": "不予受理的理由"}),
        (_replied, "replied", "admin", "reply", {"body": "再答复一次看看"}),
        (_replied, "replied", "leader", "assign", {"department": "transport"}),
        (_closed, "closed", "leader", "assign", {"department": "transport"}),
        (_closed, "closed", "admin", "reply", {"body": "已经办结了还答复"}),
        (_closed, "closed", "admin", "reject", {"reason": "不予受理的理由"}),
        (_rejected, "rejected", "leader", "assign", {"department": "housing"}),
        (_rejected, "rejected", "admin", "reject", {"reason": "再次不予受理"}),
        (_rejected, "rejected", "leader", "publish", None),
        (_replied_no_consent, "replied", "leader", "publish", None),
        (_replied_no_public_reply, "replied", "leader", "publish", None),
    ],
    ids=[
        "reply-submitted",
        "publish-submitted",
        "publish-assigned",
        "reject-replied",
        "reply-replied",
        "assign-replied",
        "assign-closed",
        "reply-closed",
        "reject-closed",
        "assign-rejected",
        "reject-rejected",
        "publish-rejected",
        "publish-without-consent",
        "publish-without-public-reply",
    ],
)
def test_actions_the_state_does_not_allow_are_409_and_change_nothing(
    client: TestClient,
    db: Session,
    tokens: Headers,
    leader: User,
    staff: User,
    setup: Setup,
    state: str,
    who: str,
    action: str,
    body: dict | None,
) -> None:
    made = setup(db, leader, staff)
    before = _track(client, made)

    response = _act(client, tokens[who], made.number, action, **(body or {}))

    assert response.status_code == 409, response.text
    assert isinstance(response.json()["detail"], str)
    after = _track(client, made)
    assert after == before
    assert after["status"] == state
    assert letters.stored(db, made.number).published is False


def test_rating_a_rejected_letter_is_409(client: TestClient, db: Session, leader, staff) -> None:
    made = _rejected(db, leader, staff)

    assert _rate(client, made, "satisfied").status_code == 409


def test_staff_actions_on_an_unknown_letter_are_404(client: TestClient, tokens: Headers) -> None:
    for action, body in [
        ("assign", {"department": "housing"}),
        ("reply", {"body": "答复内容足够长"}),
        ("reject", {"reason": "理由"}),
        ("publish", None),
    ]:
        response = _act(client, tokens["admin"], "20260101999999", action, **(body or {}))
        assert response.status_code == 404, action
    assert (
        client.get("/api/v1/staff/letters/20260101999999", headers=tokens["admin"]).status_code
        == 404
    )
