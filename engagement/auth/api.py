"""POST /api/v1/auth/token: the OAuth2 password flow for API clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from engagement.api_errors import PUBLIC_WRITE, UNAUTHENTICATED
from engagement.auth import service
from engagement.auth.deps import AppSettings, DbSession, client_ip
from engagement.db import CommittingRoute
from engagement.errors import Unauthenticated
from engagement.ratelimit import limiter, login_limit

router = APIRouter(route_class=CommittingRoute, tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 scheme name)
    expires_in: int


@router.post("/auth/token", responses=PUBLIC_WRITE | UNAUTHENTICATED)
@limiter.limit(login_limit)
def issue_token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: DbSession,
    settings: AppSettings,
) -> Token:
    try:
        user = service.authenticate(
            session,
            username=form.username,
            password=form.password,
            ip=client_ip(request),
            settings=settings,
        )
    except Unauthenticated:
        session.commit()  # keep the failure count and any lockout
        raise
    return Token(
        access_token=service.issue_token(user, settings=settings),
        expires_in=settings.token_minutes * 60,
    )
