"""The 2,816 real letters in ../shared/data, as a file `engagement import letters` reads.

For tests only (the product runs without ../shared). Under CI=true a missing file fails the
test that needs it; elsewhere that test is skipped.
"""

from __future__ import annotations

import csv
import gzip
import os
from pathlib import Path

import pytest

REAL_LETTERS = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real-letters-2816.csv.gz"
)
# The board's columns -> the import's (contract §6); the third party's marks are left out.
COLUMNS = {
    "留言编号": "number",
    "留言用户": "name",
    "留言主题": "subject",
    "留言时间": "submitted_at",
    "留言详情": "body",
    "答复意见": "reply",
    "答复时间": "replied_at",
}


def real_letters() -> Path:
    """The source file, or a skip (a failure under CI) when it is not there."""
    if not REAL_LETTERS.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{REAL_LETTERS} is missing")
        pytest.skip(f"{REAL_LETTERS} is not here")
    return REAL_LETTERS


def source_rows() -> list[dict[str, str]]:
    with gzip.open(real_letters(), "rt", encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def write_import_csv(path: Path, department_slug: str) -> int:
    """Writes the real letters to `path` in the import's columns, every reply from one unit;
    returns how many letters."""
    rows = source_rows()
    with path.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file)
        out.writerow([*COLUMNS.values(), "department"])
        for row in rows:
            out.writerow([*(row[source] for source in COLUMNS), department_slug])
    return len(rows)
