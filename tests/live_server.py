"""`engagement serve` started for a test, on its own SQLite file, as an operator starts it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from benchmarks.servers import free_port


@contextmanager
def running(folder: Path, *args: str, **settings: str) -> Iterator[tuple[str, Path]]:
    """Yields the server's address and its log file; stops it (SIGTERM) afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "ENGAGEMENT_DATABASE_URL": f"sqlite:///{folder / 'site.db'}",
        "ENGAGEMENT_SECRET_KEY": "test-secret",
        **settings,
    }
    log = folder / "server.log"
    command = [sys.executable, "-m", "engagement.cli", "serve", "--port", str(port), *args]
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, cwd=folder, stdout=out, stderr=out)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 90
            while True:
                try:
                    httpx.get(f"{base}/api/v1/health", timeout=1)
                    break
                except httpx.HTTPError:
                    assert server.poll() is None, log.read_text(errors="replace")
                    assert time.monotonic() < deadline, log.read_text(errors="replace")
                    time.sleep(0.2)
            yield base, log
        finally:
            server.terminate()
            server.wait(timeout=30)
