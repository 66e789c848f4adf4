"""One-line builders of valid objects; a test states only what matters to it."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from engagement.auth.passwords import hash_password
from engagement.models import Department, DepartmentKind, Role, User

PASSWORD = "correct-horse-battery"
_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose
_seq = itertools.count(1)
_session: Session | None = None


def bind(session: Session) -> None:
    global _session
    _session = session


def _save(obj: Any) -> Any:
    assert _session is not None, "factories.bind(session) first (the db fixture does it)"
    _session.add(obj)
    _session.flush()
    return obj


def department(
    slug: str | None = None, name: str | None = None, kind: str = "department", **kw: Any
) -> Department:
    n = next(_seq)
    return _save(
        Department(
            slug=slug or f"unit-{n}", name=name or f"测试单位{n}", kind=DepartmentKind(kind), **kw
        )
    )


def user(
    username: str | None = None,
    role: str = "staff",
    department: Department | None = None,
    password: str | None = None,
    **kw: Any,
) -> User:
    n = next(_seq)
    if role == "staff" and department is None:
        department = globals()["department"]()
    return _save(
        User(
            username=username or f"user{n}",
            display_name=kw.pop("display_name", f"用户{n}"),
            role=Role(role),
            department=department,
            password_hash=hash_password(password) if password else _HASH,
            **kw,
        )
    )
