"""Rate limits shared by four workers through Redis (Debian's redis-server, started here), and
the site still taking letters while Redis is down."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from benchmarks.servers import free_port
from tests.feedback.factories import payload
from tests.live_server import running

REDIS = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(
    REDIS is None and os.environ.get("CI") != "true", reason="redis-server is not installed"
)


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    assert REDIS, "CI installs redis-server: the shared rate limits must be tested"
    port = free_port()
    server = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while (
        subprocess.run(
            ["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True
        ).stdout.strip()
        != "PONG"
    ):
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0", server
    server.kill()
    server.wait()


def post_letters(base: str, n: int) -> list[int]:
    """n letters from one address, each on a new connection (so any worker may take it)."""
    return [
        httpx.post(
            f"{base}/api/v1/letters", json=payload(), headers={"Connection": "close"}
        ).status_code
        for _ in range(n)
    ]


def storage_up(base: str) -> float:
    text = httpx.get(f"{base}/metrics").text
    return next(
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "engagement_ratelimit_storage_up"
    )


def test_four_workers_refuse_the_21st_letter_in_a_minute(
    tmp_path: Path, redis: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, _ = redis
    with running(tmp_path, "--workers", "4", ENGAGEMENT_RATELIMIT_STORAGE=url) as (base, _log):
        answers = post_letters(base, 24)
        scrapes = [letters_posted(base) for _ in range(4)]

    assert answers[:20] == [201] * 20
    assert answers[20:] == [429] * 4
    # Whichever worker answers /metrics, it counts the requests of all four.
    assert scrapes == [{"201": 20, "429": 4}] * 4


def letters_posted(base: str) -> dict[str, float]:
    text = httpx.get(f"{base}/metrics", headers={"Connection": "close"}).text
    return {
        s.labels["status"]: s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "engagement_http_requests_total" and s.labels["route"] == "/api/v1/letters"
    }


def test_letters_are_taken_while_redis_is_down_and_the_log_and_metrics_say_so(
    tmp_path: Path, redis: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, server = redis
    with running(tmp_path, ENGAGEMENT_RATELIMIT_STORAGE=url) as (base, log):
        assert post_letters(base, 2) == [201, 201]
        assert storage_up(base) == 1
        server.kill()
        server.wait()

        assert post_letters(base, 3) == [201, 201, 201]
        assert storage_up(base) == 0
        # Limits still hold, per worker, in memory.
        assert 429 in post_letters(base, 25)

    assert "Rate limit storage unreachable" in log.read_text(errors="replace")
