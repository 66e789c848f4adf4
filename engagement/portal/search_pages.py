"""/search: one search box over everything public."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from engagement import accounts, search
from engagement.auth.csrf import verify_csrf
from engagement.auth.deps import DbSession, page_user
from engagement.db import CommittingRoute
from engagement.errors import NotFound
from engagement.i18n import N_
from engagement.pagination import PageParams
from engagement.ratelimit import limiter, search_limit
from engagement.rendering import render

router = APIRouter(
    route_class=CommittingRoute, dependencies=[Depends(verify_csrf), Depends(page_user)]
)
KINDS = {
    "letter": N_("Published letters"),
    "consultation": N_("Consultations"),
    "comment": N_("Comments on drafts"),
    "report": N_("Adoption reports"),
    "survey": N_("Surveys"),
}


@router.get("/search")
@limiter.limit(search_limit)
def search_page(
    request: Request,
    session: DbSession,
    q: Annotated[str, Query(max_length=100)] = "",
    kind: str = "",
    department: str = "",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> Response:
    paging = PageParams(page=page, per_page=10)
    unit_id = None
    if department:
        try:
            unit_id = accounts.get_department(session, department).id
        except NotFound:
            department = ""
    hits, total, terms = (
        search.search(
            session,
            q,
            kind=kind if kind in KINDS else None,
            department_id=unit_id,
            offset=paging.offset,
            limit=paging.per_page,
        )
        if q.strip()
        else ([], 0, [])
    )
    return render(
        request,
        "portal/search.html",
        {
            "q": q,
            "kind": kind,
            "department": department,
            "hits": hits,
            "total": total,
            "terms": terms,
            "kinds": KINDS,
            "page": paging.page,
            "pages": paging.pages(total),
            "departments": accounts.list_departments(session),
        },
        block="results",
    )
