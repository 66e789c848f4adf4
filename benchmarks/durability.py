"""Every acknowledged letter survives `kill -9`: writers, a hard kill, a restart, then tracking.

`python -m benchmarks.durability [--writers 8] [--seconds 5]` starts `engagement serve` on a
fresh SQLite file (and, with --postgres, on a PostgreSQL server started for the run), lets the
writers send letters through the JSON API, kills the server with SIGKILL mid-stream, starts it
again on the same database and tracks every letter whose 201 reached a writer. It prints how many
were acknowledged and how many are still there; any difference is a lost letter.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from benchmarks import postgres, servers
from benchmarks.mailbox_submit import letter


@contextmanager
def _server(db_url: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`engagement serve` in a process group of its own, so SIGKILL reaches all of it."""
    env = {
        **os.environ,
        "ENGAGEMENT_DATABASE_URL": db_url,
        "ENGAGEMENT_RATELIMIT_ENABLED": "false",
        "ENGAGEMENT_SECRET_KEY": "bench",
    }
    cmd = [str(servers.BIN / "engagement"), "serve", "--port", str(port), "--no-access-log"]
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=servers.ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        servers._wait(f"http://127.0.0.1:{port}/api/v1/health", proc, timeout=60)
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)


def _write(base: str, stop: threading.Event, acknowledged: list[tuple[str, str]]) -> None:
    with httpx.Client(base_url=base, timeout=10) as client:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                response = client.post("/api/v1/letters", json=letter(n))
            except httpx.HTTPError:
                return  # the server is gone: what was acknowledged is all there is
            if response.status_code == 201:
                body = response.json()
                acknowledged.append((body["number"], body["tracking_code"]))


def run(name: str, db_url: str, *, writers: int, seconds: float) -> None:
    port = servers.free_port()
    acknowledged: list[tuple[str, str]] = []
    stop = threading.Event()
    with _server(db_url, port) as proc:
        threads = [
            threading.Thread(target=_write, args=(f"http://127.0.0.1:{port}", stop, acknowledged))
            for _ in range(writers)
        ]
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        os.killpg(proc.pid, signal.SIGKILL)  # mid-stream: requests are in flight
        proc.wait()
        stop.set()
        for thread in threads:
            thread.join()
    with _server(db_url, port), httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        kept = sum(
            client.get(f"/api/v1/letters/{number}", params={"code": code}).status_code == 200
            for number, code in acknowledged
        )
    lost = len(acknowledged) - kept
    print(
        f"kill -9 on {name}: {writers} writers for {seconds:.0f} s, {len(acknowledged):,} letters "
        f"acknowledged, {kept:,} kept after the restart ({lost} lost)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL too")
    args = parser.parse_args(argv)
    print("Durability: every acknowledged letter is kept across kill -9")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = f"sqlite:///{tmp}/durable.db"
        _migrate(sqlite_url)
        run("SQLite", sqlite_url, writers=args.writers, seconds=args.seconds)
    if args.postgres:
        with postgres.server() as url:
            if url is None:
                print("kill -9 on PostgreSQL: skipped (no PostgreSQL installed here)")
                return
            _migrate(url)
            run("PostgreSQL", url, writers=args.writers, seconds=args.seconds)


def _migrate(db_url: str) -> None:
    subprocess.run(
        [str(servers.BIN / "engagement"), "migrate"],
        env={**os.environ, "ENGAGEMENT_DATABASE_URL": db_url},
        check=True,
        stdout=subprocess.DEVNULL,
    )


if __name__ == "__main__":
    main()
