"""Signing in and out: password checks with lockout, browser sessions and API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engagement import audit
from engagement.audit import Actor
from engagement.auth.passwords import verify_and_update, verify_password
from engagement.auth.throttle import Attempt, throttle_key
from engagement.errors import Unauthenticated
from engagement.i18n import N_
from engagement.models import LoginSession, User
from engagement.settings import Settings
from engagement.timeutil import utcnow

BAD_CREDENTIALS = N_("Incorrect username or password.")
LOCKED = N_(
    "Too many failed sign-ins: this account is locked for %(minutes)s minutes "
    "for sign-ins from your address."
)


class AccountLocked(Unauthenticated):
    pass


def authenticate(
    session: Session, *, username: str, password: str, ip: str | None, settings: Settings
) -> User:
    """The user for these credentials; throttles wrong passwords by account and source.

    The policy is in `engagement.auth.throttle`. On failure it raises after recording the counts:
    the caller commits anyway, so that a lockout sticks although the request ends in an error.
    """
    name = throttle_key(username)
    user = session.scalar(select(User).where(func.lower(User.username) == name))
    attempt = Attempt(session, name=name, user=user, ip=ip, now=utcnow(), settings=settings)
    if attempt.locked:
        verify_password(password, None)  # the same time as a real check
        attempt.refuse_locked()
        raise AccountLocked(LOCKED, minutes=settings.lockout_minutes)
    valid, rehashed = verify_and_update(password, user.password_hash if user else None)
    if not valid or user is None or not user.active:
        if attempt.fail():
            raise AccountLocked(LOCKED, minutes=settings.lockout_minutes)
        raise Unauthenticated(BAD_CREDENTIALS)
    if rehashed:  # made at an earlier cost (engagement.auth.passwords): store today's
        user.password_hash = rehashed
    attempt.succeed()
    user.last_login_at = attempt.now
    return user


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
