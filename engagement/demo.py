"""Demo data for the core: county departments, townships and one login per unit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement import accounts
from engagement.audit import Actor
from engagement.auth.passwords import hash_password
from engagement.models import Department, DepartmentKind, Role, User

DEPARTMENTS = [
    ("office", "县政府办公室"),
    ("development", "县发展和改革局"),
    ("education", "县教育局"),
    ("public-security", "县公安局"),
    ("civil-affairs", "县民政局"),
    ("justice", "县司法局"),
    ("finance", "县财政局"),
    ("human-resources", "县人力资源和社会保障局"),
    ("natural-resources", "县自然资源局"),
    ("environment", "市生态环境局县分局"),
    ("housing", "县住房和城乡建设局"),
    ("transport", "县交通运输局"),
    ("water", "县水利局"),
    ("agriculture", "县农业农村局"),
    ("commerce", "县商务局"),
    ("culture-tourism", "县文化和旅游局"),
    ("health", "县卫生健康委员会"),
    ("emergency", "县应急管理局"),
    ("market-regulation", "县市场监督管理局"),
    ("medical-insurance", "县医疗保障局"),
    ("urban-management", "县城市管理局"),
]
TOWNSHIPS = [
    ("chengguan", "城关镇"),
    ("dongfeng", "东风镇"),
    ("xinhe", "新河镇"),
    ("qinglong", "青龙镇"),
    ("baishui", "白水镇"),
    ("shuangqiao", "双桥乡"),
    ("taoyuan", "桃源乡"),
    ("jinshan", "金山乡"),
    ("hongxing", "红星乡"),
    ("liujia", "刘家乡"),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    unit: str


ADMIN = DemoLogin("admin", "demo-admin-pass", "admin", "")
LEADER = DemoLogin("leader", "demo-leader-pass", "leader", "")
STAFF_PASSWORD = "demo-staff-pass"  # noqa: S105 (printed demo login)


def load_units(session: Session) -> int:
    """Adds the demo departments and townships that are missing; returns how many were added."""
    existing = set(session.scalars(select(Department.slug)))
    actor = Actor(None, system_name="demo")
    added = 0
    units = [(s, n, DepartmentKind.department) for s, n in DEPARTMENTS]
    units += [(s, n, DepartmentKind.township) for s, n in TOWNSHIPS]
    for slug, name, kind in units:
        if slug not in existing:
            accounts.create_department(session, actor, slug=slug, name=name, kind=kind)
            added += 1
    return added


def load_users(session: Session) -> list[DemoLogin]:
    """Adds one staff login per unit plus a leader and an admin, skipping existing usernames."""
    existing = {name.lower() for name in session.scalars(select(User.username))}
    actor = Actor(None, system_name="demo")
    logins = [ADMIN, LEADER]
    for slug, name in DEPARTMENTS + TOWNSHIPS:
        logins.append(DemoLogin(f"staff-{slug}", STAFF_PASSWORD, "staff", name))
    hashed: dict[str, str] = {}  # one argon2 hash per distinct demo password, not per user
    for login in logins:
        if login.username in existing:
            continue
        if login.password not in hashed:
            hashed[login.password] = hash_password(login.password)
        unit_slug = login.username.removeprefix("staff-") if login.role == "staff" else None
        display = {"admin": "系统管理员", "leader": "县长信箱负责人"}.get(
            login.role, f"{login.unit}工作人员"
        )
        accounts.create_user(
            session,
            actor,
            username=login.username,
            password=login.password,
            role=Role(login.role),
            department_slug=unit_slug,
            display_name=display,
            password_hash=hashed[login.password],
        )
    return logins
