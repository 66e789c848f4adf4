"""A real server's log: one line per request with its id, route template, status and duration,
and never a tracking code (issue: 609 codes in one access log)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from tests.live_server import running


def served_log(tmp_path: Path, **settings: str) -> str:
    """Starts `engagement serve`, tracks a letter by its code twice, stops; returns the log."""
    with running(tmp_path, **settings) as (base, log):
        httpx.get(
            f"{base}/mailbox/track", params={"number": "20261130000001", "code": "SECRETCODE1"}
        )
        httpx.get(f"{base}/api/v1/letters/20261130000001?code=SECRETCODE2&x=1")
    return log.read_text(errors="replace")


def test_one_line_per_request_and_never_a_tracking_code(tmp_path: Path) -> None:
    written = served_log(tmp_path)

    assert re.search(r"engagement.requests: [0-9a-f]{32} GET /mailbox/track 404 [\d.]+ms", written)
    assert re.search(r"GET /api/v1/letters/\{number\} 404 ", written)
    assert "SECRETCODE" not in written
    assert "20261130000001" not in written


def test_json_lines_when_asked(tmp_path: Path) -> None:
    written = served_log(tmp_path, ENGAGEMENT_LOG_JSON="true")

    lines = [json.loads(line) for line in written.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "engagement.requests"]
    assert {(r["method"], r["route"], r["status"]) for r in requests} >= {
        ("GET", "/mailbox/track", 404),
        ("GET", "/api/v1/letters/{number}", 404),
    }
    assert all(len(r["request_id"]) == 32 and r["duration_ms"] >= 0 for r in requests)
    assert "SECRETCODE" not in written
