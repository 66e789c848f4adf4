"""Finding letters for staff: search by relevance and letters about the same issue.

Every letter's words (segmented once, on arrival) go into a full-text index, `letter_fts`: FTS5
on SQLite, a GIN-indexed tsvector on PostgreSQL. The index only fetches candidates (any of the
query's words); ranking is done here, the same on both databases: BM25 for a search, cosine of
TF-IDF vectors for similar letters, with word weights from `engagement.vocabulary`.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from engagement import segment, vocabulary
from feedback.mailbox.models import Letter, LetterWord

CANDIDATES = 400
COMMON_SHARE = 0.02  # a word in more of the letters than this fetches no candidates itself
SIMILAR_QUERY_WORDS = 12
SIMILAR_MIN_SCORE = 0.2
OTHER_PLACE = 0.5
BM25_K1, BM25_B = 1.2, 0.75
PART_WEIGHT = 0.3  # a part of a long query word (新城 of 丽发新城) counts for less
# A letter scoring below this share of the best one matched only a stray word of the query.
MIN_SHARE_OF_BEST = 0.3


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def index_letter(session: Session, letter_id: int, words: Iterable[str]) -> None:
    """Adds one new letter's words to the index."""
    index_letters(session, [(letter_id, words)])


def index_letters(session: Session, letters: Sequence[tuple[int, Iterable[str]]]) -> None:
    """Adds new letters' words to the index, in one statement (an import's batch)."""
    if not letters:
        return
    if _sqlite(session):
        sql = "INSERT INTO letter_fts(rowid, terms) VALUES (:id, :terms)"
    else:
        sql = "INSERT INTO letter_fts(letter_id, terms) VALUES (:id, to_tsvector('simple', :terms))"
    session.execute(text(sql), [{"id": i, "terms": _terms(words)} for i, words in letters])


def _terms(words: Iterable[str]) -> str:
    """The indexed text: words in sorted order, so that SQLite's contentless index can be told
    exactly what to remove again (the order `letter_words` keeps them in, too)."""
    return " ".join(sorted(words))


def _reindex_letter(
    session: Session, letter_id: int, old: Iterable[str], new: Iterable[str]
) -> None:
    if _sqlite(session):
        session.execute(
            text("INSERT INTO letter_fts(letter_fts, rowid, terms) VALUES ('delete', :id, :t)"),
            {"id": letter_id, "t": _terms(old)},
        )
        index_letter(session, letter_id, new)
    else:
        session.execute(
            text("UPDATE letter_fts SET terms = to_tsvector('simple', :t) WHERE letter_id = :id"),
            {"id": letter_id, "t": _terms(new)},
        )


def index_missing(session: Session) -> int:
    """Indexes, from their stored words, the letters that bulk loads wrote without indexing."""
    if _sqlite(session):
        sql = (
            "INSERT INTO letter_fts(rowid, terms) SELECT letter_id, group_concat(word, ' ') "
            "FROM (SELECT letter_id, word FROM letter_words WHERE letter_id IN (SELECT id FROM "
            "letters WHERE id NOT IN (SELECT rowid FROM letter_fts)) ORDER BY letter_id, word) "
            "GROUP BY letter_id"
        )
    else:
        sql = (
            "INSERT INTO letter_fts(letter_id, terms) SELECT w.letter_id, "
            "to_tsvector('simple', string_agg(w.word, ' ')) FROM letter_words w "
            "WHERE NOT EXISTS (SELECT 1 FROM letter_fts f WHERE f.letter_id = w.letter_id) "
            "GROUP BY w.letter_id"
        )
    return session.execute(text(sql)).rowcount or 0  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Segmented:
    id: int
    subject: str
    name: str
    submitted_at: datetime
    words: dict[str, int]


def segment_again(session: Session, *, limit: int) -> list[Segmented]:
    """The newest letters, in id order, segmented again with today's vocabulary.

    A letter that arrived before a name was learned was split differently (翠湖 + 湾 before
    翠湖湾 was known): its stored words and its index entry are brought up to date, so search,
    similar letters and the suggester read it as it reads today.
    """
    newest = (
        select(Letter.id, Letter.subject, Letter.body, Letter.name, Letter.submitted_at)
        .order_by(Letter.submitted_at.desc(), Letter.id.desc())
        .limit(limit)
        .subquery()
    )
    stored: dict[int, dict[str, int]] = defaultdict(dict)
    for letter_id, word, n in session.execute(
        select(LetterWord.letter_id, LetterWord.word, LetterWord.n).join(
            newest, newest.c.id == LetterWord.letter_id
        )
    ):
        stored[letter_id][word] = n
    out = []
    for i, subject, body, name, at in session.execute(select(newest).order_by(newest.c.id)):
        words = {w[:40]: n for w, n in Counter(segment.words(f"{subject}\n{body}")).items()}
        if words != stored.get(i, {}):
            _store_words(session, i, stored.get(i, {}), words)
        out.append(Segmented(i, subject, name, at, words))
    return out


def _store_words(session: Session, letter_id: int, old: dict[str, int], new: dict[str, int]):
    session.execute(delete(LetterWord).where(LetterWord.letter_id == letter_id))
    if new:
        session.execute(
            insert(LetterWord),
            [{"letter_id": letter_id, "word": w, "n": n} for w, n in new.items()],
        )
    _reindex_letter(session, letter_id, old, new)


@dataclass(frozen=True)
class Scope:
    """Which letters a caller may get back: one unit's (staff), or all (None)."""

    department_id: int | None = None
    since: datetime | None = None
    exclude_id: int | None = None


def _candidates(session: Session, words: Sequence[str], scope: Scope) -> list[int]:
    """Letters with any of these words, within the scope, at most `CANDIDATES`.

    The rarer words fetch them first, best first by the engine's own relevance; a word in many
    letters (小区) would make the engine rank a hundred thousand of them, so the common words
    only fill up with the newest letters that use them.
    """
    if not words:
        return []
    share = vocabulary.shares(session, words)
    rare = [w for w in words if share[w] <= COMMON_SHARE]
    found = _fetch(session, rare, scope, by_relevance=True) if rare else []
    if len(found) < CANDIDATES and len(rare) < len(words):
        found += [i for i in _fetch(session, words, scope, by_relevance=False) if i not in found]
    return found[:CANDIDATES]


def _fetch(
    session: Session, words: Sequence[str], scope: Scope, *, by_relevance: bool
) -> list[int]:
    where, params = "", dict[str, object]()
    if scope.department_id is not None:
        where += " AND l.department_id = :dept"
        params["dept"] = scope.department_id
    if scope.since is not None:
        where += " AND l.submitted_at >= :since"
        params["since"] = scope.since.replace(tzinfo=None) if _sqlite(session) else scope.since
    if scope.exclude_id is not None:
        where += " AND l.id != :exclude"
        params["exclude"] = scope.exclude_id
    params["limit"] = CANDIDATES
    if _sqlite(session):
        params["q"] = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        order = "bm25(letter_fts), l.id DESC" if by_relevance else "letter_fts.rowid DESC"
        sql = (
            "SELECT l.id FROM letter_fts JOIN letters l ON l.id = letter_fts.rowid "  # noqa: S608
            f"WHERE letter_fts MATCH :q{where} ORDER BY {order} LIMIT :limit"
        )
    else:
        params["q"] = " | ".join(re.sub(r"[&|!():*<>'\\\s]", "", w.lower()) or "x" for w in words)
        order = (
            "ts_rank(f.terms, to_tsquery('simple', :q)) DESC, l.id DESC"
            if by_relevance
            else "f.letter_id DESC"
        )
        sql = (
            "SELECT l.id FROM letter_fts f JOIN letters l ON l.id = f.letter_id WHERE "  # noqa: S608
            f"f.terms @@ to_tsquery('simple', :q){where} ORDER BY {order} LIMIT :limit"
        )
    return [row[0] for row in session.execute(text(sql), params)]


def _word_counts(session: Session, ids: Sequence[int]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for letter_id, word, n in session.execute(
            select(LetterWord.letter_id, LetterWord.word, LetterWord.n).where(
                LetterWord.letter_id.in_(chunk)
            )
        ):
            counts[letter_id][word.lower()] = n
    return counts


def search(session: Session, query: str, scope: Scope = Scope()) -> list[tuple[int, float]]:
    """Letters ranked by BM25 for the query's words: most of the words beats one of them."""
    vocabulary.sync(session)
    whole, parts = ([w.lower() for w in ws] for ws in segment.query_words(query))
    ids = _candidates(session, whole + parts, scope)
    docs = _word_counts(session, ids)
    idf = vocabulary.weights(session, whole + parts)
    weight = {**dict.fromkeys(parts, PART_WEIGHT), **dict.fromkeys(whole, 1.0)}
    mean_length = sum(sum(d.values()) for d in docs.values()) / max(len(docs), 1)
    scored = []
    for letter_id in ids:
        doc = docs.get(letter_id, {})
        length = sum(doc.values()) or 1
        norm = BM25_K1 * (1 - BM25_B + BM25_B * length / max(mean_length, 1))
        score = sum(
            weight[w] * idf[w] * doc[w] * (BM25_K1 + 1) / (doc[w] + norm)
            for w in weight
            if w in doc
        )
        scored.append((letter_id, round(score, 6)))
    best = max((score for _, score in scored), default=0.0)
    kept = [s for s in scored if s[1] >= MIN_SHARE_OF_BEST * best]
    return sorted(kept, key=lambda s: (-s[1], -s[0]))


def _vector(counts: dict[str, int], idf: dict[str, float]) -> dict[str, float]:
    vector = {w: (1 + math.log(n)) * idf.get(w, 1.0) for w, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {w: v / norm for w, v in vector.items()}


def similar(
    session: Session, letter: Letter, scope: Scope, *, limit: int = 10
) -> list[tuple[int, float]]:
    """Letters about the same issue as this one: cosine of TF-IDF vectors, best first, 0–1."""
    own = _word_counts(session, [letter.id]).get(letter.id) or dict(
        Counter(w.lower() for w in segment.words(f"{letter.subject}\n{letter.body}"))
    )
    idf = vocabulary.weights(session, own)
    mine = _vector(own, idf)
    query = sorted(mine, key=lambda w: (-mine[w], w))[:SIMILAR_QUERY_WORDS]
    ids = _candidates(session, query, scope)
    docs = _word_counts(session, ids)
    idf.update(vocabulary.weights(session, {w for d in docs.values() for w in d} - set(idf)))
    here = vocabulary.places(session, own)
    scored = []
    for letter_id, counts in docs.items():
        other = _vector(counts, idf)
        score = sum(v * other[w] for w, v in mine.items() if w in other)
        there = vocabulary.places(session, counts)
        if here and there and not here & there:
            score *= OTHER_PLACE  # the same problem somewhere else is another issue
        if score >= SIMILAR_MIN_SCORE:
            scored.append((letter_id, round(min(score, 1.0), 3)))
    return sorted(scored, key=lambda s: (-s[1], -s[0]))[:limit]
