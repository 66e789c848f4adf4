"""Letters shaped for their readers: the writer, the public (masked) and staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from engagement.i18n import N_
from engagement.models import Department, User
from engagement.settings import get_settings
from engagement.text import mask_name, mask_personal
from engagement.workdays import WorkCalendar
from feedback.mailbox import rules
from feedback.mailbox.models import Letter, Status
from feedback.mailbox.schemas import (
    LetterRead,
    PublicLetter,
    ReplyRead,
    SimilarLetterRead,
    StaffLetter,
    StaffLetterDetail,
    UnitRef,
)
from feedback.mailbox.service import may_see_contact


def unit_ref(unit: Department | None) -> UnitRef | None:
    return UnitRef(slug=unit.slug, name=unit.name) if unit else None


def similar(letter: Letter, score: float) -> SimilarLetterRead:
    return SimilarLetterRead(
        number=letter.number,
        subject=letter.subject,
        department=unit_ref(letter.department),
        status=letter.status,
        submitted_at=letter.submitted_at,
        score=score,
    )


def for_writer(letter: Letter) -> LetterRead:
    assert letter.number is not None
    return LetterRead(
        number=letter.number,
        category=letter.category,
        subject=letter.subject,
        body=letter.body,
        status=letter.status,
        submitted_at=letter.submitted_at,
        department=unit_ref(letter.department),
        due_at=letter.due_at,
        replies=[
            ReplyRead(body=r.body, department=unit_ref(r.department), replied_at=r.replied_at)
            for r in letter.replies
        ],
        satisfaction=letter.satisfaction,
        rejection_reason=letter.rejection_reason,
    )


def masked(letter: Letter, text: str, *, reply: bool = False) -> str:
    """`text` for the public: the writer's name, phone and e-mail masked in any spelling, and
    whatever else identifies a person; a unit's reply (`reply=True`) keeps the office's numbers."""
    return mask_personal(
        text,
        names=[letter.name],
        phones=[letter.phone],
        emails=[letter.email] if letter.email else [],
        reply=reply,
    )


def for_public(letter: Letter) -> PublicLetter:
    """Every free-text field passes the one masking function; only publishable replies show."""
    assert letter.number is not None
    replies = [r for r in letter.replies if r.public]
    return PublicLetter(
        number=letter.number,
        category=letter.category,
        subject=masked(letter, letter.subject),
        body=masked(letter, letter.body),
        submitted_at=letter.submitted_at,
        department=unit_ref(letter.department),
        township=unit_ref(letter.township),
        replies=[
            ReplyRead(
                body=masked(letter, r.body, reply=True),
                department=unit_ref(r.department),
                replied_at=r.replied_at,
            )
            for r in replies
        ],
        replied_at=letter.first_replied_at,
        support=letter.support,
    )


def for_staff(letter: Letter, now: datetime, calendar: WorkCalendar) -> StaffLetter:
    settings = get_settings()
    assert letter.number is not None
    return StaffLetter(
        number=letter.number,
        category=letter.category,
        subject=letter.subject,
        status=letter.status,
        department=unit_ref(letter.department),
        township=unit_ref(letter.township),
        submitted_at=letter.submitted_at,
        due_at=letter.due_at,
        overdue=letter.is_overdue(now),
        urgency=rules.urgency(letter, now, calendar, settings),
        long_unanswered=rules.long_unanswered(letter, now, settings),
    )


def for_staff_detail(
    letter: Letter, user: User, now: datetime, calendar: WorkCalendar
) -> StaffLetterDetail:
    """Contact details only for the handling unit and admins; others see them masked."""
    base = for_staff(letter, now, calendar)
    contact = may_see_contact(user, letter)
    return StaffLetterDetail(
        **base.model_dump(),
        body=letter.body,
        name=letter.name if contact else mask_name(letter.name),
        phone=letter.phone if contact else mask_personal(letter.phone),
        email=(letter.email if contact else mask_personal(letter.email)) if letter.email else None,
        publish_consent=letter.publish_consent,
        published=letter.published,
        replies=[
            ReplyRead(body=r.body, department=unit_ref(r.department), replied_at=r.replied_at)
            for r in letter.replies
        ],
        satisfaction=letter.satisfaction,
        rejection_reason=letter.rejection_reason,
    )


@dataclass(frozen=True)
class Deadline:
    """One of a letter's deadlines, under its own name: assigning, replying, rating.

    `at` is None while the deadline is not fixed yet (the reply's clock starts at assignment);
    `days` then says how many working days it will be. `kept` tells, once the step is done,
    whether it was done in time (None while it is still to do).
    """

    name: str  # msgid
    at: datetime | None
    days: int = 0
    kept: bool | None = None


ASSIGN_DEADLINE = N_("Assignment deadline")
REPLY_DEADLINE = N_("Reply deadline")
RATING_DEADLINE = N_("Rating deadline")


def deadlines(letter: Letter) -> list[Deadline]:
    """The deadlines that apply to the letter now, in the order they come.

    A new letter has to be assigned by one date; its reply is due a number of working days after
    the assignment, a date not known yet. Once replied, the writer may rate until a date, after
    which the letter closes by itself. A rejected or merged letter has none left.
    """
    settings = get_settings()
    if letter.status == Status.submitted:
        days = rules.reply_working_days(letter.category, settings)
        return [
            Deadline(ASSIGN_DEADLINE, letter.assign_due_at),
            Deadline(REPLY_DEADLINE, None, days),
        ]
    if letter.status in (Status.assigned, Status.reopened):
        return [Deadline(REPLY_DEADLINE, letter.reply_due_at)] if letter.reply_due_at else []
    if letter.status == Status.replied and letter.replied_at is not None:
        rate_by = letter.replied_at + timedelta(days=settings.rating_window_days)
        return [*_kept_reply(letter), Deadline(RATING_DEADLINE, rate_by)]
    if letter.status == Status.closed:
        return _kept_reply(letter)
    return []


def _kept_reply(letter: Letter) -> list[Deadline]:
    """The reply deadline of an answered letter, and whether its latest reply kept it."""
    if letter.reply_due_at is None or letter.replied_at is None:
        return []
    kept = letter.replied_at <= letter.reply_due_at
    return [Deadline(REPLY_DEADLINE, letter.reply_due_at, kept=kept)]
