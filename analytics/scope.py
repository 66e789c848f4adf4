"""Who sees which unit's figures: leaders and admins any unit, staff their own only."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engagement import accounts
from engagement.auth.policy import Action, require, unit_scope
from engagement.errors import Forbidden, Invalid, NotFound
from engagement.models import DepartmentKind, User


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
