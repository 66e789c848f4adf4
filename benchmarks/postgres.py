"""A throwaway PostgreSQL server for a benchmark: its own data folder, port and database.

`ENGAGEMENT_BENCH_POSTGRES_URL` names an empty database to use instead. Without either (no
PostgreSQL installed), `server()` yields None and the benchmark says it skipped PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.servers import free_port

USER = "postgres"  # initdb refuses to run as root: the server runs as this account then


def _bin_dir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def _run(args: list[str], *, as_user: bool) -> None:
    if as_user and os.geteuid() == 0:
        args = ["runuser", "-u", USER, "--", *args]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@contextmanager
def server() -> Iterator[str | None]:
    """The URL of an empty database on a server started for this run, or None."""
    given = os.environ.get("ENGAGEMENT_BENCH_POSTGRES_URL")
    if given:
        yield given
        return
    bin_dir = _bin_dir()
    if bin_dir is None:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, USER)
    data, port = folder / "data", free_port()
    try:
        _run([str(bin_dir / "initdb"), "-D", str(data), "-U", "bench", "-A", "trust"], as_user=True)
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
        _run(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "start"],
            as_user=True,
        )
        try:
            _run([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "bench",
                  "bench"], as_user=False)  # fmt: skip
            yield f"postgresql+psycopg://bench@127.0.0.1:{port}/bench"
        finally:
            _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], as_user=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
