"""Consultations on drafts: the notice, its articles, citizens' comments and the adoption report."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from engagement.models import Base, Department, TimestampMixin, User
from engagement.timeutil import utcnow


class Kind(enum.StrEnum):
    regulation_draft = "regulation_draft"
    major_decision = "major_decision"
    normative_document = "normative_document"
    other = "other"


class Status(enum.StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    open = "open"
    closed = "closed"
    reported = "reported"


class CommentStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class Decision(enum.StrEnum):
    adopted = "adopted"
    partially_adopted = "partially_adopted"
    not_adopted = "not_adopted"


class Consultation(TimestampMixin, Base):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    kind: Mapped[Kind] = mapped_column(default=Kind.other)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)  # the matter and its content
    background: Mapped[str] = mapped_column(Text, default="")  # background, basis and reasons
    how_to_comment: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    short_period_reason: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    reported_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    department: Mapped[Department] = relationship(lazy="joined")
    sections: Mapped[list[Section]] = relationship(
        back_populates="consultation",
        lazy="selectin",
        order_by="Section.ordinal",
        cascade="all, delete-orphan",
    )
    revisions: Mapped[list[Revision]] = relationship(
        lazy="selectin", order_by="Revision.id", cascade="all, delete-orphan"
    )
    report: Mapped[Report | None] = relationship(lazy="selectin", cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(
        lazy="selectin", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    def status_at(self, now: datetime) -> Status:
        """Follows the clock: no job has to run for a consultation to open or close."""
        if self.published_at is None:
            return Status.draft
        if self.reported_at is not None:
            return Status.reported
        if now < self.opens_at:
            return Status.scheduled
        if now < self.closes_at:
            return Status.open
        return Status.closed


class Section(Base):
    """One article (条) or part of the draft; comments may concern one of them."""

    __tablename__ = "consultation_sections"
    __table_args__ = (UniqueConstraint("consultation_id", "ordinal"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    ordinal: Mapped[int]
    heading: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)

    consultation: Mapped[Consultation] = relationship(back_populates="sections")


class Revision(Base):
    """A change made after the draft opened, shown publicly as a revision note."""

    __tablename__ = "consultation_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Comment(Base):
    __tablename__ = "consultation_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_sections.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(50), default="")
    contact: Mapped[str] = mapped_column(String(100), default="")  # never shown publicly
    status: Mapped[CommentStatus] = mapped_column(default=CommentStatus.pending, index=True)
    flagged_words: Mapped[list[str]] = mapped_column(default=list)
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was rejected
    agree_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    moderated_at: Mapped[datetime | None]
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    client_ip: Mapped[str | None] = mapped_column(String(64))

    section: Mapped[Section | None] = relationship(lazy="joined")
    disposition: Mapped[Disposition | None] = relationship(
        lazy="selectin", cascade="all, delete-orphan"
    )
    moderated_by: Mapped[User | None] = relationship(lazy="select")


class Agreement(Base):
    """A browser's "I agree" with a comment, counted once per browser."""

    __tablename__ = "consultation_agreements"
    __table_args__ = (UniqueConstraint("comment_id", "browser"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_comments.id", ondelete="CASCADE")
    )
    browser: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Disposition(Base):
    """The unit's answer to one opinion: adopted, partly, or not, and why."""

    __tablename__ = "consultation_dispositions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_comments.id", ondelete="CASCADE"), unique=True
    )
    decision: Mapped[Decision]
    reason: Mapped[str] = mapped_column(Text)


class Report(Base):
    """The adoption report (意见采纳情况反馈) published after closing."""

    __tablename__ = "consultation_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), unique=True
    )
    summary: Mapped[str] = mapped_column(Text)
    other_channels: Mapped[dict[str, Any]] = mapped_column(default=dict)  # channel -> count
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(Base):
    __tablename__ = "consultation_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))


class SensitiveWord(Base):
    """Words that make a comment wait for a closer look (admin-maintained)."""

    __tablename__ = "sensitive_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(50), unique=True)
