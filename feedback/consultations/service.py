"""Consultation rules: drafting, legal periods, publishing, comments, moderation, the report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engagement import accounts, audit, search
from engagement.audit import Actor
from engagement.auth.policy import Action, can, require, unit_scope
from engagement.calendar_admin import load_calendar
from engagement.errors import Conflict, DomainError, Invalid, NotFound
from engagement.i18n import N_
from engagement.models import User
from engagement.timeutil import utcnow
from feedback import indexing
from feedback.consultations.models import (
    Agreement,
    Comment,
    CommentStatus,
    Consultation,
    Decision,
    Disposition,
    Kind,
    Report,
    Revision,
    Section,
    SensitiveWord,
    Status,
)

MIN_CALENDAR_DAYS = {Kind.regulation_draft: 30, Kind.major_decision: 30}
MIN_WORKING_DAYS = {Kind.normative_document: 7}
REPORT_LATE_DAYS = 30
CHANNELS = ("phone", "letter", "meeting", "email", "other")


@dataclass
class SectionIn:
    heading: str
    text: str


@dataclass
class ConsultationIn:
    title: str
    summary: str
    sections: list[SectionIn]
    opens_at: datetime
    closes_at: datetime
    kind: Kind = Kind.other
    short_period_reason: str | None = None
    background: str = ""
    how_to_comment: str = ""
    department: str | None = None  # admins choose the unit; staff act for their own


def _index(session: Session, doc: search.Doc) -> None:
    session.flush()
    search.index(session, doc)


def period_shortfall(
    session: Session, kind: Kind, opens_at: datetime, closes_at: datetime
) -> str | None:
    """Why the period is below the legal minimum for this kind, or None when it is not."""
    if kind in MIN_CALENDAR_DAYS and closes_at - opens_at < timedelta(days=MIN_CALENDAR_DAYS[kind]):
        return N_("30 days")
    if kind in MIN_WORKING_DAYS:
        needed = MIN_WORKING_DAYS[kind]
        if load_calendar(session).working_days_between(opens_at, closes_at) < needed:
            return N_("7 working days")
    return None


def _validate(session: Session, data: ConsultationIn) -> list[tuple[str | None, DomainError]]:
    errors: list[tuple[str | None, DomainError]] = []
    if not 1 <= len(data.title.strip()) <= 200:
        errors.append(("title", DomainError("A title of 1 to 200 characters is required.")))
    if not data.summary.strip():
        errors.append(("summary", DomainError("Describe the matter and its content.")))
    if not data.sections or any(not s.heading.strip() or not s.text.strip() for s in data.sections):
        errors.append(("sections", DomainError("Every article needs a heading and a text.")))
    if data.closes_at <= data.opens_at:
        errors.append(("closes_at", DomainError("The closing time must be after the opening.")))
    elif (
        period_shortfall(session, data.kind, data.opens_at, data.closes_at)
        and not (data.short_period_reason or "").strip()
    ):
        errors.append(
            (
                "short_period_reason",
                DomainError(
                    "The period is shorter than the legal minimum of %(minimum)s for this kind of "
                    "draft: explain why.",
                    minimum=period_shortfall(session, data.kind, data.opens_at, data.closes_at),
                ),
            )
        )
    return errors


def create_consultation(session: Session, actor: Actor, data: ConsultationIn) -> Consultation:
    assert actor.user is not None
    unit_id = accounts.acting_unit(session, actor.user, data.department)
    require(actor.user, Action.manage_consultation, unit_id)
    errors = _validate(session, data)
    if errors:
        raise Invalid.many(errors)
    consultation = Consultation(
        department_id=unit_id,
        kind=data.kind,
        title=data.title.strip(),
        summary=data.summary.strip(),
        background=data.background.strip(),
        how_to_comment=data.how_to_comment.strip(),
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        short_period_reason=(data.short_period_reason or "").strip() or None,
        created_by_id=actor.user.id,
        sections=[
            Section(ordinal=i, heading=s.heading.strip(), text=s.text.strip())
            for i, s in enumerate(data.sections, start=1)
        ],
    )
    session.add(consultation)
    session.flush()
    audit.record(
        session,
        actor,
        "consultation.create",
        object_type="consultation",
        object_id=consultation.id,
        title=consultation.title,
    )
    return consultation


def update_consultation(
    session: Session,
    actor: Actor,
    consultation_id: int,
    data: ConsultationIn,
    *,
    revision_note: str = "",
) -> Consultation:
    """Edits a consultation; once published, every change needs a public revision note."""
    consultation = get_for_staff(session, actor, consultation_id, manage=True)
    status = consultation.status_at(utcnow())
    if status in (Status.closed, Status.reported):
        raise Conflict("A closed consultation can no longer be changed.")
    if status != Status.draft and len(revision_note.strip()) < 5:
        raise Invalid("Say what changed: the note is shown publicly.", field="revision_note")
    errors = _validate(session, data)
    if errors:
        raise Invalid.many(errors)
    if (
        status != Status.draft
        and _has_comments(session, consultation.id)
        and (len(data.sections) < len(consultation.sections))
    ):
        raise Conflict("Articles that may have comments cannot be removed; edit them instead.")
    _apply(consultation, data)
    if status != Status.draft:
        assert actor.user is not None
        consultation.revisions.append(Revision(note=revision_note.strip(), actor_id=actor.user.id))
    audit.record(
        session,
        actor,
        "consultation.update",
        object_type="consultation",
        object_id=consultation.id,
        revision=revision_note.strip() or None,
    )
    if consultation.published_at is not None:
        _index(session, indexing.consultation_doc(consultation))
    return consultation


def _apply(consultation: Consultation, data: ConsultationIn) -> None:
    consultation.title, consultation.summary = data.title.strip(), data.summary.strip()
    consultation.background = data.background.strip()
    consultation.how_to_comment = data.how_to_comment.strip()
    consultation.kind, consultation.opens_at = data.kind, data.opens_at
    consultation.closes_at = data.closes_at
    consultation.short_period_reason = (data.short_period_reason or "").strip() or None
    existing = {s.ordinal: s for s in consultation.sections}
    for ordinal, item in enumerate(data.sections, start=1):
        if ordinal in existing:
            existing[ordinal].heading, existing[ordinal].text = (
                item.heading.strip(),
                item.text.strip(),
            )
        else:
            consultation.sections.append(
                Section(ordinal=ordinal, heading=item.heading.strip(), text=item.text.strip())
            )
    for ordinal in [o for o in existing if o > len(data.sections)]:
        consultation.sections.remove(existing[ordinal])


def _has_comments(session: Session, consultation_id: int) -> bool:
    return bool(
        session.scalar(
            select(func.count(Comment.id)).where(Comment.consultation_id == consultation_id)
        )
    )


def publish(session: Session, actor: Actor, consultation_id: int) -> Consultation:
    consultation = get_for_staff(session, actor, consultation_id, manage=True)
    if consultation.published_at is not None:
        raise Conflict("This consultation is already published.")
    now = utcnow()
    if consultation.closes_at <= now:
        raise Conflict("The closing time has passed: change it before publishing.")
    consultation.published_at = now
    audit.record(
        session,
        actor,
        "consultation.publish",
        object_type="consultation",
        object_id=consultation.id,
    )
    _index(session, indexing.consultation_doc(consultation))
    return consultation


# --- reading -----------------------------------------------------------------------------------


def get_public(session: Session, consultation_id: int) -> Consultation:
    """A published consultation; a draft is NotFound, as if it did not exist, until published."""
    consultation = session.get(Consultation, consultation_id)
    if consultation is None or consultation.published_at is None:
        raise NotFound("No such consultation.")
    return consultation


def get_for_staff(
    session: Session, actor: Actor, consultation_id: int, *, manage: bool = False
) -> Consultation:
    consultation = session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound("No such consultation.")
    action = Action.manage_consultation if manage else Action.view_unit
    require(actor.user, action, consultation.department_id)
    return consultation


def list_public(
    session: Session, *, offset: int = 0, limit: int = 20, department: str | None = None
) -> tuple[list[Consultation], int]:
    """Open first (closing soonest), then scheduled, then closed and reported, newest first."""
    now = utcnow()
    stmt = select(Consultation).where(Consultation.published_at.is_not(None))
    if department:
        unit = accounts.get_department(session, department)
        stmt = stmt.where(Consultation.department_id == unit.id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt))
    rows.sort(key=lambda c: _public_order(c, now))
    return rows[offset : offset + limit], total


def _public_order(c: Consultation, now: datetime) -> tuple[int, float]:
    rank = {Status.open: 0, Status.scheduled: 1, Status.closed: 2, Status.reported: 2}
    status = c.status_at(now)
    key = c.closes_at.timestamp() if status == Status.open else -c.closes_at.timestamp()
    return rank.get(status, 3), key


def list_for_staff(session: Session, user: User) -> list[Consultation]:
    stmt = select(Consultation).order_by(Consultation.id.desc())
    scope = unit_scope(user)
    if scope is not None:
        stmt = stmt.where(Consultation.department_id == scope)
    return list(session.scalars(stmt))


def approved_comments(session: Session, consultation_id: int) -> list[Comment]:
    return list(
        session.scalars(
            select(Comment)
            .where(
                Comment.consultation_id == consultation_id, Comment.status == CommentStatus.approved
            )
            .order_by(Comment.id)
        )
    )


def comment_counts(session: Session, consultation_id: int) -> dict[int | None, int]:
    """Approved comments per section id (None: on the whole draft)."""
    rows = session.execute(
        select(Comment.section_id, func.count(Comment.id))
        .where(Comment.consultation_id == consultation_id, Comment.status == CommentStatus.approved)
        .group_by(Comment.section_id)
    )
    return {section_id: n for section_id, n in rows}


def online_comment_count(session: Session, consultation_id: int) -> int:
    """Every comment received on the site, whatever its review: the report's starting figure."""
    return (
        session.scalar(
            select(func.count(Comment.id)).where(Comment.consultation_id == consultation_id)
        )
        or 0
    )


def late_reports(session: Session, now: datetime | None = None) -> list[Consultation]:
    """Closed for over 30 days without a report: a defect in the national inspections."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(Consultation)
            .where(
                Consultation.published_at.is_not(None),
                Consultation.reported_at.is_(None),
                Consultation.closes_at < now - timedelta(days=REPORT_LATE_DAYS),
            )
            .order_by(Consultation.closes_at)
        )
    )


# --- comments ----------------------------------------------------------------------------------


@dataclass
class CommentIn:
    body: str
    section: int | None = None
    name: str = ""
    contact: str = ""


def sensitive_words(session: Session) -> list[str]:
    return list(session.scalars(select(SensitiveWord.word).order_by(SensitiveWord.word)))


def add_comment(
    session: Session, consultation_id: int, data: CommentIn, *, ip: str | None = None
) -> Comment:
    consultation = get_public(session, consultation_id)
    if consultation.status_at(utcnow()) != Status.open:
        raise Conflict("This consultation is not open for comments.")
    body = data.body.strip()
    if not 5 <= len(body) <= 2000:
        raise Invalid("A comment has 5 to 2000 characters.", field="body")
    section = None
    if data.section is not None:
        section = next((s for s in consultation.sections if s.ordinal == data.section), None)
        if section is None:
            raise Invalid("This draft has no article %(n)s.", field="section", n=data.section)
    comment = Comment(
        consultation_id=consultation.id,
        section=section,
        body=body,
        name=data.name.strip()[:50],
        contact=data.contact.strip()[:100],
        client_ip=ip,
        flagged_words=[w for w in sensitive_words(session) if w in body],
    )
    session.add(comment)
    session.flush()
    audit.record(
        session,
        Actor(None, ip, "citizen"),
        "comment.submit",
        object_type="comment",
        object_id=comment.id,
        consultation=consultation.id,
    )
    return comment


def list_comments(
    session: Session, actor: Actor, consultation_id: int, status: CommentStatus | None = None
) -> list[Comment]:
    get_for_staff(session, actor, consultation_id)
    stmt = select(Comment).where(Comment.consultation_id == consultation_id)
    if status is not None:
        stmt = stmt.where(Comment.status == status)
    return list(session.scalars(stmt.order_by(Comment.id)))


def moderate(
    session: Session, actor: Actor, comment_id: int, *, approve: bool, reason: str = ""
) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound("No such comment.")
    consultation = session.get(Consultation, comment.consultation_id)
    assert consultation is not None
    require(actor.user, Action.moderate_comment, consultation.department_id)
    if consultation.reported_at is not None:
        raise Conflict("The report is published: comments can no longer be moderated.")
    if not approve and len(reason.strip()) < 2:
        raise Invalid("Give the reason for rejecting the comment.", field="reason")
    comment.status = CommentStatus.approved if approve else CommentStatus.rejected
    comment.reason = "" if approve else reason.strip()
    comment.moderated_at = utcnow()
    comment.moderated_by_id = actor.user.id if actor.user else None
    audit.record(
        session,
        actor,
        "comment.approve" if approve else "comment.reject",
        object_type="comment",
        object_id=comment.id,
        reason=comment.reason or None,
    )
    if approve:
        _index(session, indexing.comment_doc(comment, consultation))
    else:
        search.unindex(session, "comment", str(comment.id))
    return comment


def agree(session: Session, comment_id: int, *, browser: str) -> Comment:
    """Counts a browser's agreement once; a second click changes nothing."""
    comment = session.get(Comment, comment_id)
    if comment is None or comment.status != CommentStatus.approved:
        raise NotFound("No such comment.")
    consultation = session.get(Consultation, comment.consultation_id)
    assert consultation is not None
    if consultation.status_at(utcnow()) != Status.open:
        raise Conflict("The consultation is closed: opinions can no longer be supported.")
    seen = session.scalar(
        select(Agreement.id).where(Agreement.comment_id == comment_id, Agreement.browser == browser)
    )
    if seen is None:
        session.add(Agreement(comment_id=comment_id, browser=browser))
        session.execute(
            update(Comment)
            .where(Comment.id == comment_id)
            .values(agree_count=Comment.agree_count + 1)
        )
        session.refresh(comment)
    return comment


# --- report ------------------------------------------------------------------------------------


@dataclass
class DispositionIn:
    comment_id: int
    decision: Decision
    reason: str


@dataclass
class ReportIn:
    summary: str
    dispositions: Sequence[DispositionIn]
    other_channels: dict[str, int] = field(default_factory=dict)


def publish_report(
    session: Session, actor: Actor, consultation_id: int, data: ReportIn
) -> Consultation:
    consultation = get_for_staff(session, actor, consultation_id, manage=True)
    status = consultation.status_at(utcnow())
    if status == Status.reported:
        raise Conflict("The report is already published.")
    if status != Status.closed:
        raise Conflict("The report can be published only after the consultation closes.")
    approved = {c.id: c for c in approved_comments(session, consultation.id)}
    errors = _report_errors(data, approved)
    if errors:
        raise Invalid.many(errors)
    for item in data.dispositions:
        approved[item.comment_id].disposition = Disposition(
            decision=item.decision, reason=item.reason.strip()
        )
    consultation.report = Report(
        summary=data.summary.strip(),
        other_channels={k: int(v) for k, v in data.other_channels.items() if int(v) > 0},
    )
    consultation.reported_at = utcnow()
    audit.record(
        session,
        actor,
        "consultation.report",
        object_type="consultation",
        object_id=consultation.id,
        decisions=len(data.dispositions),
    )
    _index(session, indexing.report_doc(consultation))
    return consultation


def _report_errors(
    data: ReportIn, approved: dict[int, Comment]
) -> list[tuple[str | None, DomainError]]:
    errors: list[tuple[str | None, DomainError]] = []
    if len(data.summary.strip()) < 5:
        errors.append(("summary", DomainError("Write a summary of the opinions received.")))
    given = {d.comment_id for d in data.dispositions}
    unknown = given - approved.keys()
    if unknown:
        errors.append(
            (
                "dispositions",
                DomainError(
                    "Comments %(ids)s are not approved comments of this consultation.",
                    ids=", ".join(map(str, sorted(unknown))),
                ),
            )
        )
    missing = approved.keys() - given
    if missing:
        errors.append(
            (
                "dispositions",
                DomainError(
                    "Every approved comment needs a decision; missing: %(ids)s.",
                    ids=", ".join(map(str, sorted(missing))),
                ),
            )
        )
    if any(len(d.reason.strip()) < 2 for d in data.dispositions):
        errors.append(("dispositions", DomainError("Every decision needs its reason.")))
    if any(k not in CHANNELS or int(v) < 0 for k, v in data.other_channels.items()):
        errors.append(("other_channels", DomainError("Counts per channel must be 0 or more.")))
    return errors


def may_manage(user: User | None, consultation: Consultation) -> bool:
    return can(user, Action.manage_consultation, consultation.department_id)


def add_sensitive_word(session: Session, actor: Actor, word: str) -> None:
    require(actor.user, Action.manage_settings)
    word = word.strip()
    if not 1 <= len(word) <= 50:
        raise Invalid("A word has 1 to 50 characters.", field="word")
    if session.scalar(select(SensitiveWord.id).where(SensitiveWord.word == word)) is None:
        session.add(SensitiveWord(word=word))
        audit.record(
            session, actor, "sensitive_word.add", object_type="sensitive_word", object_id=word
        )


def remove_sensitive_word(session: Session, actor: Actor, word_id: int) -> None:
    require(actor.user, Action.manage_settings)
    row = session.get(SensitiveWord, word_id)
    if row is None:
        raise NotFound("No such word.")
    session.delete(row)
    audit.record(
        session, actor, "sensitive_word.remove", object_type="sensitive_word", object_id=row.word
    )
