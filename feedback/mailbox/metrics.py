"""What the mailbox shows on `/metrics`: letters by status and the overdue ones, read at scrape."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engagement.timeutil import utcnow
from feedback.mailbox.models import Letter, Status
from feedback.mailbox.service import overdue_clause


def letters(session: Session) -> Iterator[Metric]:
    counts = dict(
        session.execute(select(Letter.status, func.count()).group_by(Letter.status)).all()
    )
    by_status = GaugeMetricFamily("engagement_letters", "Letters by status.", labels=["status"])
    for status in Status:
        by_status.add_metric([status.value], counts.get(status, 0))
    yield by_status
    overdue = session.scalar(select(func.count(Letter.id)).where(overdue_clause(utcnow())))
    yield GaugeMetricFamily(
        "engagement_letters_overdue",
        "Open letters past their deadline (assignment or reply).",
        value=overdue or 0,
    )
