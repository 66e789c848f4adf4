"""Holiday overrides that an admin enters, and the calendar built from them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement import audit
from engagement.audit import Actor
from engagement.errors import Invalid, NotFound
from engagement.models import HolidayOverride
from engagement.settings import get_settings
from engagement.workdays import WorkCalendar


def load_calendar(session: Session) -> WorkCalendar:
    rows = session.execute(select(HolidayOverride.day, HolidayOverride.is_working_day))
    overrides = {day: working for day, working in rows}
    return WorkCalendar(tz=get_settings().tz, overrides=overrides)


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
    audit.record(
        session, actor, "calendar.delete", object_type="holiday", object_id=day.isoformat()
    )
