"""Signing in and out: password checks with lockout, browser sessions and API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import NoReturn

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engagement import audit
from engagement.audit import Actor
from engagement.auth.passwords import verify_password
from engagement.errors import Unauthenticated
from engagement.i18n import N_
from engagement.models import LoginSession, UnknownLogin, User
from engagement.settings import Settings
from engagement.timeutil import utcnow

BAD_CREDENTIALS = N_("Incorrect username or password.")
LOCKED = N_("Too many failed sign-ins: this account is locked for %(minutes)s minutes.")


class AccountLocked(Unauthenticated):
    pass


def authenticate(
    session: Session, *, username: str, password: str, ip: str | None, settings: Settings
) -> User:
    """The user for these credentials; counts failures and locks the account after too many.

    On failure it raises after recording the count: the caller commits anyway, so that a
    lockout sticks although the request ends in an error.
    """
    user = session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    now = utcnow()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        verify_password(password, None)
        audit.record(
            session,
            Actor(user, ip),
            "auth.login_refused_locked",
            object_type="user",
            object_id=user.id,
        )
        raise AccountLocked(LOCKED, minutes=settings.lockout_minutes)
    if user is None:
        _count_unknown(session, username, password, ip=ip, settings=settings)
    if not verify_password(password, user.password_hash) or not user.active:
        _count_failure(session, user, ip=ip, settings=settings)
        raise Unauthenticated(BAD_CREDENTIALS)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


def _count_unknown(
    session: Session, username: str, password: str, *, ip: str | None, settings: Settings
) -> NoReturn:
    """The same answers, timing and audit trail as for a real account, then refusal."""
    name = username.strip().lower()[:64]
    verify_password(password, None)
    row = session.get(UnknownLogin, name) or UnknownLogin(username=name, failures=0)
    session.add(row)
    now = utcnow()
    actor = Actor(None, ip, system_name=name or "?")
    if row.locked_until is not None and row.locked_until > now:
        audit.record(
            session, actor, "auth.login_refused_locked", object_type="username", object_id=name
        )
        raise AccountLocked(LOCKED, minutes=settings.lockout_minutes)
    row.failures += 1
    audit.record(
        session,
        actor,
        "auth.login_failed",
        object_type="username",
        object_id=name,
        failures=row.failures,
    )
    if row.failures >= settings.login_max_failures:
        row.failures, row.locked_until = 0, now + timedelta(minutes=settings.lockout_minutes)
        raise AccountLocked(LOCKED, minutes=settings.lockout_minutes)
    raise Unauthenticated(BAD_CREDENTIALS)


def _count_failure(session: Session, user: User, *, ip: str | None, settings: Settings) -> None:
    user.failed_logins += 1
    actor = Actor(user, ip)
    audit.record(
        session,
        actor,
        "auth.login_failed",
        object_type="user",
        object_id=user.id,
        failures=user.failed_logins,
    )
    if user.failed_logins >= settings.login_max_failures:
        user.locked_until = utcnow() + timedelta(minutes=settings.lockout_minutes)
        user.failed_logins = 0
        audit.record(
            session,
            actor,
            "auth.lockout",
            object_type="user",
            object_id=user.id,
            minutes=settings.lockout_minutes,
        )
        raise AccountLocked(LOCKED, minutes=settings.lockout_minutes)


def start_session(session: Session, user: User, *, ip: str | None, settings: Settings) -> str:
    now = utcnow()
    session.execute(delete(LoginSession).where(LoginSession.expires_at < now))
    sid = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            id=sid, user_id=user.id, expires_at=now + timedelta(hours=settings.session_hours)
        )
    )
    audit.record(session, Actor(user, ip), "auth.login", object_type="user", object_id=user.id)
    return sid


def user_for_session(session: Session, sid: str | None) -> User | None:
    if not sid:
        return None
    row = session.get(LoginSession, sid)
    if row is None or row.expires_at <= utcnow() or not row.user.active:
        return None
    return row.user


def end_session(session: Session, sid: str | None, *, ip: str | None) -> None:
    row = session.get(LoginSession, sid) if sid else None
    if row is None:
        return
    audit.record(
        session, Actor(row.user, ip), "auth.logout", object_type="user", object_id=row.user_id
    )
    session.delete(row)


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="engagement-api-token")


def issue_token(user: User, *, settings: Settings) -> str:
    return _serializer(settings).dumps({"uid": user.id})


def user_for_token(session: Session, token: str, *, settings: Settings) -> User:
    try:
        data = _serializer(settings).loads(token, max_age=settings.token_minutes * 60)
    except SignatureExpired as exc:
        raise Unauthenticated("The token has expired.") from exc
    except BadSignature as exc:
        raise Unauthenticated("The token is not valid.") from exc
    user = session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.active:
        raise Unauthenticated("The token is not valid.")
    return user
