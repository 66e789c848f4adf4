"""Whether a period's figures can be compared with the period of the same length before it, and
each change said with its sign and its label.

The rule, stated on the pages too: the previous period is comparable when letters on record
begin on or before its first day (the mailbox was receiving letters over the whole of it) and it
holds at least MIN_PREVIOUS_LETTERS letters (fewer make its rates noise). Otherwise no change is
shown and the page says why: a county whose records begin mid-way through the previous period
would otherwise read "2,997 ▲2,992".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics.queries import LetterFigures, LetterFilter, letter_figures
from engagement.i18n import gettext as _
from engagement.i18n import ngettext
from engagement.settings import get_settings
from feedback.mailbox.models import Letter

MIN_PREVIOUS_LETTERS = 20
MINUS = "\u2212"  # a typographic minus: "−5.6", not a hyphen


@dataclass(frozen=True)
class Comparison:
    """The previous period of the same length: its days, and its figures when comparable."""

    start: date
    end: date  # its last day, included
    figures: LetterFigures | None  # None: not comparable
    letters: int | None  # letters it holds; None when records begin after its first day
    records_begin: date | None  # the local day of the first letter on record

    @property
    def comparable(self) -> bool:
        return self.figures is not None

    def rule(self) -> str:
        return _(
            "A change is shown only when letters on record begin on or before the first day of "
            "the previous period of the same length and it holds at least %(min)s letters.",
            min=MIN_PREVIOUS_LETTERS,
        )

    def summary(self) -> str:
        """One sentence: what the changes compare with, or why there are none."""
        start, end = self.start.isoformat(), self.end.isoformat()
        if self.figures is not None:
            return ngettext(
                "Changes compare with the previous period of the same length, %(start)s to "
                "%(end)s (%(num)s letter).",
                "Changes compare with the previous period of the same length, %(start)s to "
                "%(end)s (%(num)s letters).",
                self.figures.total,
                num=f"{self.figures.total:,}",
                start=start,
                end=end,
            )
        if self.letters is None:
            return _(
                "No change is shown: there is no comparable previous period, because letters on "
                "record begin on %(date)s, after the previous period of the same length began "
                "(%(start)s).",
                date=self.records_begin.isoformat() if self.records_begin else "—",
                start=start,
            )
        return ngettext(
            "No change is shown: there is no comparable previous period, because the previous "
            "period of the same length, %(start)s to %(end)s, holds only %(num)s letter.",
            "No change is shown: there is no comparable previous period, because the previous "
            "period of the same length, %(start)s to %(end)s, holds only %(num)s letters.",
            self.letters,
            start=start,
            end=end,
        )


def previous_period(
    session: Session, f: LetterFilter, *, now: datetime | None = None
) -> Comparison | None:
    """The period before `f`'s, with its figures if the rule above holds; None for an open
    period (no length to repeat)."""
    before = f.previous()
    if before is None or before.since is None or before.until is None:
        return None
    tz = get_settings().tz
    start = before.since.astimezone(tz).date()
    end = (before.until - timedelta(microseconds=1)).astimezone(tz).date()
    first = session.scalar(select(func.min(Letter.submitted_at)))
    if first is not None and first.tzinfo is None:  # an aggregate may come back naive (UTC)
        first = first.replace(tzinfo=UTC)
    begins = first.astimezone(tz).date() if first is not None else None
    if begins is None or begins > start:
        return Comparison(start, end, None, None if begins else 0, begins)
    figures = letter_figures(session, before, now=now, keywords=0, unit_medians=False)
    if figures.total < MIN_PREVIOUS_LETTERS:
        return Comparison(start, end, None, figures.total, begins)
    return Comparison(start, end, figures, figures.total, begins)


def signed(value: float, digits: int = 0) -> str:
    """+12, −5.6, 0: one sign, a typographic minus, thousands separated."""
    text = f"{abs(value):,.{digits}f}"
    if float(text.replace(",", "")) == 0:
        return f"{0:.{digits}f}"
    return ("+" if value > 0 else MINUS) + text
