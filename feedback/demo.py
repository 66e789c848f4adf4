"""Demo data for the feedback domain."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from feedback.consultations import demo as consultations_demo
from feedback.mailbox import demo as mailbox_demo


def load(session: Session, *, scale: str, progress: Any = None) -> list[str]:
    """Loads demo letters and consultations; returns lines worth printing."""
    lines = mailbox_demo.load(session, scale=scale, progress=progress)
    return lines + consultations_demo.load(session, scale=scale, progress=progress)
