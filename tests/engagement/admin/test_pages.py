"""The admin area: users, units, holiday overrides and the audit log, each change audited."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engagement import audit
from engagement.audit import Actor
from engagement.auth.passwords import verify_password
from engagement.models import Department, HolidayOverride, User
from tests import factories
from tests.conftest import csrf_from, login
from tests.engagement.admin.reading import text
from tests.engagement.conftest import alert_text, audit_events

NEW_PASSWORD = "a-new-clerk-password"


@pytest.fixture
def signed_in_admin(client: TestClient, admin: User) -> TestClient:
    client.headers["Accept-Language"] = "en"
    login(client, "admin1")
    return client


def _post(client: TestClient, path: str, **data: str):
    data.setdefault("csrf_token", csrf_from(client, "/admin/users"))
    return client.post(path, data=data, follow_redirects=False)


def _add_user(client: TestClient, **overrides: str):
    form = {
        "username": "clerk2",
        "display_name": "新办事员",
        "role": "staff",
        "department": "housing",
        "password": NEW_PASSWORD,
    }
    form.update(overrides)
    return _post(client, "/admin/users", **form)


def _user(db: Session, username: str) -> User | None:
    db.expire_all()
    return db.scalar(select(User).where(func.lower(User.username) == username.lower()))


def _count_users(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count(User.id))) or 0


# users


def test_add_user_stores_an_argon2_hash_never_the_password(
    signed_in_admin: TestClient, db: Session, housing: Department
) -> None:
    response = _add_user(signed_in_admin)

    assert response.status_code == 303
    assert response.headers["location"] == "/admin/users#add-user"
    user = _user(db, "clerk2")
    assert user is not None
    assert (user.role.value, user.department_id, user.display_name) == (
        "staff",
        housing.id,
        "新办事员",
    )
    assert user.password_hash.startswith("$argon2id$")
    assert NEW_PASSWORD not in user.password_hash
    assert verify_password(NEW_PASSWORD, user.password_hash)
    assert "clerk2" in signed_in_admin.get("/admin/users").text


def test_a_user_added_by_the_admin_can_sign_in(
    app: FastAPI, signed_in_admin: TestClient, housing: Department
) -> None:
    _add_user(signed_in_admin)

    newcomer = TestClient(app, base_url="http://testserver")
    login(newcomer, "clerk2", NEW_PASSWORD)
    assert newcomer.get("/staff", follow_redirects=False).status_code == 200


def test_adding_a_user_is_audited_with_actor_object_and_address(
    signed_in_admin: TestClient, db: Session, admin: User, housing: Department
) -> None:
    _add_user(signed_in_admin)

    (event,) = audit_events(db, "user.create")
    user = _user(db, "clerk2")
    assert user is not None
    assert (event.actor_id, event.actor_name) == (admin.id, "admin1")
    assert (event.object_type, event.object_id) == ("user", str(user.id))
    assert event.client_ip == "testclient"
    assert event.detail["role"] == "staff" and event.detail["department"] == "housing"
    assert NEW_PASSWORD not in str(event.detail)


@pytest.mark.parametrize("spelling", ["staff1", "STAFF1"])
def test_duplicate_username_re_renders_the_form_and_writes_nothing(
    signed_in_admin: TestClient, db: Session, staff: User, spelling: str
) -> None:
    before = _count_users(db)

    response = _add_user(signed_in_admin, username=spelling, display_name="重名")

    assert response.status_code == 422
    assert "already taken" in alert_text(response.text)
    assert 'value="重名"' in response.text  # what was typed is kept
    assert _count_users(db) == before
    assert audit_events(db, "user.create") == []


def test_staff_without_a_unit_is_refused_with_a_message(
    signed_in_admin: TestClient, db: Session
) -> None:
    response = _add_user(signed_in_admin, department="")

    assert response.status_code == 422
    assert "department or township" in alert_text(response.text)
    assert _user(db, "clerk2") is None


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"password": "short"}, "at least 8 characters"),
        ({"username": "bad name!"}, "username"),
        ({"role": "superuser"}, "role"),
        ({"department": "no-such-unit"}, "no-such-unit"),
    ],
)
def test_invalid_user_forms_get_a_message_and_nothing_is_written(
    signed_in_admin: TestClient, db: Session, housing: Department, overrides, fragment: str
) -> None:
    before = _count_users(db)

    response = _add_user(signed_in_admin, **overrides)

    assert response.status_code == 422
    assert fragment in alert_text(response.text).lower()
    assert _count_users(db) == before


def test_leaders_need_no_unit(signed_in_admin: TestClient, db: Session) -> None:
    response = _add_user(signed_in_admin, username="boss", role="leader", department="")

    assert response.status_code == 303
    user = _user(db, "boss")
    assert user is not None and user.department_id is None


def test_deactivated_user_cannot_sign_in_and_loses_their_session(
    app: FastAPI, signed_in_admin: TestClient, db: Session, admin: User, staff: User
) -> None:
    clerk = TestClient(app, base_url="http://testserver")
    login(clerk, "staff1")
    assert clerk.get("/staff", follow_redirects=False).status_code == 200

    response = _post(signed_in_admin, "/admin/users/staff1/active", active="false")

    assert response.status_code == 303
    assert clerk.get("/staff", follow_redirects=False).status_code == 303
    token = csrf_from(clerk, "/login")
    refused = clerk.post(
        "/login",
        data={"username": "staff1", "password": factories.PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert refused.status_code == 401
    api = clerk.post(
        "/api/v1/auth/token", data={"username": "staff1", "password": factories.PASSWORD}
    )
    assert api.status_code == 401
    (event,) = audit_events(db, "user.deactivate")
    assert (event.actor_name, event.object_id, event.client_ip) == (
        "admin1",
        str(staff.id),
        "testclient",
    )


def test_reactivated_user_can_sign_in_again(
    app: FastAPI, signed_in_admin: TestClient, db: Session, staff: User
) -> None:
    _post(signed_in_admin, "/admin/users/staff1/active", active="false")

    response = _post(signed_in_admin, "/admin/users/staff1/active", active="true")

    assert response.status_code == 303
    clerk = TestClient(app, base_url="http://testserver")
    login(clerk, "staff1")
    assert len(audit_events(db, "user.activate")) == 1


def test_reactivating_a_user_does_not_revive_their_old_sessions(
    app: FastAPI, signed_in_admin: TestClient, staff: User
) -> None:
    clerk = TestClient(app, base_url="http://testserver")
    login(clerk, "staff1")
    _post(signed_in_admin, "/admin/users/staff1/active", active="false")

    _post(signed_in_admin, "/admin/users/staff1/active", active="true")

    assert clerk.get("/staff", follow_redirects=False).status_code == 303


def test_a_name_longer_than_the_column_is_refused_with_a_message(
    signed_in_admin: TestClient, db: Session, housing: Department
) -> None:
    response = _add_user(signed_in_admin, display_name="长" * 101)

    assert response.status_code == 422
    assert alert_text(response.text)
    assert _user(db, "clerk2") is None


def test_admin_cannot_deactivate_themselves(browser: TestClient, db: Session, admin: User) -> None:
    login(browser, "admin1")

    response = _post(browser, "/admin/users/admin1/active", active="false")

    assert response.status_code == 409
    assert alert_text(response.text)
    db.refresh(admin)
    assert admin.active
    assert audit_events(db, "user.deactivate") == []


def test_deactivating_an_unknown_user_is_a_404_page(browser: TestClient, admin: User) -> None:
    login(browser, "admin1")

    response = _post(browser, "/admin/users/nobody/active", active="false")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


# departments


def test_add_a_department_and_it_is_listed_and_audited(
    signed_in_admin: TestClient, db: Session, admin: User
) -> None:
    response = _post(
        signed_in_admin, "/admin/departments", slug="water", name="县水利局", kind="department"
    )

    assert response.status_code == 303
    db.expire_all()
    unit = db.scalar(select(Department).where(Department.slug == "water"))
    assert unit is not None and unit.name == "县水利局" and unit.active
    assert "县水利局" in signed_in_admin.get("/admin/departments").text
    (event,) = audit_events(db, "department.create")
    assert (event.actor_name, event.object_type, event.object_id, event.client_ip) == (
        "admin1",
        "department",
        "water",
        "testclient",
    )


def test_add_a_township(signed_in_admin: TestClient, db: Session) -> None:
    _post(signed_in_admin, "/admin/departments", slug="xinhe", name="新河镇", kind="township")

    items = signed_in_admin.get("/api/v1/departments").json()["items"]
    assert {"slug": "xinhe", "name": "新河镇", "kind": "township"} in items


def test_duplicate_department_slug_is_refused_with_a_message(
    signed_in_admin: TestClient, db: Session, housing: Department
) -> None:
    response = _post(signed_in_admin, "/admin/departments", slug="housing", name="另一个")

    assert response.status_code == 422
    assert "already taken" in alert_text(response.text)
    assert 'value="另一个"' in response.text
    db.expire_all()
    assert db.scalar(select(func.count()).where(Department.slug == "housing")) == 1
    assert audit_events(db, "department.create") == []


@pytest.mark.parametrize(
    "form",
    [
        {"slug": "Bad Slug", "name": "x"},
        {"slug": "ok", "name": ""},
        {"slug": "ok", "name": "x", "kind": "village"},
    ],
)
def test_invalid_department_forms_are_refused(
    signed_in_admin: TestClient, db: Session, form: dict[str, str]
) -> None:
    response = _post(signed_in_admin, "/admin/departments", **form)

    assert response.status_code == 422
    assert alert_text(response.text)
    db.expire_all()
    assert db.scalar(select(func.count(Department.id))) == 0


def test_deactivate_a_department_hides_it_from_the_public(
    signed_in_admin: TestClient, db: Session, housing: Department
) -> None:
    response = _post(signed_in_admin, "/admin/departments/housing/active", active="false")

    assert response.status_code == 303
    db.refresh(housing)
    assert housing.active is False
    assert "housing" not in [
        d["slug"] for d in signed_in_admin.get("/api/v1/departments").json()["items"]
    ]
    assert signed_in_admin.get("/departments/housing").status_code == 404
    assert "县住房和城乡建设局" in signed_in_admin.get("/admin/departments").text
    (event,) = audit_events(db, "department.deactivate")
    assert (event.actor_name, event.object_id, event.client_ip) == (
        "admin1",
        "housing",
        "testclient",
    )


def test_reactivate_a_department(
    signed_in_admin: TestClient, db: Session, housing: Department
) -> None:
    _post(signed_in_admin, "/admin/departments/housing/active", active="false")
    _post(signed_in_admin, "/admin/departments/housing/active", active="true")

    assert "housing" in [
        d["slug"] for d in signed_in_admin.get("/api/v1/departments").json()["items"]
    ]
    assert len(audit_events(db, "department.activate")) == 1


# holidays


def test_holiday_override_add_and_remove(
    signed_in_admin: TestClient, db: Session, admin: User
) -> None:
    added = _post(signed_in_admin, "/admin/holidays", day="2031-02-03", kind="holiday", note="春节")

    assert added.status_code == 303
    db.expire_all()
    row = db.get(HolidayOverride, date(2031, 2, 3))
    assert row is not None and row.is_working_day is False and row.note == "春节"
    assert "2031-02-03" in signed_in_admin.get("/admin/holidays").text

    removed = _post(signed_in_admin, "/admin/holidays/2031-02-03/delete")

    assert removed.status_code == 303
    db.expire_all()
    assert db.get(HolidayOverride, date(2031, 2, 3)) is None
    (set_event,) = audit_events(db, "calendar.set")
    (delete_event,) = audit_events(db, "calendar.delete")
    for event in (set_event, delete_event):
        assert (event.actor_name, event.object_type, event.object_id, event.client_ip) == (
            "admin1",
            "holiday",
            "2031-02-03",
            "testclient",
        )


def test_a_make_up_working_day(signed_in_admin: TestClient, db: Session) -> None:
    _post(signed_in_admin, "/admin/holidays", day="2031-02-08", kind="working")

    db.expire_all()
    row = db.get(HolidayOverride, date(2031, 2, 8))
    assert row is not None and row.is_working_day is True


def test_an_override_changes_the_working_day_calendar(
    signed_in_admin: TestClient, db: Session
) -> None:
    from engagement.calendar_admin import load_calendar

    monday = date(2031, 3, 3)
    assert load_calendar(db).is_working_day(monday)

    _post(signed_in_admin, "/admin/holidays", day=monday.isoformat(), kind="holiday")

    assert not load_calendar(db).is_working_day(monday)


def test_removing_a_day_that_has_no_override_is_a_404_page(
    signed_in_admin: TestClient, db: Session
) -> None:
    response = _post(signed_in_admin, "/admin/holidays/2031-05-05/delete")

    assert response.status_code == 404
    assert alert_text(response.text)
    assert audit_events(db, "calendar.delete") == []


def test_a_bad_holiday_date_gets_a_message(signed_in_admin: TestClient, db: Session) -> None:
    response = _post(signed_in_admin, "/admin/holidays", day="next monday")

    assert response.status_code == 422
    assert "2027-01-01" in alert_text(response.text)
    assert audit_events(db, "calendar.set") == []


# audit log


def _rows(html: str) -> list[str]:
    """Each row's action code (kept in the action's link, shown as words)."""
    return re.findall(r'data-code="([^"]+)"', html)


def test_audit_page_filters_by_user_and_action(
    signed_in_admin: TestClient, db: Session, admin: User
) -> None:
    audit.record(db, Actor(admin, "10.0.0.1"), "letter.assign", object_type="letter", object_id="1")
    audit.record(db, Actor(None, system_name="clerkx"), "letter.reply", object_type="letter")
    audit.record(db, Actor(None, system_name="clerkx"), "user.create", object_type="user")
    db.flush()

    by_user = signed_in_admin.get("/admin/audit", params={"actor": "clerkx"}).text
    assert sorted(_rows(by_user)) == ["letter.reply", "user.create"]

    by_action = signed_in_admin.get("/admin/audit", params={"action": "letter."}).text
    assert sorted(_rows(by_action)) == ["letter.assign", "letter.reply"]
    assert "10.0.0.1" in by_action

    both = signed_in_admin.get("/admin/audit", params={"actor": "admin1", "action": "letter"}).text
    assert _rows(both) == ["letter.assign"]


def test_audit_page_shows_newest_first_and_pages_by_fifty(
    signed_in_admin: TestClient, db: Session
) -> None:
    bulk = Actor(None, system_name="bulk")
    for n in range(60):
        audit.record(db, bulk, f"bulk.e{n:02d}")
    db.flush()

    first = signed_in_admin.get("/admin/audit", params={"actor": "bulk"}).text
    second = signed_in_admin.get("/admin/audit", params={"actor": "bulk", "page": 2}).text

    assert len(_rows(first)) == 50 and len(_rows(second)) == 10
    assert _rows(first)[0] == "bulk.e59"
    assert _rows(second)[-1] == "bulk.e00"
    assert set(_rows(first)).isdisjoint(_rows(second))
    assert 'rel="next"' in first and 'rel="prev"' in second


def test_audit_page_filter_by_day(signed_in_admin: TestClient, db: Session) -> None:
    audit.record(db, Actor(None, system_name="dayx"), "x.today")
    db.flush()

    today = signed_in_admin.get("/admin/audit", params={"actor": "dayx", "since": "2000-01-01"})
    future = signed_in_admin.get("/admin/audit", params={"actor": "dayx", "since": "2999-01-01"})

    assert _rows(today.text) == ["x.today"]
    assert _rows(future.text) == []


def test_audit_filter_over_htmx_sends_only_the_results(
    signed_in_admin: TestClient, db: Session
) -> None:
    response = signed_in_admin.get(
        "/admin/audit", params={"actor": "admin1"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "<html" not in response.text
    assert "auth.login" in _rows(response.text)
    assert "HX-Request" in response.headers["vary"]


def test_the_audit_log_reads_in_the_pages_language_and_keeps_the_codes(
    signed_in_admin: TestClient, db: Session, admin: User, housing: Department
) -> None:
    audit.record(
        db,
        Actor(admin, "10.0.0.9"),
        "letter.reply",
        object_type="letter",
        object_id="20260101000001",
        public=True,
        length=120,
    )
    audit.record(
        db,
        Actor(admin),
        "letter.assign",
        object_type="letter",
        object_id="20260101000001",
        department="housing",
        previous=None,
    )
    audit.record(db, Actor(None, "10.0.0.8", "citizen"), "letter.submit", category="complaint")
    db.flush()

    zh = signed_in_admin.get("/admin/audit", headers={"Accept-Language": "zh-CN"}).text
    rows = [text(row) for row in re.findall(r"<tr>(.*?)</tr>", zh, re.S)]
    reply = next(r for r in rows if "答复来信" in r)
    assert "来信 20260101000001" in reply and "公开：是" in reply and "字数：120" in reply
    assigned = next(r for r in rows if "分办来信" in r)
    assert "单位：县住房和城乡建设局" in assigned  # the unit's name, not its slug
    assert "previous" not in assigned  # nothing to say: left out
    submitted = next(r for r in rows if "收到来信" in r)
    assert "群众" in submitted and "类别：投诉" in submitted
    for code in ["auth.login", "letter.assign", "public=True", "citizen", "complaint"]:
        assert code not in " ".join(rows), code
    # the code is still there for an admin who searches by it
    assert 'title="letter.assign"' in zh
    assert _rows(signed_in_admin.get("/admin/audit", params={"action": "letter.assign"}).text) == [
        "letter.assign"
    ]
    by_citizen = signed_in_admin.get("/admin/audit", params={"actor": "群众"}).text
    assert _rows(by_citizen) == ["letter.submit"]

    en = signed_in_admin.get("/admin/audit").text
    assert "Replied to a letter" in en and "Public: yes" in en
