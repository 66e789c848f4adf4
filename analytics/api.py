"""GET /api/v1/analytics/letters (contract §5, Analytics)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from analytics import scope
from analytics.queries import LetterFilter, letter_figures, period
from engagement.auth.deps import ApiUser, DbSession
from engagement.db import CommittingRoute
from feedback.mailbox.models import Category

router = APIRouter(route_class=CommittingRoute, tags=["analytics"])


@router.get("/analytics/letters")
def letters(
    session: DbSession,
    user: ApiUser,
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: date | None = None,
    department: str | None = None,
    township: str | None = None,
    category: Category | None = None,
) -> dict[str, Any]:
    """Figures for letters received from `from` to `to` (local days, both included)."""
    since, until = period(from_, to)
    unit_id, township_id = scope.units_for(session, user, department, township)
    f = LetterFilter(
        since=since, until=until, department_id=unit_id, township_id=township_id, category=category
    )
    return letter_figures(session, f).as_contract()
