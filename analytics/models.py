"""Analytics' own tables: rollups of settled letters, and the topics found among letters.

A rollup row adds up the settled letters (closed or rejected, which never change a figure
again) of one month (grain "m") or one day (grain "d"). A dashboard period is split into whole
months plus the days at its edges, so it reads a few thousand rollup rows instead of a million
letters, and adds the letters not yet rolled up live. Unit ids use 0 for "none", because a
NULL in a key would never match itself in ON CONFLICT.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engagement.models import Base
from engagement.timeutil import utcnow


class LetterRollup(Base):
    __tablename__ = "analytics_letter_rollup"

    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    department_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    township_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)
    replied: Mapped[int] = mapped_column(default=0)
    on_time: Mapped[int] = mapped_column(default=0)
    rated: Mapped[int] = mapped_column(default=0)
    satisfied: Mapped[int] = mapped_column(default=0)


class WordRollup(Base):
    """Word counts of settled letters, in slices: all letters, or one unit, township, category."""

    __tablename__ = "analytics_word_rollup"

    dim: Mapped[str] = mapped_column(String(24), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    word: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


class RollupState(Base):
    """One row: the last rollup batch number, updated (and so locked) by each run."""

    __tablename__ = "analytics_rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch: Mapped[int] = mapped_column(default=0)
    rolled_at: Mapped[datetime | None]


class TopicRun(Base):
    """One computation of topics, so the dashboard can say when they were found."""

    __tablename__ = "analytics_topic_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    letters: Mapped[int]
    method: Mapped[str] = mapped_column(Text)


class Topic(Base):
    __tablename__ = "analytics_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("analytics_topic_runs.id", ondelete="CASCADE"), index=True
    )
    rank: Mapped[int]
    label: Mapped[str] = mapped_column(String(200))
    words: Mapped[list[str]]
    size: Mapped[int]
    recent: Mapped[int]  # letters in the last 30 days
    previous: Mapped[int]  # letters in the 30 days before
    examples: Mapped[list[str]]  # masked subjects and numbers of three letters
    units: Mapped[list[str]]  # the units that handle most of its letters, busiest first


class HotIssueRun(Base):
    """One grouping of letters into hot issues, so the dashboard can say when it was done."""

    __tablename__ = "analytics_hot_issue_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    letters: Mapped[int]  # letters read by the grouping
    method: Mapped[str] = mapped_column(Text)


class HotIssue(Base):
    """Letters that report one problem at one place or of one group of people.

    Figures for a period (letters, writers, support, heat) are counted from the members when
    asked, so a filter counts only its own letters; an issue keeps its id from run to run while
    its letters stay mostly the same.
    """

    __tablename__ = "analytics_hot_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    places: Mapped[list[str]]
    keywords: Mapped[list[str]]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class HotIssueLetter(Base):
    """A letter's issue: the key makes sure that a letter is in one issue at most."""

    __tablename__ = "analytics_hot_issue_letters"
    __table_args__ = (Index("ix_analytics_hot_issue_letters_issue", "issue_id", "letter_id"),)

    letter_id: Mapped[int] = mapped_column(
        ForeignKey("letters.id", ondelete="CASCADE"), primary_key=True
    )
    issue_id: Mapped[int] = mapped_column(ForeignKey("analytics_hot_issues.id", ondelete="CASCADE"))


class SuggesterModel(Base):
    """The unit suggester learned by `analytics refresh`: arrays in NumPy's .npz, no pickle."""

    __tablename__ = "analytics_suggester_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    letters: Mapped[int]  # letters it learned from
    method: Mapped[str] = mapped_column(Text)
    data: Mapped[bytes] = mapped_column(LargeBinary)
