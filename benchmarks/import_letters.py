"""Importing an earlier system's letters: `engagement import letters` over N generated rows.

`python -m benchmarks.import_letters [--rows 1000000] [--database URL]` writes N realistic rows
to a CSV (streaming: eight years of a county's letters on the demo's topics, with estates,
writers, phones, replies 1–40 days later, a few published), loads the demo's units into a fresh
database at the newest schema (a temporary SQLite file unless --database is given), then times
`feedback.mailbox.importer.import_letters` and prints rows/s and peak memory. With --postgres it
does the same on a PostgreSQL server started for the run.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from benchmarks import postgres
from engagement.audit import Actor
from engagement.db import make_engine
from engagement.demo import TOWNSHIPS, load_units
from engagement.migrate import upgrade
from feedback.mailbox import importer
from feedback.mailbox.demo import DETAILS, NAMES, REPLIES, TOPICS
from feedback.mailbox.import_rows import COLUMNS

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2016, 1, 1, tzinfo=TZ)
YEARS = 8
ESTATE_STEMS = [
    "丽发",
    "金色",
    "阳光",
    "幸福",
    "锦绣",
    "翠湖",
    "东方",
    "龙泉",
    "滨江",
    "紫荆",
    "桂花",
    "书香",
    "景蓉",
    "和平",
    "碧水",
]
ESTATE_ENDS = ["新城", "家园", "花园", "小区", "名苑", "雅苑", "山庄", "公寓"]
OPENINGS = ["尊敬的县长：", "县长您好！", "领导好，", "您好，"]
CLOSINGS = [
    "恳请有关部门尽快处理，谢谢！",
    "希望领导重视，给老百姓一个答复。",
    "此事已反映多次，至今没有结果。",
    "盼复。",
]


def write_csv(path: Path, rows: int, *, seed: int = 7) -> None:
    """N rows in the columns of contract §6, written as they are made (memory stays flat)."""
    rng = random.Random(seed)  # noqa: S311 (reproducible data, not secrets)
    span = timedelta(days=365 * YEARS).total_seconds()
    with path.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file)
        out.writerow(COLUMNS)
        for i in range(rows):
            submitted = START + timedelta(seconds=span * (i + rng.random()) / rows)
            out.writerow(_row(rng, i, submitted))


def _row(rng: random.Random, i: int, submitted: datetime) -> list[str]:
    unit, category, subject, body = rng.choice(TOPICS)
    town = rng.choice(TOWNSHIPS)[1]
    estate = rng.choice(ESTATE_STEMS) + rng.choice(ESTATE_ENDS)
    letter = (
        f"{rng.choice(OPENINGS)}我住在{town}{estate}{rng.randint(1, 30)}栋。"
        + body.format(town=town, n=rng.randint(1, 30))
        + rng.choice(CLOSINGS)
    )
    reply = replied = ""
    fate = rng.random()
    if fate < 0.9:
        replied_at = submitted + timedelta(days=rng.uniform(1, 40))
        replied = f"{replied_at:%Y-%m-%d %H:%M:%S}"
        reply = rng.choice(REPLIES).format(detail=rng.choice(DETAILS))
    public = bool(reply) and rng.random() < 0.02
    return [
        f"XF{submitted:%Y}{i:08d}",  # number
        f"{submitted:%Y/%-m/%-d %-H:%M:%S}",  # submitted_at, as many older systems write it
        subject,
        letter,
        category.value,
        rng.choice(NAMES),
        f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
        "",  # email
        town,
        unit if fate < 0.95 else "",
        reply,
        replied,
        "closed" if 0.93 < fate < 0.95 else "",
        str(rng.randint(0, 80)) if public else "",
        "true" if public else "false",
    ]


def _peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def run(rows: int, database: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "letters.csv"
        began = time.perf_counter()
        write_csv(source, rows)
        generated = time.perf_counter() - began
        size = source.stat().st_size / 2**20
        url = database or f"sqlite:///{tmp}/import.db"
        upgrade(url)
        engine = make_engine(url)
        try:
            with Session(engine, expire_on_commit=False) as session:
                load_units(session)
                session.commit()
                began, cpu = time.perf_counter(), os.times()
                report = importer.import_letters(
                    session, source, actor=Actor(None, system_name="bench")
                )
                took, spent = time.perf_counter() - began, os.times()
                stored = session.execute(text("SELECT count(*) FROM letters")).scalar()
        finally:
            engine.dispose()
    assert not report.problems, report.problems[:5]
    assert report.imported == rows == stored, (report.imported, rows, stored)
    print(
        f"Import letters: {rows:,} generated rows ({size:,.0f} MiB of CSV written in "
        f"{generated:.1f} s), {engine.dialect.name}"
    )
    print(
        f"engagement import letters: {took:.1f} s, {rows / took:,.0f} rows/s; peak memory "
        f"{_peak_mib(resource.RUSAGE_SELF):.0f} MiB (importer), "
        f"{_peak_mib(resource.RUSAGE_CHILDREN):.0f} MiB (largest segmenting worker)"
    )
    own = spent.user + spent.system - cpu.user - cpu.system
    workers = spent.children_user + spent.children_system - cpu.children_user - cpu.children_system
    print(
        f"CPU: importer {own:.0f} s, workers {workers:.0f} s "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", help="an empty database's URL (default: a new SQLite file)")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="also import into a PostgreSQL server started for the run (see benchmarks.postgres)",
    )
    args = parser.parse_args(argv)
    run(args.rows, args.database)
    if args.postgres:
        print()
        with postgres.server() as url:
            if url is None:
                print("Import letters on PostgreSQL: skipped (no PostgreSQL installed here)")
            else:
                run(args.rows, url)


if __name__ == "__main__":
    main(sys.argv[1:])
