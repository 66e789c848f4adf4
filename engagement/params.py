"""Values a request names that must fit the database: ids, page numbers, days; checked at the door.

A request may carry any number of digits, but the id columns are 32-bit INTEGERs on PostgreSQL
and SQLite refuses anything past 64 bits, so an unchecked value reaches the database as an
overflow (a 500). Every id in a path, query, form or JSON body is a `RowId`: outside 1…2³¹−1 it
is a 422 naming the field on both databases, before anything is looked up.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from annotated_types import Interval

MAX_ID = 2**31 - 1

RowId = Annotated[int, Interval(ge=1, le=MAX_ID)]
"""An id that can exist; works as a path, query or form parameter and in a pydantic model."""

PageNumber = Annotated[int, Interval(ge=1, le=MAX_ID)]
"""`?page=` from 1; with at most 100 a page, its offset stays far inside 64 bits."""

CalendarDay = Annotated[date, Interval(ge=date(1900, 1, 1), le=date(9000, 12, 31))]
"""A day that a period starts or ends on: 0001-01-01 or 9999-12-31 would overflow once turned
into a UTC time or a month after it; no letter lies outside these years."""


def form_int(text: object, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """The whole number typed in a form field if it lies in low…high (by default: an id);
    None for anything else: "", "abc", "-1", "²" (a digit to `str.isdigit`, not to `int`), "9"*40.
    """
    value = str(text)
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(high)):
        return None
    number = int(value)
    return number if low <= number <= high else None
