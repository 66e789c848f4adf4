"""Who may do what to a letter, the staff list's scope and filters, and contact details."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.models import User
from tests.feedback import factories as letters

Headers = dict[str, dict[str, str]]
ROLES = ["admin", "leader", "staff", "other_staff", "none", "bad"]

# action -> (the state the letter is put in, request body, expected status per caller).
# "staff" belongs to housing, the unit the letter is assigned to; "other_staff" to transport.
TABLE = {
    "assign": (
        "assigned",
        {"department": "transport"},
        {"admin": 200, "leader": 200, "staff": 200, "other_staff": 403, "none": 401, "bad": 401},
    ),
    "assign-new": (
        "submitted",
        {"department": "housing"},
        {"admin": 200, "leader": 200, "staff": 403, "other_staff": 403, "none": 401, "bad": 401},
    ),
    "reply": (
        "assigned",
        {"body": "您好，问题已经解决。", "public": True},
        {"admin": 200, "leader": 403, "staff": 200, "other_staff": 403, "none": 401, "bad": 401},
    ),
    "reject": (
        "assigned",
        {"reason": "不属于本单位职责范围"},
        {"admin": 200, "staff": 200, "other_staff": 403, "none": 401, "bad": 401},
    ),
    "reject-new": (
        "submitted",
        {"reason": "不属于本单位职责范围"},
        {"admin": 200, "leader": 200, "staff": 403, "other_staff": 403, "none": 401, "bad": 401},
    ),
    "publish": (
        "replied",
        None,
        {"admin": 200, "leader": 200, "staff": 403, "other_staff": 403, "none": 401, "bad": 401},
    ),
    "view": (
        "assigned",
        None,
        {"admin": 200, "leader": 200, "staff": 200, "other_staff": 403, "none": 401, "bad": 401},
    ),
}
CASES = [
    (action, role, status)
    for action, (_state, _body, expected) in TABLE.items()
    for role, status in expected.items()
]
AFTER = {"assign": "assigned", "assign-new": "assigned", "reply": "replied"}
AFTER |= {"reject": "rejected", "reject-new": "rejected"}


def _letter_in(db: Session, state: str, leader: User, staff: User) -> letters.Made:
    if state == "submitted":
        return letters.letter(db)
    if state == "assigned":
        return letters.assigned(db, leader)
    return letters.replied(db, leader, staff)


@pytest.mark.parametrize(("action", "role", "expected"), CASES)
def test_permission_table(
    client: TestClient,
    db: Session,
    tokens: Headers,
    leader: User,
    staff: User,
    action: str,
    role: str,
    expected: int,
) -> None:
    state, body, _ = TABLE[action]
    made = _letter_in(db, state, leader, staff)
    verb = action.split("-")[0]

    if verb == "view":
        response = client.get(f"/api/v1/staff/letters/{made.number}", headers=tokens[role])
    else:
        response = client.post(
            f"/api/v1/staff/letters/{made.number}/{verb}", json=body, headers=tokens[role]
        )

    assert response.status_code == expected, response.text
    assert "detail" in response.json() or expected == 200
    if expected == 401:
        assert response.headers.get("WWW-Authenticate", "").lower().startswith("bearer")
    letter = letters.stored(db, made.number)
    if expected == 200 and verb == "publish":
        assert letter.published
    elif expected == 200 and verb != "view":
        assert response.json()["status"] == AFTER[action]
        assert letter.status.value == AFTER[action]
    else:
        assert letter.status.value == state
        assert not letter.published


def test_the_staff_list_needs_a_token(client: TestClient, tokens: Headers) -> None:
    assert client.get("/api/v1/staff/letters").status_code == 401
    assert client.get("/api/v1/staff/letters", headers=tokens["bad"]).status_code == 401


def test_an_expired_or_forged_token_is_401(client: TestClient, tokens: Headers) -> None:
    forged = tokens["staff"]["Authorization"][:-4] + "AAAA"

    response = client.get("/api/v1/staff/letters", headers={"Authorization": forged})

    assert response.status_code == 401


def test_a_browser_session_cookie_does_not_open_the_staff_api(
    client: TestClient, staff: User
) -> None:
    from tests.conftest import login

    login(client, "staff1")

    assert client.get("/api/v1/staff/letters").status_code == 401


# --- the staff list ----------------------------------------------------------------------------


@pytest.fixture
def spread(db: Session, leader: User, staff: User, other_staff: User) -> dict[str, letters.Made]:
    """Letters across the two units and the unassigned pile."""
    return {
        "new": letters.letter(db),
        "housing-assigned": letters.assigned(db, leader),
        "housing-replied": letters.replied(db, leader, staff),
        "transport-assigned": letters.assigned(db, leader, unit="transport"),
        "transport-replied": letters.replied(db, leader, other_staff, unit="transport"),
    }


def _numbers(client: TestClient, headers: dict[str, str], **params: object) -> set[str]:
    response = client.get("/api/v1/staff/letters", headers=headers, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert {"items", "total", "page"} <= set(body)
    assert body["total"] == len(body["items"])
    return {item["number"] for item in body["items"]}


def test_staff_see_only_their_units_letters(
    client: TestClient, tokens: Headers, spread: dict[str, letters.Made]
) -> None:
    number = {key: made.number for key, made in spread.items()}

    assert _numbers(client, tokens["staff"]) == {
        number["housing-assigned"],
        number["housing-replied"],
    }
    assert _numbers(client, tokens["other_staff"]) == {
        number["transport-assigned"],
        number["transport-replied"],
    }
    assert _numbers(client, tokens["leader"]) == set(number.values())
    assert _numbers(client, tokens["admin"]) == set(number.values())


def test_staff_cannot_widen_their_list_with_a_department_filter(
    client: TestClient, tokens: Headers, spread: dict[str, letters.Made]
) -> None:
    seen = _numbers(client, tokens["staff"], department="transport")

    assert seen == set()


def test_status_filter(
    client: TestClient, tokens: Headers, spread: dict[str, letters.Made]
) -> None:
    assert _numbers(client, tokens["leader"], status="replied") == {
        spread["housing-replied"].number,
        spread["transport-replied"].number,
    }
    assert _numbers(client, tokens["leader"], status="submitted") == {spread["new"].number}
    assert _numbers(client, tokens["staff"], status="replied") == {spread["housing-replied"].number}
    assert _numbers(client, tokens["leader"], status="closed") == set()


def test_an_unknown_status_is_422(client: TestClient, tokens: Headers) -> None:
    response = client.get(
        "/api/v1/staff/letters", headers=tokens["leader"], params={"status": "lost"}
    )

    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["detail"]] == ["status"]


def test_list_items_have_the_contract_fields(
    client: TestClient, tokens: Headers, spread: dict[str, letters.Made]
) -> None:
    body = client.get("/api/v1/staff/letters", headers=tokens["leader"]).json()
    by_number = {item["number"]: item for item in body["items"]}

    for item in body["items"]:
        assert {"number", "status", "department", "due_at", "overdue"} <= set(item)
        assert item["overdue"] is False
    assert by_number[spread["new"].number]["department"] is None
    assert by_number[spread["housing-assigned"].number]["department"] == {
        "slug": "housing",
        "name": "县住房和城乡建设局",
    }
    assert by_number[spread["transport-assigned"].number]["status"] == "assigned"


def test_overdue_filter_returns_only_overdue_letters(
    client: TestClient, db: Session, tokens: Headers, spread: dict[str, letters.Made], leader
) -> None:
    from datetime import timedelta

    from engagement.timeutil import utcnow

    late = letters.assigned(db, leader)
    letters.stored(db, late.number).reply_due_at = utcnow() - timedelta(hours=1)
    late_new = letters.letter(db)
    letters.stored(db, late_new.number).assign_due_at = utcnow() - timedelta(minutes=5)
    db.flush()

    assert _numbers(client, tokens["leader"], overdue="true") == {late.number, late_new.number}
    assert _numbers(client, tokens["staff"], overdue="true") == {late.number}
    assert _numbers(client, tokens["other_staff"], overdue="true") == set()
    items = client.get("/api/v1/staff/letters", headers=tokens["leader"]).json()["items"]
    flags = {i["number"]: i["overdue"] for i in items}
    assert flags[late.number] is True and flags[late_new.number] is True
    assert sum(flags.values()) == 2


def test_paging_of_the_staff_list(
    client: TestClient, tokens: Headers, spread: dict[str, letters.Made]
) -> None:
    pages = [
        client.get(
            "/api/v1/staff/letters", headers=tokens["leader"], params={"page": n, "per_page": 2}
        ).json()
        for n in (1, 2, 3)
    ]

    assert [p["page"] for p in pages] == [1, 2, 3]
    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    assert all(p["total"] == 5 for p in pages)
    assert len({i["number"] for p in pages for i in p["items"]}) == 5
    too_many = client.get(
        "/api/v1/staff/letters", headers=tokens["leader"], params={"per_page": 101}
    )
    assert too_many.status_code == 422


def test_searching_the_staff_list_by_number(
    client: TestClient, tokens: Headers, spread: dict[str, letters.Made]
) -> None:
    number = spread["housing-replied"].number

    assert _numbers(client, tokens["leader"], q=number) == {number}


def test_searching_the_staff_list_with_a_long_digit_string_is_not_500(
    lenient_client: TestClient, tokens: Headers
) -> None:
    response = lenient_client.get(
        "/api/v1/staff/letters", headers=tokens["leader"], params={"q": "2026" + "9" * 40}
    )

    assert response.status_code == 200


# --- contact details ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees_contact"),
    [("admin", True), ("staff", True), ("leader", False)],
)
def test_contact_details_only_for_the_assigned_unit_and_admin(
    client: TestClient,
    db: Session,
    tokens: Headers,
    leader: User,
    role: str,
    sees_contact: bool,
) -> None:
    made = letters.assigned(
        db, leader, name="李秀英", phone="13987654321", email="xiuying@example.com"
    )

    response = client.get(f"/api/v1/staff/letters/{made.number}", headers=tokens[role])

    assert response.status_code == 200
    detail = response.json()
    if sees_contact:
        assert (detail["name"], detail["phone"], detail["email"]) == (
            "李秀英",
            "13987654321",
            "xiuying@example.com",
        )
    else:
        assert "李秀英" not in response.text
        assert "13987654321" not in response.text
        assert "xiuying@example.com" not in response.text
        assert detail["name"].startswith("李") and "*" in detail["name"]
        assert "*" in detail["phone"]
    assert detail["body"]  # the letter itself is readable by all three


def test_a_landline_is_masked_for_a_leader(
    client: TestClient, db: Session, tokens: Headers, leader: User
) -> None:
    made = letters.assigned(db, leader, phone="0371-66667777")

    detail = client.get(f"/api/v1/staff/letters/{made.number}", headers=tokens["leader"]).json()

    assert "66667777" not in detail["phone"]


def test_an_unassigned_letters_contact_is_masked_for_a_leader_but_not_admin(
    client: TestClient, db: Session, tokens: Headers
) -> None:
    made = letters.letter(db)

    as_leader = client.get(f"/api/v1/staff/letters/{made.number}", headers=tokens["leader"])
    as_admin = client.get(f"/api/v1/staff/letters/{made.number}", headers=tokens["admin"])

    assert letters.WRITER_PHONE not in as_leader.text
    assert as_admin.json()["phone"] == letters.WRITER_PHONE
    assert (
        client.get(f"/api/v1/staff/letters/{made.number}", headers=tokens["staff"]).status_code
        == 403
    )
