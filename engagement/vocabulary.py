"""The county's vocabulary in the database: names that segmentation keeps whole, word weights.

Names come from the units and townships and from letters (`learn_names`, run by `analytics
refresh` and by the importer before it segments history). Every process loads them into the
segmenter at start and again when they changed (`sync`, checked at most once a minute).
Word weights (in how many letters a word occurs) make similarity weigh 丽发新城 above 小区.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from engagement import segment
from engagement.models import (
    Department,
    DepartmentKind,
    LexiconTerm,
    VocabularyRun,
    WordWeight,
    table_of,
)
from engagement.timeutil import utcnow

SYNC_SECONDS = 60.0
_state = {"checked": -math.inf, "stamp": ""}
_sync_lock = threading.Lock()


def learn_names(session: Session, texts: Iterable[str], *, now: datetime | None = None) -> int:
    """Learns the names that several of these texts use; returns how many are new."""
    return store_names(session, segment.learn_names(texts), now=now)


def store_names(
    session: Session, names: Iterable[tuple[str, int]], *, now: datetime | None = None
) -> int:
    """Stores names from `segment.learn_names` (with their letters); returns how many are new."""
    now = now or utcnow()
    known = {w: n for w, n in session.execute(select(LexiconTerm.word, LexiconTerm.letters))}
    fresh = 0
    for word, letters in names:
        word = word[:40]
        if word not in known:
            session.add(LexiconTerm(word=word, kind="place", letters=letters, learned_at=now))
            fresh += 1
        elif letters > known[word]:
            session.get_one(LexiconTerm, word).letters = letters
    session.flush()
    load(session)
    return fresh


_places: set[str] = set()


def load(session: Session) -> int:
    """Gives the segmenter every unit's and township's name and every learned name."""
    names = session.scalars(select(Department.name)).all()
    learned = session.scalars(select(LexiconTerm.word)).all()
    townships = session.scalars(
        select(Department.name).where(Department.kind == DepartmentKind.township)
    )
    _places.clear()
    _places.update(learned, townships)
    _state["stamp"] = _stamp(session)
    _state["checked"] = time.monotonic()
    return segment.use_words([*names, *learned])


def sync(session: Session) -> None:
    """Loads names learned by another process since this one last looked (once a minute)."""
    if time.monotonic() - _state["checked"] < SYNC_SECONDS:  # type: ignore[operator]
        return
    with _sync_lock:
        _state["checked"] = time.monotonic()
        if _stamp(session) != _state["stamp"]:
            load(session)


def places(session: Session, words: Iterable[str]) -> set[str]:
    """The words that name a place: learned names, townships, lettered codes (A2区)."""
    sync(session)
    return {w for w in words if w in _places or segment.is_place_code(w)}


def _stamp(session: Session) -> str:
    count, last = session.execute(
        select(func.count(LexiconTerm.word), func.max(LexiconTerm.learned_at))
    ).one()
    units = session.scalar(select(func.count(Department.id)))
    return f"{count}:{last}:{units}"


# --- word weights ------------------------------------------------------------------------------


def store_weights(session: Session, documents: Iterable[Iterable[str]]) -> int:
    """Counts in how many of these letters each word occurs, replacing the last count."""
    df: Counter[str] = Counter()
    n = 0
    for words in documents:
        df.update(set(words))
        n += 1
    session.execute(delete(WordWeight))
    session.execute(delete(VocabularyRun))
    rows = [{"word": w[:40], "letters": c} for w, c in df.items() if c >= 2]
    for start in range(0, len(rows), 5000):
        session.execute(insert(table_of(WordWeight)), rows[start : start + 5000])
    session.add(VocabularyRun(letters=n, computed_at=utcnow()))
    session.flush()
    return len(rows)


def _letter_counts(session: Session, words: list[str]) -> tuple[int, dict[str, int]]:
    """Over how many letters the weights were counted, and in how many each word occurs."""
    total = session.scalar(select(VocabularyRun.letters).order_by(VocabularyRun.id.desc())) or 0
    if not total or not words:
        return total, {}
    seen = session.execute(
        select(WordWeight.word, WordWeight.letters).where(WordWeight.word.in_(words))
    )
    return total, {word: letters for word, letters in seen}


def shares(session: Session, words: Iterable[str]) -> dict[str, float]:
    """The share of recent letters that use each word (0 for a word never counted)."""
    words = list(dict.fromkeys(words))
    total, seen = _letter_counts(session, words)
    return {w: seen.get(w, 0) / total if total else 0.0 for w in words}


def weights(session: Session, words: Iterable[str]) -> dict[str, float]:
    """Inverse document frequency of each word: rare words weigh more; unknown words most."""
    words = list(dict.fromkeys(words))
    total, seen = _letter_counts(session, words)
    if not seen:
        return dict.fromkeys(words, 1.0)
    return {w: math.log((1 + total) / (1 + seen.get(w, 1))) + 1.0 for w in words}


def similarities(session: Session, text: str, others: list[str]) -> list[float]:
    """Cosine (0–1) of a text's weighted words with each of the others': 1 for the same words,
    0 for none shared. One look-up of word weights for them all."""
    counts = [Counter(segment.words(t.lower())) for t in (text, *others)]
    idf = weights(session, {w for c in counts for w in c})
    vectors = [{w: (1 + math.log(n)) * idf[w] for w, n in c.items()} for c in counts]
    norms = [math.sqrt(sum(v * v for v in vector.values())) for vector in vectors]
    mine = vectors[0]
    return [
        sum(v * other[w] for w, v in mine.items() if w in other) / (norms[0] * norm)
        if norms[0] and norm
        else 0.0
        for other, norm in zip(vectors[1:], norms[1:], strict=True)
    ]
