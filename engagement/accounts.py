"""Units (departments and townships) and staff accounts."""

from __future__ import annotations

import re

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engagement import audit
from engagement.audit import Actor
from engagement.auth.passwords import MIN_LENGTH, hash_password
from engagement.auth.throttle import forget_user_lockouts
from engagement.errors import Conflict, Invalid, NotFound
from engagement.models import Department, DepartmentKind, LoginSession, Role, User

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")


def list_departments(
    session: Session, *, kind: DepartmentKind | None = None, include_inactive: bool = False
) -> list[Department]:
    stmt = select(Department).order_by(Department.kind, Department.id)
    if kind is not None:
        stmt = stmt.where(Department.kind == kind)
    if not include_inactive:
        stmt = stmt.where(Department.active.is_(True))
    return list(session.scalars(stmt))


def get_department(session: Session, slug: str, *, include_inactive: bool = False) -> Department:
    department = session.scalar(select(Department).where(Department.slug == slug))
    if department is None or not (department.active or include_inactive):
        raise NotFound("No such department or township: %(slug)s", slug=slug)
    return department


def create_department(
    session: Session,
    actor: Actor,
    *,
    slug: str,
    name: str,
    kind: DepartmentKind = DepartmentKind.department,
    description: str = "",
) -> Department:
    slug, name = slug.strip(), name.strip()
    if not SLUG_PATTERN.match(slug):
        raise Invalid(
            "A slug uses lower-case letters, digits and hyphens (e.g. housing).", field="slug"
        )
    if not name or len(name) > 100:
        raise Invalid("A name of 1 to 100 characters is required.", field="name")
    if session.scalar(select(Department.id).where(Department.slug == slug)) is not None:
        raise Conflict("The slug %(slug)s is already taken.", slug=slug)
    department = Department(slug=slug, name=name, kind=kind, description=description.strip())
    session.add(department)
    session.flush()
    audit.record(
        session,
        actor,
        "department.create",
        object_type="department",
        object_id=slug,
        name=name,
        kind=kind.value,
    )
    return department


def set_department_active(session: Session, actor: Actor, *, slug: str, active: bool) -> Department:
    department = get_department(session, slug, include_inactive=True)
    department.active = active
    audit.record(
        session,
        actor,
        "department.activate" if active else "department.deactivate",
        object_type="department",
        object_id=slug,
    )
    return department


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.username)))


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if user is None:
        raise NotFound("No such user: %(username)s", username=username)
    return user


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    password: str,
    role: Role,
    department_slug: str | None = None,
    display_name: str = "",
    email: str | None = None,
    password_hash: str | None = None,
) -> User:
    """`password_hash` spares re-hashing one password for many users (demo data only)."""
    username = username.strip()
    if not USERNAME_PATTERN.match(username):
        raise Invalid(
            "A username has 2 to 64 letters, digits, dots, hyphens or underscores.",
            field="username",
        )
    if len(display_name.strip()) > 100:
        raise Invalid("A name has at most 100 characters.", field="display_name")
    if len(password) < MIN_LENGTH:
        raise Invalid("A password needs at least %(n)s characters.", field="password", n=MIN_LENGTH)
    department = _user_department(session, role, department_slug)
    taken = session.scalar(select(User.id).where(func.lower(User.username) == username.lower()))
    if taken is not None:
        raise Conflict("The username %(username)s is already taken.", username=username)
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        email=email or None,
        role=role,
        department=department,
        password_hash=password_hash or hash_password(password),
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        "user.create",
        object_type="user",
        object_id=user.id,
        username=username,
        role=role.value,
        department=department.slug if department else None,
    )
    return user


def _user_department(session: Session, role: Role, slug: str | None) -> Department | None:
    if role == Role.staff and not slug:
        raise Invalid("Staff need a department or township.", field="department")
    if not slug:
        return None
    try:
        return get_department(session, slug)
    except NotFound as exc:
        raise Invalid(exc.message, field="department", **exc.params) from exc


def set_user_active(session: Session, actor: Actor, *, username: str, active: bool) -> User:
    user = get_user(session, username)
    if actor.user is not None and actor.user.id == user.id and not active:
        raise Conflict("You cannot deactivate your own account.")
    user.active = active
    if not active:  # cookies taken before must not come back to life on reactivation
        session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    if active:
        forget_user_lockouts(session, user)
    audit.record(
        session,
        actor,
        "user.activate" if active else "user.deactivate",
        object_type="user",
        object_id=user.id,
        username=user.username,
    )
    return user


def unlock_user(session: Session, actor: Actor, *, username: str) -> User:
    """Lifts the account's sign-in lockouts, for every source and for the account as a whole."""
    user = get_user(session, username)
    forget_user_lockouts(session, user)
    audit.record(
        session,
        actor,
        "user.unlock",
        object_type="user",
        object_id=user.id,
        username=user.username,
    )
    return user


def acting_unit(session: Session, user: User, slug: str | None) -> int:
    """The unit a user creates something for: staff their own, leaders and admins the one named."""
    if user.role == Role.staff and user.department_id is not None:
        return user.department_id
    if not slug:
        raise Invalid("Choose the unit that runs it.", field="department")
    try:
        return get_department(session, slug).id
    except NotFound as exc:
        raise Invalid(exc.message, field="department", **exc.params) from exc
