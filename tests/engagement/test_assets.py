"""The chart pages load plotly.js's small basic bundle, which draws every trace our charts make."""

from __future__ import annotations

import json
import re

import plotly.offline
from fastapi.testclient import TestClient

from engagement import charts
from engagement.models import User
from tests.conftest import login

STATIC_REF = re.compile(r'(?:src|href)="(/static/[^"]+)"')


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
