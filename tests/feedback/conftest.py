"""Fixtures for the mailbox tests: cheap password hashing, a second unit, tokens per role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.models import Department, User
from tests import factories
from tests.conftest import bearer, login


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
