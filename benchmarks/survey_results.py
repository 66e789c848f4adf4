"""Survey results over 100,000 responses: the median time of surveys.results.compute.

`python -m benchmarks.survey_results [--responses N] [--repeat 5]` builds a temporary SQLite
database at the newest schema, one published survey with five questions (single, multiple,
rating, number, text) and N responses inserted with bulk Core statements, then times
`compute(session, survey, with_words=False)`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from engagement.db import make_engine
from engagement.migrate import upgrade
from engagement.models import Department, table_of
from engagement.timeutil import utcnow
from surveys import results
from surveys.models import Answer, Question, QuestionKind, Response, Survey

DISTRICTS = ["城关镇", "城东街道", "城西街道", "河口镇", "青山乡"]
SERVICES = ["公交", "图书馆", "公园", "医院", "社区服务中心", "政务大厅"]
TEXTS = ["希望增加夜班公交", "公园晚上照明不足", "办事大厅排队时间太长", "社区医院药品不全"]
BATCH = 20_000


def build_survey(session: Session) -> Survey:
    unit = Department(slug="bench", name="基准测试单位")
    now = utcnow()
    survey = Survey(
        department=unit,
        title="公共服务满意度调查（基准）",
        description="",
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=30),
        published_at=now - timedelta(days=30),
        results_public=True,
        questions=[
            Question(
                key="district",
                ordinal=1,
                kind=QuestionKind.single,
                text="您居住在哪里？",
                required=True,
                options=DISTRICTS,
            ),
            Question(
                key="services",
                ordinal=2,
                kind=QuestionKind.multiple,
                text="您常用哪些公共服务？",
                options=SERVICES,
            ),
            Question(
                key="satisfaction",
                ordinal=3,
                kind=QuestionKind.rating,
                text="总体满意度",
                required=True,
            ),
            Question(
                key="age", ordinal=4, kind=QuestionKind.number, text="您的年龄", min=16, max=100
            ),
            Question(key="advice", ordinal=5, kind=QuestionKind.text, text="其他建议"),
        ],
    )
    session.add(survey)
    session.commit()
    return survey


def answer_rows(
    rng: random.Random, ids: dict[str, int], first: int, last: int
) -> Iterator[dict[str, Any]]:
    """Answer rows of responses first..last (inclusive), about 5 rows a response."""
    empty: dict[str, Any] = {"option": None, "number": None, "text": None}
    for rid in range(first, last + 1):
        yield {
            **empty,
            "response_id": rid,
            "question_id": ids["district"],
            "option": rng.choice(DISTRICTS),
        }
        for option in rng.sample(SERVICES, rng.randint(0, 3)):
            yield {**empty, "response_id": rid, "question_id": ids["services"], "option": option}
        yield {
            **empty,
            "response_id": rid,
            "question_id": ids["satisfaction"],
            "number": float(rng.choices(range(1, 6), weights=(1, 2, 4, 6, 3))[0]),
        }
        if rng.random() < 0.8:
            yield {
                **empty,
                "response_id": rid,
                "question_id": ids["age"],
                "number": float(rng.randint(16, 90)),
            }
        if rng.random() < 0.3:
            yield {
                **empty,
                "response_id": rid,
                "question_id": ids["advice"],
                "text": rng.choice(TEXTS),
            }


def fill(session: Session, survey: Survey, n: int, seed: int = 7) -> int:
    """Inserts n responses with their answers; returns the number of answer rows."""
    rng = random.Random(seed)  # noqa: S311 (reproducible data, not secrets)
    ids = {q.key: q.id for q in survey.questions}
    responses, answers = table_of(Response), table_of(Answer)
    start = utcnow() - timedelta(days=29)
    rows = 0
    for first in range(1, n + 1, BATCH):
        last = min(first + BATCH - 1, n)
        session.execute(
            insert(responses),
            [
                {
                    "id": rid,
                    "survey_id": survey.id,
                    "browser": None,
                    "client_ip": None,
                    "created_at": start + timedelta(seconds=rid * 20),
                }
                for rid in range(first, last + 1)
            ],
        )
        batch = list(answer_rows(rng, ids, first, last))
        session.execute(insert(answers), batch)
        rows += len(batch)
    session.commit()
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/survey-results.db"
        upgrade(url)
        engine = make_engine(url)
        try:
            with Session(engine, expire_on_commit=False) as session:
                survey = build_survey(session)
                began = time.perf_counter()
                answer_count = fill(session, survey, args.responses)
                filled = time.perf_counter() - began
                timings = []
                computed = None
                for _ in range(args.repeat):
                    began = time.perf_counter()
                    computed = results.compute(session, survey, with_words=False)
                    timings.append(time.perf_counter() - began)
                    session.rollback()  # a fresh transaction each time, as a request has
        finally:
            engine.dispose()
    assert computed is not None
    district = computed.questions[0]
    assert sum(district.counts.values()) == computed.responses == args.responses, "miscounted"
    print(
        f"Survey results: {computed.responses:,} responses ({answer_count:,} answer rows, "
        f"inserted in {filled:.1f} s), SQLite (WAL) on local disk"
    )
    print(
        f"surveys.results.compute(with_words=False): median {statistics.median(timings):.3f} s "
        f"over {args.repeat} runs (min {min(timings):.3f} s, max {max(timings):.3f} s)"
    )


if __name__ == "__main__":
    main()
