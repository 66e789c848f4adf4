"""The core's JSON API: units and health."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import func, select, text

from engagement.auth.deps import DbSession
from engagement.db import CommittingRoute
from engagement.models import Department, DepartmentKind
from engagement.pagination import Paged, Paging

router = APIRouter(route_class=CommittingRoute)


class DepartmentRead(BaseModel):
    slug: str
    name: str
    kind: DepartmentKind


@router.get("/departments", tags=["departments"])
def list_departments(
    session: DbSession, paging: Paging, kind: DepartmentKind | None = None
) -> Paged[DepartmentRead]:
    stmt = select(Department).where(Department.active.is_(True))
    if kind is not None:
        stmt = stmt.where(Department.kind == kind)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Department.kind, Department.id).offset(paging.offset).limit(paging.per_page)
    )
    items = [DepartmentRead(slug=d.slug, name=d.name, kind=d.kind) for d in rows]
    return Paged(items=items, total=total, page=paging.page, per_page=paging.per_page)


class HealthRead(BaseModel):
    status: str
    database: str


@router.get(
    "/health",
    tags=["health"],
    response_model=HealthRead,
    responses={503: {"model": HealthRead, "description": "The database cannot be reached."}},
)
def health(session: DbSession) -> JSONResponse:
    try:
        session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy", never a 500
        return JSONResponse({"status": "degraded", "database": "unavailable"}, 503)
    return JSONResponse({"status": "ok", "database": "ok"})
