"""Consultations shaped for the public (masked) and for staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engagement.text import mask_name, mask_personal
from feedback.consultations import service
from feedback.consultations.models import Comment, Consultation, Decision
from feedback.consultations.schemas import (
    CommentRead,
    ConsultationRead,
    ConsultationSummary,
    DispositionRead,
    ReportRead,
    RevisionRead,
    SectionRead,
    StaffComment,
)
from feedback.mailbox.schemas import UnitRef


def masked_body(comment: Comment) -> str:
    """The comment's text with personal data masked, the commenter's own name and contact too
    (a number they give as theirs is masked even where it reads like a public line)."""
    return mask_personal(
        comment.body, names=[comment.name], phones=[comment.contact], emails=[comment.contact]
    )


def public_comment(comment: Comment) -> CommentRead:
    """A commenter's name is shortened and personal data in the text masked; contact never."""
    return CommentRead(
        id=comment.id,
        section=comment.section.ordinal if comment.section else None,
        body=masked_body(comment),
        name=mask_name(comment.name) if comment.name else "",
        agree_count=comment.agree_count,
        created_at=comment.created_at,
    )


def summary(c: Consultation, now: datetime) -> ConsultationSummary:
    return ConsultationSummary(
        id=c.id,
        title=c.title,
        kind=c.kind,
        status=c.status_at(now),
        department=UnitRef(slug=c.department.slug, name=c.department.name),
        opens_at=c.opens_at,
        closes_at=c.closes_at,
    )


def full(session: Session, c: Consultation, now: datetime) -> ConsultationRead:
    comments = service.approved_comments(session, c.id)
    counts = service.comment_counts(session, c.id)
    report = None
    if c.report is not None:
        dispositions = [
            DispositionRead(
                comment_id=x.id, decision=x.disposition.decision, reason=x.disposition.reason
            )
            for x in comments
            if x.disposition is not None
        ]
        decision_counts = dict.fromkeys(Decision, 0)
        for d in dispositions:
            decision_counts[d.decision] += 1
        report = ReportRead(
            summary=c.report.summary,
            other_channels=c.report.other_channels,
            published_at=c.report.published_at,
            dispositions=dispositions,
            online_comments=service.online_comment_count(session, c.id),
            published_comments=len(comments),
            decision_counts=decision_counts,
        )
    return ConsultationRead(
        **summary(c, now).model_dump(),
        summary=c.summary,
        background=c.background,
        how_to_comment=c.how_to_comment,
        short_period_reason=c.short_period_reason,
        sections=[
            SectionRead(
                ordinal=s.ordinal, heading=s.heading, text=s.text, comment_count=counts.get(s.id, 0)
            )
            for s in c.sections
        ],
        comments=[public_comment(x) for x in comments],
        report=report,
        revisions=[RevisionRead(at=r.at, note=r.note) for r in c.revisions],
    )


def staff_comment(comment: Comment) -> StaffComment:
    return StaffComment(
        id=comment.id,
        consultation_id=comment.consultation_id,
        section=comment.section.ordinal if comment.section else None,
        body=comment.body,
        name=comment.name,
        contact=comment.contact,
        status=comment.status,
        reason=comment.reason,
        flagged_words=comment.flagged_words,
        created_at=comment.created_at,
    )
