"""Hot issues (热点问题): letters that report one problem at one place, grouped.

`analytics refresh` groups the newest letters (`analytics.refresh.NEWEST_LETTERS`):
1. each letter is a TF-IDF vector of its words (segmented again with the names learned so far;
   very common words left out), so 丽发新城 and 搅拌站 weigh much more than 小区 or 噪音;
2. two letters are linked when their cosine is at least `LINK`, they were written within
   `MAX_GAP` of each other, and, when both name places (learned names, townships), they
   name one in common: the same problem at two estates is two issues;
3. groups grow by the strongest links first, and two groups join only when at least half of
   the pairs between them are linked (average linkage), so one chance link never chains two
   issues together.
Every step is deterministic (letters in id order, ties broken by id), so the same letters always
give the same issues, and an issue keeps its id from run to run while most of its letters stay.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import String, cast, delete, func, insert, select
from sqlalchemy.orm import Session

from analytics.models import HotIssue, HotIssueLetter, HotIssueRun
from engagement import segment, vocabulary
from engagement.models import Department, table_of
from engagement.segment import stop_words
from engagement.text import mask_personal
from engagement.timeutil import utcnow
from feedback.mailbox import finder
from feedback.mailbox.models import Letter

LINK = 0.3
LINK_SAME_PLACE = 0.2  # two letters naming the same estate or road need fewer other words alike
LINK_ONE_PLACE = 0.45  # a letter naming no place may be about any place
MAX_GAP = timedelta(days=365)
NEIGHBOURS = 20
# A word in more letters than this says nothing about one issue (common words, at scale).
COMMON_SHARE, COMMON_FLOOR = 0.05, 50
HALF_LIFE_DAYS = 30
METHOD = (
    "TF-IDF of each letter's words, links at cosine {link} within {gap} days and a shared place, "
    "average linkage; letters of the last {n} received"
)
HEAT_FORMULA = "(writers + 0.5 × (letters − writers) + 0.2 × support) × 0.5^(days since last / 30)"


@dataclass
class _Doc:
    id: int
    subject: str
    name: str
    at: datetime
    words: dict[str, int]
    places: set[str] = field(default_factory=set)  # named places and place codes (A2区)

    @property
    def names(self) -> set[str]:
        """Named places only (丽发新城, 望仙路): a district code alone says little."""
        return {p for p in self.places if not segment.is_place_code(p)}


# --- refresh -----------------------------------------------------------------------------------


def refresh_hot_issues(
    session: Session, letters: Sequence[finder.Segmented], *, now: datetime | None = None
) -> HotIssueRun:
    """Groups these letters (the newest, segmented again) into issues, keeping the ids of
    issues that go on."""
    now = now or utcnow()
    docs = _documents(session, letters)
    groups = group_letters(docs)
    run = HotIssueRun(
        computed_at=now,
        letters=len(docs),
        method=METHOD.format(link=LINK, gap=MAX_GAP.days, n=len(docs)),
    )
    session.execute(delete(HotIssueRun))
    session.add(run)
    _store(session, docs, groups, now)
    session.flush()
    return run


def _documents(session: Session, letters: Sequence[finder.Segmented]) -> list[_Doc]:
    return [
        _Doc(
            x.id,
            x.subject,
            x.name,
            x.submitted_at,
            x.words,
            vocabulary.places(session, x.words),
        )
        for x in letters
    ]


def group_letters(docs: Sequence[_Doc]) -> list[list[int]]:
    """Groups of two or more indexes into `docs` that report the same issue."""
    if len(docs) < 2:
        return []
    matrix = _tfidf(docs)
    edges = _links(docs, matrix)
    return _average_linkage(len(docs), edges)


def _tfidf(docs: Sequence[_Doc]) -> Any:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfTransformer

    stops = stop_words()
    counts = DictVectorizer().fit_transform(
        [{w: n for w, n in d.words.items() if w not in stops} for d in docs]
    )
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    limit = max(COMMON_FLOOR, COMMON_SHARE * len(docs))
    counts = counts[:, np.flatnonzero(df <= limit)]
    return TfidfTransformer(sublinear_tf=True).fit_transform(counts).tocsr()


def _links(docs: Sequence[_Doc], matrix: Any) -> list[tuple[float, int, int]]:
    """(cosine, i, j) with i < j for letters close enough in words, time and place."""
    times = np.array([d.at.timestamp() for d in docs])
    gap = MAX_GAP.total_seconds()
    transposed = matrix.T.tocsc()
    edges: dict[tuple[int, int], float] = {}
    for start in range(0, len(docs), 2000):
        block = (matrix[start : start + 2000] @ transposed).tocsr()
        for row in range(block.shape[0]):
            i = start + row
            cols = block.indices[block.indptr[row] : block.indptr[row + 1]]
            vals = block.data[block.indptr[row] : block.indptr[row + 1]]
            keep = (vals >= LINK_SAME_PLACE) & (cols != i) & (np.abs(times[cols] - times[i]) <= gap)
            cols, vals = cols[keep], vals[keep]
            for k in np.lexsort((cols, -vals))[:NEIGHBOURS]:
                j = int(cols[k])
                if _linked(docs[i], docs[j], float(vals[k])):
                    edges[(min(i, j), max(i, j))] = float(vals[k])
    return sorted(((s, i, j) for (i, j), s in edges.items()), key=lambda e: (-e[0], e[1], e[2]))


def _linked(a: _Doc, b: _Doc, score: float) -> bool:
    """Close enough for what they say of places: the same named place needs fewer words alike,
    a place on one side only needs more, two different places never link."""
    if a.names & b.names:
        return score >= LINK_SAME_PLACE
    if a.places and b.places:
        return score >= LINK and bool(a.places & b.places)
    return score >= (LINK_ONE_PLACE if a.places or b.places else LINK)


def _needed(size_a: int, size_b: int) -> float:
    """Links two groups need to join: half of all their pairs, as far as `NEIGHBOURS` allows."""
    return 0.5 * min(size_a * size_b, NEIGHBOURS * min(size_a, size_b))


def _average_linkage(n: int, edges: list[tuple[float, int, int]]) -> list[list[int]]:
    parent = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    links: dict[int, Counter[int]] = defaultdict(Counter)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for _, i, j in edges:
        a, b = root(i), root(j)
        if a == b:
            continue
        links[a][b] += 1
        links[b][a] += 1
        if links[a][b] < _needed(len(members[a]), len(members[b])):
            continue
        keep, gone = min(a, b), max(a, b)
        parent[gone] = keep
        members[keep] += members.pop(gone)
        for other, count in links.pop(gone, Counter()).items():
            if other == keep:
                continue
            links[keep][other] += count
            links[other][keep] += count
            del links[other][gone]
        links[keep].pop(gone, None)
    return sorted(
        (sorted(m) for m in members.values() if len(m) >= 2), key=lambda m: (-len(m), m[0])
    )


def _store(session: Session, docs: Sequence[_Doc], groups: list[list[int]], now: datetime) -> None:
    """Writes the issues, giving each the id of the earlier issue it shares most letters with."""
    earlier = dict(session.execute(select(HotIssueLetter.letter_id, HotIssueLetter.issue_id)).all())
    session.execute(delete(HotIssueLetter))
    taken: set[int] = set()
    rows = []
    for group in groups:
        ids = [docs[i].id for i in group]
        votes = Counter(earlier[i] for i in ids if i in earlier)
        reuse = next((issue for issue, _ in votes.most_common() if issue not in taken), None)
        title, places, keywords = _describe([docs[i] for i in group])
        if reuse is None:
            issue = HotIssue(title=title, places=places, keywords=keywords, computed_at=now)
            session.add(issue)
            session.flush()
        else:
            issue = session.get_one(HotIssue, reuse)
            issue.title, issue.places, issue.keywords, issue.computed_at = (
                title,
                places,
                keywords,
                now,
            )
        taken.add(issue.id)
        rows += [{"letter_id": i, "issue_id": issue.id} for i in ids]
    session.execute(delete(HotIssue).where(HotIssue.id.not_in(taken or {0})))
    for start in range(0, len(rows), 5000):
        session.execute(insert(table_of(HotIssueLetter)), rows[start : start + 5000])


def _describe(group: list[_Doc]) -> tuple[str, list[str], list[str]]:
    """A title a leader can read (the most typical subject, masked), places and keywords."""
    counted = Counter(p for d in group for p in d.places)
    # Named places first (丽发新城 before A2区), the most named first.
    places = sorted(counted, key=lambda p: (segment.is_place_code(p), -counted[p], p))[:3]
    stops = stop_words()
    letters_with = Counter(w for d in group for w in d.words if w not in stops)
    keywords = [
        w
        for w, _ in sorted(letters_with.items(), key=lambda wc: (-wc[1], wc[0]))
        if w not in places
    ][:6]
    typical = max(group, key=lambda d: (sum(letters_with[w] for w in set(d.words)), -d.id))
    title = mask_personal(typical.subject, [typical.name])
    lead = places[0] if places else ""
    # A place that most of the letters name, not one letter's address.
    if lead and not segment.is_place_code(lead) and counted[lead] * 2 >= len(group):
        title = title if lead in title else f"{lead}：{title}"
    return title[:200], places, keywords


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueFigures:
    issue: HotIssue
    letters: int
    writers: int
    support: int
    first_at: datetime
    last_at: datetime
    heat: float
    departments: list[Department]


def heat(letters: int, writers: int, support: int, days_since_last: float) -> float:
    """See HEAT_FORMULA: writers count most, repeated letters half, support a fifth; a month
    without a new letter halves it."""
    weight = writers + 0.5 * (letters - writers) + 0.2 * support
    return round(weight * 0.5 ** (max(days_since_last, 0.0) / HALF_LIFE_DAYS), 3)


def _writer_key() -> Any:
    return func.coalesce(
        func.nullif(Letter.phone, ""), func.nullif(Letter.name, ""), cast(Letter.id, String)
    )


def _member_filter(
    stmt: Any,
    since: datetime | None,
    until: datetime | None,
    unit: int | None,
    township: int | None,
) -> Any:
    if since is not None:
        stmt = stmt.where(Letter.submitted_at >= since)
    if until is not None:
        stmt = stmt.where(Letter.submitted_at < until)
    if unit is not None:
        stmt = stmt.where(Letter.department_id == unit)
    if township is not None:
        stmt = stmt.where(Letter.township_id == township)
    return stmt


def list_issues(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    department_id: int | None = None,
    township_id: int | None = None,
    issue_id: int | None = None,
) -> list[IssueFigures]:
    """Issues with letters in the filter, counted from those letters only, hottest first."""
    found, _ = hottest(
        session,
        since=since,
        until=until,
        department_id=department_id,
        township_id=township_id,
        issue_id=issue_id,
    )
    return found


def hottest(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    department_id: int | None = None,
    township_id: int | None = None,
    issue_id: int | None = None,
    limit: int | None = None,
) -> tuple[list[IssueFigures], int]:
    """The `limit` hottest issues (all without one) and how many issues the filter holds.

    Issues are ranked from their grouped figures; only those shown are loaded with their
    units (a year's dashboard holds hundreds of issues and shows ten)."""
    stmt = select(
        HotIssueLetter.issue_id,
        func.count(),
        func.count(func.distinct(_writer_key())),
        func.coalesce(func.sum(Letter.support), 0),
        func.min(Letter.submitted_at),
        func.max(Letter.submitted_at),
    ).join(Letter, Letter.id == HotIssueLetter.letter_id)
    stmt = _member_filter(stmt, since, until, department_id, township_id)
    if issue_id is not None:
        stmt = stmt.where(HotIssueLetter.issue_id == issue_id)
    rows = session.execute(stmt.group_by(HotIssueLetter.issue_id)).all()
    if not rows:
        return [], 0
    reference = min(until or utcnow(), max(_aware(r[5]) for r in rows))
    ranked = sorted(
        rows,
        key=lambda r: (-heat(r[1], r[2], r[3], _days(reference, _aware(r[5]))), r[0]),
    )[:limit]
    ids = [r[0] for r in ranked]
    issues = {i.id: i for i in session.scalars(select(HotIssue).where(HotIssue.id.in_(ids)))}
    units = _units(
        session, ids if limit is not None else None, since, until, department_id, township_id
    )
    found = [
        IssueFigures(
            issue=issues[r[0]],
            letters=r[1],
            writers=r[2],
            support=int(r[3]),
            first_at=_aware(r[4]),
            last_at=_aware(r[5]),
            heat=heat(r[1], r[2], r[3], _days(reference, _aware(r[5]))),
            departments=units.get(r[0], []),
        )
        for r in ranked
        if r[0] in issues
    ]
    return found, len(rows)


def _units(
    session: Session,
    issue_ids: list[int] | None,
    since: datetime | None,
    until: datetime | None,
    department_id: int | None,
    township_id: int | None,
) -> dict[int, list[Department]]:
    """The units handling each issue's letters (of `issue_ids`, or all), busiest first (three
    at most)."""
    stmt = (
        select(HotIssueLetter.issue_id, Letter.department_id, func.count())
        .join(Letter, Letter.id == HotIssueLetter.letter_id)
        .where(Letter.department_id.is_not(None))
    )
    stmt = _member_filter(stmt, since, until, department_id, township_id)
    if issue_ids is not None:  # only the issues shown; else every issue of the filter
        stmt = stmt.where(HotIssueLetter.issue_id.in_(issue_ids))
    counts: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for issue, unit, n in session.execute(
        stmt.group_by(HotIssueLetter.issue_id, Letter.department_id)
    ):
        counts[issue].append((unit, n))
    by_id = {d.id: d for d in session.scalars(select(Department))}
    return {
        issue: [by_id[u] for u, _ in sorted(pairs, key=lambda p: (-p[1], p[0]))[:3]]
        for issue, pairs in counts.items()
    }


def issue_letters(
    session: Session, issue_id: int, *, department_id: int | None = None
) -> list[Letter]:
    stmt = (
        select(Letter)
        .join(HotIssueLetter, HotIssueLetter.letter_id == Letter.id)
        .where(HotIssueLetter.issue_id == issue_id)
        .order_by(Letter.submitted_at, Letter.id)
    )
    if department_id is not None:
        stmt = stmt.where(Letter.department_id == department_id)
    return list(session.scalars(stmt))


def latest_run(session: Session) -> HotIssueRun | None:
    return session.scalar(select(HotIssueRun).order_by(HotIssueRun.id.desc()).limit(1))


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _days(reference: datetime, last: datetime) -> float:
    return (reference - last).total_seconds() / 86400
