"""Topics: letters that ask about the same thing, found by TF-IDF and NMF (scikit-learn).

`engagement analytics refresh` recomputes them over the letters of the last 90 days (the most
recent 60,000 at most), from the words stored when each letter arrived, so no text is segmented
again. Each letter joins the topic it weighs most on; a topic's label is its three top words,
its trend compares the last 30 days with the 30 before (the same Poisson rule as rising words),
and its examples are the subjects of its three most typical letters, masked.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from analytics.models import Topic, TopicRun
from engagement.models import Department
from engagement.text import mask_personal
from engagement.timeutil import utcnow
from feedback.mailbox.models import Letter, LetterWord

WINDOW_DAYS = 90
MAX_LETTERS = 60_000
TOPICS = 15
RISING_Z = 3.0
METHOD = "TF-IDF + NMF (scikit-learn), {k} topics, letters of the last {days} days"


@dataclass(frozen=True)
class _Letter:
    id: int
    number: str
    subject: str
    name: str
    submitted_at: datetime
    unit: int | None


def refresh_topics(session: Session, *, now: datetime | None = None) -> TopicRun:
    """Finds the topics again and keeps only this run (older runs are deleted)."""
    now = now or utcnow()
    letters, documents = _documents(session, now - timedelta(days=WINDOW_DAYS))
    run = TopicRun(
        computed_at=now,
        letters=len(letters),
        method=METHOD.format(k=TOPICS, days=WINDOW_DAYS),
    )
    session.execute(delete(TopicRun))
    session.add(run)
    session.flush()
    names = {i: name for i, name in session.execute(select(Department.id, Department.name))}
    for rank, topic in enumerate(_topics(letters, documents, now), start=1):
        topic["units"] = [names[u] for u in topic.pop("unit_ids") if u in names]  # type: ignore[attr-defined]
        session.add(Topic(run_id=run.id, rank=rank, **topic))
    session.flush()
    return run


def latest(session: Session) -> tuple[TopicRun | None, list[Topic]]:
    run = session.scalar(select(TopicRun).order_by(TopicRun.id.desc()).limit(1))
    if run is None:
        return None, []
    topics = session.scalars(select(Topic).where(Topic.run_id == run.id).order_by(Topic.rank))
    return run, list(topics)


def is_rising(topic: Topic) -> bool:
    return (topic.recent - topic.previous) / math.sqrt(max(topic.previous, 1)) >= RISING_Z


def _documents(session: Session, since: datetime) -> tuple[list[_Letter], list[dict[str, int]]]:
    chosen = (
        select(
            Letter.id,
            Letter.number_day,
            Letter.subject,
            Letter.name,
            Letter.submitted_at,
            Letter.department_id,
        )
        .where(Letter.submitted_at >= since, Letter.duplicate_of_id.is_(None))
        .order_by(Letter.submitted_at.desc())
        .limit(MAX_LETTERS)
        .subquery()
    )
    letters = [
        _Letter(i, f"{day}{i:06d}", s, n, at, unit)
        for i, day, s, n, at, unit in session.execute(select(chosen))
    ]
    words: dict[int, dict[str, int]] = defaultdict(dict)
    for letter_id, word, n in session.execute(
        select(LetterWord.letter_id, LetterWord.word, LetterWord.n).join(
            chosen, chosen.c.id == LetterWord.letter_id
        )
    ):
        words[letter_id][word] = n
    return letters, [words.get(x.id, {}) for x in letters]


def _topics(
    letters: list[_Letter], documents: list[dict[str, int]], now: datetime
) -> list[dict[str, object]]:
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfTransformer

    if len(letters) < TOPICS * 3:
        return []  # too few letters to tell topics apart
    vectorizer = DictVectorizer()
    counts = vectorizer.fit_transform(documents)
    vocabulary = vectorizer.get_feature_names_out()
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    model = NMF(n_components=TOPICS, init="nndsvda", random_state=0, max_iter=300)
    weights = model.fit_transform(tfidf)
    best = weights.argmax(axis=1)
    recent_since, previous_since = now - timedelta(days=30), now - timedelta(days=60)
    out = []
    for k in range(TOPICS):
        members = [i for i in range(len(letters)) if best[i] == k and weights[i, k] > 0]
        if not members:
            continue
        top_words = [str(vocabulary[j]) for j in model.components_[k].argsort()[::-1][:6]]
        typical = sorted(members, key=lambda i: -weights[i, k])[:3]
        out.append(
            {
                "label": " · ".join(top_words[:3]),
                "words": top_words,
                "size": len(members),
                "recent": sum(letters[i].submitted_at >= recent_since for i in members),
                "previous": sum(
                    previous_since <= letters[i].submitted_at < recent_since for i in members
                ),
                "unit_ids": [
                    u for u, _ in Counter(letters[i].unit for i in members).most_common(3) if u
                ],
                "examples": [
                    f"{letters[i].number} {mask_personal(letters[i].subject, [letters[i].name])}"
                    for i in typical
                ],
            }
        )
    return sorted(out, key=lambda t: -int(t["size"]))  # type: ignore[call-overload]
