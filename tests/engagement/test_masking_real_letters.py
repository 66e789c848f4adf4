"""Masking on the 2,816 real letters (issue #14, item 3): it changes only what is personal.

The source removed personal data already (numbers as 0000-00000000, the writer as a board id),
so what masking may still change is known: the writer's id, names after 我叫/姓名：/联系人：…,
numbers in a letter, car plates. Everything else must come back character for character, and a
unit's reply keeps its landlines. `python -m benchmarks.masking` prints the figures.
"""

from __future__ import annotations

import difflib
import re
from functools import cache

import pytest

from engagement.text import mask_personal
from tests.realdata import source_rows

# A label, perhaps earlier names of a list (举报人：张三、李四、王), then a surname.
AFTER_SURNAME = re.compile(
    r"(我叫|(姓名|联系人|举报人|反映人|投诉人|来信人|留言人|问政人)\s*[:：])\s*"
    r"(?:[\u4e00-\u9fff]{2,4}\s*、\s*)*[\u4e00-\u9fff]{1,2}$"
)
LANDLINE = re.compile(r"0\d{2,3}\s?[-—－]?\s?(?:\d{4}-)?\d{7,8}")
AFTER_PLATE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼楚][A-Za-z]$"
)
HAN = re.compile(r"[\u4e00-\u9fff]")


@cache
def rows() -> list[dict[str, str]]:
    return source_rows()


def _changes(original: str, masked: str) -> list[tuple[int, int, str]]:
    """(start, end, what replaced original[start:end]) for each change; a deletion beside a
    mask (the diff's way to shorten 0000-00000000 to 0000-****00) counts as part of it."""
    ops = difflib.SequenceMatcher(None, original, masked, autojunk=False).get_opcodes()
    return [
        (a1, a2, masked[b1:b2] or ("*" if "*" in masked[b1 - 3 : b1 + 1] else ""))
        for op, a1, a2, b1, b2 in ops
        if op != "equal"
    ]


@pytest.mark.parametrize("column", ["留言主题", "留言详情"])
def test_a_letter_changes_only_where_something_is_masked(column: str) -> None:
    """Nothing is rewritten without a mask (１２ stays １２), and a masked word is a given name
    right after a self-introduction and its surname (or ends a car plate)."""
    wrong = []
    for row in rows():
        original = row[column]
        masked = mask_personal(original, [row["留言用户"]])
        for start, end, replacement in _changes(original, masked):
            before = original[max(0, start - 40) : start]
            if "*" not in replacement or (
                HAN.search(original[start:end])
                and not AFTER_SURNAME.search(before)
                and not AFTER_PLATE.search(before)  # a trailer's plate: 鄂AP185挂
            ):
                wrong.append((row["留言编号"], original[max(0, start - 8) : end + 8], replacement))

    assert wrong == []


def test_no_subject_changes() -> None:
    subjects = [r["留言主题"] for r in rows()]

    assert [s for s in subjects if mask_personal(s) != s] == []


def test_a_reply_keeps_every_landline_and_changes_only_the_writer_and_plates() -> None:
    lost, other = [], []
    for row in rows():
        reply, writer = row["答复意见"], row["留言用户"]
        masked = mask_personal(reply, [writer], reply=True)
        lost += [n for n in LANDLINE.findall(reply) if n not in masked]
        if mask_personal(reply.replace(writer, ""), [], reply=True) != reply.replace(writer, ""):
            other.append(row["留言编号"])

    assert lost == []
    # What else changes in replies is a car plate a citizen reported: 14 of 2,816 replies.
    assert len(other) <= 15, other
