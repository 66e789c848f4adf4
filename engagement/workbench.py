"""What waits for a person on the staff workbench: counts under the links, given by the domains.

Each domain's `web.WORKBENCH_COUNTS` holds functions (session, user) -> {link url: [Waiting, …]},
scoped to what the user may see (their own unit for staff); create_app collects them, so the
core imports no domain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from engagement.models import User


@dataclass(frozen=True)
class Waiting:
    label: str  # a msgid, e.g. N_("To reply")
    count: int
    url: str  # the list that shows these things
    urgent: bool = False  # past a deadline: shown as a warning when not 0


WorkbenchCounts = Callable[[Session, User], dict[str, list[Waiting]]]
