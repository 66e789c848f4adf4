"""Who is calling: a session cookie for pages, a bearer token for the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from engagement.audit import Actor
from engagement.auth import service
from engagement.db import get_session
from engagement.errors import DomainError, Unauthenticated
from engagement.models import User
from engagement.settings import Settings, get_settings

DbSession = Annotated[Session, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(get_settings)]


class LoginRequired(DomainError):
    """A page needs a signed-in user: the handler redirects to /login and back."""

    status_code = 401


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


@dataclass(frozen=True)
class UnitSnapshot:
    slug: str
    name: str


@dataclass(frozen=True)
class Viewer:
    """What the layout shows of the signed-in user: plain values that outlive the session, so
    an error page rendered after a rollback can still show who is signed in."""

    id: int
    username: str
    label: str
    role: str
    department: UnitSnapshot | None

    @classmethod
    def of(cls, user: User) -> Viewer:
        unit = user.department
        return cls(
            user.id,
            user.username,
            user.label,
            user.role.value,
            UnitSnapshot(unit.slug, unit.name) if unit else None,
        )


def page_user(request: Request, session: DbSession) -> User | None:
    """The signed-in user of this browser, if any; a snapshot is kept for the layout."""
    user = service.user_for_session(session, request.session.get("sid"))
    if user is None and "sid" in request.session:
        request.session.pop("sid")
    request.state.user = Viewer.of(user) if user else None
    return user


def require_page_user(user: Annotated[User | None, Depends(page_user)]) -> User:
    if user is None:
        raise LoginRequired("Please sign in first.")
    return user


_bearer = HTTPBearer(auto_error=False)


def api_user(
    session: DbSession,
    settings: AppSettings,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None:
        raise Unauthenticated("Not authenticated.")
    return service.user_for_token(session, credentials.credentials, settings=settings)


def page_actor(request: Request, user: Annotated[User, Depends(require_page_user)]) -> Actor:
    return Actor(user, client_ip(request))


def api_actor(request: Request, user: Annotated[User, Depends(api_user)]) -> Actor:
    return Actor(user, client_ip(request))


PageUser = Annotated[User, Depends(require_page_user)]
OptionalPageUser = Annotated[User | None, Depends(page_user)]
ApiUser = Annotated[User, Depends(api_user)]
PageActor = Annotated[Actor, Depends(page_actor)]
ApiActor = Annotated[Actor, Depends(api_actor)]
