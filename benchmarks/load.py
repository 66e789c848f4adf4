"""A small closed-loop load generator: N threads, each sending requests back to back."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx


@dataclass
class Result:
    label: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def line(self) -> str:
        return (
            f"{self.label:<28} {self.throughput:8.1f} req/s   p50 {self.percentile(50):7.1f} ms"
            f"   p99 {self.percentile(99):7.1f} ms   errors {self.errors}/{self.requests}"
        )


def run(
    label: str,
    url: str,
    payload: Callable[[int], dict[str, object]],
    *,
    threads: int,
    per_thread: int,
    expect: int = 201,
) -> Result:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def worker(n: int) -> None:
        nonlocal errors
        with httpx.Client(timeout=60) as client:
            for i in range(per_thread):
                started = time.perf_counter()
                response = client.post(url, json=payload(n * per_thread + i))
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    errors += response.status_code != expect

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    seconds = time.perf_counter() - started
    return Result(label, len(latencies), errors, seconds, latencies)


def summary(values: list[float]) -> str:
    return f"{statistics.mean(values):.1f}"
