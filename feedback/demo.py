"""Demo data for the feedback domain."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from feedback.mailbox import demo as mailbox_demo


def load(session: Session, *, scale: str, progress: Any = None) -> list[str]:
    """Loads the mailbox's demo letters; returns lines worth printing (a number and code to try)."""
    return mailbox_demo.load(session, scale=scale, progress=progress)
