"""Analytics has no demo data of its own: it rolls up the demo letters and finds their topics."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from analytics.refresh import refresh
from engagement import bulk


def load(session: Session, *, scale: str, progress: Any = None) -> list[str]:
    line = refresh(session)
    if scale == "large":
        bulk.analyze(session, vacuum=True)  # the fold rewrote every letter
    return [f"Analytics {line}"]
