"""The mailbox's JSON API (contract §5, Mailbox)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, status
from sqlalchemy.orm import Session

from engagement.api_errors import (
    BAD_BODY,
    CONFLICT,
    NOT_FOUND,
    PUBLIC_WRITE,
    RATE_LIMITED,
    STAFF,
)
from engagement.auth.deps import ApiActor, ApiUser, DbSession, client_ip
from engagement.calendar_admin import load_calendar
from engagement.db import CommittingRoute
from engagement.errors import Conflict
from engagement.pagination import Paged, Paging
from engagement.ratelimit import limiter, public_write_limit, tracking_limit
from engagement.timeutil import utcnow
from feedback.mailbox import service, views
from feedback.mailbox.models import Category, Letter, Status
from feedback.mailbox.schemas import (
    AssignBody,
    LetterCreate,
    LetterCreated,
    LetterRead,
    PublicLetter,
    RatingCreate,
    RejectBody,
    ReplyBody,
    SimilarLetterRead,
    StaffLetter,
    StaffLetterDetail,
)

router = APIRouter(route_class=CommittingRoute, tags=["mailbox"])
_STAFF_ACTION = STAFF | BAD_BODY | NOT_FOUND | CONFLICT


@router.post("/letters", status_code=status.HTTP_201_CREATED, responses=PUBLIC_WRITE | CONFLICT)
@limiter.limit(public_write_limit)
def submit_letter(
    request: Request,
    body: LetterCreate,
    session: DbSession,
    idempotency_key: Annotated[str | None, Header(max_length=64)] = None,
) -> LetterCreated:
    result = service.submit_letter(
        session,
        service.NewLetter(**body.model_dump()),
        submission_key=idempotency_key,
        ip=client_ip(request),
    )
    # Committed here, on the endpoint's own thread, rather than with another thread hop after it:
    # submission is the busiest write. The letter is stored before the answer leaves either way.
    session.commit()
    if result.tracking_code is None:
        raise Conflict(
            "This submission was already received as letter %(number)s.", number=result.number
        )
    return LetterCreated(
        number=result.number, tracking_code=result.tracking_code, status=result.status
    )


@router.get("/letters")
def public_letters(
    session: DbSession,
    paging: Paging,
    category: Category | None = None,
    department: str | None = None,
) -> Paged[PublicLetter]:
    rows, total = service.list_public(
        session,
        category=category,
        department=department,
        offset=paging.offset,
        limit=paging.per_page,
    )
    return Paged(
        items=[views.for_public(r) for r in rows],
        total=total,
        page=paging.page,
        per_page=paging.per_page,
    )


@router.get("/letters/{number}", responses=NOT_FOUND | RATE_LIMITED)
@limiter.limit(tracking_limit)
def track_letter(
    request: Request,
    number: str,
    session: DbSession,
    code: Annotated[str, Query(max_length=32)] = "",
    x_tracking_code: Annotated[str | None, Header(max_length=32)] = None,
) -> LetterRead:
    """The code in `X-Tracking-Code` keeps it out of addresses and logs; `?code=` works too."""
    return views.for_writer(service.track(session, number=number, code=x_tracking_code or code))


@router.post("/letters/{number}/rating", responses=PUBLIC_WRITE | NOT_FOUND | CONFLICT)
@limiter.limit(public_write_limit)
def rate_letter(
    request: Request, number: str, body: RatingCreate, session: DbSession
) -> LetterRead:
    letter = service.rate_letter(
        session,
        number=number,
        code=body.code,
        satisfaction=body.satisfaction,
        comment=body.comment or "",
        ip=client_ip(request),
    )
    return views.for_writer(letter)


# --- staff -------------------------------------------------------------------------------------


@router.get("/staff/letters", responses=STAFF | NOT_FOUND)
def staff_letters(
    session: DbSession,
    user: ApiUser,
    paging: Paging,
    status_filter: Annotated[Status | None, Query(alias="status")] = None,
    overdue: bool = False,
    due_soon: bool = False,
    q: Annotated[str, Query(max_length=100)] = "",
    department: str | None = None,
) -> Paged[StaffLetter]:
    service.close_unrated(session)
    filters = service.QueueFilter(
        status=status_filter, overdue=overdue, due_soon=due_soon, q=q, department=department
    )
    rows, total = service.staff_queue(
        session, user, filters, offset=paging.offset, limit=paging.per_page
    )
    now, calendar = utcnow(), load_calendar(session)
    return Paged(
        items=[views.for_staff(r, now, calendar) for r in rows],
        total=total,
        page=paging.page,
        per_page=paging.per_page,
    )


def _detail(session: Session, letter: Letter, actor: ApiActor) -> StaffLetterDetail:
    assert actor.user is not None
    return views.for_staff_detail(letter, actor.user, utcnow(), load_calendar(session))


@router.get("/staff/letters/{number}", responses=STAFF | NOT_FOUND)
def staff_letter(number: str, session: DbSession, actor: ApiActor) -> StaffLetterDetail:
    assert actor.user is not None
    return _detail(session, service.letter_for_staff(session, actor.user, number), actor)


@router.get("/staff/letters/{number}/similar", responses=STAFF | NOT_FOUND)
def similar(
    number: str,
    session: DbSession,
    user: ApiUser,
    paging: Paging,
    days: Annotated[int | None, Query(ge=1, le=36500)] = None,
) -> Paged[SimilarLetterRead]:
    """Letters about the same issue that the caller may see, best first (score 0–1)."""
    letter = service.letter_for_staff(session, user, number)
    found = service.similar_letters(session, user, letter, days=days, limit=100)
    page = found[paging.offset : paging.offset + paging.per_page]
    return Paged(
        items=[views.similar(s.letter, s.score) for s in page],
        total=len(found),
        page=paging.page,
        per_page=paging.per_page,
    )


@router.post("/staff/letters/{number}/assign", responses=_STAFF_ACTION)
def assign(number: str, body: AssignBody, session: DbSession, actor: ApiActor) -> StaffLetterDetail:
    letter = service.assign_letter(
        session, actor, number=number, department=body.department, note=body.note or ""
    )
    return _detail(session, letter, actor)


@router.post("/staff/letters/{number}/reply", responses=_STAFF_ACTION)
def reply(number: str, body: ReplyBody, session: DbSession, actor: ApiActor) -> StaffLetterDetail:
    letter = service.reply_letter(session, actor, number=number, body=body.body, public=body.public)
    return _detail(session, letter, actor)


@router.post("/staff/letters/{number}/reject", responses=_STAFF_ACTION)
def reject(number: str, body: RejectBody, session: DbSession, actor: ApiActor) -> StaffLetterDetail:
    letter = service.reject_letter(session, actor, number=number, reason=body.reason)
    return _detail(session, letter, actor)


@router.post("/staff/letters/{number}/publish", responses=STAFF | NOT_FOUND | CONFLICT)
def publish(number: str, session: DbSession, actor: ApiActor) -> StaffLetterDetail:
    return _detail(session, service.publish_letter(session, actor, number=number), actor)
