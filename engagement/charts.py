"""Plotly figures as JSON for the pages; a static script draws them (no inline scripts).

The pages load plotly.js's basic bundle (engagement/static/vendor: bar, pie and scatter traces
only), so a figure here may use no other trace type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

FONT = "PingFang SC, Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"
COLORS = ["#9d1c20", "#0b4fa3", "#1d6b35", "#8a5a00", "#5b2a86", "#00707a", "#b3541e"]


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 16}},
        height=height,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        font={"family": FONT, "size": 14, "color": "#1b1b1b"},
        paper_bgcolor="#fff",
        plot_bgcolor="#fff",
        colorway=COLORS,
        showlegend=False,
    )
    # Months and options are categories; counts are whole numbers.
    fig.update_xaxes(automargin=True, gridcolor="#e5e5e5", type="category")
    fig.update_yaxes(automargin=True, gridcolor="#e5e5e5")
    return fig


def bar(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str = "",
    horizontal: bool = True,
    height: int | None = None,
) -> str:
    if horizontal:
        trace = go.Bar(
            x=list(values),
            y=list(labels),
            orientation="h",
            text=list(values),
            textposition="auto",
            marker_color=COLORS[0],
        )
        fig = go.Figure(trace)
        fig = _layout(fig, title, height or max(180, 40 * len(labels) + 60))
        fig.update_yaxes(autorange="reversed", type="category")
        fig.update_xaxes(type="linear", tickformat="d", rangemode="tozero")
        return to_json(fig)
    fig = go.Figure(go.Bar(x=list(labels), y=list(values), marker_color=COLORS[0]))
    fig = _layout(fig, title, height or 260)
    fig.update_yaxes(tickformat="d", rangemode="tozero")
    return to_json(fig)


def lines(
    x: Sequence[Any], series: Mapping[str, Sequence[float]], *, title: str = "", height: int = 320
) -> str:
    fig = go.Figure(
        [go.Scatter(x=list(x), y=list(v), mode="lines+markers", name=k) for k, v in series.items()]
    )
    fig = _layout(fig, title, height)
    fig.update_layout(showlegend=len(series) > 1, legend={"orientation": "h", "y": -0.2})
    return to_json(fig)


def stacked_bars(
    x: Sequence[Any], series: Mapping[str, Sequence[float]], *, title: str = "", height: int = 340
) -> str:
    fig = go.Figure([go.Bar(x=list(x), y=list(v), name=k) for k, v in series.items()])
    fig = _layout(fig, title, height)
    fig.update_yaxes(tickformat="d", rangemode="tozero")
    fig.update_layout(barmode="stack", showlegend=True, legend={"orientation": "h", "y": -0.2})
    return to_json(fig)


def to_json(fig: go.Figure) -> str:
    """JSON safe to place inside a <script> element: '<', '>' and '&' are escaped."""
    text = str(fig.to_json())
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
