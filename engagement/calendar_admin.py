"""Holiday overrides that an admin enters, and the calendar built from them."""

from __future__ import annotations

import time
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement import audit
from engagement.audit import Actor
from engagement.errors import Invalid, NotFound
from engagement.models import HolidayOverride
from engagement.settings import get_settings
from engagement.workdays import WorkCalendar

# Overrides change a few times a year but deadlines are computed on every letter: keep them a
# minute per database handle; a change made here clears the cache at once.
_CACHE: dict[int, tuple[float, WorkCalendar]] = {}
TTL_SECONDS = 60.0


def load_calendar(session: Session) -> WorkCalendar:
    key = id(session.get_bind())
    cached = _CACHE.get(key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    rows = session.execute(select(HolidayOverride.day, HolidayOverride.is_working_day))
    calendar = WorkCalendar(tz=get_settings().tz, overrides={day: w for day, w in rows})
    _CACHE[key] = (time.monotonic() + TTL_SECONDS, calendar)
    return calendar


def forget_calendar() -> None:
    _CACHE.clear()


def list_overrides(session: Session) -> list[HolidayOverride]:
    return list(session.scalars(select(HolidayOverride).order_by(HolidayOverride.day.desc())))


def set_override(
    session: Session, actor: Actor, *, day: date, is_working_day: bool, note: str = ""
) -> HolidayOverride:
    if len(note) > 200:
        raise Invalid("A note has at most 200 characters.", field="note")
    override = session.get(HolidayOverride, day)
    if override is None:
        override = HolidayOverride(day=day, is_working_day=is_working_day, note=note.strip())
        session.add(override)
    else:
        override.is_working_day = is_working_day
        override.note = note.strip()
    forget_calendar()
    audit.record(
        session,
        actor,
        "calendar.set",
        object_type="holiday",
        object_id=day.isoformat(),
        is_working_day=is_working_day,
        note=note.strip(),
    )
    return override


def delete_override(session: Session, actor: Actor, *, day: date) -> None:
    override = session.get(HolidayOverride, day)
    if override is None:
        raise NotFound("No override for %(day)s.", day=day.isoformat())
    session.delete(override)
    forget_calendar()
    audit.record(
        session, actor, "calendar.delete", object_type="holiday", object_id=day.isoformat()
    )
