"""The audit trail: every staff action, with who, when, what, the object and the address."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session

from engagement.i18n import N_
from engagement.models import AuditEvent, User, table_of
from engagement.timeutil import utcnow


@dataclass(frozen=True)
class Actor:
    """The person acting (None for a citizen or the system) and the address they came from."""

    user: User | None
    ip: str | None = None
    system_name: str = "system"  # who acted when no user did: "cli", "citizen", "scheduler"

    @property
    def name(self) -> str:
        return self.user.username if self.user else self.system_name


_INSERT = insert(table_of(AuditEvent))


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    object_type: str = "",
    object_id: object = "",
    **detail: Any,
) -> None:
    """Adds an audit row in the caller's transaction (a plain INSERT: rows are never edited)."""
    session.execute(
        _INSERT,
        {
            "at": utcnow(),
            "actor_id": actor.user.id if actor.user else None,
            "actor_name": actor.name,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "detail": detail,
            "client_ip": actor.ip,
        },
    )


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _filtered(stmt: Select[Any], f: AuditFilter) -> Select[Any]:
    if f.actor:
        stmt = stmt.where(AuditEvent.actor_name == f.actor)
    if f.action:
        stmt = stmt.where(AuditEvent.action.startswith(f.action))
    if f.object_type:
        stmt = stmt.where(AuditEvent.object_type == f.object_type)
    if f.object_id:
        stmt = stmt.where(AuditEvent.object_id == f.object_id)
    if f.since:
        stmt = stmt.where(AuditEvent.at >= f.since)
    if f.until:
        stmt = stmt.where(AuditEvent.at < f.until)
    return stmt


def list_events(
    session: Session, *, filters: AuditFilter, page: int = 1, per_page: int = 50
) -> tuple[list[AuditEvent], int]:
    total = session.scalar(_filtered(select(func.count(AuditEvent.id)), filters)) or 0
    stmt = _filtered(select(AuditEvent), filters).order_by(AuditEvent.id.desc())
    rows = session.scalars(stmt.offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


# --- the words the audit log shows ------------------------------------------------------------


@dataclass(frozen=True)
class AuditLabels:
    """The words the audit log shows for the codes a module writes, as msgids (marked with N_).

    The core declares its own below; each domain declares its codes in `web.AUDIT_LABELS`, and
    `create_app` merges them (`|`) into `app.state.audit_labels`, so the core imports no domain.
    """

    actions: Mapping[str, str] = field(default_factory=dict)  # "letter.assign": "Assigned …"
    groups: Mapping[str, str] = field(default_factory=dict)  # a prefix: "letter": "Letters"
    objects: Mapping[str, str] = field(default_factory=dict)  # an object_type: "letter": "Letter"
    details: Mapping[str, str] = field(default_factory=dict)  # a detail's key: "public": "Public"
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # key → code → msgid
    actors: Mapping[str, str] = field(default_factory=dict)  # who acted without an account
    unit_keys: frozenset[str] = frozenset()  # detail keys that hold a unit's slug

    def __or__(self, other: AuditLabels) -> AuditLabels:
        return AuditLabels(
            actions={**self.actions, **other.actions},
            groups={**self.groups, **other.groups},
            objects={**self.objects, **other.objects},
            details={**self.details, **other.details},
            values={**self.values, **other.values},
            actors={**self.actors, **other.actors},
            unit_keys=self.unit_keys | other.unit_keys,
        )


CORE_LABELS = AuditLabels(
    actions={
        "auth.login": N_("Signed in"),
        "auth.logout": N_("Signed out"),
        "auth.login_failed": N_("Wrong password or username"),
        "auth.login_refused_locked": N_("Sign-in refused while locked"),
        "auth.lockout": N_("Sign-ins locked"),
        "user.create": N_("Added a user"),
        "user.activate": N_("Reactivated a user"),
        "user.deactivate": N_("Deactivated a user"),
        "user.unlock": N_("Unlocked a user"),
        "department.create": N_("Added a unit"),
        "department.activate": N_("Reactivated a unit"),
        "department.deactivate": N_("Deactivated a unit"),
        "calendar.set": N_("Set a day in the holiday calendar"),
        "calendar.delete": N_("Removed a day from the holiday calendar"),
    },
    groups={
        "auth": N_("Sign-ins"),
        "user": N_("Users"),
        "department": N_("Units"),
        "calendar": N_("Holiday calendar"),
    },
    objects={
        "user": N_("User"),
        "username": N_("Username"),
        "department": N_("Unit"),
        "holiday": N_("Date"),
    },
    details={
        "name": N_("Unit name"),
        "kind": N_("Kind"),
        "username": N_("Username"),
        "role": N_("Role"),
        "department": N_("Unit"),
        "is_working_day": N_("Working day"),
        "note": N_("Note"),
        "source": N_("Address"),
        "failures": N_("Failures from this address"),
        "account_failures": N_("Failures of the account"),
        "scope": N_("Locked for"),
        "minutes": N_("Minutes"),
    },
    values={
        "role": {"staff": N_("Staff"), "leader": N_("Leader"), "admin": N_("Administrator")},
        "kind": {"department": N_("County department"), "township": N_("Township")},
        "scope": {"account": N_("all new addresses"), "source": N_("one address")},
    },
    actors={
        "citizen": N_("Citizen"),
        "cli": N_("Command line"),
        "demo": N_("Demo data"),
        "system": N_("System"),
    },
    unit_keys=frozenset({"department"}),
)


@dataclass(frozen=True)
class EventView:
    """One audit row in the reader's language; `event` keeps the raw codes."""

    event: AuditEvent
    actor: str
    action: str
    object: str
    details: list[str]


def describe(
    event: AuditEvent,
    labels: AuditLabels,
    gettext: Callable[[str], str],
    names: Mapping[tuple[str, str], str],
) -> EventView:
    """`names`: what to call an object instead of its id, e.g. ("department", "housing") → 住建局;
    an unlabelled code is shown as it is (the test of the labels keeps that from happening)."""

    def word(msgid: str | None, code: str) -> str:
        return gettext(msgid) if msgid else code

    def value(key: str, raw: Any) -> str:
        if isinstance(raw, bool):
            return gettext("yes") if raw else gettext("no")
        if key in labels.unit_keys:
            return names.get(("department", str(raw)), str(raw))
        return word(labels.values.get(key, {}).get(str(raw)), str(raw))

    actor = event.actor_name
    if event.actor_id is None and actor in labels.actors:
        actor = gettext(labels.actors[actor])
    thing = names.get((event.object_type, event.object_id), event.object_id)
    kind = word(labels.objects.get(event.object_type), event.object_type)
    details = [
        gettext("%(name)s: %(value)s")
        % {"name": word(labels.details.get(key), key), "value": value(key, raw)}
        for key, raw in (event.detail or {}).items()
        if raw not in (None, "")
    ]
    return EventView(
        event=event,
        actor=actor,
        action=word(labels.actions.get(event.action), event.action),
        object=f"{kind} {thing}".strip(),
        details=details,
    )
