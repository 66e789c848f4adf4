"""Citizens' "我也关注" on public letters: counted once per browser, never lost under load."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engagement import audit
from engagement.audit import Actor
from engagement.errors import NotFound
from engagement.models import table_of
from engagement.timeutil import utcnow
from feedback.mailbox import service
from feedback.mailbox.models import Letter, LetterSupport


def browser_key(browser: str) -> str:
    """What is stored for a browser: a hash, so the table never holds a usable cookie."""
    return hashlib.sha256(browser.encode()).hexdigest()


def get_public_letter(session: Session, number: str) -> Letter:
    """A letter the public may see; unknown and unpublished look the same."""
    letter = service.find_by_number(session, number)
    public = (
        session.scalar(service.public_letters_query().where(Letter.id == letter.id))
        if letter is not None
        else None
    )
    if public is None:
        raise NotFound("No published letter has this number.")
    return public


def has_supported(session: Session, letter: Letter, browser: str | None) -> bool:
    """Whether this browser already supported the letter (the button then shows it)."""
    if not browser:
        return False
    key = browser_key(browser)
    found = session.scalar(
        select(LetterSupport.id).where(
            LetterSupport.letter_id == letter.id, LetterSupport.browser == key
        )
    )
    return found is not None


def support_letter(session: Session, *, number: str, browser: str, ip: str | None = None) -> Letter:
    """Adds this browser's support once; the same browser again returns the letter unchanged.

    The INSERT skips a duplicate instead of failing, and the counter is raised in SQL, so
    concurrent supports neither fail nor lose a count.
    """
    letter = get_public_letter(session, number)
    added = session.scalar(_insert_once(session, letter.id, browser_key(browser)))
    if added is not None:
        letters = table_of(Letter)
        session.execute(
            update(letters).where(letters.c.id == letter.id).values(support=letters.c.support + 1)
        )
        session.refresh(letter, ["support"])
        audit.record(
            session,
            Actor(None, ip, "citizen"),
            "letter.support",
            object_type="letter",
            object_id=letter.number,
        )
    return letter


def _insert_once(session: Session, letter_id: int, key: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id (SQLite and PostgreSQL alike)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return (
        dialect.insert(table_of(LetterSupport))
        .values(letter_id=letter_id, browser=key, at=utcnow())
        .on_conflict_do_nothing(index_elements=["letter_id", "browser"])
        .returning(table_of(LetterSupport).c.id)
    )
