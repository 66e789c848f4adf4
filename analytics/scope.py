"""Who sees which unit's figures (leaders and admins any unit, staff their own only), and the
names of what a page of figures covers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from analytics.queries import LetterFilter
from engagement import accounts
from engagement.auth.policy import Action, require, unit_scope
from engagement.errors import Forbidden, Invalid, NotFound
from engagement.i18n import gettext as _
from engagement.models import Department, DepartmentKind, User
from feedback.mailbox.labels import CATEGORY_LABELS


def units_for(
    session: Session, user: User, department: str | None, township: str | None
) -> tuple[int | None, int | None]:
    """(department id, township id) to filter by; staff are held to their own unit."""
    department_id = _unit_id(session, department, "department") if department else None
    township_id = _unit_id(session, township, "township") if township else None
    own = unit_scope(user)
    if own is not None:
        if department_id is not None and department_id != own:
            raise Forbidden("Staff see the figures of their own unit only.")
        department_id = own
    require(user, Action.view_dashboard, department_id)
    return department_id, township_id


def _unit_id(session: Session, slug: str, field: str) -> int:
    try:
        unit = accounts.get_department(session, slug, include_inactive=True)
    except NotFound as exc:
        raise Invalid(exc.message, field=field, **exc.params) from exc
    if field == "township" and unit.kind != DepartmentKind.township:
        raise Invalid("%(slug)s is not a township.", field=field, slug=slug)
    return unit.id


ALL_PARTS = ("department", "township", "category")


@dataclass(frozen=True)
class ScopeNames:
    """What a page of figures covers, in words: the unit (or the whole county) and the period,
    so that every heading of a briefing still says it when printed and passed on."""

    department: str | None
    township: str | None
    category: str | None  # the kind's label (a msgid)
    start: date
    end: date

    @classmethod
    def of(cls, session: Session, f: LetterFilter, start: date, end: date) -> ScopeNames:
        def name(unit_id: int | None) -> str | None:
            unit = session.get(Department, unit_id) if unit_id is not None else None
            return unit.name if unit else None

        category = CATEGORY_LABELS[f.category.value] if f.category else None
        return cls(name(f.department_id), name(f.township_id), category, start, end)

    def name(self, parts: Sequence[str] = ALL_PARTS) -> str:
        """The chosen units (全县 when none), then the kind: 县住房和城乡建设局、城关镇、投诉."""
        places = [
            n
            for key, n in (("department", self.department), ("township", self.township))
            if key in parts and n
        ] or [_("whole county")]
        if "category" in parts and self.category:
            places.append(_(self.category))
        return _(", ").join(places)

    def opening(self) -> str:
        """The name at the start of a sentence: "Whole county: …", not "whole county: …"."""
        name = self.name()
        return name[:1].upper() + name[1:]

    def period(self) -> str:
        return _("%(start)s to %(end)s", start=self.start.isoformat(), end=self.end.isoformat())

    def heading(
        self, heading: str, parts: Sequence[str] = ALL_PARTS, period: str | None = None
    ) -> str:
        """A heading that names the scope and period: 总体情况（全县，2025-12-01至2026-11-30）."""
        return _(
            "%(heading)s (%(scope)s, %(period)s)",
            heading=heading,
            scope=self.name(parts),
            period=period or self.period(),
        )
