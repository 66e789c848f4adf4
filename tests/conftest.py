"""Test fixtures: a migrated database per run, a rolled-back transaction per test, users per role.

SQLite file by default; PostgreSQL when ENGAGEMENT_TEST_DATABASE_URL is set. Never the developer's
own database.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="engagement-tests-"))
TEST_DATABASE_URL = os.environ.get("ENGAGEMENT_TEST_DATABASE_URL") or f"sqlite:///{_TMP}/test.db"
# Settings are read from the environment: point them at the test database before any import.
os.environ["ENGAGEMENT_DATABASE_URL"] = TEST_DATABASE_URL
os.environ["ENGAGEMENT_SECRET_KEY"] = "test-secret-key-not-for-production"
os.environ.setdefault("ENGAGEMENT_RATELIMIT_STORAGE", "memory://")

from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from pwdlib import PasswordHash  # noqa: E402
from pwdlib.hashers.argon2 import Argon2Hasher  # noqa: E402
from sqlalchemy import Connection, Engine, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

import engagement.app  # noqa: E402
from engagement.app import create_app  # noqa: E402
from engagement.audit import Actor  # noqa: E402
from engagement.auth import passwords  # noqa: E402
from engagement.calendar_admin import forget_calendar  # noqa: E402
from engagement.db import make_engine  # noqa: E402
from engagement.migrate import alembic_config  # noqa: E402
from engagement.models import Department, User  # noqa: E402
from engagement.ratelimit import limiter  # noqa: E402
from tests import factories  # noqa: E402


def _reset_postgres(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


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


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    from alembic import command

    engine = make_engine(TEST_DATABASE_URL)
    if engine.dialect.name == "postgresql":
        _reset_postgres(engine)
    command.upgrade(alembic_config(TEST_DATABASE_URL), "head")
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    forget_calendar()  # the calendar cache is keyed by the database handle, new per test
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        if outer.is_active:
            outer.rollback()


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    """The test's own session; requests get other sessions on the same connection."""
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    factories.bind(session)
    yield session
    session.close()


@pytest.fixture
def app(connection: Connection) -> Iterator[FastAPI]:
    application = create_app()
    limiter.reset()
    application.state.sessionmaker = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield application
    limiter.reset()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    # No lifespan: it would build its own engine; the test's connection is already in state.
    yield TestClient(app, base_url="http://testserver")


@pytest.fixture
def cli_actor() -> Actor:
    return Actor(None, system_name="test")


@pytest.fixture
def housing(db: Session) -> Department:
    return factories.department(slug="housing", name="县住房和城乡建设局")


@pytest.fixture
def township(db: Session) -> Department:
    return factories.department(slug="chengguan", name="城关镇", kind="township")


@pytest.fixture
def admin(db: Session) -> User:
    return factories.user(username="admin1", role="admin")


@pytest.fixture
def leader(db: Session) -> User:
    return factories.user(username="leader1", role="leader")


@pytest.fixture
def staff(db: Session, housing: Department) -> User:
    return factories.user(username="staff1", role="staff", department=housing)


def login(client: TestClient, username: str, password: str = factories.PASSWORD) -> None:
    """Signs a browser in through the real form, CSRF token included."""
    token = csrf_from(client, "/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def csrf_from(client: TestClient, path: str) -> str:
    import re

    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def bearer(client: TestClient, username: str, password: str = factories.PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
