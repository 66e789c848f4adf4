"""Public portal pages (home, units), the staff workbench frame and display preferences."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse

from engagement import accounts
from engagement.auth.csrf import verify_csrf
from engagement.auth.deps import DbSession, OptionalPageUser, PageUser, page_user
from engagement.auth.policy import Action, can, require
from engagement.browser import remember_cookie
from engagement.db import CommittingRoute
from engagement.models import DepartmentKind
from engagement.rendering import render
from engagement.workbench import Waiting

router = APIRouter(
    route_class=CommittingRoute, dependencies=[Depends(verify_csrf), Depends(page_user)]
)


def _panels(request: Request, session: DbSession, hook: str, *args: Any) -> dict[str, Any]:
    """Each domain's contribution to a portal page: its context and the partial that shows it."""
    context: dict[str, Any] = {"partials": []}
    for module in request.app.state.domain_modules:
        provider = getattr(module, hook, None)
        if provider is not None:
            extra, partial = provider(session, *args)
            context.update(extra)
            context["partials"].append(partial)
    return context


@router.get("/")
def home(request: Request, session: DbSession, user: OptionalPageUser) -> Response:
    return render(
        request, "portal/home.html", {**_panels(request, session, "home_panel"), "charts": False}
    )


@router.get("/departments")
def departments(request: Request, session: DbSession) -> Response:
    return render(
        request,
        "portal/departments.html",
        {
            "departments": accounts.list_departments(session, kind=DepartmentKind.department),
            "townships": accounts.list_departments(session, kind=DepartmentKind.township),
        },
    )


@router.get("/departments/{slug}")
def department(request: Request, session: DbSession, slug: str) -> Response:
    unit = accounts.get_department(session, slug)
    return render(
        request,
        "portal/department.html",
        {"unit": unit, **_panels(request, session, "unit_panel", unit)},
    )


@router.get("/staff")
def workbench(request: Request, session: DbSession, user: PageUser) -> Response:
    """The links a person may follow, each with what waits there for them (the domains' counts)."""
    require(user, Action.view_workbench)
    waiting: dict[str, list[Waiting]] = {}
    for counts in request.app.state.workbench_counts:
        for url, items in counts(session, user).items():
            waiting.setdefault(url, []).extend(items)
    links = [
        (label, url, waiting.get(url, []))
        for label, url, action in request.app.state.workbench_links
        if can(user, action, user.department_id)
    ]
    return render(
        request,
        "portal/workbench.html",
        {"links": links},
    )


OnOff = Annotated[str | None, Query(pattern="^(on|off)$")]


@router.get("/display")
def display(
    request: Request,
    mode: Annotated[str | None, Query(pattern="^(normal|large|contrast|large-contrast)$")] = None,
    large: OnOff = None,
    contrast: OnOff = None,
    next: str = "/",
) -> Response:
    """Remembers the reader's display modes (large text, high contrast) in a cookie.

    The header's switches send one mode each (`large=on`, `contrast=off`) and the other stays as
    the cookie has it: a page drawn before the other mode changed (a second tab, Back) then adds
    its mode instead of setting both as they were when it was drawn. `mode=` sets both at once.
    """
    now = mode or request.cookies.get("display", "normal")
    wanted = {"large": "large" in now, "contrast": "contrast" in now}
    for name, switch in (("large", large), ("contrast", contrast)):
        if switch is not None:
            wanted[name] = switch == "on"
    value = "-".join(name for name, on in wanted.items() if on) or "normal"
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    remember_cookie(response, "display", value)
    return response
