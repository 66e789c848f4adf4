"""The mailbox's tables: letters, their replies, ratings, timeline, photos, and reply templates."""

from __future__ import annotations

import enum
import re
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from engagement.models import Base, Department, TimestampMixin, User
from engagement.timeutil import utcnow


class Category(enum.StrEnum):
    consultation = "consultation"  # 咨询
    complaint = "complaint"  # 投诉
    suggestion = "suggestion"  # 建议
    help = "help"  # 求助
    report = "report"  # 举报


class Status(enum.StrEnum):
    submitted = "submitted"
    assigned = "assigned"
    replied = "replied"
    reopened = "reopened"
    closed = "closed"
    rejected = "rejected"


OPEN_STATUSES = (Status.submitted, Status.assigned, Status.reopened)
# A closed or rejected letter never changes a figure again (only publication, which is no figure),
# so analytics may count it once into its rollups: see `Letter.rollup_batch`.
SETTLED_STATUSES = (Status.closed, Status.rejected)


class Satisfaction(enum.StrEnum):
    satisfied = "satisfied"
    basically_satisfied = "basically_satisfied"
    unsatisfied = "unsatisfied"


class Letter(TimestampMixin, Base):
    __tablename__ = "letters"
    __table_args__ = (
        Index("ix_letters_status_department", "status", "department_id"),
        Index("ix_letters_public", "published", "first_replied_at"),
        # Partial: a full index's statistics (all NULL) would make the planner scan instead.
        Index(
            "uq_letters_legacy_number",
            "legacy_number",
            unique=True,
            sqlite_where=text("legacy_number IS NOT NULL"),
            postgresql_where=text("legacy_number IS NOT NULL"),
        ),
        # Analytics' rollup runs, and the letters not yet rolled up (NULL), newest last.
        Index("ix_letters_rollup", "rollup_batch", "submitted_at"),
        Index("ix_letters_words_rollup", "words_batch", "submitted_at"),
        # A unit's letters not rolled up yet: a few thousand among its hundred thousand.
        Index(
            "ix_letters_live_unit",
            "department_id",
            "submitted_at",
            sqlite_where=text("rollup_batch IS NULL"),
            postgresql_where=text("rollup_batch IS NULL"),
        ),
        # Exact medians of reply hours by stepping an index in order, overall and per unit.
        Index(
            "ix_letters_reply_hours",
            "reply_hours",
            "submitted_at",
            "department_id",
            "township_id",
            "category",
        ),
        Index(
            "ix_letters_unit_reply_hours",
            "department_id",
            "reply_hours",
            "submitted_at",
            "township_id",
            "category",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The public number is the local day of arrival plus the id: 20261129000123. Storing only
    # the day keeps submission to one INSERT; `parse_number` turns a number back into an id.
    number_day: Mapped[str] = mapped_column(String(8))
    # An imported letter keeps the earlier system's number, so an old number still finds it.
    legacy_number: Mapped[str | None] = mapped_column(String(40))
    tracking_code_hash: Mapped[str] = mapped_column(String(64))
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    category: Mapped[Category]
    subject: Mapped[str] = mapped_column(String(200))  # 100 on the form, 200 for history
    body: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(20), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    township_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    publish_consent: Mapped[bool] = mapped_column(default=False)

    status: Mapped[Status] = mapped_column(default=Status.submitted)  # ix_letters_status_department
    # Indexed by ix_letters_unit_reply_hours, which leads with it.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    assign_due_at: Mapped[datetime]
    assigned_at: Mapped[datetime | None]
    reply_due_at: Mapped[datetime | None]
    first_replied_at: Mapped[datetime | None]
    replied_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[Satisfaction | None]

    published: Mapped[bool] = mapped_column(default=False)
    # Citizens' "我也关注" on the public letter, plus any count imported with it.
    support: Mapped[int] = mapped_column(default=0, server_default="0")
    published_at: Mapped[datetime | None]
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))
    # Figures fixed at the first reply, so dashboards aggregate without date arithmetic in SQL.
    reply_hours: Mapped[float | None]
    on_time: Mapped[bool | None]
    # A deadline extension the handling unit asked for and a leader has not decided yet.
    extension_days: Mapped[int | None]
    extension_reason: Mapped[str | None] = mapped_column(Text)
    # Which analytics rollup run counted this settled letter; None while it is counted live.
    rollup_batch: Mapped[int | None]
    # Which run counted its words into the slices that never change (all, township, kind).
    words_batch: Mapped[int | None]

    department: Mapped[Department | None] = relationship(
        foreign_keys=[department_id], lazy="joined"
    )
    duplicate_of: Mapped[Letter | None] = relationship(remote_side=[id], lazy="select")
    township: Mapped[Department | None] = relationship(foreign_keys=[township_id], lazy="joined")
    replies: Mapped[list[Reply]] = relationship(
        back_populates="letter", lazy="selectin", order_by="Reply.id"
    )
    events: Mapped[list[LetterEvent]] = relationship(
        back_populates="letter", lazy="select", order_by="LetterEvent.id"
    )
    photos: Mapped[list[Photo]] = relationship(
        back_populates="letter", lazy="select", order_by="Photo.id"
    )

    @property
    def number(self) -> str:
        return self.legacy_number or f"{self.number_day}{self.id:06d}"

    @property
    def due_at(self) -> datetime | None:
        """The deadline that matters now: assignment while new, then the reply."""
        if self.status == Status.submitted:
            return self.assign_due_at
        return self.reply_due_at

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now: datetime) -> bool:
        due = self.due_at
        return self.is_open and due is not None and now > due


NUMBER = re.compile(r"[0-9]{14,20}")


def parse_number(number: str) -> tuple[str, int] | None:
    """(day, id) of a public letter number, or None when it cannot be one."""
    number = number.strip()
    if not NUMBER.fullmatch(number):
        return None
    letter_id = int(number[8:])
    return (number[:8], letter_id) if letter_id < 2**31 else None  # ids are 32-bit INTEGERs


class LetterWord(Base):
    """How often a word occurs in a letter (subject and body), segmented once on arrival."""

    __tablename__ = "letter_words"
    # SQLite: the (letter, word) key is the table itself, one b-tree instead of two.
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 (SQLAlchemy's own convention)

    letter_id: Mapped[int] = mapped_column(
        ForeignKey("letters.id", ondelete="CASCADE"), primary_key=True
    )
    word: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(default=1)


class LetterSupport(Base):
    """One browser's "我也关注" on a public letter; the key is a hash, never the cookie itself."""

    __tablename__ = "letter_supports"
    __table_args__ = (UniqueConstraint("letter_id", "browser"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"))
    browser: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Reply(Base):
    __tablename__ = "letter_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(default=True)  # the unit finds it fit to publish
    replied_at: Mapped[datetime] = mapped_column(default=utcnow)

    letter: Mapped[Letter] = relationship(back_populates="replies")
    department: Mapped[Department | None] = relationship(lazy="joined")
    ratings: Mapped[list[Rating]] = relationship(back_populates="reply", lazy="selectin")


class Rating(Base):
    __tablename__ = "letter_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), index=True)
    reply_id: Mapped[int] = mapped_column(
        ForeignKey("letter_replies.id", ondelete="CASCADE"), unique=True
    )
    satisfaction: Mapped[Satisfaction]
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime] = mapped_column(default=utcnow)

    reply: Mapped[Reply] = relationship(back_populates="ratings")


class EventKind(enum.StrEnum):
    submitted = "submitted"
    assigned = "assigned"
    transferred = "transferred"
    replied = "replied"
    rated = "rated"
    reopened = "reopened"
    closed = "closed"
    rejected = "rejected"
    published = "published"
    note = "note"
    merged = "merged"
    extension_requested = "extension_requested"
    extension_approved = "extension_approved"
    extension_refused = "extension_refused"


class LetterEvent(Base):
    """One line of a letter's timeline; `public` lines are shown to the writer."""

    __tablename__ = "letter_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[EventKind]
    public: Mapped[bool] = mapped_column(default=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)

    letter: Mapped[Letter] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")
    department: Mapped[Department | None] = relationship(lazy="joined")


class Photo(Base):
    """A photo sent with a letter, re-encoded without its metadata (location included)."""

    __tablename__ = "letter_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), index=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int]
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))

    letter: Mapped[Letter] = relationship(back_populates="photos")


class ReplyTemplate(TimestampMixin, Base):
    __tablename__ = "reply_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
