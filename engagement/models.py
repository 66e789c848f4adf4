"""The core's tables: units, users, their login sessions, the audit log and calendar overrides."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any, ClassVar, cast

from sqlalchemy import JSON, Enum, ForeignKey, Index, MetaData, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, synonym

from engagement.timeutil import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        enum.Enum: Enum(
            enum.Enum,
            native_enum=False,
            length=32,
            values_callable=lambda members: [m.value for m in members],
        ),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


def table_of(model: type[Base]) -> Table:
    """A mapped class's Table, typed, for Core statements on hot paths."""
    return cast(Table, model.__table__)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DepartmentKind(enum.StrEnum):
    department = "department"
    township = "township"


class Role(enum.StrEnum):
    admin = "admin"
    leader = "leader"
    staff = "staff"


class Department(TimestampMixin, Base):
    """A county department or a township: both own letters, consultations and surveys."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[DepartmentKind] = mapped_column(default=DepartmentKind.department)
    description: Mapped[str] = mapped_column(String(1000), default="")
    active: Mapped[bool] = mapped_column(default=True)


class User(TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[Role]
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]

    department: Mapped[Department | None] = relationship(lazy="joined")

    @property
    def label(self) -> str:
        return self.display_name or self.username


class LoginSession(Base):
    """A signed-in browser; deleting the row logs it out even if the cookie is kept."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    user: Mapped[User] = relationship(lazy="joined")


class AuditEvent(Base):
    """Who did what to which object, when and from where. Rows are only ever added."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    client_ip: Mapped[str | None] = mapped_column(String(64))


class HolidayOverride(Base):
    """An admin's correction to the official calendar, e.g. for years the library does not know."""

    __tablename__ = "holiday_overrides"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_working_day: Mapped[bool]
    note: Mapped[str] = mapped_column(String(200), default="")


class OutboxMail(Base):
    """A mail waiting to be sent: written in the same transaction as the action that causes it,
    sent after the commit, retried with backoff. A failed mail never fails the action."""

    __tablename__ = "outbox_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(10000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))


class UnknownLogin(Base):
    """Failed sign-ins under a name that has no account, counted like a real account's so that
    the lockout answer never tells whether a username exists."""

    __tablename__ = "unknown_logins"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]

    failed_logins: Mapped[int] = synonym("failures")  # the name `User` gives its count


class LoginThrottle(Base):
    """Sign-ins to one account name from one source (an IPv4 address or an IPv6 /64): failures
    since the last success or lockout, the source's lockout, and its last success (a source
    the account is used from). The policy is in `engagement.auth.throttle`."""

    __tablename__ = "login_throttles"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_failure_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]


class LexiconTerm(Base):
    """A name learned from letters (an estate, a road, a village, a school) that segmentation
    keeps whole. `analytics refresh` and the importer learn them; every process loads them."""

    __tablename__ = "lexicon_terms"

    word: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="place")
    letters: Mapped[int] = mapped_column(default=0)  # how many letters named it when learned
    learned_at: Mapped[datetime] = mapped_column(default=utcnow)


class WordWeight(Base):
    """In how many letters a word occurs, for word weights (TF-IDF) in similarity.

    Counted by `analytics refresh` over recent letters; `VocabularyRun` says over how many.
    """

    __tablename__ = "word_weights"

    word: Mapped[str] = mapped_column(String(40), primary_key=True)
    letters: Mapped[int]


class VocabularyRun(Base):
    __tablename__ = "vocabulary_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    letters: Mapped[int]
