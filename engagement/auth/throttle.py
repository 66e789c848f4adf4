"""Sign-in throttling by account and source, so that wrong passwords cannot lock anyone out.

The policy:

- A source is the client address as the app determines it (uvicorn's proxy headers behind a
  known proxy, never a raw X-Forwarded-For); an IPv6 address counts as its /64, which one
  subscriber holds whole.
- `login_max_failures` (5) wrong passwords for one account name from one source close that
  account to that source for `lockout_minutes` (15). Every other source still signs in with the
  right password, so a stranger who guesses at the admin's name locks out only himself.
- A looser ceiling across all sources slows guessing from many addresses:
  `login_account_max_failures` (50) failures since the last success close the account for
  `lockout_minutes` to every source it has not signed in from within `login_known_source_days`
  (30). The sources the account is used from (the office) are never closed by it, so no
  number of strangers can lock the admin out from everywhere.
- A success from a source clears its count and the account's count and lock.
- A name with no account is counted the same way, so the answers never tell whether it exists.

Each failure and refusal is audited (`auth.login_failed`, `auth.login_refused_locked`), each
lockout as `auth.lockout` with the source and its scope, which the admin's users page lists.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engagement import audit
from engagement.audit import Actor
from engagement.models import LoginThrottle, UnknownLogin, User, table_of
from engagement.settings import Settings

LOCKOUT_ACTION = "auth.lockout"
_Counter = TypeVar("_Counter", LoginThrottle, UnknownLogin)
QUIET_DAYS = 1  # a source's count is forgotten after a day without failures


def source_of(ip: str | None) -> str:
    """The address a throttle counts by: IPv4 as it is, IPv6 as its /64 network."""
    if not ip:
        return "unknown"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def throttle_key(username: str) -> str:
    return username.strip().lower()[:64]


class Attempt:
    """One sign-in attempt's counters: for the name from this source, and for the name overall."""

    def __init__(
        self,
        session: Session,
        *,
        name: str,
        user: User | None,
        ip: str | None,
        now: datetime,
        settings: Settings,
    ) -> None:
        self.session, self.name, self.user, self.ip = session, name, user, ip
        self.now, self.settings = now, settings
        self.source = source_of(ip)
        _forget_quiet_sources(session, now, settings)
        self.throttle = _row(session, LoginThrottle, username=name, source=self.source)
        self.account: User | UnknownLogin = user or _row(session, UnknownLogin, username=name)

    @property
    def actor(self) -> Actor:
        return Actor(self.user, self.ip, system_name=self.name or "?")

    @property
    def _object(self) -> dict[str, Any]:
        if self.user is not None:
            return {"object_type": "user", "object_id": self.user.id}
        return {"object_type": "username", "object_id": self.name}

    @property
    def known_source(self) -> bool:
        """The account signed in from this source lately: the all-sources ceiling spares it."""
        last = self.throttle.last_success_at
        return last is not None and last > self.now - _known_days(self.settings)

    @property
    def locked(self) -> bool:
        """Closed to this source: by its own lockout, or by the account's unless it is known."""
        if _until(self.throttle.locked_until, self.now):
            return True
        return _until(self.account.locked_until, self.now) and not self.known_source

    def refuse_locked(self) -> None:
        audit.record(
            self.session,
            self.actor,
            "auth.login_refused_locked",
            source=self.source,
            **self._object,
        )

    def fail(self) -> bool:
        """Counts a wrong password; True when this source is now closed to the account."""
        throttle, account = self.throttle, self.account
        throttle.failures += 1
        throttle.last_failure_at = self.now
        account.failed_logins += 1
        audit.record(
            self.session,
            self.actor,
            "auth.login_failed",
            failures=throttle.failures,
            account_failures=account.failed_logins,
            source=self.source,
            **self._object,
        )
        settings = self.settings
        until = self.now + timedelta(minutes=settings.lockout_minutes)
        closed = False
        if throttle.failures >= settings.login_max_failures:
            throttle.failures, throttle.locked_until = 0, until
            self._audit_lockout("source")
            closed = True
        if account.failed_logins >= settings.login_account_max_failures:
            account.failed_logins, account.locked_until = 0, until
            self._audit_lockout("account")
            closed = closed or not self.known_source
        return closed

    def succeed(self) -> None:
        self.throttle.failures = 0
        self.throttle.locked_until = None
        self.throttle.last_success_at = self.now
        self.account.failed_logins = 0
        self.account.locked_until = None

    def _audit_lockout(self, scope: str) -> None:
        """scope "source": this source is closed; "account": every source not known to it."""
        audit.record(
            self.session,
            self.actor,
            LOCKOUT_ACTION,
            scope=scope,
            source=self.source,
            minutes=self.settings.lockout_minutes,
            **self._object,
        )


@dataclass(frozen=True)
class Lockout:
    """A lockout as the admin's users page lists it."""

    account: str
    is_user: bool  # False for a name that has no account
    source: str
    scope: str  # "source": this source closed; "account": every source the account is new to
    at: datetime
    until: datetime


def recent_lockouts(session: Session, *, since: datetime, limit: int = 20) -> list[Lockout]:
    """Lockouts since `since`, newest first, read from the audit log."""
    events, _total = audit.list_events(
        session, filters=audit.AuditFilter(action=LOCKOUT_ACTION, since=since), per_page=limit
    )
    return [
        Lockout(
            account=e.actor_name,
            is_user=e.actor_id is not None,
            source=str(e.detail.get("source") or e.client_ip or ""),
            scope=str(e.detail.get("scope", "source")),
            at=e.at,
            until=e.at + timedelta(minutes=int(e.detail.get("minutes") or 0)),
        )
        for e in events
    ]


def forget_user_lockouts(session: Session, user: User) -> None:
    """An admin's unlock: the account's count and lock and every source's go."""
    user.failed_logins = 0
    user.locked_until = None
    session.execute(
        delete(LoginThrottle).where(LoginThrottle.username == throttle_key(user.username))
    )


def _until(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and locked_until > now


def _known_days(settings: Settings) -> timedelta:
    return timedelta(days=settings.login_known_source_days)


def _row(session: Session, model: type[_Counter], **key: str) -> _Counter:
    """The counter row for `key`, made if missing (INSERT … ON CONFLICT DO NOTHING, so two
    attempts at once cannot collide) and locked for this transaction where the database can."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(table_of(model)).values(**key, failures=0).on_conflict_do_nothing()
    )
    row = session.get(model, tuple(key.values()), with_for_update=True, populate_existing=True)
    assert row is not None
    return row


def _forget_quiet_sources(session: Session, now: datetime, settings: Settings) -> None:
    """Drops sources without a lockout, a recent failure or a success worth remembering."""
    quiet = now - timedelta(days=QUIET_DAYS)
    remembered = now - _known_days(settings)
    session.execute(
        delete(LoginThrottle).where(
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now),
            or_(LoginThrottle.last_failure_at.is_(None), LoginThrottle.last_failure_at < quiet),
            or_(
                LoginThrottle.last_success_at.is_(None), LoginThrottle.last_success_at < remembered
            ),
        )
    )
