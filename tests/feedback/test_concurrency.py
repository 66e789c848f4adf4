"""Many writers at once against two real uvicorn workers sharing one SQLite file.

SQLite allows one writer at a time; the app queues writers (BEGIN IMMEDIATE, a lock file shared by
the worker processes). This checks that under load no letter is lost, none fails with "database is
locked", and no number is handed out twice.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.feedback.factories import payload

THREADS = 24
LETTERS_EACH = 10
ENGAGEMENT = Path(sys.executable).with_name("engagement")

pytestmark = pytest.mark.skipif(
    os.environ.get("ENGAGEMENT_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="about SQLite's single-writer locking across worker processes; "
    "ENGAGEMENT_TEST_DATABASE_URL points at PostgreSQL",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(database: Path) -> dict[str, str]:
    """The test's own settings only: tests/conftest.py put the unit tests' ENGAGEMENT_* here."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENGAGEMENT_")}
    env.update(
        ENGAGEMENT_DATABASE_URL=f"sqlite:///{database}",
        ENGAGEMENT_RATELIMIT_ENABLED="false",
        ENGAGEMENT_SECRET_KEY="concurrency-test-secret",
    )
    return env


def _wait_for_both_workers(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    """Until each worker has started (one answering /health is not enough: the other may still
    be importing while the load begins) and the health check answers."""
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()
        if log.read_text().count("Application startup complete.") >= 2:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
        assert time.monotonic() < deadline, f"the server did not start:\n{log.read_text()}"
        time.sleep(0.2)


@dataclass(frozen=True)
class Server:
    base: str
    database: Path

    def letters(self) -> int:
        with sqlite3.connect(self.database) as conn:
            return int(conn.execute("SELECT count(*) FROM letters").fetchone()[0])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp_path = tmp_path_factory.mktemp("concurrency")
    database = tmp_path / "concurrency.db"
    env = _environment(database)
    migrated = subprocess.run(
        [str(ENGAGEMENT), "migrate"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert migrated.returncode == 0, migrated.stderr
    port = _free_port()
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [str(ENGAGEMENT), "serve", "--workers", "2", "--port", str(port), "--no-access-log"],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the workers stop with it
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_both_workers(process, base, tmp_path / "server.log")
        yield Server(base, database)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _payload(subject: str) -> dict[str, object]:
    return payload(subject=subject, category="suggestion")


def _writer(base: str, n: int, count: int = LETTERS_EACH) -> list[tuple[int, str]]:
    results = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for i in range(count):
            response = client.post("/api/v1/letters", json=_payload(f"并发测试第{n}组第{i}封"))
            results.append((response.status_code, response.text))
    return results


def test_parallel_letters_are_all_stored_once(server: Server) -> None:
    before = server.letters()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        batches = list(pool.map(lambda n: _writer(server.base, n), range(THREADS)))

    responses = [r for batch in batches for r in batch]
    assert len(responses) == THREADS * LETTERS_EACH
    failures = [(status, text[:200]) for status, text in responses if status != 201]
    assert failures == [], failures[:5]
    numbers = [httpx.Response(201, text=text).json()["number"] for _, text in responses]
    assert len(set(numbers)) == THREADS * LETTERS_EACH
    assert server.letters() - before == THREADS * LETTERS_EACH
    with sqlite3.connect(server.database) as conn:
        subjects = conn.execute(
            "SELECT count(DISTINCT subject) FROM letters WHERE subject LIKE '并发测试%'"
        ).fetchone()[0]
    assert subjects == THREADS * LETTERS_EACH


def test_tracking_letters_past_the_rating_window_while_others_write(server: Server) -> None:
    with httpx.Client(base_url=server.base, timeout=60) as client:
        made = [
            client.post("/api/v1/letters", json=_payload(f"旧信{i}")).json() for i in range(120)
        ]
    ids = [int(m["number"][8:]) for m in made]
    with sqlite3.connect(server.database) as conn:  # replied 20 days ago, never rated
        conn.executemany(
            "UPDATE letters SET status = 'replied', replied_at = datetime('now', '-20 days'), "
            "reply_due_at = datetime('now', '-25 days') WHERE id = ?",
            [(i,) for i in ids],
        )

    def track(k: int) -> list[tuple[int, str]]:
        results = []
        with httpx.Client(base_url=server.base, timeout=60) as client:
            for m in made[k * 10 : (k + 1) * 10]:
                try:
                    r = client.get(
                        f"/api/v1/letters/{m['number']}", params={"code": m["tracking_code"]}
                    )
                    results.append((r.status_code, r.text))
                except httpx.TransportError as exc:  # the server dropped the connection
                    results.append((0, repr(exc)))
        return results

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        tracked = [pool.submit(track, k) for k in range(12)]
        written = [pool.submit(_writer, server.base, 100 + k) for k in range(12)]
        results = [r for f in tracked + written for r in f.result()]

    bad_gets = [(status, text[:80]) for status, text in results[:120] if status != 200]
    bad_posts = [(status, text[:80]) for status, text in results[120:] if status != 201]
    assert (bad_gets, bad_posts) == ([], []), (
        f"{len(bad_gets)} of 120 tracking GETs and {len(bad_posts)} of 120 POSTs failed: "
        f"{(bad_gets + bad_posts)[:3]}"
    )
    assert all('"status":"closed"' in text for status, text in results[:120])
