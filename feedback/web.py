"""What the feedback domain adds to the app: routers, templates, workbench entries."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session

from engagement.auth.policy import Action
from engagement.i18n import N_
from engagement.models import Department
from engagement.settings import Settings
from engagement.timeutil import utcnow
from feedback.consultations import api as consultations_api
from feedback.consultations import labels as consultation_labels
from feedback.consultations import pages as consultations_pages
from feedback.consultations import service as consultations_service
from feedback.consultations.models import Status as ConsultationStatus
from feedback.consultations.pages import days_left
from feedback.indexing import documents as search_documents  # noqa: F401
from feedback.mailbox import api as mailbox_api
from feedback.mailbox import import_pages as mailbox_import
from feedback.mailbox import labels as mailbox_labels
from feedback.mailbox import metrics as mailbox_metrics
from feedback.mailbox import pages as mailbox_pages
from feedback.mailbox import service as mailbox_service
from feedback.mailbox import support_routes as mailbox_support
from feedback.mailbox import views as mailbox_views

TEMPLATE_DIR = Path(__file__).parent / "templates"

api_router = APIRouter()
api_router.include_router(mailbox_api.router)
api_router.include_router(mailbox_support.api_router)
api_router.include_router(consultations_api.router)

page_router = APIRouter()
page_router.include_router(mailbox_pages.router)
page_router.include_router(mailbox_support.page_router)
page_router.include_router(mailbox_import.router)
page_router.include_router(consultations_pages.router)

METRICS = [mailbox_metrics.letters]

MB = 1024 * 1024
# Routes whose bodies may be larger than ENGAGEMENT_BODY_MAX_BYTES: a letter with its photos, and
# the admin's import file.
BODY_LIMITS: dict[str, Callable[[Settings], int]] = {
    "/mailbox": lambda s: s.upload_max_files * s.upload_max_bytes + MB,
    "/admin/import": lambda s: s.import_max_bytes + MB,
}

WORKBENCH_LINKS = [
    (N_("Letters to handle"), "/staff/letters", Action.view_workbench),
    (N_("Reply templates"), "/staff/templates", Action.view_workbench),
    (N_("Consultations"), "/staff/consultations", Action.view_workbench),
    (N_("Sensitive words"), "/staff/sensitive-words", Action.manage_settings),
    (N_("Import letters"), "/admin/import", Action.import_letters),
]


def home_panel(session: Session) -> tuple[dict[str, Any], str]:
    """Open consultations with their days left, and the latest published replies."""
    now = utcnow()
    consultations, _ = consultations_service.list_public(session, limit=5)
    open_now = [
        (c, c.status_at(now))
        for c in consultations
        if c.status_at(now) in (ConsultationStatus.open, ConsultationStatus.scheduled)
    ]
    letters, _ = mailbox_service.list_public(session, limit=5)
    return {
        "open_consultations": [(c, s, days_left(c, now)) for c, s in open_now],
        "latest_letters": [mailbox_views.for_public(x) for x in letters],
        "mailbox_labels": mailbox_labels,
        "consultation_labels": consultation_labels,
    }, "feedback/_home.html"


def unit_panel(session: Session, unit: Department) -> tuple[dict[str, Any], str]:
    now = utcnow()
    consultations, _ = consultations_service.list_public(session, limit=20, department=unit.slug)
    letters, total = mailbox_service.list_public(session, department=unit.slug, limit=5)
    return {
        "unit_consultations": [(c, c.status_at(now), days_left(c, now)) for c in consultations],
        "unit_letters": [mailbox_views.for_public(x) for x in letters],
        "unit_letters_total": total,
        "mailbox_labels": mailbox_labels,
        "consultation_labels": consultation_labels,
    }, "feedback/_unit.html"
