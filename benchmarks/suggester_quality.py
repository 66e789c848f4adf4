"""How well the unit suggester names the unit of letters it has not seen yet.

`macro_f1_on_split(letters)` runs `analytics.suggester`'s own pipeline (the segmenter's words,
sublinear TF-IDF, class-balanced logistic regression) on (text, unit, sortable time) triples:
it learns from the older 80% and scores the newest 20%, as `analytics refresh` does with the
letters in the database, so a figure here is the figure the refresh writes in the model's method.

`python -m benchmarks.suggester_quality FILE.csv` reads a UTF-8 CSV with the columns `text`,
`label` and `time`, and prints the figures.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path
from typing import Any

import numpy as np

from analytics import suggester


def macro_f1_on_split(letters: list[tuple[str, str, str]]) -> dict[str, Any]:
    """Macro-F1 (with accuracy and the top-3 hit rate) on the newest 20% of `letters`."""
    ordered = sorted(letters, key=lambda letter: letter[2])
    started = time.perf_counter()
    counts, words = suggester.count_matrix(
        (
            (row, word, n)
            for row, (text, _, _) in enumerate(ordered)
            for word, n in suggester.text_counts(text).items()
        ),
        len(ordered),
    )
    segmented = time.perf_counter()
    labels = np.array([label for _, label, _ in ordered])
    measured = suggester.holdout(counts, words, labels)
    return {
        "letters": len(ordered),
        "units": len(set(labels.tolist())),
        "train": measured.train,
        "test": measured.test,
        "macro_f1": measured.macro_f1,
        "accuracy": measured.accuracy,
        "top3": measured.top3,
        "segment_seconds": round(segmented - started, 2),
        "learn_seconds": round(time.perf_counter() - segmented, 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="CSV with the columns text, label, time")
    args = parser.parse_args(argv)
    with args.path.open(encoding="utf-8-sig", newline="") as f:
        letters = [(r["text"], r["label"], r["time"]) for r in csv.DictReader(f) if r["label"]]
    for key, value in macro_f1_on_split(letters).items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")


if __name__ == "__main__":
    main()
