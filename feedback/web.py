"""What the feedback domain adds to the app: routers, templates, workbench entries."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from engagement.audit import AuditLabels
from engagement.auth.policy import Action, can, unit_scope
from engagement.i18n import N_
from engagement.models import Department, User
from engagement.settings import Settings
from engagement.timeutil import utcnow
from engagement.workbench import Waiting
from feedback.consultations import api as consultations_api
from feedback.consultations import labels as consultation_labels
from feedback.consultations import pages as consultations_pages
from feedback.consultations import service as consultations_service
from feedback.consultations.models import Comment, CommentStatus, Consultation
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


def letters_waiting(session: Session, user: User) -> dict[str, list[Waiting]]:
    """The letters that wait for this user: their unit's for staff, every unit's for leaders."""
    counts = mailbox_service.counts_by_queue(session, user)
    queue = "/staff/letters?queue="
    items = [
        Waiting(N_("To reply"), counts["in_progress"], f"{queue}in_progress"),
        Waiting(N_("Reopened"), counts["reopened"], f"{queue}reopened"),
        Waiting(N_("Due soon"), counts["due_soon"], f"{queue}due_soon"),
        Waiting(N_("Overdue"), counts["overdue"], f"{queue}overdue", urgent=True),
    ]
    if can(user, Action.assign_letter):  # new letters have no unit yet: leaders assign them
        items.insert(0, Waiting(N_("To assign"), counts["submitted"], f"{queue}new"))
    return {"/staff/letters": items}


def consultations_waiting(session: Session, user: User) -> dict[str, list[Waiting]]:
    """Comments to review, and closed consultations whose adoption report is still to come."""
    scope = unit_scope(user)

    def count(stmt: Select[int]) -> int:
        if scope is not None:
            stmt = stmt.where(Consultation.department_id == scope)
        return session.scalar(stmt) or 0

    pending = count(
        select(func.count(Comment.id))
        .join(Consultation, Comment.consultation_id == Consultation.id)
        .where(Comment.status == CommentStatus.pending)
    )
    reports = count(
        select(func.count(Consultation.id)).where(
            Consultation.published_at.is_not(None),
            Consultation.reported_at.is_(None),
            Consultation.closes_at < utcnow(),
        )
    )
    return {
        "/staff/consultations": [
            Waiting(N_("Comments to review"), pending, "/staff/consultations"),
            Waiting(N_("Reports to publish"), reports, "/staff/consultations"),
        ]
    }


WORKBENCH_COUNTS = [letters_waiting, consultations_waiting]

# The audit log's words for what this domain records (tests/engagement/test_audit_labels.py).
AUDIT_LABELS = AuditLabels(
    actions={
        "letter.submit": N_("Letter received"),
        "letter.rate": N_("Writer rated the reply"),
        "letter.assign": N_("Assigned a letter"),
        "letter.transfer": N_("Transferred a letter"),
        "letter.transferr": N_("Transferred a letter"),  # as written before 2026-12
        "letter.reply": N_("Replied to a letter"),
        "letter.reject": N_("Did not accept a letter"),
        "letter.publish": N_("Approved a letter for publication"),
        "letter.note": N_("Added an internal note"),
        "letter.merge": N_("Merged a duplicate letter"),
        "letter.extension_request": N_("Asked for more time"),
        "letter.extension_approve": N_("Granted more time"),
        "letter.extension_refuse": N_("Refused more time"),
        "letter.import": N_("Imported letters"),
        "letter.support": N_("Citizen supported a letter"),
        "reply_template.create": N_("Added a reply template"),
        "reply_template.delete": N_("Deleted a reply template"),
        "consultation.create": N_("Drafted a consultation"),
        "consultation.update": N_("Edited a consultation"),
        "consultation.publish": N_("Published a consultation"),
        "consultation.attach": N_("Attached a file to a consultation"),
        "consultation.report": N_("Published the adoption report"),
        "comment.submit": N_("Comment received"),
        "comment.approve": N_("Approved a comment"),
        "comment.reject": N_("Rejected a comment"),
        "sensitive_word.add": N_("Added a sensitive word"),
        "sensitive_word.remove": N_("Removed a sensitive word"),
    },
    groups={
        "letter": N_("Letters"),
        "reply_template": N_("Reply templates"),
        "consultation": N_("Consultations"),
        "comment": N_("Comments"),
        "sensitive_word": N_("Sensitive words"),
    },
    objects={
        "letter": N_("Letter"),
        "file": N_("File"),
        "reply_template": N_("Reply template"),
        "consultation": N_("Consultation"),
        "comment": N_("Comment"),
        "sensitive_word": N_("Sensitive word"),
    },
    details={
        "category": N_("Category"),
        "satisfaction": N_("Satisfaction"),
        "previous": N_("From unit"),
        "public": N_("Public"),
        "length": N_("Characters"),
        "reason": N_("Reason"),
        "into": N_("Merged into"),
        "days": N_("Working days"),
        "file": N_("File"),
        "rows": N_("Rows in the file"),
        "imported": N_("Imported"),
        "skipped": N_("Skipped"),
        "title": N_("Title"),
        "revision": N_("What changed"),
        "filename": N_("File"),
        "consultation": N_("Consultation"),
        "decisions": N_("Comments answered"),
    },
    values={
        "category": mailbox_labels.CATEGORY_LABELS,
        "satisfaction": mailbox_labels.SATISFACTION_LABELS,
    },
    unit_keys=frozenset({"previous"}),
)


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
