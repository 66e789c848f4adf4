"""Letter submission throughput and latency against a bare insert-only endpoint, same run."""

from __future__ import annotations

import argparse
import tempfile

from benchmarks import load, servers

BODY = "我家小区冬季供暖温度不达标，室内只有十四五度，多次反映没有解决，请有关部门督促整改。"


def letter(n: int) -> dict[str, object]:
    return {
        "category": "complaint",
        "subject": f"供暖温度不达标 {n}",
        "body": BODY,
        "name": "张三",
        "phone": "13812345678",
        "publish_consent": True,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=24)
    parser.add_argument("--per-thread", type=int, default=25)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    print(
        f"Mailbox submission: {args.threads} concurrent writers x {args.per_thread} requests, "
        f"{args.workers} uvicorn workers, SQLite (WAL) on local disk"
    )
    with tempfile.TemporaryDirectory() as tmp:
        with servers.bare(f"sqlite:///{tmp}/bare.db", args.workers) as base:
            load.run(
                "warm-up", f"{base}/insert", lambda n: {"body": BODY}, threads=2, per_thread=10
            )
            bare = load.run(
                "bare insert endpoint",
                f"{base}/insert",
                lambda n: {"body": BODY},
                threads=args.threads,
                per_thread=args.per_thread,
            )
        with servers.platform(f"sqlite:///{tmp}/platform.db", args.workers) as base:
            load.run("warm-up", f"{base}/api/v1/letters", letter, threads=2, per_thread=10)
            ours = load.run(
                "POST /api/v1/letters",
                f"{base}/api/v1/letters",
                letter,
                threads=args.threads,
                per_thread=args.per_thread,
            )
    print(bare.line())
    print(ours.line())
    ratio = ours.throughput / bare.throughput if bare.throughput else 0
    print(
        f"letter submission reaches {ratio:.0%} of the bare endpoint's throughput "
        f"(aim: at least 50%)"
    )


if __name__ == "__main__":
    main()
