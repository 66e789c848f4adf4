"""The permission policy as a table: every role x every action, written out by hand.

The expectations come from the contract (§3 roles, §5 who may do what), not from RULES.
Columns: admin, leader, staff of the object's unit, staff of another unit, a deactivated admin,
nobody signed in. The object belongs to the housing department in every row.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.auth.policy import Action, can, require, unit_scope
from engagement.errors import Forbidden
from engagement.models import Department, User
from tests import factories
from tests.conftest import login
from tests.engagement.conftest import alert_text

ROLES = ("admin", "leader", "staff_own", "staff_other", "inactive", "anonymous")
Y, N = True, False

# fmt: off
EXPECTED: dict[Action, tuple[bool, bool, bool, bool, bool, bool]] = {
    #                              admin leader own  other inactive anonymous
    Action.manage_users:          (Y,    N,     N,   N,    N,       N),
    Action.manage_departments:    (Y,    N,     N,   N,    N,       N),
    Action.manage_calendar:       (Y,    N,     N,   N,    N,       N),
    Action.manage_settings:       (Y,    N,     N,   N,    N,       N),
    Action.import_letters:        (Y,    N,     N,   N,    N,       N),
    Action.read_audit:            (Y,    N,     N,   N,    N,       N),
    Action.view_workbench:        (Y,    Y,     Y,   Y,    N,       N),
    Action.view_unit:             (Y,    Y,     Y,   N,    N,       N),
    Action.assign_letter:         (Y,    Y,     Y,   N,    N,       N),
    Action.handle_letter:         (Y,    N,     Y,   N,    N,       N),
    Action.publish_letter:        (Y,    Y,     N,   N,    N,       N),
    Action.decide_extension:      (Y,    Y,     N,   N,    N,       N),
    Action.manage_consultation:   (Y,    N,     Y,   N,    N,       N),
    Action.moderate_comment:      (Y,    N,     Y,   N,    N,       N),
    Action.manage_survey:         (Y,    N,     Y,   N,    N,       N),
    Action.view_dashboard:        (Y,    Y,     Y,   N,    N,       N),
}
# fmt: on

KNOWN_BUGS: dict[tuple[Action, str], str] = {}


def test_the_table_names_every_action() -> None:
    assert set(EXPECTED) == set(Action)


def _cases() -> list:
    cases = []
    for action, row in EXPECTED.items():
        for role, allowed in zip(ROLES, row, strict=True):
            marks = []
            if (action, role) in KNOWN_BUGS:
                marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[(action, role)])]
            cases.append(pytest.param(role, action, allowed, marks=marks, id=f"{action}-{role}"))
    return cases


@pytest.fixture
def people(db: Session, housing: Department, township: Department) -> dict[str, User | None]:
    return {
        "admin": factories.user(role="admin"),
        "leader": factories.user(role="leader"),
        "staff_own": factories.user(role="staff", department=housing),
        "staff_other": factories.user(role="staff", department=township),
        "inactive": factories.user(role="admin", active=False),
        "anonymous": None,
    }


@pytest.mark.parametrize(("role", "action", "allowed"), _cases())
def test_policy(
    people: dict[str, User | None], housing: Department, role: str, action: Action, allowed: bool
) -> None:
    user = people[role]

    assert can(user, action, housing.id) is allowed
    if allowed:
        require(user, action, housing.id)
    else:
        with pytest.raises(Forbidden):
            require(user, action, housing.id)


@pytest.mark.parametrize(
    "action",
    [Action.view_unit, Action.assign_letter, Action.handle_letter, Action.manage_consultation],
)
def test_an_object_of_no_unit_admits_no_staff(
    people: dict[str, User | None], action: Action
) -> None:
    assert can(people["staff_own"], action, None) is False
    assert can(people["admin"], action, None) is True


def test_inactive_staff_cannot_act_on_their_own_unit(db: Session, housing: Department) -> None:
    clerk = factories.user(role="staff", department=housing, active=False)

    assert not any(can(clerk, action, housing.id) for action in Action)


def test_lists_of_staff_are_limited_to_their_unit(people: dict[str, User | None]) -> None:
    staff, leader, admin = people["staff_own"], people["leader"], people["admin"]
    assert staff is not None and leader is not None and admin is not None

    assert unit_scope(staff) == staff.department_id
    assert unit_scope(leader) is None
    assert unit_scope(admin) is None


ADMIN_PAGES = ["/admin/users", "/admin/departments", "/admin/holidays", "/admin/audit"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("staff1", 403),
        ("leader1", 403),
        ("admin1", 200),
    ],
)
def test_admin_pages_are_for_admins_only(
    browser: TestClient,
    admin: User,
    leader: User,
    staff: User,
    path: str,
    username: str,
    status: int,
) -> None:
    login(browser, username)

    response = browser.get(path, follow_redirects=False)

    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    if status == 403:
        assert alert_text(response.text)


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_send_strangers_to_sign_in(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"


def test_workbench_shows_admin_links_to_admins_only(
    client: TestClient, admin: User, staff: User
) -> None:
    login(client, "staff1")
    assert 'href="/admin/users"' not in client.get("/staff").text

    login(client, "admin1")
    assert 'href="/admin/users"' in client.get("/staff").text


def test_workbench_shows_a_link_only_when_the_policy_allows_it(
    app, client: TestClient, admin: User, staff: User
) -> None:
    app.state.workbench_links = [
        ("Probe for admins", "/probe-admin", Action.manage_settings),
        ("Probe for all", "/probe-all", Action.view_workbench),
    ]

    login(client, "staff1")
    page = client.get("/staff").text
    assert 'href="/probe-all"' in page and 'href="/probe-admin"' not in page

    login(client, "admin1")
    page = client.get("/staff").text
    assert 'href="/probe-all"' in page and 'href="/probe-admin"' in page
