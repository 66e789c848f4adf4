"""Fixtures for the mailbox tests: cheap password hashing, a second unit, tokens per role."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.orm import Session

import engagement.app
from engagement.auth import passwords
from engagement.models import Department, User
from tests import factories
from tests.conftest import bearer, login

# Still argon2id, with the smallest cost: the production cost takes ~0.25 s a check.
_FAST = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),))
_FAST_HASH = _FAST.hash(factories.PASSWORD)
_FAST_DUMMY = _FAST.hash("not-a-real-password")


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "_hasher", _FAST)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", _FAST_DUMMY)
    monkeypatch.setattr(factories, "_HASH", _FAST_HASH)


_TEMPLATES: dict[tuple[str, ...], Any] = {}
_make_templates = engagement.app.make_templates


@pytest.fixture(autouse=True)
def shared_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    """One compiled template environment for every test's app (compiling takes ~0.2 s)."""

    def cached(directories: Sequence[Path]) -> Any:
        key = tuple(str(d) for d in directories)
        if key not in _TEMPLATES:
            _TEMPLATES[key] = _make_templates(directories)
        return _TEMPLATES[key]

    monkeypatch.setattr(engagement.app, "make_templates", cached)


@pytest.fixture
def transport(db: Session) -> Department:
    """A second unit, to check that one unit's staff cannot reach another's letters."""
    return factories.department(slug="transport", name="县交通运输局")


@pytest.fixture
def other_staff(db: Session, transport: Department) -> User:
    return factories.user(username="staff2", role="staff", department=transport)


@pytest.fixture
def people(admin: User, leader: User, staff: User, other_staff: User) -> dict[str, User]:
    return {"admin": admin, "leader": leader, "staff": staff, "other_staff": other_staff}


@pytest.fixture
def tokens(client: TestClient, people: dict[str, User]) -> dict[str, dict[str, str]]:
    """Bearer headers per role name, obtained through POST /api/v1/auth/token."""
    headers = {role: bearer(client, user.username) for role, user in people.items()}
    headers["none"] = {}
    headers["bad"] = {"Authorization": "Bearer not-a-real-token"}
    return headers


@pytest.fixture
def browser_for(app: FastAPI) -> Callable[[str | None], TestClient]:
    """A separate browser (own cookies), signed in as `username` when one is given."""

    def make(username: str | None = None) -> TestClient:
        browser = TestClient(app, base_url="http://testserver")
        if username:
            login(browser, username)
        return browser

    return make


@pytest.fixture
def lenient_client(app: FastAPI) -> TestClient:
    """A client that shows a server error as the 500 response a caller gets, not an exception."""
    return TestClient(app, base_url="http://testserver", raise_server_exceptions=False)
