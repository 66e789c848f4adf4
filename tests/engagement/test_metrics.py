"""`/metrics` (contract §5): Prometheus text that the client library's own parser reads, with
requests by route template and status, letters by status, overdue letters and the mail queue;
only for the addresses in ENGAGEMENT_METRICS_ALLOW."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session

from engagement.models import Department
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from feedback.mailbox.models import Status
from tests.feedback import factories as letters


def scrape(
    app: FastAPI, address: str = "127.0.0.1"
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = TestClient(app, client=(address, 50000)).get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_requests_are_counted_by_route_template_and_status(app: FastAPI, db: Session) -> None:
    client = TestClient(app)
    before = scrape(app)
    key = (
        "engagement_http_requests_total",
        (("method", "GET"), ("route", "/api/v1/letters/{number}"), ("status", "404")),
    )

    for number in ("20260101000001", "20260101000002", "20260101000003"):
        client.get(f"/api/v1/letters/{number}", params={"code": "x"})

    after = scrape(app)
    assert after[key] - before.get(key, 0) == 3
    assert not any("20260101000001" in str(labels) for _, labels in after)


def test_letters_by_status_and_overdue_come_from_the_database(
    app: FastAPI, db: Session, housing: Department
) -> None:
    for _ in range(2):
        letters.letter(db)
    stored = letters.stored(db, letters.letter(db).number)
    stored.assign_due_at = utcnow() - timedelta(days=2)
    db.flush()

    figures = scrape(app)

    assert figures[("engagement_letters", (("status", "submitted"),))] == 3
    assert figures[("engagement_letters", (("status", "closed"),))] == 0
    assert figures[("engagement_letters_overdue", ())] == 1
    assert ("engagement_mail_queue", ()) in figures
    assert ("engagement_analytics_last_refresh_timestamp_seconds", ()) in figures
    assert {s.value for s in Status} == {
        dict(labels)["status"] for name, labels in figures if name == "engagement_letters"
    }


@pytest.mark.parametrize("address", ["10.0.0.8", "203.0.113.5", "testclient"])
def test_other_addresses_get_not_found(app: FastAPI, address: str) -> None:
    response = TestClient(app, client=(address, 50000)).get("/metrics")

    assert response.status_code == 404


def test_the_allowed_networks_are_a_setting(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "metrics_allow", "10.0.0.0/8, 192.168.1.10/32")

    assert TestClient(app, client=("10.2.3.4", 1)).get("/metrics").status_code == 200
    assert TestClient(app, client=("192.168.1.10", 1)).get("/metrics").status_code == 200
    assert TestClient(app, client=("127.0.0.1", 1)).get("/metrics").status_code == 404
