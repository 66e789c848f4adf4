"""Writing many rows at once: COPY on PostgreSQL, one executemany on SQLite.

Used by the city-scale demo, where the ORM's unit of work (or even Core's per-row parameter
handling) would spend minutes on a million letters. Values go through each column's own bind
processor, so aware datetimes, enums and JSON are stored exactly as the ORM would store them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, Dialect, Table, func, select, text
from sqlalchemy.orm import Session


def prepare_rows(
    dialect: Dialect, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> list[tuple[Any, ...]]:
    """`rows` with every value as the database stores it (may run in another process)."""
    values = [list(column) for column in zip(*rows, strict=True)]
    for i, name in enumerate(columns):  # column by column: one processor lookup per column
        kind = table.c[name].type
        # psycopg adapts JSON when it binds a parameter; COPY takes the text itself.
        copying_json = dialect.name == "postgresql" and isinstance(kind, JSON)
        process = json.dumps if copying_json else kind.bind_processor(dialect)
        if process is not None:
            values[i] = [None if v is None else process(v) for v in values[i]]
    return list(zip(*values, strict=True))


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
        # Big loads: keep the indexes' pages in memory (~400 MB) rather than re-reading them.
        raw.execute("PRAGMA cache_size=-400000")  # type: ignore[union-attr]
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


def analyze(session: Session) -> None:
    """Fresh planner statistics after a big load, so queries pick the right indexes."""
    session.execute(text("ANALYZE"))
