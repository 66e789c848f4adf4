"""Fixtures for the core's tests: one shared app, cheap password hashing, audit helpers."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session, sessionmaker

from engagement.app import create_app
from engagement.auth.deps import ApiUser
from engagement.models import AuditEvent
from engagement.ratelimit import limiter

PROBE_PATH = "/api/v1/test-probe/me"


@pytest.fixture(scope="session")
def shared_app() -> FastAPI:
    """One app for these tests, with a bearer-only probe route (the core has none of its own).

    A new app builds its ~100 routes' dependency graphs on its first request (~0.5 s), which
    would otherwise dominate every test here.
    """
    application = create_app()
    router = APIRouter()

    @router.get(PROBE_PATH)
    def me(user: ApiUser) -> dict[str, str]:
        return {"username": user.username, "role": user.role.value}

    application.include_router(router)
    return application


@pytest.fixture
def app(
    shared_app: FastAPI, connection: Connection, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FastAPI]:
    """Overrides the project's `app` here: the shared app, on this test's rolled-back connection."""
    state = shared_app.state
    links = state.workbench_links  # restored by hand: monkeypatch cannot undo on a State
    state.sessionmaker = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    monkeypatch.setattr(limiter, "enabled", state.settings.ratelimit_enabled)
    limiter.reset()
    yield shared_app
    limiter.reset()
    state.workbench_links = links
    del state.sessionmaker


@pytest.fixture
def api_probe(app: FastAPI) -> str:
    """The path of a GET under /api/v1 that needs a bearer token and answers who called."""
    return PROBE_PATH


@pytest.fixture
def browser(app: FastAPI) -> TestClient:
    """A client that shows a server error as the 500 page a browser gets, not as an exception."""
    return TestClient(app, base_url="http://testserver", raise_server_exceptions=False)


def audit_events(db: Session, action: str, **where: object) -> list[AuditEvent]:
    """Audit rows of one action, oldest first, written by any session on the test connection."""
    db.expire_all()
    stmt = select(AuditEvent).where(AuditEvent.action == action)
    for column, value in where.items():
        stmt = stmt.where(getattr(AuditEvent, column) == value)
    return list(db.scalars(stmt.order_by(AuditEvent.id)))


def alert_text(html: str) -> str:
    """The text of the page's error alert (role="alert"), or "" when there is none."""
    match = re.search(
        r'<div class="alert alert-error"[^>]*role="alert"[^>]*>(.*?)</div>', html, re.S
    )
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split()) if match else ""


def html_lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    assert match, "no <html lang> on the page"
    return match.group(1)
