"""Writing many rows at once: COPY on PostgreSQL, one executemany on SQLite.

Used by the city-scale demo, where the ORM's unit of work (or even Core's per-row parameter
handling) would spend minutes on a million letters. Values go through each column's own bind
processor, so aware datetimes, enums and JSON are stored exactly as the ORM would store them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Dialect, Engine, Table, func, select, text
from sqlalchemy.orm import Session

from engagement.timeutil import UTCDateTime

LOAD_CACHE = -400_000  # KiB
DEFAULT_CACHE = -2_000  # SQLite's own default


def prepare_rows(
    dialect: Dialect, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> list[tuple[Any, ...]]:
    """`rows` with every value as the database stores it (may run in another process)."""
    processors = [_processor(dialect, table.c[name].type) for name in columns]
    if not any(processors):
        return [tuple(row) for row in rows]
    values = [list(column) for column in zip(*rows, strict=True)]
    for i, process in enumerate(processors):  # column by column: one lookup per column
        if process is not None:
            values[i] = [None if v is None else process(v) for v in values[i]]
    return list(zip(*values, strict=True))


def _processor(dialect: Dialect, kind: Any) -> Callable[[Any], Any] | None:
    if dialect.name == "postgresql" and isinstance(kind, JSON):
        return json.dumps  # psycopg adapts JSON when it binds a parameter; COPY takes the text
    if dialect.name == "sqlite" and isinstance(kind, UTCDateTime):
        return sqlite_datetime  # the same text as the column's processor, several times faster
    # The dialect's own type: the generic one may leave the value to the driver's adapter,
    # which writes a datetime without its microseconds when they are 0.
    process = kind.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return None
    if isinstance(kind, JSON):
        return _empty_remembered(process)
    return _remembered(process)  # enums, booleans, short codes: few distinct values


def sqlite_datetime(value: datetime) -> str:
    """An aware datetime as `UTCDateTime` stores it on SQLite: naive UTC, microseconds always."""
    if value.tzinfo is None:
        raise ValueError("naive datetime stored; use an aware one")
    return value.astimezone(UTC).isoformat(" ", "microseconds")[:26]  # without "+00:00"


def _empty_remembered(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """JSON columns: most rows of a bulk load carry an empty object, encoded once."""
    empty = process({})
    return lambda value: empty if value == {} else process(value)


def _remembered(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    seen: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = result = process(value)
            return result
        except TypeError:  # unhashable
            return process(value)

    return remembered


def write_rows(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    prepared: bool = False,
) -> int:
    """Inserts `rows` (tuples in the order of `columns`) into `table`; returns how many."""
    connection = session.connection()
    dialect = connection.dialect
    processed = list(rows) if prepared else prepare_rows(dialect, table, columns, rows)
    if not processed:
        return 0
    raw = connection.connection.driver_connection
    if dialect.name == "sqlite":
        # Big loads: keep the unique indexes' pages in memory (~400 MB), not re-read them.
        raw.execute(f"PRAGMA cache_size={LOAD_CACHE}")  # type: ignore[union-attr]
    names = ", ".join(columns)
    if dialect.name == "postgresql":
        copy_sql = f"COPY {table.name} ({names}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:  # type: ignore[union-attr]
            for row in processed:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        raw.executemany(  # type: ignore[union-attr]
            f"INSERT INTO {table.name} ({names}) VALUES ({marks})",  # noqa: S608 (our own names)
            processed,
        )
    return len(processed)


@contextmanager
def indexes_rebuilt(session: Session, tables: Sequence[Table]) -> Iterator[None]:
    """Drops the tables' secondary indexes for a bulk load and builds them again at the end.

    Building an index once over sorted rows is several times cheaper than updating it for
    each of a million rows in random order. Queries meanwhile are slow, not wrong; a load that
    fails half-way still gets its indexes back. SQLite's page cache, grown for the load by
    `write_rows`, shrinks back after it: a big cache keeps later large sorts on one thread,
    which made the rollups a third slower.
    """
    sqlite = session.get_bind().dialect.name == "sqlite"
    indexes = [index for table in tables for index in table.indexes]
    for index in indexes:
        index.drop(session.connection())
    session.commit()
    try:
        yield
    finally:
        session.rollback()  # nothing, after a load that committed; a failed batch otherwise
        if sqlite:
            session.execute(text(f"PRAGMA cache_size={DEFAULT_CACHE}"))
        for index in indexes:
            index.create(session.connection(), checkfirst=True)
        session.commit()


def next_id(session: Session, table: Table) -> int:
    """The first free primary key, for rows whose ids must be known before they are written."""
    return int(session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1


def sync_sequence(session: Session, table: Table) -> None:
    """After ids were written by hand, PostgreSQL's sequence must move past them."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
            )
        )


def analyze(session: Session, *, vacuum: bool = False) -> None:
    """Fresh planner statistics after a big load, so queries pick the right indexes.

    With `vacuum`, PostgreSQL also clears the dead rows of a mass update and marks the pages
    all-visible, which index-only scans need; until then they visit the table for every row.
    VACUUM cannot run in a transaction, so the session commits first.
    """
    bind = session.get_bind()
    if vacuum and bind.dialect.name == "postgresql" and isinstance(bind, Engine):
        session.commit()
        with bind.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE"
            )
        return
    session.execute(text("ANALYZE"))
