"""Chinese word segmentation (jieba) with a government vocabulary and a stop-word list.

Used when text is written (letters, comments, answers), so that hot words and search never
re-segment on a read.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import jieba

LEXICON = Path(__file__).parent / "lexicon"
_lock = threading.Lock()
_instance: jieba.Tokenizer | None = None
_WORDLIKE = re.compile(r"^[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9]+$")


def _tokenizer() -> jieba.Tokenizer:
    """The one tokenizer of this process, built once even when many requests ask at once."""
    global _instance
    if _instance is None:
        with _lock:
            if _instance is None:
                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                tokenizer.load_userdict(str(LEXICON / "government.txt"))
                _instance = tokenizer
    return _instance


def warm_up() -> None:
    """Loads the dictionary before the first request needs it (about a second of CPU)."""
    _tokenizer()


@cache
def stop_words() -> frozenset[str]:
    lines = (LEXICON / "stopwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def words(text: str) -> list[str]:
    """Meaningful words of two or more characters, in order, stop words removed."""
    stops = stop_words()
    return [
        w for w in _tokenizer().lcut(text) if len(w) >= 2 and _WORDLIKE.match(w) and w not in stops
    ]


def keywords(text: str, limit: int = 12) -> list[str]:
    """The most frequent words of one text, for storing beside it."""
    return [w for w, _ in Counter(words(text)).most_common(limit)]


def top_words(texts: Iterable[str], limit: int = 30) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(words(text))
    return counts.most_common(limit)


def search_terms(text: str) -> str:
    """Text segmented into space-separated terms, as stored in the full-text index."""
    return " ".join(
        w for w in _tokenizer().lcut_for_search(text) if w.strip() and _WORDLIKE.match(w)
    )
