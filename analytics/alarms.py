"""What fails the national site inspection: letters unanswered for two months, consultations
closed without a published adoption report."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement.settings import get_settings
from engagement.timeutil import utcnow
from feedback.consultations.models import Consultation
from feedback.consultations.service import late_reports
from feedback.mailbox.models import OPEN_STATUSES, Letter


def unanswered_letters(
    session: Session,
    *,
    department_id: int | None = None,
    now: datetime | None = None,
    limit: int = 50,
) -> list[Letter]:
    cutoff = (now or utcnow()) - timedelta(days=get_settings().unanswered_alarm_days)
    stmt = select(Letter).where(
        Letter.status.in_(OPEN_STATUSES),
        Letter.first_replied_at.is_(None),
        Letter.submitted_at < cutoff,
    )
    if department_id is not None:
        stmt = stmt.where(Letter.department_id == department_id)
    return list(session.scalars(stmt.order_by(Letter.submitted_at).limit(limit)))


def unreported_consultations(
    session: Session, *, department_id: int | None = None, now: datetime | None = None
) -> list[Consultation]:
    rows = late_reports(session, now)
    return [c for c in rows if department_id is None or c.department_id == department_id]
