"""Workers × pooled connections must fit in PostgreSQL's max_connections: `engagement serve`
refuses, in one line, a setting that would run out of connections under load."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"),
    reason="PostgreSQL's connection limit (CI runs the suite on PostgreSQL too)",
)


def serve(workers: int, pool: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ENGAGEMENT_DB_POOL_SIZE": str(pool), "ENGAGEMENT_DB_MAX_OVERFLOW": "0"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "engagement.cli",
            "serve",
            "--workers",
            str(workers),
            "--port",
            "1",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_too_many_connections_are_refused_before_serving() -> None:
    result = serve(workers=4, pool=200)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "ENGAGEMENT_DB_POOL_SIZE" in result.stderr.strip().splitlines()[-1]
