"""The letter's state machine and deadlines, as plain functions of a letter and the clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from engagement.errors import Conflict
from engagement.i18n import N_
from engagement.settings import Settings
from engagement.workdays import WorkCalendar
from feedback.mailbox.labels import STATUS_LABELS
from feedback.mailbox.models import Category, Letter, Status

SHORT_CATEGORIES = frozenset({Category.consultation, Category.help})

# action -> the statuses it may start from (contract §5, Mailbox: Statuses)
ALLOWED_FROM: dict[str, frozenset[Status]] = {
    "assign": frozenset({Status.submitted, Status.assigned, Status.reopened}),
    "reply": frozenset({Status.assigned, Status.reopened}),
    "reject": frozenset({Status.submitted, Status.assigned}),
    "rate": frozenset({Status.replied}),
    "publish": frozenset({Status.replied, Status.closed}),
    "merge": frozenset({Status.submitted, Status.assigned}),
}


ACTION_LABELS = {
    "assign": N_("assigned or transferred"),
    "reply": N_("replied to"),
    "reject": N_("rejected"),
    "rate": N_("rated"),
    "publish": N_("published"),
    "merge": N_("merged"),
}


def check_transition(letter: Letter, action: str) -> None:
    if letter.status not in ALLOWED_FROM[action]:
        raise Conflict(
            "This letter's status is “%(status)s”: it cannot be %(action)s now.",
            status=STATUS_LABELS[letter.status.value],
            action=ACTION_LABELS[action],
        )


def reply_working_days(category: Category, settings: Settings) -> int:
    if category in SHORT_CATEGORIES:
        return settings.reply_working_days_short
    return settings.reply_working_days_long


def assign_deadline(submitted_at: datetime, calendar: WorkCalendar, settings: Settings) -> datetime:
    return calendar.add_working_days(submitted_at, settings.assign_working_days)


def reply_deadline(
    start: datetime, category: Category, calendar: WorkCalendar, settings: Settings
) -> datetime:
    return calendar.add_working_days(start, reply_working_days(category, settings))


def urgency(letter: Letter, now: datetime, calendar: WorkCalendar, settings: Settings) -> str:
    """'overdue' (red), 'due_soon' (yellow), 'ok', or '' for letters no longer waiting."""
    due = letter.due_at
    if not letter.is_open or due is None:
        return ""
    if now > due:
        return "overdue"
    if calendar.add_working_days(now, settings.warn_working_days) >= due:
        return "due_soon"
    return "ok"


def rating_window_over(letter: Letter, now: datetime, settings: Settings) -> bool:
    return (
        letter.status == Status.replied
        and letter.replied_at is not None
        and now - letter.replied_at > timedelta(days=settings.rating_window_days)
    )


def long_unanswered(letter: Letter, now: datetime, settings: Settings) -> bool:
    """Open and unanswered past the alarm age (two months by default)."""
    return (
        letter.is_open
        and letter.first_replied_at is None
        and now - letter.submitted_at > timedelta(days=settings.unanswered_alarm_days)
    )
