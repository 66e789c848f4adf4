"""The access log of a real server never holds a tracking code (issue: 609 codes in one log)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from benchmarks.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_tracking_codes_never_reach_the_access_log(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "ENGAGEMENT_DATABASE_URL": f"sqlite:///{tmp_path / 'site.db'}",
        "ENGAGEMENT_SECRET_KEY": "test-secret",
    }
    engagement = [sys.executable, "-m", "engagement.cli"]
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*engagement, "serve", "--port", str(port)],
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

    written = log.read_text(errors="replace")
    assert "GET /mailbox/track?number=20261130000001&code=[hidden]" in written
    assert "SECRETCODE" not in written
