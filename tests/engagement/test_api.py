"""The core's JSON API: GET /api/v1/departments and GET /api/v1/health."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from engagement.db import make_engine
from engagement.models import Department
from tests import factories


@pytest.fixture
def units(db: Session, housing: Department, township: Department) -> list[Department]:
    factories.department(slug="closed-unit", name="已撤销单位", active=False)
    return [housing, township, factories.department(slug="water", name="县水利局")]


def test_departments_list_shape(client: TestClient, units: list[Department]) -> None:
    response = client.get("/api/v1/departments")

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 3 and body["page"] == 1
    assert sorted(body["items"], key=lambda d: d["slug"]) == [
        {"slug": "chengguan", "name": "城关镇", "kind": "township"},
        {"slug": "housing", "name": "县住房和城乡建设局", "kind": "department"},
        {"slug": "water", "name": "县水利局", "kind": "department"},
    ]


def test_inactive_units_are_hidden(client: TestClient, units: list[Department]) -> None:
    slugs = [d["slug"] for d in client.get("/api/v1/departments").json()["items"]]

    assert "closed-unit" not in slugs


def test_departments_pages(client: TestClient, units: list[Department]) -> None:
    pages = [
        client.get("/api/v1/departments", params={"page": n, "per_page": 2}).json()
        for n in (1, 2, 3)
    ]

    assert [p["page"] for p in pages] == [1, 2, 3]
    assert all(p["total"] == 3 for p in pages)
    assert [len(p["items"]) for p in pages] == [2, 1, 0]
    slugs = [d["slug"] for p in pages for d in p["items"]]
    assert sorted(slugs) == ["chengguan", "housing", "water"]


def test_departments_filter_by_kind(client: TestClient, units: list[Department]) -> None:
    body = client.get("/api/v1/departments", params={"kind": "township"}).json()

    assert [d["slug"] for d in body["items"]] == ["chengguan"]
    assert body["total"] == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"per_page": 101}, "per_page"),
        ({"per_page": 0}, "per_page"),
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
        ({"kind": "village"}, "kind"),
    ],
)
def test_bad_list_parameters_are_422_with_one_entry_per_field(
    client: TestClient, params: dict[str, object], field: str
) -> None:
    response = client.get("/api/v1/departments", params=params)

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [entry["loc"][-1] for entry in detail] == [field]


def test_per_page_100_is_allowed(client: TestClient, units: list[Department]) -> None:
    assert client.get("/api/v1/departments", params={"per_page": 100}).status_code == 200


def test_departments_need_no_credentials(client: TestClient, units: list[Department]) -> None:
    response = client.get("/api/v1/departments", headers={"Authorization": "Bearer junk"})

    assert response.status_code == 200


def test_health_is_ok(client: TestClient) -> None:
    response = client.get("/api/v1/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_reports_a_broken_database_without_a_500(app: FastAPI, tmp_path) -> None:
    unreachable = make_engine(f"sqlite:///{tmp_path}")  # a directory: cannot be opened
    app.state.sessionmaker = sessionmaker(bind=unreachable)
    client = TestClient(app, raise_server_exceptions=False)

    response = client.get("/api/v1/health")

    assert response.status_code == 503
    assert response.json()["database"] != "ok"
    unreachable.dispose()


def test_the_api_is_described_at_openapi_json(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert {"/api/v1/auth/token", "/api/v1/departments", "/api/v1/health"} <= set(paths)


def test_pages_and_api_carry_the_security_headers(client: TestClient) -> None:
    for response in (client.get("/login"), client.get("/api/v1/health")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_the_api_docs_page_is_not_blocked_by_its_own_csp(client: TestClient) -> None:
    import re

    """A docs page, if the app serves one, must load under the CSP the app sends with it."""
    response = client.get("/api/docs")
    if response.status_code == 404:
        return  # no interactive page: the spec is at /openapi.json
    csp = response.headers.get("content-security-policy", "")
    script_src = next((d for d in csp.split(";") if d.strip().startswith("script-src")), "")

    assert response.status_code == 200
    for src in re.findall(r'<script src="([^"]+)"', response.text):
        host = src.split("/")[2] if src.startswith("http") else None
        assert not script_src or host is None or host in script_src, (src, csp)
    if "<script>" in response.text:
        assert not script_src or "'unsafe-inline'" in script_src or "nonce-" in script_src
