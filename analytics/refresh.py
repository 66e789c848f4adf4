"""`engagement analytics refresh`: rollups, topics, names, word weights, hot issues, suggester.

Run it nightly (cron or a systemd timer). Figures are exact without it, since letters not yet
rolled up are counted live; it keeps that live part small, so dashboards stay fast.
"""

from __future__ import annotations

import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics import hot_issues, rollup, suggester, topics
from analytics.models import HotIssue
from engagement import vocabulary
from feedback.mailbox import finder
from feedback.mailbox.models import Letter

# Names are learned from, word weights counted over and hot issues found among this many of the
# newest letters.
NEWEST_LETTERS = 100_000


def refresh(session: Session) -> str:
    started = time.perf_counter()
    rolled = rollup.fold(session)
    folded = time.perf_counter()
    run = topics.refresh_topics(session)
    found = len(topics.latest(session)[1])
    topics_done = time.perf_counter()
    indexed = finder.index_missing(session)
    learned = _learn_names(session)
    # The newest letters, segmented with the names just learned; their stored words follow.
    letters = finder.segment_again(session, limit=NEWEST_LETTERS)
    vocabulary.store_weights(session, ([w.lower() for w in x.words] for x in letters))
    issues = hot_issues.refresh_hot_issues(session, letters)
    grouped = session.scalar(select(func.count(HotIssue.id))) or 0
    issues_done = time.perf_counter()
    suggester_line = suggester.learn(session)
    return (
        f"rollups: {rolled} letters added in {folded - started:.1f} s; "
        f"topics: {found} among {run.letters} letters in {topics_done - folded:.1f} s; "
        f"index: {indexed} letters added; names: {learned} learned; "
        f"hot issues: {grouped} among {issues.letters} letters in "
        f"{issues_done - topics_done:.1f} s; unit suggester: {suggester_line}"
    )


def _learn_names(session: Session) -> int:
    newest = (
        select(Letter.subject, Letter.body)
        .order_by(Letter.submitted_at.desc(), Letter.id.desc())
        .limit(NEWEST_LETTERS)
    )
    return vocabulary.learn_names(session, (f"{s}\n{b}" for s, b in session.execute(newest)))
