"""What analytics adds to the app: the dashboard pages and the figures API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from prometheus_client.core import Metric
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics import public, suggestions
from analytics.api import router as api_router
from analytics.models import HotIssueRun
from analytics.pages import router as page_router
from engagement import metrics
from engagement.audit import AuditLabels
from engagement.auth.policy import Action
from engagement.i18n import N_
from engagement.models import Department
from engagement.settings import get_settings
from engagement.timeutil import utcnow

TEMPLATE_DIR = Path(__file__).parent / "templates"
WORKBENCH_LINKS = [(N_("Dashboard"), "/dashboard", Action.view_dashboard)]
AUDIT_LABELS = AuditLabels()  # analytics only reads: it records nothing

__all__ = [
    "AUDIT_LABELS",
    "METRICS",
    "TEMPLATE_DIR",
    "WORKBENCH_LINKS",
    "api_router",
    "page_router",
]

api_router.include_router(suggestions.api_router)
page_router.include_router(suggestions.page_router)


def last_refresh(session: Session) -> Iterator[Metric]:
    """When `analytics refresh` last grouped the letters (the hot issues are its last step
    but one; monitoring alerts when this falls a day behind)."""
    at = session.scalar(select(func.max(HotIssueRun.computed_at)))
    yield metrics.timestamp(
        "engagement_analytics_last_refresh_timestamp_seconds",
        "When analytics refresh last ran, in seconds since the epoch (0: never).",
        at,
    )


METRICS = [last_refresh]


def home_panel(session: Session) -> tuple[dict[str, Any], str]:
    return {
        "year_figures": public.this_year(session),
        "year": utcnow().astimezone(get_settings().tz).year,
    }, "analytics/_home.html"


def unit_panel(session: Session, unit: Department) -> tuple[dict[str, Any], str]:
    return {
        "unit_figures": public.this_year(session, unit),
        "year": utcnow().astimezone(get_settings().tz).year,
    }, "analytics/_unit.html"
