"""Static files: hashed names cached a year, text gzipped, and the small plotly.js bundle."""

from __future__ import annotations

import json
import re
from pathlib import Path

import plotly.offline
import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.routing import Mount

from engagement import charts
from engagement.assets import STATIC_DIR, StaticAssets, accepts_gzip
from engagement.models import User
from tests.conftest import login

IMMUTABLE = "public, max-age=31536000, immutable"
STATIC_REF = re.compile(r'(?:src|href)="(/static/[^"]+)"')
HASHED = re.compile(r"/static/[\w./-]+\.[0-9a-f]{12}\.\w+")


def static_refs(html: str) -> list[str]:
    return STATIC_REF.findall(html)


def chart_bundle_url(html: str) -> str:
    (url,) = [ref for ref in static_refs(html) if "plotly" in ref]
    return url


def trace_types_of_our_charts() -> set[str]:
    figures = [
        charts.bar(["a", "b"], [1, 2]),
        charts.bar(["a", "b"], [1, 2], horizontal=False),
        charts.lines(["2025-01", "2025-02"], {"letters": [1, 2]}),
        charts.stacked_bars(["2025-01"], {"complaint": [1], "help": [2]}),
    ]
    return {trace["type"] for figure in figures for trace in json.loads(figure)["data"]}


def test_pages_reference_static_files_by_content_hashed_names(client: TestClient) -> None:
    refs = static_refs(client.get("/").text)

    assert refs, "the home page links no static file"
    assert [ref for ref in refs if not HASHED.fullmatch(ref)] == []
    assert any(ref.startswith("/static/site.") and ref.endswith(".css") for ref in refs)


def test_a_hashed_address_is_cached_a_year_and_the_plain_one_briefly(client: TestClient) -> None:
    (css,) = [ref for ref in static_refs(client.get("/").text) if ref.endswith(".css")]
    file = (STATIC_DIR / "site.css").read_bytes()

    hashed = client.get(css)
    plain = client.get("/static/site.css")
    out_of_date = client.get("/static/site.000000000000.css")

    assert hashed.status_code == 200 and hashed.content == file
    assert hashed.headers["cache-control"] == IMMUTABLE
    assert hashed.headers["content-type"] == "text/css; charset=utf-8"
    for answer in (plain, out_of_date):
        assert answer.status_code == 200 and answer.content == file
        assert "immutable" not in answer.headers["cache-control"]
    assert client.get("/static/nothing-here.css").status_code == 404
    assert client.post(css).status_code == 405


def test_text_assets_are_gzipped_for_a_client_that_accepts_gzip(client: TestClient) -> None:
    refs = static_refs(client.get("/").text)
    for name in ("site.css", "site.js", "vendor/htmx-2.0.11.min.js"):
        stem, suffix = name.rsplit(".", 1)
        (ref,) = [r for r in refs if r.startswith(f"/static/{stem}.") and r.endswith(f".{suffix}")]
        file = (STATIC_DIR / name).read_bytes()

        packed = client.get(ref, headers={"Accept-Encoding": "gzip"})
        plain = client.get(ref, headers={"Accept-Encoding": "identity"})

        assert packed.headers["content-encoding"] == "gzip", name
        assert "Accept-Encoding" in packed.headers["vary"]
        assert int(packed.headers["content-length"]) < len(file) / 2
        assert packed.content == file  # as the client decoded it
        assert "content-encoding" not in plain.headers
        assert plain.content == file


def test_an_unchanged_asset_answers_304_and_head_answers_no_body(client: TestClient) -> None:
    (css,) = [ref for ref in static_refs(client.get("/").text) if ref.endswith(".css")]
    first = client.get(css, headers={"Accept-Encoding": "gzip"})

    again = client.get(
        css, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["etag"]}
    )
    head = client.head(css, headers={"Accept-Encoding": "identity"})

    assert again.status_code == 304 and again.content == b""
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str((STATIC_DIR / "site.css").stat().st_size)


def test_only_text_files_are_gzipped(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("county " * 400)
    (tmp_path / "photo.png").write_bytes(b"\x89PNG" + bytes(4000))
    client = TestClient(Starlette(routes=[Mount("/static", StaticAssets(tmp_path))]))

    text = client.get("/static/notes.txt", headers={"Accept-Encoding": "gzip"})
    image = client.get("/static/photo.png", headers={"Accept-Encoding": "gzip"})

    assert text.headers["content-encoding"] == "gzip"
    assert text.text == "county " * 400
    assert "content-encoding" not in image.headers
    assert image.headers["content-type"] == "image/png"


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("", False),
    ],
)
def test_accept_encoding(header: str, accepted: bool) -> None:
    assert accepts_gzip(header) is accepted


def test_chart_pages_load_the_small_plotly_bundle_deferred(
    client: TestClient, leader: User
) -> None:
    login(client, leader.username)
    page = client.get("/dashboard")
    bundle = client.get(chart_bundle_url(page.text), headers={"Accept-Encoding": "identity"})

    assert bundle.status_code == 200
    assert len(bundle.content) < 1_500_000, "the full plotly.js bundle is served"
    assert f"v{plotly.offline.get_plotlyjs_version()}" in bundle.text[:200], (
        "the bundle's plotly.js version differs from the one the Python plotly package expects"
    )
    for trace in trace_types_of_our_charts():
        assert f'moduleType:"trace",name:"{trace}"' in bundle.text, f"no {trace} traces in bundle"
    scripts = re.findall(r"<script src=\"/static/[^\"]+\"[^>]*>", page.text)
    assert scripts and all(" defer" in tag for tag in scripts), "a script holds back the text"


def test_the_browser_finds_an_icon_at_favicon_ico(client: TestClient) -> None:
    answer = client.get("/favicon.ico")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/vnd.microsoft.icon"
    assert answer.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon"' in client.get("/").text
