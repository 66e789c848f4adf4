"""Where the dashboard's server time went (issue #15): plotly.py's graph_objects validated every
property of its two small charts, 0.2–0.6 s before the first byte, and every page carried
plotly.py's template. Charts are plain plotly.js figures now."""

from __future__ import annotations

import json
import re

import plotly.graph_objects as go
import pytest
from fastapi.testclient import TestClient

from tests.analytics.dataset import PERIOD, Dataset
from tests.conftest import login


def figures(html: str) -> dict[str, dict]:
    found = re.findall(
        r'<script type="application/json" class="plotly-figure" data-target="([\w-]+)">'
        r"(.*?)</script>",
        html,
        re.S,
    )
    return {target: json.loads(text) for target, text in found}


def test_the_dashboard_draws_its_charts_without_graph_objects(
    client: TestClient, dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow(*args: object, **kwargs: object) -> None:
        raise AssertionError("a chart was built with plotly.graph_objects")

    monkeypatch.setattr(go.Figure, "__init__", slow)
    login(client, "leader1")

    page = client.get("/dashboard", params={**PERIOD, "lang": "en"})

    assert page.status_code == 200
    charts = figures(page.text)
    assert set(charts) == {"chart-volume", "chart-words"}
    for figure in charts.values():
        assert "template" not in figure["layout"]  # plotly.py's, some 7 kB a chart
        assert all(trace["type"] == "bar" for trace in figure["data"])
