"""Finding the demands: quality on real letters, speed at city scale.

`python -m benchmarks.demands [--skip-city]`:

1. **Quality.** The 2,816 real letters (../shared/data) go through the real surface: a fresh
   SQLite database, `engagement import letters` (each reply's unit read from its text, see
   benchmarks/quality/units.py), `engagement analytics refresh`, then the JSON API as a leader.
   Printed beside the labels read by hand (benchmarks/quality/*.json): the ten hottest issues,
   pairwise precision and recall of the issues, precision and recall of similar letters and of
   staff search, and the unit suggester's macro-F1 on the newest 20% when trained on the rest.
2. **Speed.** On the city-scale database of benchmarks.analytics_letters (1,000,000 letters):
   `engagement analytics refresh`, then the hot-issues API, similar letters, search and a
   letter's suggestions (median of --repeat).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi.testclient import TestClient

from benchmarks.quality import evaluate
from engagement.settings import get_settings

LEADER = ("leader", "bench-leader-pass")
OTHER_UNIT = ("other", "其他单位")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-city", action="store_true", help="quality on real letters only")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    if not evaluate.DATA.exists():
        sys.exit(f"no real letters at {evaluate.DATA}")
    print("Demands found in 2,816 real letters (labels read by hand)")
    with tempfile.TemporaryDirectory() as folder:
        quality(Path(folder))
    if not args.skip_city:
        print()
        city_speed(args.repeat)


# --- quality on real letters -------------------------------------------------------------------


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "engagement.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"engagement {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _units() -> dict[str, str]:
    """Unit label → slug, for every unit type the replies name often enough."""
    labels = sorted({u for u in evaluate.load_units().values() if u})
    return {label: f"unit{i:02d}" for i, label in enumerate(labels, start=1)}


def _write_csv(path: Path, slugs: dict[str, str]) -> int:
    letters = evaluate.load_letters()
    units = evaluate.load_units()
    columns = ["number", "name", "subject", "submitted_at", "body", "department", "reply"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*columns, "replied_at"])
        for row in letters.itertuples():
            unit = units.get(int(row.留言编号))
            replied = pd.to_datetime(row.答复时间, format="mixed")
            has_reply = isinstance(row.答复意见, str) and not pd.isna(replied)
            writer.writerow(
                [
                    row.留言编号,
                    row.留言用户,
                    str(row.留言主题)[:200],
                    row.time.strftime("%Y-%m-%d %H:%M:%S"),
                    row.留言详情,
                    slugs[unit] if unit else OTHER_UNIT[0],
                    row.答复意见 if has_reply else "",
                    replied.strftime("%Y-%m-%d %H:%M:%S") if has_reply else "",
                ]
            )
    return len(letters)


def quality(folder: Path) -> None:
    env = {
        **os.environ,
        "ENGAGEMENT_DATABASE_URL": f"sqlite:///{folder / 'real.db'}",
        "ENGAGEMENT_RATELIMIT_ENABLED": "false",
    }
    _cli(env, "migrate")
    slugs = _units()
    for label, slug in [*slugs.items(), (OTHER_UNIT[1], OTHER_UNIT[0])]:
        _cli(env, "department", "add", slug, "--name", label)
    _cli(env, "user", "add", LEADER[0], "--role", "leader", stdin=LEADER[1] + "\n")
    rows = _write_csv(folder / "letters.csv", slugs)
    started = time.perf_counter()
    print(f"  import: {_cli(env, 'import', 'letters', str(folder / 'letters.csv')).strip()[-60:]}")
    print(f"    {rows:,} rows in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    summary = _cli(env, "analytics", "refresh").strip()
    print(f"  analytics refresh: {time.perf_counter() - started:.1f} s")
    print(f"    {summary}")
    os.environ.update(env)
    get_settings.cache_clear()
    from engagement.app import create_app

    with TestClient(create_app()) as client:
        headers = _login(client)
        _hot_issues(client, headers)
        _similar(client, headers)
        _search(client, headers)
    _suggester(slugs)


def _login(client: TestClient) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token", data={"username": LEADER[0], "password": LEADER[1]}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _all_pages(client: TestClient, url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    items, page = [], 1
    while True:
        body = client.get(url, params={"page": page, "per_page": 100}, headers=headers).json()
        items += body["items"]
        if len(items) >= body["total"] or not body["items"]:
            return items
        page += 1


def _hot_issues(client: TestClient, headers: dict[str, str]) -> None:
    issues = _all_pages(client, "/api/v1/analytics/hot-issues", headers)
    print(f"  hot issues: {len(issues)}; the ten hottest (letters, writers, heat):")
    for issue in issues[:10]:
        print(
            f"    {issue['letters']:3} {issue['writers']:3} {issue['heat']:8.3f}  {issue['title']}"
        )
    groups = [
        [
            int(x["number"])
            for x in client.get(f"/api/v1/analytics/hot-issues/{i['id']}", headers=headers).json()[
                "letters"
            ]
        ]
        for i in issues
    ]
    s = evaluate.group_scores(groups)
    print(
        f"  hot issues against {s['groups_labelled']} labelled groups: precision "
        f"{s['precision']:.3f}, recall {s['recall']:.3f}, F1 {s['f1']:.3f} (pairs: "
        f"{s['pairs_correct']} right, {s['pairs_wrong']} wrong, {s['pairs_ignored']} unlabelled); "
        f"{s['groups_whole']} groups whole"
    )


def _similar(client: TestClient, headers: dict[str, str]) -> None:
    def similar(number: int) -> list[int]:
        url = f"/api/v1/staff/letters/{number}/similar"
        items = client.get(url, params={"per_page": 10}, headers=headers).json()["items"]
        return [int(x["number"]) for x in items]

    s = evaluate.similar_scores(similar, k=5)
    print(
        f"  similar letters ({s['letters']} labelled letters): precision@5 {s['precision@5']:.3f},"
        f" recall@5 {s['recall@5']:.3f}, hit@5 {s['hit@5']:.3f}, look-alikes offered "
        f"{s['not_same_at_5']:.3f}"
    )


def _search(client: TestClient, headers: dict[str, str]) -> None:
    def search(query: str) -> list[int]:
        params: dict[str, Any] = {"q": query, "per_page": 100}
        items = client.get("/api/v1/staff/letters", params=params, headers=headers).json()
        return [int(x["number"]) for x in items["items"]]

    s = evaluate.search_scores(search, k=10)["mean"]
    print(
        f"  staff search ({len(evaluate.load_queries())} queries): precision@10 "
        f"{s['precision@10']:.3f}, recall@10 {s['recall@10']:.3f}, recall {s['recall']:.3f}"
    )


def _suggester(slugs: dict[str, str]) -> None:
    from benchmarks.suggester_quality import macro_f1_on_split

    letters = evaluate.load_letters()
    units = evaluate.load_units()
    labelled = [
        (f"{r.留言主题}\n{r.留言详情}", units[int(r.留言编号)], r.time.isoformat())
        for r in letters.itertuples()
        if units.get(int(r.留言编号))
    ]
    result = macro_f1_on_split(labelled)
    print(f"  unit suggester, trained on the older 80%, tested on the newest 20%: {result}")


# --- speed at city scale -----------------------------------------------------------------------


def city_speed(repeat: int) -> None:
    from benchmarks import analytics_letters

    url = os.environ.get("BENCH_DATABASE", analytics_letters.DEFAULT_DATABASE)
    os.environ["ENGAGEMENT_DATABASE_URL"] = url
    get_settings.cache_clear()
    print(f"Demands at city scale — {url.split('@')[-1]}")
    letters = analytics_letters._ensure_city(url)
    print(f"  letters in the database: {letters:,}")
    env = {**os.environ, "ENGAGEMENT_DATABASE_URL": url}
    started = time.perf_counter()
    summary = _cli(env, "analytics", "refresh").strip()
    print(f"  analytics refresh: {time.perf_counter() - started:.0f} s ({summary})")
    from engagement.app import create_app

    with TestClient(create_app()) as client:
        login = client.post(
            "/api/v1/auth/token", data={"username": "leader", "password": "demo-leader-pass"}
        )
        login.raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        number = client.get(
            "/api/v1/staff/letters", params={"per_page": 1}, headers=headers
        ).json()["items"][0]["number"]
        cases: dict[str, tuple[str, dict[str, Any]]] = {
            "hot issues, everything": ("/api/v1/analytics/hot-issues", {}),
            "hot issues, one unit": ("/api/v1/analytics/hot-issues", {"department": "housing"}),
            "similar letters": (f"/api/v1/staff/letters/{number}/similar", {}),
            "search 供暖 不热": ("/api/v1/staff/letters", {"q": "供暖 不热"}),
            "search 路灯 维修 小区": ("/api/v1/staff/letters", {"q": "路灯 维修 小区"}),
            "suggestions": (f"/api/v1/staff/letters/{number}/suggestions", {}),
        }
        print(f"  median of {repeat}:")
        for name, (path, params) in cases.items():

            def call(path: str = path, params: dict[str, Any] = params) -> None:
                client.get(path, params=params, headers=headers).raise_for_status()

            print(f"    {name:<28} {analytics_letters._median(repeat, call) * 1000:8.0f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
