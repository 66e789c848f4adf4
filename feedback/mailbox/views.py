"""Letters shaped for their readers: the writer, the public (masked) and staff."""

from __future__ import annotations

from datetime import datetime

from engagement.models import Department, User
from engagement.settings import get_settings
from engagement.text import mask_name, mask_personal
from engagement.workdays import WorkCalendar
from feedback.mailbox import rules
from feedback.mailbox.models import Letter
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
