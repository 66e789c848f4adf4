"""The mailbox's rules: submitting, tracking, rating, and the staff's actions on a letter."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, func, insert, or_, select
from sqlalchemy.orm import Session

from engagement import accounts, audit, mail, segment, vocabulary
from engagement.audit import Actor
from engagement.auth.policy import Action, can, require, unit_scope
from engagement.calendar_admin import load_calendar
from engagement.errors import Conflict, Forbidden, Invalid, NotFound
from engagement.models import Department, DepartmentKind, User, table_of
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from feedback.mailbox import finder, rules
from feedback.mailbox.models import (
    OPEN_STATUSES,
    Category,
    EventKind,
    Letter,
    LetterEvent,
    LetterWord,
    Photo,
    Rating,
    Reply,
    Satisfaction,
    Status,
    parse_number,
)
from feedback.mailbox.photos import CleanPhoto

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
CODE_LENGTH = 8


def hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@dataclass(frozen=True)
class NewLetter:
    category: Category
    subject: str
    body: str
    name: str
    phone: str
    email: str | None = None
    township: str | None = None
    publish_consent: bool = False


@dataclass(frozen=True)
class Submitted:
    number: str
    tracking_code: str | None  # None when a resent form found the letter already stored
    status: Status = Status.submitted


# Parameters are bound at execution, so the statement is compiled once per process.
_INSERT_LETTER = insert(table_of(Letter)).returning(table_of(Letter).c.id)


def word_counts(text: str) -> dict[str, int]:
    return {w[:40]: n for w, n in Counter(segment.words(text)).items()}


def submit_letter(
    session: Session,
    data: NewLetter,
    *,
    photos: Sequence[CleanPhoto] = (),
    submission_key: str | None = None,
    ip: str | None = None,
) -> Submitted:
    """Stores a citizen's letter; the same submission key twice gives back the first letter.

    Core INSERTs rather than the ORM's unit of work: this is the busiest write of the site, and
    on SQLite every writer waits for the one before it to commit.
    """
    vocabulary.sync(session)
    counts = word_counts(f"{data.subject}\n{data.body}")  # before the write lock is taken
    if submission_key:
        existing = session.scalar(select(Letter).where(Letter.submission_key == submission_key))
        if existing is not None:
            return Submitted(existing.number, None, existing.status)
    township = _township(session, data.township)
    now, code, settings = utcnow(), new_tracking_code(), get_settings()
    day = f"{now.astimezone(settings.tz):%Y%m%d}"
    values = {
        "number_day": day,
        "tracking_code_hash": hash_code(code),
        "submission_key": submission_key,
        "category": data.category,
        "subject": data.subject.strip(),
        "body": data.body.strip(),
        "name": data.name.strip(),
        "phone": data.phone,
        "email": data.email or None,
        "township_id": township.id if township else None,
        "publish_consent": data.publish_consent,
        "status": Status.submitted,
        "submitted_at": now,
        "created_at": now,
        "updated_at": now,
        "published": False,
        "assign_due_at": rules.assign_deadline(now, load_calendar(session), settings),
    }
    letter_id = session.execute(_INSERT_LETTER, values).scalar_one()
    number = f"{day}{letter_id:06d}"
    if photos:
        session.execute(
            insert(table_of(Photo)),
            [
                {
                    "letter_id": letter_id,
                    "content_type": p.content_type,
                    "size": len(p.data),
                    "data": p.data,
                }
                for p in photos
            ],
        )
    if counts:
        session.execute(
            insert(table_of(LetterWord)),
            [{"letter_id": letter_id, "word": w, "n": n} for w, n in counts.items()],
        )
    finder.index_letter(session, letter_id, counts)
    session.execute(
        insert(table_of(LetterEvent)),
        {
            "letter_id": letter_id,
            "at": now,
            "kind": EventKind.submitted,
            "public": True,
            "note": "",
            "detail": {},
            "actor_id": None,
            "department_id": None,
        },
    )
    audit.record(
        session,
        Actor(None, ip, "citizen"),
        "letter.submit",
        object_type="letter",
        object_id=number,
        category=data.category.value,
    )
    return Submitted(number, code)


def _township(session: Session, slug: str | None) -> Department | None:
    if not slug:
        return None
    unit = session.scalar(
        select(Department).where(
            Department.slug == slug,
            Department.kind == DepartmentKind.township,
            Department.active.is_(True),
        )
    )
    if unit is None:
        raise Invalid("No such township: %(slug)s", field="township", slug=slug)
    return unit


def _event(
    session: Session,
    letter: Letter,
    kind: EventKind,
    actor: Actor | None,
    *,
    public: bool = True,
    note: str = "",
    department: Department | None = None,
    **detail: object,
) -> None:
    session.add(
        LetterEvent(
            letter=letter,
            kind=kind,
            public=public,
            note=note,
            actor_id=actor.user.id if actor and actor.user else None,
            department_id=department.id if department else None,
            detail=detail,
        )
    )


def track(session: Session, *, number: str, code: str) -> Letter:
    """The letter for its number and code; an unknown number and a wrong code look the same."""
    letter = find_by_number(session, number)
    given = hash_code(code or "")
    if letter is None or not hmac.compare_digest(letter.tracking_code_hash, given):
        raise NotFound("No letter matches this number and tracking code.")
    close_if_window_over(session, letter)
    return letter


def rate_letter(
    session: Session,
    *,
    number: str,
    code: str,
    satisfaction: Satisfaction,
    comment: str = "",
    ip: str | None = None,
) -> Letter:
    letter = track(session, number=number, code=code)
    rules.check_transition(letter, "rate")
    reply = letter.replies[-1]
    if reply.ratings:
        raise Conflict("This reply has already been rated.")
    now = utcnow()
    session.add(
        Rating(
            letter_id=letter.id,
            reply=reply,
            satisfaction=satisfaction,
            comment=comment.strip(),
            rated_at=now,
        )
    )
    letter.satisfaction = satisfaction
    citizen = Actor(None, ip, "citizen")
    _event(session, letter, EventKind.rated, None, satisfaction=satisfaction.value)
    if satisfaction == Satisfaction.unsatisfied:
        letter.status = Status.reopened
        letter.reply_due_at = rules.reply_deadline(
            now, letter.category, load_calendar(session), get_settings()
        )
        _event(session, letter, EventKind.reopened, None)
    else:
        letter.status = Status.closed
        letter.closed_at = now
        _event(session, letter, EventKind.closed, None)
    audit.record(
        session,
        citizen,
        "letter.rate",
        object_type="letter",
        object_id=letter.number,
        satisfaction=satisfaction.value,
    )
    return letter


def close_if_window_over(session: Session, letter: Letter, now: datetime | None = None) -> None:
    settings = get_settings()
    now = now or utcnow()
    if rules.rating_window_over(letter, now, settings):
        assert letter.replied_at is not None
        letter.status = Status.closed
        letter.closed_at = letter.replied_at + timedelta(days=settings.rating_window_days)
        _event(session, letter, EventKind.closed, None, reason="rating_window")


def close_unrated(session: Session, now: datetime | None = None) -> int:
    """Closes every replied letter whose rating window has passed; returns how many."""
    settings = get_settings()
    cutoff = (now or utcnow()) - timedelta(days=settings.rating_window_days)
    letters = session.scalars(
        select(Letter).where(Letter.status == Status.replied, Letter.replied_at < cutoff)
    ).all()
    for letter in letters:
        close_if_window_over(session, letter, now)
    return len(letters)


# --- the public list ---------------------------------------------------------------------------


def public_letters_query() -> Select[Letter]:
    """Published only: replied, the writer consented, a leader approved."""
    return select(Letter).where(
        Letter.published.is_(True),
        Letter.publish_consent.is_(True),
        Letter.first_replied_at.is_not(None),
        Letter.status.in_((Status.replied, Status.closed, Status.reopened)),
    )


def list_public(
    session: Session,
    *,
    category: Category | None = None,
    department: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[Letter], int]:
    stmt = public_letters_query()
    if category is not None:
        stmt = stmt.where(Letter.category == category)
    if department:
        stmt = stmt.join(Department, Department.id == Letter.department_id).where(
            Department.slug == department
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Letter.first_replied_at.desc(), Letter.id.desc()).offset(offset).limit(limit)
    ).all()
    return list(rows), total


# --- staff -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    status: Status | None = None
    open_only: bool = False  # submitted, assigned or reopened: the letters that need work
    overdue: bool = False
    due_soon: bool = False
    unassigned: bool = False
    q: str = ""
    department: str | None = None
    category: Category | None = None


def staff_queue(
    session: Session,
    user: User,
    filters: QueueFilter,
    *,
    offset: int = 0,
    limit: int = 20,
    now: datetime | None = None,
) -> tuple[list[Letter], int]:
    """The letters this user may see, newest deadline pressure first."""
    require(user, Action.view_workbench)
    now = now or utcnow()
    stmt = select(Letter)
    scope = unit_scope(user)
    if scope is not None:
        stmt = stmt.where(Letter.department_id == scope)
    stmt = _queue_filters(session, stmt, filters, now)
    if filters.q.strip():
        return _search_queue(session, stmt, filters.q, scope, offset=offset, limit=limit)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    current_due = func.coalesce(Letter.reply_due_at, Letter.assign_due_at)
    rows = session.scalars(
        stmt.order_by(Letter.status.in_(OPEN_STATUSES).desc(), current_due.asc(), Letter.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), total


def _search_queue(
    session: Session, stmt: Select[Letter], q: str, scope: int | None, *, offset: int, limit: int
) -> tuple[list[Letter], int]:
    """The queue's letters that match the query, most relevant first; a number finds its letter."""
    ranked = [i for i, _ in finder.search(session, q, finder.Scope(department_id=scope))]
    by_number = find_by_number(session, q)
    if by_number is not None:
        ranked.insert(0, by_number.id)
    order = {letter_id: rank for rank, letter_id in enumerate(dict.fromkeys(ranked))}
    matching = session.scalars(stmt.with_only_columns(Letter.id).where(Letter.id.in_(order))).all()
    page = sorted(matching, key=order.__getitem__)[offset : offset + limit]
    letters = {x.id: x for x in session.scalars(select(Letter).where(Letter.id.in_(page)))}
    return [letters[i] for i in page], len(matching)


def _queue_filters(
    session: Session, stmt: Select[Letter], f: QueueFilter, now: datetime
) -> Select[Letter]:
    if f.status is not None:
        stmt = stmt.where(Letter.status == f.status)
    if f.unassigned:
        stmt = stmt.where(Letter.status == Status.submitted)
    if f.open_only:
        stmt = stmt.where(Letter.status.in_(OPEN_STATUSES))
    if f.category is not None:
        stmt = stmt.where(Letter.category == f.category)
    if f.department:
        unit = accounts.get_department(session, f.department, include_inactive=True)
        stmt = stmt.where(Letter.department_id == unit.id)
    if f.overdue or f.due_soon:
        stmt = stmt.where(Letter.status.in_(OPEN_STATUSES))
        stmt = stmt.where(
            or_(
                (Letter.status == Status.submitted) & (Letter.assign_due_at < now),
                (Letter.status != Status.submitted) & (Letter.reply_due_at < now),
            )
            if f.overdue
            else _due_soon_clause(session, now)
        )
    return stmt


def _due_soon_clause(session: Session, now: datetime) -> ColumnElement[bool]:
    horizon = load_calendar(session).add_working_days(now, get_settings().warn_working_days)
    due = func.coalesce(Letter.reply_due_at, Letter.assign_due_at)
    return (due >= now) & (due <= horizon)


def find_by_number(session: Session, number: str) -> Letter | None:
    """The letter of a platform number, or of an imported letter's earlier number."""
    number = number.strip()
    parsed = parse_number(number)
    if parsed is not None:
        letter = session.get(Letter, parsed[1])
        if letter is not None and letter.number_day == parsed[0] and letter.legacy_number is None:
            return letter
    if not number or len(number) > 40:
        return None
    return session.scalar(select(Letter).where(Letter.legacy_number == number))


def get_letter(session: Session, number: str) -> Letter:
    letter = find_by_number(session, number)
    if letter is None:
        raise NotFound("No letter %(number)s.", number=number)
    return letter


def letter_for_staff(session: Session, user: User, number: str) -> Letter:
    """A letter the user may read: its unit's staff, leaders and admins; 403 for other units."""
    letter = get_letter(session, number)
    if not can(user, Action.view_unit, letter.department_id):
        raise Forbidden("This letter belongs to another unit.")
    close_if_window_over(session, letter)
    return letter


def may_see_contact(user: User, letter: Letter) -> bool:
    return can(user, Action.handle_letter, letter.department_id)


def assign_letter(
    session: Session, actor: Actor, *, number: str, department: str, note: str = ""
) -> Letter:
    """Assigns a new letter, or transfers one to another unit (its unit's staff may transfer)."""
    letter = get_letter(session, number)
    require(actor.user, Action.assign_letter, letter.department_id)
    rules.check_transition(letter, "assign")
    try:
        unit = accounts.get_department(session, department)
    except NotFound as exc:
        raise Invalid(exc.message, field="department", **exc.params) from exc
    now = utcnow()
    transfer = letter.department_id is not None
    previous = letter.department.slug if letter.department else None
    letter.department = unit
    if letter.status == Status.submitted:
        letter.status = Status.assigned
    letter.assigned_at = now
    if letter.reply_due_at is None:
        letter.reply_due_at = rules.reply_deadline(
            now, letter.category, load_calendar(session), get_settings()
        )
    kind = EventKind.transferred if transfer else EventKind.assigned
    _event(session, letter, kind, actor, department=unit, previous=previous)
    _tell_unit(session, letter, unit)
    if note.strip():
        _event(session, letter, EventKind.note, actor, public=False, note=note.strip())
    audit.record(
        session,
        actor,
        "letter.transfer" if transfer else "letter.assign",
        object_type="letter",
        object_id=letter.number,
        department=unit.slug,
        previous=previous,
        note=note.strip(),
    )
    return letter


def _reindex(session: Session, letter: Letter) -> None:
    from feedback.indexing import refresh_letter  # the index module imports this one

    session.flush()
    refresh_letter(session, letter)


def _tell_unit(session: Session, letter: Letter, unit: Department) -> None:
    recipients = session.scalars(
        select(User.email).where(
            User.department_id == unit.id, User.active.is_(True), User.email.is_not(None)
        )
    )
    for address in recipients:
        mail.enqueue(
            session,
            to=address,
            subject=f"新来信待办理：{letter.number}",
            body=f"县长信箱来信“{letter.subject}”（编号 {letter.number}）已交由"
            f"{unit.name}办理，请登录工作台查看。",
        )


def reply_letter(
    session: Session, actor: Actor, *, number: str, body: str, public: bool = True
) -> Letter:
    letter = get_letter(session, number)
    require(actor.user, Action.handle_letter, letter.department_id)
    rules.check_transition(letter, "reply")
    body = body.strip()
    if not 5 <= len(body) <= 10000:
        raise Invalid("A reply has 5 to 10000 characters.", field="body")
    now = utcnow()
    letter.replies.append(
        Reply(
            body=body,
            public=public,
            replied_at=now,
            department=letter.department,
            author_id=actor.user.id if actor.user else None,
        )
    )
    letter.status = Status.replied
    letter.replied_at = now
    if letter.first_replied_at is None:
        letter.first_replied_at = now
        letter.reply_hours = (now - letter.submitted_at).total_seconds() / 3600
        letter.on_time = letter.reply_due_at is None or now <= letter.reply_due_at
    _event(session, letter, EventKind.replied, actor, department=letter.department)
    mail.enqueue(
        session,
        to=letter.email,
        subject=f"您的来信 {letter.number} 已答复",
        body=f"您好！您写给县长信箱的来信（编号 {letter.number}）已有答复。"
        "请使用编号和查询码在网站“查询来信”页面查看并评价。",
    )
    audit.record(
        session,
        actor,
        "letter.reply",
        object_type="letter",
        object_id=letter.number,
        public=public,
        length=len(body),
    )
    _reindex(session, letter)
    return letter


def reject_letter(session: Session, actor: Actor, *, number: str, reason: str) -> Letter:
    letter = get_letter(session, number)
    # Like assigning: leaders and admins anywhere, the assigned unit's staff for their letters.
    require(actor.user, Action.assign_letter, letter.department_id)
    rules.check_transition(letter, "reject")
    reason = reason.strip()
    if not 2 <= len(reason) <= 1000:
        raise Invalid("Give the reason (2 to 1000 characters).", field="reason")
    letter.status = Status.rejected
    letter.rejection_reason = reason
    letter.closed_at = utcnow()
    _event(session, letter, EventKind.rejected, actor, note=reason)
    audit.record(
        session,
        actor,
        "letter.reject",
        object_type="letter",
        object_id=letter.number,
        reason=reason,
    )
    return letter


def publish_letter(session: Session, actor: Actor, *, number: str) -> Letter:
    letter = get_letter(session, number)
    require(actor.user, Action.publish_letter, letter.department_id)
    rules.check_transition(letter, "publish")
    if not letter.publish_consent:
        raise Conflict("The writer did not consent to publication.")
    if not any(reply.public for reply in letter.replies):
        raise Conflict("No reply of this letter is marked fit for publication.")
    letter.published = True
    letter.published_at = utcnow()
    _event(session, letter, EventKind.published, actor)
    audit.record(session, actor, "letter.publish", object_type="letter", object_id=letter.number)
    _reindex(session, letter)
    return letter


def add_note(session: Session, actor: Actor, *, number: str, note: str) -> Letter:
    letter = get_letter(session, number)
    require(actor.user, Action.view_unit, letter.department_id)
    note = note.strip()
    if not 1 <= len(note) <= 2000:
        raise Invalid("A note has 1 to 2000 characters.", field="note")
    _event(session, letter, EventKind.note, actor, public=False, note=note)
    audit.record(session, actor, "letter.note", object_type="letter", object_id=letter.number)
    return letter


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """Open letters past the deadline that matters now (assignment while new, else the reply)."""
    return Letter.status.in_(OPEN_STATUSES) & or_(
        (Letter.status == Status.submitted) & (Letter.assign_due_at < now),
        (Letter.status != Status.submitted) & (Letter.reply_due_at < now),
    )


def counts_by_queue(session: Session, user: User, now: datetime | None = None) -> dict[str, int]:
    """Numbers for the queue's tabs."""
    now = now or utcnow()
    base = select(func.count(Letter.id))
    scope = unit_scope(user)
    if scope is not None:
        base = base.where(Letter.department_id == scope)
    overdue = base.where(overdue_clause(now))
    return {
        "open": session.scalar(base.where(Letter.status.in_(OPEN_STATUSES))) or 0,
        "submitted": session.scalar(base.where(Letter.status == Status.submitted)) or 0,
        "in_progress": session.scalar(base.where(Letter.status == Status.assigned)) or 0,
        "reopened": session.scalar(base.where(Letter.status == Status.reopened)) or 0,
        "due_soon": session.scalar(
            base.where(Letter.status.in_(OPEN_STATUSES), _due_soon_clause(session, now))
        )
        or 0,
        "overdue": session.scalar(overdue) or 0,
    }


# --- duplicates, extensions, templates ---------------------------------------------------------


@dataclass(frozen=True)
class SimilarLetter:
    letter: Letter
    score: float  # 0–1, cosine of the two letters' word weights


def similar_letters(
    session: Session, user: User, letter: Letter, *, days: int | None = None, limit: int = 10
) -> list[SimilarLetter]:
    """Letters about the same issue as this one that the user may see (staff: its unit's)."""
    since = utcnow() - timedelta(days=days) if days else None
    scope = finder.Scope(department_id=unit_scope(user), since=since, exclude_id=letter.id)
    ranked = finder.similar(session, letter, scope, limit=limit)
    found = {
        x.id: x
        for x in session.scalars(select(Letter).where(Letter.id.in_([i for i, _ in ranked])))
    }
    return [SimilarLetter(found[i], score) for i, score in ranked if i in found]


def merge_letter(session: Session, actor: Actor, *, number: str, into: str) -> Letter:
    """Closes a letter as a duplicate of another; the other's replies answer both."""
    letter = get_letter(session, number)
    target = get_letter(session, into)
    require(actor.user, Action.assign_letter, letter.department_id)
    require(actor.user, Action.view_unit, target.department_id)
    rules.check_transition(letter, "merge")
    if target.id == letter.id or target.duplicate_of_id is not None:
        raise Invalid("Choose another letter that is not itself merged.", field="into")
    letter.duplicate_of = target
    letter.status = Status.closed
    letter.closed_at = utcnow()
    _event(session, letter, EventKind.merged, actor, into=target.number)
    audit.record(
        session,
        actor,
        "letter.merge",
        object_type="letter",
        object_id=letter.number,
        into=target.number,
    )
    return letter


def request_extension(
    session: Session, actor: Actor, *, number: str, days: int, reason: str
) -> Letter:
    letter = get_letter(session, number)
    require(actor.user, Action.handle_letter, letter.department_id)
    if letter.status not in (Status.assigned, Status.reopened):
        raise Conflict("Only a letter being handled can have its deadline extended.")
    if letter.extension_days:
        raise Conflict("An extension is already waiting for a leader's decision.")
    if not 1 <= days <= 30:
        raise Invalid("Ask for 1 to 30 working days.", field="days")
    if len(reason.strip()) < 5:
        raise Invalid("Explain why more time is needed.", field="reason")
    letter.extension_days, letter.extension_reason = days, reason.strip()
    _event(
        session,
        letter,
        EventKind.extension_requested,
        actor,
        public=False,
        note=reason.strip(),
        days=days,
    )
    audit.record(
        session,
        actor,
        "letter.extension_request",
        object_type="letter",
        object_id=letter.number,
        days=days,
        reason=reason.strip(),
    )
    return letter


def decide_extension(session: Session, actor: Actor, *, number: str, approve: bool) -> Letter:
    letter = get_letter(session, number)
    require(actor.user, Action.decide_extension, letter.department_id)
    if not letter.extension_days:
        raise Conflict("No extension is waiting for a decision.")
    days = letter.extension_days
    if approve and letter.reply_due_at is not None:
        letter.reply_due_at = load_calendar(session).add_working_days(letter.reply_due_at, days)
    kind = EventKind.extension_approved if approve else EventKind.extension_refused
    _event(session, letter, kind, actor, public=approve, days=days)
    letter.extension_days, letter.extension_reason = None, None
    audit.record(
        session,
        actor,
        "letter.extension_approve" if approve else "letter.extension_refuse",
        object_type="letter",
        object_id=letter.number,
        days=days,
    )
    return letter
