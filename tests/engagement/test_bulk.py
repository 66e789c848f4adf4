"""Bulk writing stores every value exactly as the ORM would."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite

from engagement import bulk
from engagement.models import table_of
from engagement.timeutil import UTCDateTime
from feedback.mailbox.models import EventKind, LetterEvent

SQLITE = sqlite.pysqlite.dialect()
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1)), offsets)
def test_the_fast_sqlite_datetime_is_the_columns_own_text(moment: datetime, zone: timezone) -> None:
    aware = moment.replace(tzinfo=zone)
    own = UTCDateTime().dialect_impl(SQLITE).bind_processor(SQLITE)
    assert own is not None
    assert bulk.sqlite_datetime(aware) == own(aware)


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        bulk.sqlite_datetime(datetime(2026, 1, 1))


@pytest.mark.parametrize("dialect", [SQLITE, postgresql.psycopg.dialect()], ids=lambda d: d.name)
def test_prepared_rows_match_each_columns_processor(dialect: object) -> None:
    table = table_of(LetterEvent)
    columns = ("letter_id", "at", "kind", "public", "note", "detail")
    at = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    rows = [
        (1, at, EventKind.submitted, True, "", {}),
        (1, at + timedelta(hours=1), EventKind.assigned, False, "x", {"to": 3}),
        (2, at, EventKind.submitted, True, "", {}),
    ]
    prepared = bulk.prepare_rows(dialect, table, columns, rows)  # type: ignore[arg-type]
    for row, out in zip(rows, prepared, strict=True):
        for name, value, stored in zip(columns, row, out, strict=True):
            kind = table.c[name].type
            if dialect.name == "postgresql" and name == "detail":  # type: ignore[attr-defined]
                assert stored == json.dumps(value)  # COPY takes JSON as text
                continue
            process = kind.dialect_impl(dialect).bind_processor(dialect)  # type: ignore[arg-type]
            assert stored == (process(value) if process else value), name
