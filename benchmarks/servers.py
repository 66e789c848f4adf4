"""Starting and stopping uvicorn servers for a benchmark, each on its own fresh database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start")


@contextmanager
def serve(args: list[str], env: dict[str, str], ready: str) -> Iterator[None]:
    proc = subprocess.Popen(
        args,
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(ready, proc)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def platform(db_url: str, workers: int) -> Iterator[str]:
    env = {
        "ENGAGEMENT_DATABASE_URL": db_url,
        "ENGAGEMENT_RATELIMIT_ENABLED": "false",
        "ENGAGEMENT_SECRET_KEY": "bench",
    }
    subprocess.run(
        [str(BIN / "engagement"), "migrate"],
        env={**os.environ, **env},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [
        str(BIN / "engagement"),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
    ]
    with serve(cmd, env, f"{base}/api/v1/health"):
        yield base


@contextmanager
def bare(db_url: str, workers: int) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [
        str(BIN / "uvicorn"),
        "benchmarks.bare_app:app",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    with serve(cmd, {"BARE_DATABASE_URL": db_url}, f"{base}/docs"):
        yield base
