"""Plotly figures as JSON for the pages; a static script draws them (no inline scripts).

The pages load plotly.js's basic bundle (engagement/static/vendor: bar, pie and scatter traces
only), so a figure here may use no other trace type.

Figures are written as plain dicts in plotly.js's own schema, not built with plotly.py's
graph_objects: those validate every property on the way in and took 0.2–0.6 s of a dashboard's
server time for two small charts. Nothing here needs plotly.py's template either, whose JSON
every page used to carry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

FONT = "PingFang SC, Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"
COLORS = ["#9d1c20", "#0b4fa3", "#1d6b35", "#8a5a00", "#5b2a86", "#00707a", "#b3541e"]
GRID = "#e5e5e5"
DAY_MS = 24 * 3600 * 1000
FEW_MONTHS = 4  # up to this many months every month is labelled; more, plotly thins the labels


def _axis(**extra: Any) -> dict[str, Any]:
    return {"automargin": True, "gridcolor": GRID, "zerolinecolor": "#bdbdbd", **extra}


def _layout(title: str, height: int, **extra: Any) -> dict[str, Any]:
    return {
        "title": {"text": title, "x": 0, "font": {"size": 16}},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        "font": {"family": FONT, "size": 14, "color": "#1b1b1b"},
        "paper_bgcolor": "#fff",
        "plot_bgcolor": "#fff",
        "colorway": COLORS,
        "showlegend": False,
        # Months and options are categories; counts are whole numbers.
        "xaxis": _axis(type="category"),
        "yaxis": _axis(),
        **extra,
    }


def bar(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str = "",
    horizontal: bool = True,
    height: int | None = None,
) -> str:
    if horizontal:
        trace = {
            "type": "bar",
            "orientation": "h",
            "x": list(values),
            "y": list(labels),
            "text": list(values),
            "textposition": "auto",
            "marker": {"color": COLORS[0]},
        }
        layout = _layout(title, height or max(180, 40 * len(labels) + 60))
        layout["yaxis"] = _axis(type="category", autorange="reversed")
        layout["xaxis"] = _axis(type="linear", tickformat="d", rangemode="tozero")
        return to_json({"data": [trace], "layout": layout})
    trace = {"type": "bar", "x": list(labels), "y": list(values), "marker": {"color": COLORS[0]}}
    layout = _layout(title, height or 260)
    layout["yaxis"] = _axis(tickformat="d", rangemode="tozero")
    return to_json({"data": [trace], "layout": layout})


def lines(
    x: Sequence[Any], series: Mapping[str, Sequence[float]], *, title: str = "", height: int = 320
) -> str:
    data = [
        {"type": "scatter", "mode": "lines+markers", "x": list(x), "y": list(v), "name": k}
        for k, v in series.items()
    ]
    layout = _layout(
        title, height, showlegend=len(series) > 1, legend={"orientation": "h", "y": -0.2}
    )
    return to_json({"data": data, "layout": layout})


def stacked_bars(
    x: Sequence[Any], series: Mapping[str, Sequence[float]], *, title: str = "", height: int = 340
) -> str:
    data = [{"type": "bar", "x": list(x), "y": list(v), "name": k} for k, v in series.items()]
    layout = _layout(
        title, height, barmode="stack", showlegend=True, legend={"orientation": "h", "y": -0.2}
    )
    layout["yaxis"] = _axis(tickformat="d", rangemode="tozero")
    return to_json({"data": data, "layout": layout})


def monthly_bars(
    months: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str = "",
    height: int = 340,
) -> str:
    """Stacked bars a month ("2026-03") each, on a date axis labelled "2026-03".

    On a category axis plotly.js labels every month and, on a phone, turns the labels upright
    and cuts them to "2026-"; a date axis lets it label every second or third month instead,
    level and whole, when the chart is narrow.
    """
    width = 26 * DAY_MS  # a bar's width on a date axis is in milliseconds
    data = [
        {"type": "bar", "x": list(months), "y": list(v), "name": k, "width": width}
        for k, v in series.items()
    ]
    layout = _layout(
        title, height, barmode="stack", showlegend=True, legend={"orientation": "h", "y": -0.2}
    )
    layout["xaxis"] = _axis(
        type="date", tickformat="%Y-%m", hoverformat="%Y-%m", tickangle=0, showgrid=False
    )
    if len(months) <= FEW_MONTHS:
        layout["xaxis"]["dtick"] = "M1"  # else plotly would tick weeks, each labelled its month
    layout["yaxis"] = _axis(tickformat="d", rangemode="tozero")
    return to_json({"data": data, "layout": layout})


def to_json(figure: dict[str, Any]) -> str:
    """JSON safe to place inside a <script> element: '<', '>' and '&' are escaped."""
    text = json.dumps(figure, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
