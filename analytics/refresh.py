"""`engagement analytics refresh`: roll up newly settled letters and find the topics again.

Run it nightly (cron or a systemd timer). Figures are exact without it, since letters not yet
rolled up are counted live; it keeps that live part small, so dashboards stay fast.
"""

from __future__ import annotations

import time

from sqlalchemy.orm import Session

from analytics import rollup, topics


def refresh(session: Session) -> str:
    started = time.perf_counter()
    rolled = rollup.fold(session)
    folded = time.perf_counter()
    run = topics.refresh_topics(session)
    found = len(topics.latest(session)[1])
    return (
        f"rollups: {rolled} letters added in {folded - started:.1f} s; "
        f"topics: {found} among {run.letters} letters in {time.perf_counter() - folded:.1f} s"
    )
