"""Schemathesis over /openapi.json, in-process: no request gets a 5xx, and every JSON answer is
one the schema documents (status code, content type, body schema, required headers).

One pytest item per operation (about 130), each with at most MAX_EXAMPLES generated cases plus the
schema's examples and the coverage phase's boundary values, from a fixed seed, so a run repeats
exactly: about 5,400 requests, 1½–2½ minutes on two cores. Select with `-m fuzz`, leave out with
`-m "not fuzz"`. Staff routes get an admin's bearer token, and the HTML forms the same admin's
session cookie and CSRF token, so the fuzzer gets past sign-in. Every operation runs against one
seeded database (a unit, a township, an open survey, an open consultation, a letter) inside a
transaction rolled back at the end; rate limits are off. Pages (outside /api/) answer HTML and
redirects that the schema does not describe: for them only the 5xx check applies.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from engagement.app import create_app
from engagement.calendar_admin import forget_calendar
from engagement.ratelimit import limiter
from tests import factories
from tests.conftest import bearer, csrf_from, login
from tests.feedback import factories as letters
from tests.feedback.consultations.conftest import consultation_body
from tests.surveys.conftest import survey_body

MAX_EXAMPLES = 20  # per operation, in the fuzzing phase

_app = create_app()


async def _without_lifespan(scope: Any, receive: Any, send: Any) -> None:
    """The app as Schemathesis calls it: its lifespan would open the real database."""
    if scope["type"] != "lifespan":
        await _app(scope, receive, send)


schema = schemathesis.openapi.from_asgi("/openapi.json", _without_lifespan)
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")

API_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
PAGE_CHECKS = [not_a_server_error]


@pytest.fixture(scope="module")
def seeded(engine: Engine) -> Iterator[dict[str, Any]]:
    """An admin's credentials over a database with one of each thing; rolled back at the end."""
    forget_calendar()
    with engine.connect() as conn:
        outer = conn.begin()
        db = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
        factories.bind(db)
        factories.department(slug="housing", name="县住房和城乡建设局")
        factories.department(slug="chengguan", name="城关镇", kind="township")
        admin = factories.user(username="fuzz-admin", role="admin")
        letters.letter(db)
        db.commit()
        _app.state.sessionmaker = sessionmaker(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        enabled, limiter.enabled = limiter.enabled, False
        client = TestClient(_app, base_url="http://testserver")
        auth = bearer(client, admin.username)
        _create_open(client, auth, "surveys", survey_body(department="housing"))
        _create_open(client, auth, "consultations", consultation_body(department="housing"))
        login(client, admin.username)
        cookies = dict(client.cookies)
        token = csrf_from(client, "/staff")
        try:
            yield {"headers": {**auth, "X-CSRF-Token": token}, "cookies": cookies}
        finally:
            limiter.enabled = enabled
            db.close()
            del _app.state.sessionmaker
            if outer.is_active:
                outer.rollback()


def _create_open(client: TestClient, auth: dict[str, str], kind: str, body: Any) -> None:
    created = client.post(f"/api/v1/staff/{kind}", json=body, headers=auth)
    assert created.status_code == 201, created.text
    published = client.post(f"/api/v1/staff/{kind}/{created.json()['id']}/publish", headers=auth)
    assert published.status_code == 200, published.text


@pytest.mark.fuzz
@schema.parametrize()
@settings(deadline=None)
def test_no_request_gets_a_server_error_or_an_undocumented_answer(
    case: schemathesis.Case, seeded: dict[str, Any]
) -> None:
    response = case.call(headers=seeded["headers"], cookies=seeded["cookies"])
    checks = API_CHECKS if case.path.startswith("/api/") else PAGE_CHECKS
    case.validate_response(response, checks=checks)
