"""Rising words: a stated rule, not a fixed threshold.

A word is rising when its count in the period is far above its usual level: with λ the mean
count over the previous six periods of the same length, the period's count x is treated as a
Poisson draw, and the word rises when z = (x − λ) / √max(λ, 1) ≥ 3 and x ≥ 5. Without letters
in all six earlier periods there is no usual level, and nothing is called rising.

A burst is news, so a period longer than a month is judged on its last 14 days: a year's
dashboard shows what rose in the last two weeks, against the twelve weeks before them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy.orm import Session

from analytics.queries import LetterFilter, letter_count, top_keywords, word_counts_by_period

BASELINE_PERIODS = 6
Z_THRESHOLD = 3.0
MIN_COUNT = 5
LONG_PERIOD = timedelta(days=31)
RECENT = timedelta(days=14)


@dataclass(frozen=True)
class Rising:
    word: str
    count: int
    baseline: float
    z: float


def rising_words(
    session: Session, f: LetterFilter, *, candidates: int = 60, limit: int = 10
) -> list[Rising]:
    if f.since is None or f.until is None:
        return []
    since, until = f.since, f.until
    if until - since > LONG_PERIOD:
        since = until - RECENT
        f = replace(f, since=since)
    current = {k["word"]: k["count"] for k in top_keywords(session, f, limit=candidates)}
    length = until - since
    history: dict[str, int] = dict.fromkeys(current, 0)
    covered = 0
    for i in range(1, BASELINE_PERIODS + 1):
        earlier = replace(f, since=since - i * length, until=until - i * length)
        if letter_count(session, earlier):
            covered += 1
        for word, n in word_counts_by_period(session, earlier, list(current)).items():
            history[word] += n
    if covered < BASELINE_PERIODS:
        return []  # no usual level to compare with: the site is younger than the baseline
    out = []
    for word, x in current.items():
        baseline = history[word] / BASELINE_PERIODS
        z = (x - baseline) / math.sqrt(max(baseline, 1.0))
        if z >= Z_THRESHOLD and x >= MIN_COUNT:
            out.append(Rising(word, x, round(baseline, 1), round(z, 1)))
    return sorted(out, key=lambda r: -r.z)[:limit]
