"""Four workers on PostgreSQL under a city's mixed load, beside a bare insert endpoint.

`python -m benchmarks.city_load [--seconds 60] [--workers 4]` starts a PostgreSQL server of its
own (benchmarks.postgres), fills it with the demo county, serves it with `engagement serve
--workers N` and, all at once for the given time, sends letters (POST /api/v1/letters), tracking
look-ups, public list pages and the dashboard's figures (as a leader). It prints throughput, p50
and p99 and errors for each, and the most connections PostgreSQL had open. Then the same letters
against a bare FastAPI endpoint that inserts one row into the same server, and last a profile of
the submission path (in-process, cProfile) to say where a letter's time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import threading
import time
from collections.abc import Callable

import httpx
import psycopg

from benchmarks import postgres, servers
from benchmarks.load import Result
from benchmarks.mailbox_submit import BODY, letter

Request = Callable[[httpx.Client, int], int]  # sends one request; returns the status


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    with postgres.server() as url:
        if url is None:
            print("City load on PostgreSQL: skipped (no PostgreSQL installed here)")
            return
        run(url, seconds=args.seconds, workers=args.workers)


def run(url: str, *, seconds: float, workers: int) -> None:
    env = {**os.environ, "ENGAGEMENT_DATABASE_URL": url}
    for command in ("migrate", "demo"):
        done = subprocess.run(
            [str(servers.BIN / "engagement"), command], env=env, capture_output=True, text=True
        )
        if done.returncode:
            raise SystemExit(f"engagement {command} failed: {done.stderr[-2000:]}")
    print(f"City load: engagement serve --workers {workers} on PostgreSQL, {seconds:.0f} s")
    with servers.platform(url, workers) as base, _Connections(url) as connections:
        tracked = [_submit(base) for _ in range(20)]
        token = _token(base)
        kinds: list[tuple[str, Request, int]] = [
            ("POST /api/v1/letters", _letters, 8),
            ("GET /api/v1/letters/{number}", _tracking(tracked), 4),
            ("GET /mailbox/letters?page=N", _public_list, 4),
            ("GET /api/v1/analytics/letters", _dashboard(token), 2),
        ]
        results = _together(base, kinds, seconds)
    for result in results:
        print(result.line())
    print(f"PostgreSQL connections open at most: {connections.most} (pool per worker: "
          f"ENGAGEMENT_DB_POOL_SIZE + ENGAGEMENT_DB_MAX_OVERFLOW)")  # fmt: skip
    with servers.platform(url, workers) as base:
        alone = _together(base, [("POST /api/v1/letters alone", _letters, 8)], seconds)[0]
    with servers.bare(url, workers) as base:
        bare = _together(base, [("bare insert endpoint", _bare, 8)], seconds)[0]
    print(alone.line())
    print(bare.line())
    print(
        f"letters reach {alone.throughput / bare.throughput:.0%} of the bare insert endpoint's "
        "throughput under the same load (aim: at least 50%)"
    )
    _profile(url)


def _together(base: str, kinds: list[tuple[str, Request, int]], seconds: float) -> list[Result]:
    """Every kind's threads at once, each sending requests back to back until time is up."""
    stop = threading.Event()
    results = [Result(label, 0, 0, seconds, []) for label, _, _ in kinds]
    lock = threading.Lock()

    def loop(send: Request, result: Result, thread: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            i = 0
            while not stop.is_set():
                i += 1
                began = time.perf_counter()
                try:
                    status = send(client, thread * 1_000_000 + i)
                except httpx.HTTPError:
                    status = 0
                elapsed = time.perf_counter() - began
                with lock:
                    result.requests += 1
                    result.errors += status >= 400 or status == 0
                    result.latencies.append(elapsed)

    threads = [
        threading.Thread(target=loop, args=(send, result, t))
        for (_, send, n), result in zip(kinds, results, strict=True)
        for t in range(n)
    ]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return results


def _letters(client: httpx.Client, n: int) -> int:
    return client.post("/api/v1/letters", json=letter(n)).status_code


def _bare(client: httpx.Client, n: int) -> int:
    return client.post("/insert", json={"body": BODY}).status_code


def _tracking(tracked: list[tuple[str, str]]) -> Request:
    def send(client: httpx.Client, n: int) -> int:
        number, code = tracked[n % len(tracked)]
        return client.get(f"/api/v1/letters/{number}", params={"code": code}).status_code

    return send


def _public_list(client: httpx.Client, n: int) -> int:
    return client.get("/mailbox/letters", params={"page": n % 20 + 1}).status_code


def _dashboard(token: str) -> Request:
    def send(client: httpx.Client, n: int) -> int:
        headers = {"Authorization": f"Bearer {token}"}
        return client.get("/api/v1/analytics/letters", headers=headers).status_code

    return send


def _submit(base: str) -> tuple[str, str]:
    body = httpx.post(f"{base}/api/v1/letters", json=letter(0)).json()
    return body["number"], body["tracking_code"]


def _token(base: str) -> str:
    answer = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": "leader", "password": "demo-leader-pass"}
    )
    return str(answer.json()["access_token"])


class _Connections:
    """Counts PostgreSQL's open connections twice a second; keeps the most seen."""

    def __init__(self, url: str) -> None:
        self.dsn = url.replace("postgresql+psycopg://", "postgresql://")
        self.most = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch)

    def __enter__(self) -> _Connections:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while not self._stop.wait(0.5):
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                ).fetchone()
                self.most = max(self.most, int(row[0]) - 1 if row else 0)  # not this one


def _profile(url: str, letters: int = 300) -> None:
    """Where a letter's time goes: the service's submission path in this process (the HTTP
    layer, validation and the workers' event loop come on top), our own functions first."""
    from sqlalchemy.orm import Session

    from engagement.db import make_engine
    from feedback.mailbox import service
    from feedback.mailbox.models import Category

    engine = make_engine(url)
    data = [
        service.NewLetter(Category.complaint, f"供暖温度不达标 {n}", BODY, "张三", "13812345678")
        for n in range(letters)
    ]
    profile = cProfile.Profile()
    with Session(engine) as session:
        service.submit_letter(session, data[0])  # warm-up: jieba, vocabulary
        session.commit()
        began = time.perf_counter()
        profile.enable()
        for one in data:
            service.submit_letter(session, one)
            session.commit()
        profile.disable()
        took = time.perf_counter() - began
    engine.dispose()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(
        r"/(engagement|feedback)/|session.py.*\(commit\)|cursor.py.*\(execute\)|jieba", 12
    )
    print(f"Submission path (service, one process): {took / letters * 1000:.1f} ms a letter:")
    for line in out.getvalue().splitlines():
        parts = line.split()
        if len(parts) == 6 and parts[3].replace(".", "").isdigit():
            print(f"  {float(parts[3]) / letters * 1000:6.2f} ms  {parts[5]}")


if __name__ == "__main__":
    main()
