"""The admin area: users, units, the holiday calendar and the audit log."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response

from engagement import accounts, audit, calendar_admin, i18n
from engagement.auth import throttle
from engagement.auth.csrf import verify_csrf
from engagement.auth.deps import DbSession, PageActor, PageUser
from engagement.auth.policy import Action, require
from engagement.db import CommittingRoute
from engagement.errors import DomainError
from engagement.models import DepartmentKind, Role
from engagement.pagination import PageParams
from engagement.params import PageNumber
from engagement.rendering import redirect, render
from engagement.settings import get_settings
from engagement.timeutil import utcnow

router = APIRouter(
    prefix="/admin", route_class=CommittingRoute, dependencies=[Depends(verify_csrf)]
)

Text = Annotated[str, Form(max_length=200)]
LOCKOUT_DAYS = 7  # the users page lists the sign-in lockouts of this many days


@router.get("/users")
def users_page(request: Request, session: DbSession, user: PageUser) -> Response:
    require(user, Action.manage_users)
    return _users(request, session)


def _users(
    request: Request,
    session: DbSession,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/users.html",
        {
            "users": accounts.list_users(session),
            "lockouts": throttle.recent_lockouts(
                session, since=utcnow() - timedelta(days=LOCKOUT_DAYS)
            ),
            "lockout_days": LOCKOUT_DAYS,
            "departments": accounts.list_departments(session),
            "roles": list(Role),
            "error": error,
            "form": form or {},
        },
        status_code=status_code,
    )


@router.post("/users")
def add_user(
    request: Request,
    session: DbSession,
    actor: PageActor,
    username: Text = "",
    display_name: Text = "",
    role: Text = "staff",
    department: Text = "",
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    require(actor.user, Action.manage_users)
    form = {
        "username": username,
        "display_name": display_name,
        "role": role,
        "department": department,
    }
    try:
        if role not in Role.__members__:
            raise DomainError("Choose a role.")
        accounts.create_user(
            session,
            actor,
            username=username,
            password=password,
            role=Role(role),
            department_slug=department or None,
            display_name=display_name,
        )
    except DomainError as exc:
        session.rollback()
        return _users(request, session, exc.render(i18n.gettext), form, status_code=422)
    return redirect(request, "/admin/users")


@router.post("/users/{username}/active")
def toggle_user(
    request: Request,
    session: DbSession,
    actor: PageActor,
    username: str,
    active: Annotated[bool, Form()],
) -> Response:
    require(actor.user, Action.manage_users)
    accounts.set_user_active(session, actor, username=username, active=active)
    return redirect(request, "/admin/users")


@router.post("/users/{username}/unlock")
def unlock_user(request: Request, session: DbSession, actor: PageActor, username: str) -> Response:
    require(actor.user, Action.manage_users)
    accounts.unlock_user(session, actor, username=username)
    return redirect(request, "/admin/users")


@router.get("/departments")
def departments_page(request: Request, session: DbSession, user: PageUser) -> Response:
    require(user, Action.manage_departments)
    return _departments(request, session)


def _departments(
    request: Request,
    session: DbSession,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/departments.html",
        {
            "departments": accounts.list_departments(session, include_inactive=True),
            "kinds": list(DepartmentKind),
            "error": error,
            "form": form or {},
        },
        status_code=status_code,
    )


@router.post("/departments")
def add_department(
    request: Request,
    session: DbSession,
    actor: PageActor,
    slug: Text = "",
    name: Text = "",
    kind: Text = "department",
    description: Text = "",
) -> Response:
    require(actor.user, Action.manage_departments)
    form = {"slug": slug, "name": name, "kind": kind, "description": description}
    try:
        if kind not in DepartmentKind.__members__:
            raise DomainError("Choose a kind.")
        accounts.create_department(
            session, actor, slug=slug, name=name, kind=DepartmentKind(kind), description=description
        )
    except DomainError as exc:
        session.rollback()
        return _departments(request, session, exc.render(i18n.gettext), form, status_code=422)
    return redirect(request, "/admin/departments")


@router.post("/departments/{slug}/active")
def toggle_department(
    request: Request,
    session: DbSession,
    actor: PageActor,
    slug: str,
    active: Annotated[bool, Form()],
) -> Response:
    require(actor.user, Action.manage_departments)
    accounts.set_department_active(session, actor, slug=slug, active=active)
    return redirect(request, "/admin/departments")


@router.get("/holidays")
def holidays_page(request: Request, session: DbSession, user: PageUser) -> Response:
    require(user, Action.manage_calendar)
    return _holidays(request, session)


def _holidays(
    request: Request, session: DbSession, error: str | None = None, status_code: int = 200
) -> Response:
    return render(
        request,
        "admin/holidays.html",
        {
            "overrides": calendar_admin.list_overrides(session),
            "error": error,
        },
        status_code=status_code,
    )


@router.post("/holidays")
def add_holiday(
    request: Request,
    session: DbSession,
    actor: PageActor,
    day: Text = "",
    kind: Text = "holiday",
    note: Text = "",
) -> Response:
    require(actor.user, Action.manage_calendar)
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        return _holidays(request, session, i18n.gettext("Enter a date such as 2027-01-01."), 422)
    calendar_admin.set_override(
        session, actor, day=parsed, is_working_day=kind == "working", note=note
    )
    return redirect(request, "/admin/holidays")


@router.post("/holidays/{day}/delete")
def delete_holiday(request: Request, session: DbSession, actor: PageActor, day: date) -> Response:
    require(actor.user, Action.manage_calendar)
    calendar_admin.delete_override(session, actor, day=day)
    return redirect(request, "/admin/holidays")


@router.get("/audit")
def audit_page(
    request: Request,
    session: DbSession,
    user: PageUser,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    since: str = "",
    until: str = "",
    page: PageNumber = 1,
) -> Response:
    require(user, Action.read_audit)
    filters = audit.AuditFilter(
        actor=actor.strip() or None,
        action=action.strip() or None,
        object_type=object_type.strip() or None,
        object_id=object_id.strip() or None,
        since=_local_day_start(since),
        until=_local_day_start(until, days_after=1),
    )
    paging = PageParams(page=max(1, page), per_page=50)
    events, total = audit.list_events(
        session, filters=filters, page=paging.page, per_page=paging.per_page
    )
    return render(
        request,
        "admin/audit.html",
        {
            "events": events,
            "total": total,
            "page": paging.page,
            "pages": paging.pages(total),
            "filters": {
                "actor": actor,
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "since": since,
                "until": until,
            },
        },
        block="results",
    )


def _local_day_start(value: str, days_after: int = 0) -> datetime | None:
    try:
        day = date.fromisoformat(value.strip()) + timedelta(days=days_after)
    except ValueError:
        return None
    return datetime.combine(day, time.min, tzinfo=get_settings().tz)
