"""The sign-in page and sign-out for staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response

from engagement import i18n
from engagement.auth import service
from engagement.auth.csrf import rotate_csrf, verify_csrf
from engagement.auth.deps import AppSettings, DbSession, OptionalPageUser, client_ip
from engagement.db import CommittingRoute
from engagement.errors import Unauthenticated
from engagement.ratelimit import limiter, login_limit
from engagement.rendering import redirect, render

router = APIRouter(route_class=CommittingRoute, dependencies=[Depends(verify_csrf)])


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so the login form cannot be used to bounce users elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/staff"


@router.get("/login")
def login_page(request: Request, user: OptionalPageUser, next: str | None = None) -> Response:
    if user is not None:
        return redirect(request, _safe_next(next))
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
@limiter.limit(login_limit)
def login(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form()] = "/staff",
) -> Response:
    try:
        user = service.authenticate(
            session, username=username, password=password, ip=client_ip(request), settings=settings
        )
    except Unauthenticated as exc:
        session.commit()  # keep the failure count and any lockout
        context = {
            "next": _safe_next(next),
            "error": exc.render(i18n.gettext),
            "username": username,
        }
        return render(request, "login.html", context, status_code=401)
    request.session["sid"] = service.start_session(
        session, user, ip=client_ip(request), settings=settings
    )
    rotate_csrf(request)
    return redirect(request, _safe_next(next))


@router.post("/logout")
def logout(request: Request, session: DbSession) -> Response:
    service.end_session(session, request.session.get("sid"), ip=client_ip(request))
    request.session.pop("sid", None)
    rotate_csrf(request)
    return redirect(request, "/")
