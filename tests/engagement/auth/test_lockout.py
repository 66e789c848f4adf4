"""Wrong passwords are throttled by account and source address, on the page and the API alike:
the attacking address is locked out, the account's owner elsewhere is not."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.auth.throttle import source_of
from engagement.models import LoginThrottle, User
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from tests import factories
from tests.conftest import csrf_from, login
from tests.engagement.conftest import alert_text, audit_events

TOKEN_URL = "/api/v1/auth/token"
WRONG = "wrong-password-123"
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"


def _api(client: TestClient, password: str, username: str = "staff1") -> int:
    return client.post(TOKEN_URL, data={"username": username, "password": password}).status_code


def _page(client: TestClient, token: str, password: str, username: str = "staff1"):
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def _from(app: FastAPI, address: str) -> TestClient:
    """A browser or API client at another address (as uvicorn reports the client)."""
    return TestClient(app, base_url="http://testserver", client=(address, 50000))


def _throttle(db: Session, source: str = "testclient", name: str = "staff1") -> LoginThrottle:
    db.expire_all()
    row = db.get(LoginThrottle, (name, source))
    assert row is not None
    return row


@pytest.fixture
def small_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    """The across-all-sources ceiling at 8, so that two addresses reach it with 4 failures each."""
    monkeypatch.setattr(get_settings(), "login_account_max_failures", 8)


def test_settings_name_five_failures_fifteen_minutes_and_a_looser_ceiling() -> None:
    settings = get_settings()
    assert (settings.login_max_failures, settings.lockout_minutes) == (5, 15)
    assert settings.login_account_max_failures > settings.login_max_failures
    assert settings.login_known_source_days == 30


def test_five_wrong_passwords_lock_the_api_for_this_address_even_for_the_right_password(
    client: TestClient, db: Session, staff: User
) -> None:
    for _ in range(5):
        assert _api(client, WRONG) == 401

    response = client.post(TOKEN_URL, data={"username": "staff1", "password": factories.PASSWORD})

    assert response.status_code == 401
    assert "lock" in response.json()["detail"].lower()
    locked_until = _throttle(db).locked_until
    assert locked_until is not None
    assert 14 < (locked_until - utcnow()).total_seconds() / 60 <= 15


def test_the_right_password_from_another_address_works_while_the_attacker_is_locked_out(
    app: FastAPI, db: Session, admin: User
) -> None:
    attacker, owner = _from(app, ATTACKER), _from(app, OWNER)
    for _ in range(5):
        _api(attacker, WRONG, username="admin1")

    assert _api(owner, factories.PASSWORD, username="admin1") == 200
    login(owner, "admin1")
    assert owner.get("/admin/users").status_code == 200
    assert _api(attacker, factories.PASSWORD, username="admin1") == 401


def test_a_lockout_does_not_spill_over_to_other_accounts_from_the_same_address(
    client: TestClient, staff: User, leader: User
) -> None:
    for _ in range(5):
        _api(client, WRONG)

    assert _api(client, factories.PASSWORD, username="leader1") == 200


def test_four_wrong_passwords_do_not_lock(client: TestClient, staff: User) -> None:
    for _ in range(4):
        assert _api(client, WRONG) == 401

    assert _api(client, factories.PASSWORD) == 200


def test_locked_account_is_refused_on_the_login_page_with_a_message(
    client: TestClient, staff: User
) -> None:
    token = csrf_from(client, "/login")
    wrong_message = alert_text(_page(client, token, WRONG).text)
    for _ in range(4):
        _page(client, token, WRONG)

    response = _page(client, token, factories.PASSWORD)

    assert response.status_code == 401
    assert "text/html" in response.headers["content-type"]
    locked_message = alert_text(response.text)
    assert locked_message and locked_message != wrong_message
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_locked_message_names_the_lockout_minutes_in_english(
    client: TestClient, staff: User
) -> None:
    client.headers["Accept-Language"] = "en"
    token = csrf_from(client, "/login")
    for _ in range(5):
        _page(client, token, WRONG)

    message = alert_text(_page(client, token, factories.PASSWORD).text)

    assert "locked" in message and "15 minutes" in message and "your address" in message


def test_lockout_is_audited_with_the_address_and_its_scope(
    client: TestClient, db: Session, staff: User
) -> None:
    for _ in range(5):
        _api(client, WRONG)

    events = audit_events(db, "auth.lockout", object_id=str(staff.id))
    assert len(events) == 1
    assert events[0].client_ip == "testclient"
    assert events[0].detail["scope"] == "source"
    assert events[0].detail["source"] == "testclient"
    assert len(audit_events(db, "auth.login_failed", object_id=str(staff.id))) == 5


def test_after_the_lock_expires_the_right_password_works_and_resets_the_count(
    client: TestClient, db: Session, staff: User
) -> None:
    for _ in range(5):
        _api(client, WRONG)
    _throttle(db).locked_until = utcnow() - timedelta(seconds=1)
    db.flush()

    assert _api(client, factories.PASSWORD) == 200

    row = _throttle(db)
    assert (row.failures, row.locked_until) == (0, None)
    db.refresh(staff)
    assert staff.failed_logins == 0


def test_after_an_expired_lock_it_takes_five_new_failures_to_lock_again(
    client: TestClient, db: Session, staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "ratelimit_login", "100/minute")
    for _ in range(5):
        _api(client, WRONG)
    _throttle(db).locked_until = utcnow() - timedelta(seconds=1)
    db.flush()

    for _ in range(4):
        assert _api(client, WRONG) == 401
    assert _api(client, factories.PASSWORD) == 200

    for _ in range(5):
        _api(client, WRONG)
    assert _api(client, factories.PASSWORD) == 401


def test_a_successful_sign_in_resets_the_failure_count(
    client: TestClient, db: Session, staff: User
) -> None:
    for _ in range(3):
        _api(client, WRONG)
    assert _api(client, factories.PASSWORD) == 200
    assert _throttle(db).failures == 0

    for _ in range(4):
        _api(client, WRONG)
    assert _api(client, factories.PASSWORD) == 200


def test_page_sign_in_also_resets_the_count(client: TestClient, db: Session, staff: User) -> None:
    token = csrf_from(client, "/login")
    for _ in range(3):
        _page(client, token, WRONG)

    assert _page(client, token, factories.PASSWORD).status_code == 303

    assert _throttle(db).failures == 0


def test_failures_count_across_the_page_and_the_api(
    client: TestClient, db: Session, staff: User
) -> None:
    token = csrf_from(client, "/login")
    for _ in range(3):
        _page(client, token, WRONG)
    for _ in range(2):
        _api(client, WRONG)

    assert _api(client, factories.PASSWORD) == 401


@pytest.mark.parametrize("username", ["STAFF1", " staff1 "])
def test_failures_on_a_spelling_variant_count_for_the_same_account(
    client: TestClient, db: Session, staff: User, username: str
) -> None:
    for _ in range(5):
        _api(client, WRONG, username=username)

    assert _api(client, factories.PASSWORD) == 401


def test_an_unknown_name_is_locked_out_alike(
    client: TestClient, staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "ratelimit_login", "100/minute")
    answers = [_api(client, WRONG, username="nobody") for _ in range(5)]
    known = [_api(client, WRONG, username="staff1") for _ in range(5)]

    assert answers == known
    unknown_locked = client.post(TOKEN_URL, data={"username": "nobody", "password": WRONG})
    known_locked = client.post(TOKEN_URL, data={"username": "staff1", "password": WRONG})
    assert unknown_locked.status_code == known_locked.status_code == 401
    assert unknown_locked.json() == known_locked.json()


# The ceiling across all sources


def test_many_addresses_together_close_the_account_to_new_addresses(
    app: FastAPI, db: Session, staff: User, small_ceiling: None
) -> None:
    for address in ("203.0.113.1", "203.0.113.2"):
        for _ in range(4):
            assert _api(_from(app, address), WRONG) == 401

    assert _api(_from(app, "203.0.113.3"), factories.PASSWORD) == 401
    events = audit_events(db, "auth.lockout", object_id=str(staff.id))
    assert [e.detail["scope"] for e in events] == ["account"]


def test_the_ceiling_spares_the_addresses_the_account_signs_in_from(
    app: FastAPI, db: Session, admin: User, small_ceiling: None
) -> None:
    office = _from(app, OWNER)
    assert _api(office, factories.PASSWORD, username="admin1") == 200
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        for _ in range(4):
            _api(_from(app, address), WRONG, username="admin1")

    assert _api(office, factories.PASSWORD, username="admin1") == 200


def test_an_address_known_long_ago_is_not_spared(
    app: FastAPI, db: Session, staff: User, small_ceiling: None
) -> None:
    office = _from(app, OWNER)
    assert _api(office, factories.PASSWORD) == 200
    _throttle(db, OWNER).last_success_at = utcnow() - timedelta(days=31)
    db.flush()
    for address in ("203.0.113.1", "203.0.113.2"):
        for _ in range(4):
            _api(_from(app, address), WRONG)

    assert _api(office, factories.PASSWORD) == 401


# Sources


def test_an_ipv6_address_counts_as_its_slash_64() -> None:
    assert source_of("2001:db8:1:2::1") == source_of("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert source_of("2001:db8:1:3::1") != source_of("2001:db8:1:2::1")
    assert source_of("::ffff:192.0.2.4") == source_of("192.0.2.4") == "192.0.2.4"
    assert source_of(None) == "unknown"


def test_rotating_within_an_ipv6_slash_64_does_not_escape_the_lockout(
    app: FastAPI, staff: User
) -> None:
    for n in range(5):
        _api(_from(app, f"2001:db8:1:2::{n + 1:x}"), WRONG)

    assert _api(_from(app, "2001:db8:1:2::abcd"), factories.PASSWORD) == 401
    assert _api(_from(app, "2001:db8:9:9::1"), factories.PASSWORD) == 200


# What admins see


@pytest.fixture
def admin_browser(app: FastAPI, admin: User) -> TestClient:
    browser = _from(app, OWNER)
    browser.headers["Accept-Language"] = "en"
    login(browser, "admin1")
    return browser


def test_the_users_page_lists_recent_lockouts_with_account_address_and_time(
    app: FastAPI, admin_browser: TestClient, staff: User
) -> None:
    for _ in range(5):
        _api(_from(app, ATTACKER), WRONG)

    page = admin_browser.get("/admin/users").text

    section = page.split('id="h-lockouts"')[1].split("</section>")[0]
    assert "staff1" in section
    assert ATTACKER in section
    assert "(in force)" in section
    unlock = section.split('action="/admin/users/staff1/unlock"')[1].split("</form>")[0]
    assert re.search(r'name="csrf_token" value="[^"]+"', unlock)
    assert utcnow().astimezone(get_settings().tz).strftime("%Y-%m-%d") in section


def test_an_admin_can_lift_a_lockout(
    app: FastAPI, admin_browser: TestClient, db: Session, staff: User
) -> None:
    attacker = _from(app, ATTACKER)
    for _ in range(5):
        _api(attacker, WRONG)

    response = admin_browser.post(
        "/admin/users/staff1/unlock",
        data={"csrf_token": csrf_from(admin_browser, "/admin/users")},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert _api(attacker, factories.PASSWORD) == 200
    assert len(audit_events(db, "user.unlock", object_id=str(staff.id))) == 1
