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
from engagement.errors import Conflict, DomainError, Invalid
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
_ = i18n.gettext


def form_errors(exc: DomainError, conflict_field: str) -> dict[str, str]:
    """A refused form's messages by field ("form" for the form as a whole), in the reader's
    language; a Conflict (a taken username or slug) belongs to `conflict_field`."""
    if isinstance(exc, Invalid):
        return {field or "form": err.render(_) for field, err in exc.errors}
    return {conflict_field if isinstance(exc, Conflict) else "form": exc.render(_)}


@router.get("/users")
def users_page(request: Request, session: DbSession, user: PageUser) -> Response:
    require(user, Action.manage_users)
    return _users(request, session)


def _users(
    request: Request,
    session: DbSession,
    errors: dict[str, str] | None = None,
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
            "errors": errors or {},
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
            raise Invalid("Choose a role.", field="role")
        added = accounts.create_user(
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
        return _users(request, session, form_errors(exc, "username"), form, status_code=422)
    if added.department:
        message = _("User %(username)s added to %(unit)s: they can sign in now.")
    else:
        message = _("User %(username)s added: they can sign in now.")
    unit = added.department.name if added.department else ""
    return redirect(
        request,
        "/admin/users",
        notice=message % {"username": added.username, "unit": unit},
        place="add-user",
    )


@router.post("/users/{username}/active")
def toggle_user(
    request: Request,
    session: DbSession,
    actor: PageActor,
    username: str,
    active: Annotated[bool, Form()],
) -> Response:
    require(actor.user, Action.manage_users)
    user = accounts.set_user_active(session, actor, username=username, active=active)
    if active:
        message = _("%(username)s is active again and can sign in.")
    else:
        message = _("%(username)s is deactivated and can no longer sign in.")
    return redirect(
        request,
        "/admin/users",
        notice=message % {"username": user.username},
        place=f"user-{user.username}",
    )


@router.post("/users/{username}/unlock")
def unlock_user(
    request: Request, session: DbSession, actor: PageActor, username: str, place: Text = ""
) -> Response:
    """`place`: "lockouts" when the button was in the lockouts list, else the user's row."""
    require(actor.user, Action.manage_users)
    user = accounts.unlock_user(session, actor, username=username)
    return redirect(
        request,
        "/admin/users",
        notice=_("%(username)s is unlocked and can sign in again from any address.")
        % {"username": user.username},
        place="lockouts" if place == "lockouts" else f"user-{user.username}",
    )


@router.get("/departments")
def departments_page(request: Request, session: DbSession, user: PageUser) -> Response:
    require(user, Action.manage_departments)
    return _departments(request, session)


def _departments(
    request: Request,
    session: DbSession,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/departments.html",
        {
            "departments": accounts.list_departments(session, include_inactive=True),
            "kinds": list(DepartmentKind),
            "errors": errors or {},
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
            raise Invalid("Choose a kind.", field="kind")
        unit = accounts.create_department(
            session, actor, slug=slug, name=name, kind=DepartmentKind(kind), description=description
        )
    except DomainError as exc:
        session.rollback()
        return _departments(request, session, form_errors(exc, "slug"), form, status_code=422)
    return redirect(
        request,
        "/admin/departments",
        notice=_("%(name)s added. Staff can now be given this unit.") % {"name": unit.name},
        place="add-unit",
    )


@router.post("/departments/{slug}/active")
def toggle_department(
    request: Request,
    session: DbSession,
    actor: PageActor,
    slug: str,
    active: Annotated[bool, Form()],
) -> Response:
    require(actor.user, Action.manage_departments)
    unit = accounts.set_department_active(session, actor, slug=slug, active=active)
    if active:
        message = _("%(name)s is active again and shown to the public.")
    else:
        message = _("%(name)s is deactivated and no longer shown to the public.")
    return redirect(
        request, "/admin/departments", notice=message % {"name": unit.name}, place=f"unit-{slug}"
    )


@router.get("/holidays")
def holidays_page(request: Request, session: DbSession, user: PageUser) -> Response:
    require(user, Action.manage_calendar)
    return _holidays(request, session)


def _holidays(
    request: Request,
    session: DbSession,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/holidays.html",
        {
            "overrides": calendar_admin.list_overrides(session),
            "errors": errors or {},
            "form": form or {},
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
        errors = {"day": _("Enter a date such as 2027-01-01.")}
        form = {"day": day, "kind": kind, "note": note}
        return _holidays(request, session, errors, form, status_code=422)
    working = kind == "working"
    calendar_admin.set_override(session, actor, day=parsed, is_working_day=working, note=note)
    message = _("%(day)s is now a working day.") if working else _("%(day)s is now a holiday.")
    return redirect(
        request, "/admin/holidays", notice=message % {"day": parsed.isoformat()}, place="add-day"
    )


@router.post("/holidays/{day}/delete")
def delete_holiday(request: Request, session: DbSession, actor: PageActor, day: date) -> Response:
    require(actor.user, Action.manage_calendar)
    calendar_admin.delete_override(session, actor, day=day)
    return redirect(
        request,
        "/admin/holidays",
        notice=_("%(day)s removed: it follows the official calendar again.")
        % {"day": day.isoformat()},
        place="days",
    )


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
    labels: audit.AuditLabels = request.app.state.audit_labels
    # "群众" or "Citizen", as the log shows it in either language, finds what "citizen" did
    shown_as = {
        i18n.translations(language).gettext(msgid): code
        for code, msgid in labels.actors.items()
        for language in i18n.LANGUAGES
    }
    filters = audit.AuditFilter(
        actor=shown_as.get(actor.strip(), actor.strip()) or None,
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
    names = _object_names(session)
    return render(
        request,
        "admin/audit.html",
        {
            "events": [audit.describe(e, labels, _, names) for e in events],
            "action_choices": _action_choices(labels, action.strip()),
            "object_choices": _object_choices(labels, object_type.strip()),
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


def _object_names(session: DbSession) -> dict[tuple[str, str], str]:
    """What the log calls units and users instead of their slug or id (a county has dozens)."""
    names = {
        ("department", d.slug): d.name
        for d in accounts.list_departments(session, include_inactive=True)
    }
    names.update({("user", str(u.id)): u.username for u in accounts.list_users(session)})
    return names


Choices = list[tuple[str, list[tuple[str, str]]]]


def _action_choices(labels: audit.AuditLabels, current: str) -> Choices:
    """The action filter's options by group: "all of a group" (its prefix), then each action.

    A code typed into the address that no option has (an older code, a prefix) stays chosen."""
    groups: Choices = []
    for prefix, group in sorted(labels.groups.items(), key=lambda item: _(item[1])):
        codes = sorted(code for code in labels.actions if code.split(".", 1)[0] == prefix)
        options = [(f"{prefix}.", _("%(group)s: all") % {"group": _(group)})]
        seen = set()
        for code in codes:
            if labels.actions[code] not in seen:  # an older spelling of the same action
                options.append((code, _(labels.actions[code])))
                seen.add(labels.actions[code])
        groups.append((_(group), options))
    offered = {value for _group, options in groups for value, _text in options}
    if current and current not in offered:
        groups.insert(0, ("", [(current, current)]))
    return groups


def _object_choices(labels: audit.AuditLabels, current: str) -> list[tuple[str, str]]:
    options = sorted(
        ((code, _(msgid)) for code, msgid in labels.objects.items()), key=lambda o: o[1]
    )
    if current and current not in labels.objects:
        options.insert(0, (current, current))
    return options


def _local_day_start(value: str, days_after: int = 0) -> datetime | None:
    try:
        day = date.fromisoformat(value.strip()) + timedelta(days=days_after)
    except ValueError:
        return None
    return datetime.combine(day, time.min, tzinfo=get_settings().tz)
