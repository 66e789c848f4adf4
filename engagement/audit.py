"""The audit trail: every staff action, with who, when, what, the object and the address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session

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
