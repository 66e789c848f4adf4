"""Splits a pasted draft into its articles: 第一条, 第二条 … or 一、二、… headings.

Chapter lines (第一章 总则) are carried into the heading of the article that follows them, so
nothing of the text is lost and the articles stay in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMERAL = r"[一二三四五六七八九十百千零〇两\d]+"
ARTICLE = re.compile(rf"^\s*(第{NUMERAL}条)[\s　]*(.*)$")
CHAPTER = re.compile(rf"^\s*(第{NUMERAL}[章节编])[\s　]*(.*)$")
CHINESE_NUMERAL = r"[一二三四五六七八九十百千零〇两]+"
# Top-level parts use Chinese numerals (一、); 1、 and （一） are items inside a part.
ITEM = re.compile(rf"^\s*({CHINESE_NUMERAL}、)[\s　]*(.*)$")


@dataclass
class Part:
    heading: str
    text: str


def split_draft(text: str) -> list[Part]:
    """The draft's articles in order; a draft without headings is one part."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    if any(ARTICLE.match(line) for line in lines):
        parts = _split(lines, ARTICLE, with_chapters=True)
    elif sum(1 for line in lines if ITEM.match(line)) >= 2:
        parts = _split(lines, ITEM, with_chapters=False)
    else:
        parts = []
    if not parts:
        body = text.strip()
        return [Part("全文", body)] if body else []
    return parts


def _split(lines: list[str], pattern: re.Pattern[str], *, with_chapters: bool) -> list[Part]:
    parts: list[Part] = []
    preamble: list[str] = []
    chapter = ""
    current: Part | None = None
    for line in lines:
        chapter_match = CHAPTER.match(line) if with_chapters else None
        match = pattern.match(line)
        if chapter_match and not match:
            # 第二章 … then 第一节 …: both lines head the next article.
            line_title = " ".join(p for p in chapter_match.groups() if p).strip()
            chapter = f"{chapter} {line_title}".strip()
            continue
        if match:
            current = _start(parts, match, chapter, pattern is ITEM)
            chapter = ""
            continue
        if current is None:
            preamble.append(line)
        else:
            current.text = f"{current.text}\n{line}" if current.text else line
    if chapter and parts:  # a last chapter line with no article after it stays with the text
        parts[-1].text = f"{parts[-1].text}\n{chapter}"
    for part in parts:
        part.text = part.text.strip()
    intro = "\n".join(preamble).strip()
    if intro:
        parts.insert(0, Part("说明", intro))
    return parts


def _start(parts: list[Part], match: re.Match[str], chapter: str, titled: bool) -> Part:
    number, rest = match.group(1), match.group(2).strip()
    if titled:  # 一、总体要求 — the line is a title; its text follows
        heading, text = f"{number}{rest}", ""
    else:  # 第一条 为了… — the number is the heading; the line goes on with the text
        heading, text = number, rest
    if chapter:
        heading = f"{chapter} · {heading}"
    part = Part(heading[:200], text)
    parts.append(part)
    return part
