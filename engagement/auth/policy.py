"""Who may do what to which unit's objects: the one place every staff route asks.

Each action has one rule; a rule names the roles that may act anywhere and whether staff of the
object's own unit may act on it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from engagement.errors import Forbidden
from engagement.models import Role, User


class Action(enum.StrEnum):
    manage_users = "manage_users"
    manage_departments = "manage_departments"
    manage_calendar = "manage_calendar"
    manage_settings = "manage_settings"
    import_letters = "import_letters"
    read_audit = "read_audit"
    view_workbench = "view_workbench"
    view_unit = "view_unit"  # read a unit's letters, results, exports, figures
    assign_letter = "assign_letter"  # leader/admin anywhere; staff transfer their own unit's
    handle_letter = "handle_letter"  # reply, reject, note, see the writer's contact
    publish_letter = "publish_letter"
    decide_extension = "decide_extension"
    manage_consultation = "manage_consultation"
    moderate_comment = "moderate_comment"
    manage_survey = "manage_survey"
    view_dashboard = "view_dashboard"


@dataclass(frozen=True)
class Rule:
    anywhere: frozenset[Role]
    own_unit: bool  # staff of the object's unit may act on it


_ADMIN = frozenset({Role.admin})
_LEADERS = frozenset({Role.admin, Role.leader})

RULES: dict[Action, Rule] = {
    Action.manage_users: Rule(_ADMIN, own_unit=False),
    Action.manage_departments: Rule(_ADMIN, own_unit=False),
    Action.manage_calendar: Rule(_ADMIN, own_unit=False),
    Action.manage_settings: Rule(_ADMIN, own_unit=False),
    Action.import_letters: Rule(_ADMIN, own_unit=False),
    Action.read_audit: Rule(_ADMIN, own_unit=False),
    Action.view_workbench: Rule(frozenset(Role), own_unit=True),
    Action.view_unit: Rule(_LEADERS, own_unit=True),
    Action.assign_letter: Rule(_LEADERS, own_unit=True),
    Action.handle_letter: Rule(_ADMIN, own_unit=True),
    Action.publish_letter: Rule(_LEADERS, own_unit=False),
    Action.decide_extension: Rule(_LEADERS, own_unit=False),
    Action.manage_consultation: Rule(_ADMIN, own_unit=True),
    Action.moderate_comment: Rule(_ADMIN, own_unit=True),
    Action.manage_survey: Rule(_ADMIN, own_unit=True),
    Action.view_dashboard: Rule(_LEADERS, own_unit=True),  # staff: their unit's figures
}


def can(user: User | None, action: Action, unit_id: int | None = None) -> bool:
    """`unit_id` is the unit owning the object; None (an unassigned letter) admits no staff."""
    if user is None or not user.active:
        return False
    rule = RULES[action]
    if user.role in rule.anywhere:
        return True
    return (
        rule.own_unit
        and user.role == Role.staff
        and unit_id is not None
        and unit_id == user.department_id
    )


def require(user: User | None, action: Action, unit_id: int | None = None) -> None:
    if not can(user, action, unit_id):
        raise Forbidden("You are not allowed to do this.")


def unit_scope(user: User) -> int | None:
    """The one unit a user's lists are limited to, or None when they see every unit."""
    return user.department_id if user.role == Role.staff else None
