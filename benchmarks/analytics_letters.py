"""The letters dashboard API at city scale, next to bare GROUP BY scans of the same tables.

`python -m benchmarks.analytics_letters [--database URL] [--repeat 5]` uses a database holding
`engagement demo --scale large` (1,000,000 letters over three years). When the database is
empty it is built first, through the real console script, and the time that took is printed.
The default SQLite file `.bench/city.db` is kept between runs, since building it takes minutes.

Then it times `GET /api/v1/analytics/letters` as a leader, through the real application, for
the filters a leader uses (median of --repeat runs each), and plain GROUP BY scans that read
every letter or every stored word, for comparison.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from engagement.db import make_engine
from engagement.settings import get_settings
from engagement.timeutil import utcnow

DEFAULT_DATABASE = f"sqlite:///{Path('.bench/city.db').resolve()}"
API = "/api/v1/analytics/letters"
BARE_SCANS = {
    "letters by kind": "SELECT category, count(*) FROM letters GROUP BY category",
    "letters by unit, township, kind, status, month": (
        "SELECT department_id, township_id, category, status, substr(number_day, 1, 6),"
        " count(*), count(first_replied_at), count(satisfaction) FROM letters"
        " GROUP BY department_id, township_id, category, status, substr(number_day, 1, 6)"
    ),
    "top 20 words of all letters": (
        "SELECT word, sum(n) FROM letter_words GROUP BY word ORDER BY sum(n) DESC LIMIT 20"
    ),
}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", DEFAULT_DATABASE))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ["ENGAGEMENT_DATABASE_URL"] = args.database
    get_settings.cache_clear()
    print(f"Letters dashboard API at city scale — {args.database.split('@')[-1]}")
    letters = _ensure_city(args.database)
    print(f"  letters in the database: {letters:,}")
    _time_api(args.repeat)
    _time_bare_scans(args.database, args.repeat)


def _count(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM letters")).scalar() or 0)
    except DBAPIError:  # no schema yet: it will be built
        return 0
    finally:
        engine.dispose()


def _ensure_city(url: str) -> int:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if _count(url) >= 1_000_000:
        return _count(url)
    cli = [sys.executable, "-m", "engagement.cli"]
    env = {**os.environ, "ENGAGEMENT_DATABASE_URL": url}
    subprocess.run([*cli, "migrate"], check=True, env=env, stdout=subprocess.DEVNULL)
    started = time.perf_counter()
    demo = subprocess.run(
        [*cli, "demo", "--scale", "large"], check=True, env=env, capture_output=True, text=True
    )
    print(f"  engagement demo --scale large: {time.perf_counter() - started:.0f} s, of which")
    for line in demo.stdout.splitlines():
        if line.rstrip().endswith(" s)") or " s; " in line:
            print(f"    {line.strip()}")
    return _count(url)


def _median(repeat: int, run: Callable[[], Any]) -> float:
    run()  # warm the caches once, as a dashboard in use would be
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _time_api(repeat: int) -> None:
    from engagement.app import create_app

    today = utcnow().astimezone(get_settings().tz).date()
    cases: dict[str, dict[str, str]] = {
        "everything (3 years)": {},
        "last 365 days": {"from": str(today - timedelta(days=364)), "to": str(today)},
        "last 30 days": {"from": str(today - timedelta(days=29)), "to": str(today)},
        "one unit, 3 years": {"department": "housing"},
        "one unit, last 365 days": {
            "department": "housing",
            "from": str(today - timedelta(days=364)),
            "to": str(today),
        },
        "one township, 3 years": {"township": "xinhe"},
        "one kind, 3 years": {"category": "complaint"},
        "unit and kind, 3 years": {"department": "housing", "category": "complaint"},
    }
    with TestClient(create_app()) as client:
        login = client.post(
            "/api/v1/auth/token", data={"username": "leader", "password": "demo-leader-pass"}
        )
        login.raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        print(f"  GET {API} (median of {repeat}):")
        for name, params in cases.items():

            def call(params: dict[str, str] = params) -> None:
                response = client.get(API, params=params, headers=headers)
                response.raise_for_status()

            print(f"    {name:<28} {_median(repeat, call) * 1000:8.0f} ms")


def _time_bare_scans(url: str, repeat: int) -> None:
    engine = make_engine(url)
    print(f"  bare GROUP BY scans, for comparison (median of {repeat}):")
    with engine.connect() as connection:
        for name, sql in BARE_SCANS.items():
            seconds = _median(repeat, lambda sql=sql: connection.execute(text(sql)).all())
            print(f"    {name:<48} {seconds * 1000:8.0f} ms")
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
