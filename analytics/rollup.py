"""Counting settled letters once into the rollups, and cutting a period into rollup pieces.

`fold` marks the settled letters that are not rolled up yet with a new batch number and adds
their figures and words to the rollups, all in SQL and in the same transaction, so a letter is
counted either live or in a rollup, never both and never neither. Dashboards read both in one
statement (`queries`), so a fold running meanwhile cannot make them count a letter twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    column,
    false,
    func,
    literal,
    or_,
    select,
    table,
    text,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from analytics.models import LetterRollup, RollupState, WordRollup
from engagement.models import table_of
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from feedback.mailbox.models import SETTLED_STATUSES, Letter, LetterWord, Satisfaction

BATCH = 50_000
GOOD = (Satisfaction.satisfied, Satisfaction.basically_satisfied)
BATCH_WORDS = "analytics_batch_words"  # a temporary table, one fold batch's words
MEASURES = ("n", "replied", "on_time", "rated", "satisfied")


def month_of(column: Any) -> Any:
    return func.substr(column, 1, 6)


# The letters columns that word slices are keyed by. A slice is one of them, a pair of them, or
# none ("all"); a filter on all three at once is selective enough to count from the letters.
# A letter's unit may change until it is settled; its township and kind never change.
WORD_KEYS: dict[str, Any] = {
    "department": Letter.department_id,
    "township": Letter.township_id,
    "category": Letter.category,
}
Slices = tuple[tuple[str, ...], ...]
SLICES: Slices = (
    (),
    ("department",),
    ("township",),
    ("category",),
    ("department", "township"),
    ("department", "category"),
    ("township", "category"),
)
UNCHANGING = tuple(dims for dims in SLICES if "department" not in dims)
WITH_UNIT = tuple(dims for dims in SLICES if "department" in dims)


def slice_name(dims: tuple[str, ...]) -> str:
    return "+".join(dims) or "all"


def slice_mark(dims: tuple[str, ...]) -> Any:
    """The letters column that says whether a letter's words are in a slice yet."""
    return Letter.rollup_batch if "department" in dims else Letter.words_batch


def fold(session: Session, *, batch: int = BATCH) -> int:
    """Rolls up every settled letter not rolled up yet; returns how many.

    Two marks: a letter's words go into the slices that never change (all, township, kind) as
    soon as it has arrived (`words_batch`); its figures and its unit's word slices wait until it
    is settled (`rollup_batch`), since until then it may be transferred. A settled letter whose
    words are not counted yet gets both marks at once, so its words are read only once.
    """
    settled = _fold_pass(session, Letter.rollup_batch, SETTLED_STATUSES, batch, _add_settled)
    _fold_pass(session, Letter.words_batch, None, batch, _add_words(Letter.words_batch, UNCHANGING))
    return settled


def _add_settled(session: Session, number: int) -> None:
    _add_figures(session, number)
    _add_words(Letter.rollup_batch, WITH_UNIT, fresh=UNCHANGING)(session, number)


def _fold_pass(
    session: Session,
    mark: Any,
    statuses: tuple[Any, ...] | None,
    batch: int,
    add: Callable[[Session, int], object],
) -> int:
    total = 0
    letters = table_of(Letter)
    column = letters.c[mark.key]
    while True:
        pending = select(Letter.id).where(mark.is_(None))
        if statuses is not None:
            pending = pending.where(Letter.status.in_(statuses))
        oldest = pending.order_by(Letter.id).limit(batch).subquery()
        last = session.scalar(select(func.max(oldest.c.id)))
        if last is None:
            return total
        number = _next_batch(session)
        marking = update(letters).where(column.is_(None), letters.c.id <= last)
        if statuses is not None:
            marking = marking.where(letters.c.status.in_([s.value for s in statuses]))
        values: dict[Any, Any] = {column: number, letters.c.updated_at: letters.c.updated_at}
        if statuses is not None:  # a letter settled before its words were counted: both now
            values[letters.c.words_batch] = func.coalesce(letters.c.words_batch, number)
        marked = session.execute(marking.values(values))
        total += marked.rowcount  # type: ignore[attr-defined]
        add(session, number)


def _next_batch(session: Session) -> int:
    """Takes the next batch number; the row update also keeps two folds from overlapping."""
    state = table_of(RollupState)
    if session.scalar(select(state.c.id).where(state.c.id == 1)) is None:
        session.execute(state.insert().values(id=1, batch=0))
    session.execute(
        update(state).where(state.c.id == 1).values(batch=state.c.batch + 1, rolled_at=utcnow())
    )
    return int(session.scalar(select(state.c.batch).where(state.c.id == 1)) or 0)


def _add_figures(session: Session, number: int) -> None:
    for grain, period in (("m", month_of(Letter.number_day)), ("d", Letter.number_day)):
        keys = (
            period,
            func.coalesce(Letter.department_id, 0),
            func.coalesce(Letter.township_id, 0),
            Letter.category,
            Letter.status,
        )
        figures = select(
            literal(grain),
            *keys,
            func.count(),
            func.count(Letter.first_replied_at),
            func.sum(case((Letter.on_time.is_(True), 1), else_=0)),
            func.count(Letter.satisfaction),
            func.sum(case((Letter.satisfaction.in_(GOOD), 1), else_=0)),
        ).where(Letter.rollup_batch == number)
        _upsert_from(
            session,
            table_of(LetterRollup),
            ("grain", "period", "department_id", "township_id", "category", "status"),
            figures.group_by(*keys),
        )


def _add_words(mark: Any, slices: Slices, *, fresh: Slices = ()) -> Callable[[Session, int], None]:
    """Adds the words of a batch's letters (`mark` = the batch) to `slices`, and to `fresh` the
    words of those whose `words_batch` is this batch too: counted once per day and key, then
    sliced."""
    every = (*slices, *fresh)
    used = [key for key in WORD_KEYS if any(key in dims for dims in every)]
    # Only unfiltered periods need days (their edge days); the other slices keep months.
    day = Letter.number_day if () in every else month_of(Letter.number_day)

    def add(session: Session, number: int) -> None:
        keys = [func.coalesce(cast(WORD_KEYS[k], String), "0").label(k) for k in used]
        if fresh:
            keys.append(case((Letter.words_batch == number, 1), else_=0).label("fresh"))
        base = (
            select(day.label("day"), *keys, LetterWord.word, func.sum(LetterWord.n).label("n"))
            .join(Letter, Letter.id == LetterWord.letter_id)
            .where(mark == number)
            .group_by(day, *(k.element for k in keys), LetterWord.word)
        )
        sql = base.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        session.execute(text(f"DROP TABLE IF EXISTS {BATCH_WORDS}"))
        session.execute(text(f"CREATE TEMPORARY TABLE {BATCH_WORDS} AS {sql}"))
        names = ("day", *(k.name for k in keys), "word", "n")
        words = table(BATCH_WORDS, *(column(c) for c in names))
        pieces = [(dims, "m", month_of(words.c.day), dims in fresh) for dims in every]
        if () in every:  # the edge days of unfiltered periods
            pieces.append(((), "d", words.c.day, () in fresh))
        for dims, grain, period, only_fresh in pieces:
            key = slice_key([words.c[k] for k in dims])
            rows = select(
                literal(slice_name(dims)),
                key,
                literal(grain),
                period,
                words.c.word,
                func.sum(words.c.n),
            ).group_by(key, period, words.c.word)
            if only_fresh:
                rows = rows.where(words.c.fresh == 1)
            _upsert_from(
                session,
                table_of(WordRollup),
                ("dim", "key", "grain", "period", "word", "n"),
                rows,
                measures=("n",),
            )
        session.execute(text(f"DROP TABLE {BATCH_WORDS}"))

    return add


def slice_key(values: list[Any]) -> Any:
    """The key of a slice row: its values joined by "|" ("" for all letters)."""
    if not values:
        return literal("")
    key = values[0]
    for value in values[1:]:
        key = key.concat("|").concat(value)
    return key


def _upsert_from(
    session: Session,
    table: Any,
    columns: tuple[str, ...],
    rows: Any,
    *,
    measures: tuple[str, ...] = MEASURES,
) -> None:
    """INSERT … SELECT that adds to the rows already there (SQLite and PostgreSQL alike)."""
    from sqlalchemy.dialects import postgresql, sqlite

    postgres = session.get_bind().dialect.name == "postgresql"
    insert: Any = postgresql.insert if postgres else sqlite.insert
    names = [*columns, *(m for m in measures if m not in columns)]
    stmt = insert(table).from_select(names, rows)
    keys = [c for c in columns if c not in measures]
    stmt = stmt.on_conflict_do_update(
        index_elements=keys,
        set_={m: table.c[m] + stmt.excluded[m] for m in measures},
    )
    session.execute(stmt)


# --- cutting a period into pieces ----------------------------------------------------------------


@dataclass(frozen=True)
class Pieces:
    """A period of whole local days as whole months plus the loose days at either end."""

    months: tuple[str, str] | None  # first and last "YYYYMM", both included
    days: tuple[tuple[str, str], ...]  # ("YYYYMMDD", "YYYYMMDD") ranges, both ends included

    def condition(self, grain: Any, period: Any) -> ColumnElement[bool]:
        parts = []
        if self.months:
            parts.append(and_(grain == "m", period.between(*self.months)))
        parts += [and_(grain == "d", period.between(a, b)) for a, b in self.days]
        return or_(*parts) if parts else false()

    def months_condition(self, grain: Any, period: Any) -> ColumnElement[bool]:
        return and_(grain == "m", period.between(*self.months)) if self.months else false()


def pieces(since: datetime | None, until: datetime | None) -> Pieces:
    """`since`/`until` are local midnights (until excluded), or None for open ends."""
    tz = get_settings().tz
    first = since.astimezone(tz).date() if since else date(1970, 1, 1)
    last = (until.astimezone(tz).date() - timedelta(days=1)) if until else date(9000, 12, 31)
    if first > last:
        return Pieces(None, ())
    month_start = first if first.day == 1 else _next_month(first)
    after = last + timedelta(days=1)
    month_end = after if after.day == 1 else after.replace(day=1)  # excluded
    if month_start >= month_end:
        return Pieces(None, ((_day(first), _day(last)),))
    days = []
    if first < month_start:
        days.append((_day(first), _day(month_start - timedelta(days=1))))
    if month_end <= last:
        days.append((_day(month_end), _day(last)))
    last_month = month_end - timedelta(days=1)
    return Pieces((f"{month_start:%Y%m}", f"{last_month:%Y%m}"), tuple(days))


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _day(day: date) -> str:
    return f"{day:%Y%m%d}"
