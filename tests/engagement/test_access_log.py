"""A real server's log: one line per request with its id, route template, status and duration,
and never a tracking code (issue: 609 codes in one access log)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from benchmarks.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def served_log(tmp_path: Path, **settings: str) -> str:
    """Starts `engagement serve`, tracks a letter by its code twice, stops; returns the log."""
    port = free_port()
    env = {
        **os.environ,
        "ENGAGEMENT_DATABASE_URL": f"sqlite:///{tmp_path / 'site.db'}",
        "ENGAGEMENT_SECRET_KEY": "test-secret",
        **settings,
    }
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "engagement.cli", "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{base}/api/v1/health", timeout=1)
                    break
                except httpx.HTTPError:
                    assert time.monotonic() < deadline, log.read_text(errors="replace")
                    time.sleep(0.2)
            httpx.get(
                f"{base}/mailbox/track", params={"number": "20261130000001", "code": "SECRETCODE1"}
            )
            httpx.get(f"{base}/api/v1/letters/20261130000001?code=SECRETCODE2&x=1")
        finally:
            server.terminate()
            server.wait(timeout=15)
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
