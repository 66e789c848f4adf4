"""What the surveys domain adds to the app: routers, templates, workbench entries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engagement.audit import AuditLabels
from engagement.auth.policy import Action, unit_scope
from engagement.i18n import N_
from engagement.models import Department, User
from engagement.timeutil import utcnow
from engagement.workbench import Waiting
from surveys import labels, service
from surveys.api import router as api_router
from surveys.models import Status, Survey
from surveys.pages import router as page_router
from surveys.service import search_documents  # noqa: F401

TEMPLATE_DIR = Path(__file__).parent / "templates"
WORKBENCH_LINKS = [(N_("Surveys"), "/staff/surveys", Action.view_workbench)]
# The audit log's words for what this domain records (tests/engagement/test_audit_labels.py).
AUDIT_LABELS = AuditLabels(
    actions={
        "survey.create": N_("Drafted a survey"),
        "survey.update": N_("Edited a survey"),
        "survey.publish": N_("Published a survey"),
        "survey.close": N_("Closed a survey"),
    },
    groups={"survey": N_("Surveys")},
    objects={"survey": N_("Survey")},
    details={"title": N_("Title")},
)


def surveys_waiting(session: Session, user: User) -> dict[str, list[Waiting]]:
    """The unit's surveys taking answers now, and drafts not yet published."""
    now = utcnow()
    stmt = select(func.count(Survey.id))
    scope = unit_scope(user)
    if scope is not None:
        stmt = stmt.where(Survey.department_id == scope)
    published = Survey.published_at.is_not(None)
    running = session.scalar(stmt.where(published, Survey.opens_at <= now, Survey.closes_at > now))
    drafts = session.scalar(stmt.where(Survey.published_at.is_(None)))
    return {
        "/staff/surveys": [
            Waiting(N_("Open now"), running or 0, "/staff/surveys"),
            Waiting(N_("Drafts"), drafts or 0, "/staff/surveys"),
        ]
    }


WORKBENCH_COUNTS = [surveys_waiting]

__all__ = [
    "AUDIT_LABELS",
    "TEMPLATE_DIR",
    "WORKBENCH_COUNTS",
    "WORKBENCH_LINKS",
    "api_router",
    "page_router",
]


def home_panel(session: Session) -> tuple[dict[str, Any], str]:
    now = utcnow()
    rows, _ = service.list_public(session, limit=10)
    return {
        "open_surveys": [s for s in rows if s.status_at(now) == Status.open][:5]
    }, "surveys/_home.html"


def unit_panel(session: Session, unit: Department) -> tuple[dict[str, Any], str]:
    now = utcnow()
    rows, _ = service.list_public(session, limit=20, department=unit.slug)
    return {
        "unit_surveys": [(s, s.status_at(now)) for s in rows],
        "survey_labels": labels,
    }, "surveys/_unit.html"
