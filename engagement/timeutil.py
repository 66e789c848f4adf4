"""Aware-UTC time handling: stored in UTC, shown in the configured local zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import PlainSerializer
from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Refuses naive datetimes and always returns aware UTC ones, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _local_iso(value: datetime) -> str:
    from engagement.settings import get_settings

    return value.astimezone(get_settings().tz).isoformat()


# A datetime that the JSON API writes in local time with its offset, e.g. 2026-11-29T10:00:00+08:00.
ApiDatetime = Annotated[datetime, PlainSerializer(_local_iso, return_type=str, when_used="json")]
