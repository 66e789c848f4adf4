"""GET /api/v1/analytics/letters and hot-issues (contract §5, Analytics)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from analytics import hot_issues, scope
from analytics.queries import LetterFilter, letter_figures, period
from engagement.api_errors import NOT_FOUND, STAFF
from engagement.auth.deps import ApiUser, DbSession
from engagement.db import CommittingRoute
from engagement.errors import NotFound
from engagement.pagination import Paged, Paging
from engagement.params import CalendarDay, RowId
from engagement.text import mask_personal
from engagement.timeutil import ApiDatetime
from feedback.mailbox.models import Category
from feedback.mailbox.schemas import UnitRef

router = APIRouter(route_class=CommittingRoute, tags=["analytics"])


@router.get("/analytics/letters", responses=STAFF)
def letters(
    session: DbSession,
    user: ApiUser,
    from_: Annotated[CalendarDay | None, Query(alias="from")] = None,
    to: CalendarDay | None = None,
    department: str | None = None,
    township: str | None = None,
    category: Category | None = None,
) -> dict[str, Any]:
    """Figures for letters received from `from` to `to` (local days, both included)."""
    since, until = period(from_, to)
    unit_id, township_id = scope.units_for(session, user, department, township)
    f = LetterFilter(
        since=since, until=until, department_id=unit_id, township_id=township_id, category=category
    )
    return letter_figures(session, f).as_contract()


class _IssueBase(BaseModel):
    id: int
    title: str
    writers: int
    support: int
    heat: float
    first_at: ApiDatetime
    last_at: ApiDatetime
    places: list[str]
    keywords: list[str]
    departments: list[UnitRef]


class HotIssueRead(_IssueBase):
    letters: int


class HotIssueLetterRead(BaseModel):
    number: str
    subject: str
    submitted_at: ApiDatetime
    department: UnitRef | None


class HotIssueDetail(_IssueBase):
    """The issue with every letter in it; `letter_count` is the list's length."""

    letters: list[HotIssueLetterRead]
    letter_count: int
    computed_at: ApiDatetime


def _issue(figures: hot_issues.IssueFigures) -> HotIssueRead:
    return HotIssueRead(
        id=figures.issue.id,
        title=figures.issue.title,
        letters=figures.letters,
        writers=figures.writers,
        support=figures.support,
        heat=figures.heat,
        first_at=figures.first_at,
        last_at=figures.last_at,
        places=figures.issue.places,
        keywords=figures.issue.keywords,
        departments=[UnitRef(slug=d.slug, name=d.name) for d in figures.departments],
    )


@router.get("/analytics/hot-issues", responses=STAFF)
def hot_issue_list(
    session: DbSession,
    user: ApiUser,
    paging: Paging,
    from_: Annotated[CalendarDay | None, Query(alias="from")] = None,
    to: CalendarDay | None = None,
    department: str | None = None,
    township: str | None = None,
) -> Paged[HotIssueRead]:
    """Hot issues with letters in the period, hottest first; heat: `hot_issues.HEAT_FORMULA`."""
    since, until = period(from_, to)
    unit_id, township_id = scope.units_for(session, user, department, township)
    found = hot_issues.list_issues(
        session, since=since, until=until, department_id=unit_id, township_id=township_id
    )
    page = found[paging.offset : paging.offset + paging.per_page]
    return Paged(
        items=[_issue(f) for f in page],
        total=len(found),
        page=paging.page,
        per_page=paging.per_page,
    )


@router.get("/analytics/hot-issues/{issue_id}", responses=STAFF | NOT_FOUND)
def hot_issue_detail(issue_id: RowId, session: DbSession, user: ApiUser) -> HotIssueDetail:
    """One issue with all its letters (staff: those of their own unit)."""
    unit_id, _ = scope.units_for(session, user, None, None)
    found = hot_issues.list_issues(session, department_id=unit_id, issue_id=issue_id)
    if not found:
        raise NotFound("No hot issue %(id)s.", id=issue_id)
    letters = hot_issues.issue_letters(session, issue_id, department_id=unit_id)
    return HotIssueDetail(
        **_issue(found[0]).model_dump(exclude={"letters"}),
        letter_count=len(letters),
        computed_at=found[0].issue.computed_at,
        letters=[
            HotIssueLetterRead(
                number=x.number,
                subject=mask_personal(x.subject, [x.name]),
                submitted_at=x.submitted_at,
                department=UnitRef(slug=x.department.slug, name=x.department.name)
                if x.department
                else None,
            )
            for x in letters
        ],
    )
