"""The consultations' JSON API (contract §5, Consultations)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from engagement.api_errors import BAD_BODY, CONFLICT, NOT_FOUND, PUBLIC_WRITE, STAFF
from engagement.auth.deps import ApiActor, DbSession, client_ip
from engagement.db import CommittingRoute
from engagement.pagination import Paged, Paging
from engagement.params import RowId
from engagement.ratelimit import limiter, public_write_limit
from engagement.timeutil import utcnow
from feedback.consultations import service, views
from feedback.consultations.models import CommentStatus
from feedback.consultations.schemas import (
    CommentCreate,
    CommentCreated,
    ConsultationCreate,
    ConsultationRead,
    ConsultationSummary,
    Created,
    ModerateBody,
    ReportCreate,
    StaffComment,
)

router = APIRouter(route_class=CommittingRoute, tags=["consultations"])


def to_input(body: ConsultationCreate) -> service.ConsultationIn:
    return service.ConsultationIn(
        title=body.title,
        summary=body.summary,
        sections=[service.SectionIn(s.heading, s.text) for s in body.sections],
        opens_at=body.opens_at,
        closes_at=body.closes_at,
        kind=body.kind,
        short_period_reason=body.short_period_reason,
        background=body.background,
        how_to_comment=body.how_to_comment,
        department=body.department,
    )


@router.post(
    "/staff/consultations",
    status_code=status.HTTP_201_CREATED,
    responses=STAFF | BAD_BODY | NOT_FOUND,
)
def create(body: ConsultationCreate, session: DbSession, actor: ApiActor) -> Created:
    consultation = service.create_consultation(session, actor, to_input(body))
    return Created(id=consultation.id, status=consultation.status_at(utcnow()))


@router.post(
    "/staff/consultations/{consultation_id}/publish", responses=STAFF | NOT_FOUND | CONFLICT
)
def publish(consultation_id: RowId, session: DbSession, actor: ApiActor) -> ConsultationRead:
    consultation = service.publish(session, actor, consultation_id)
    return views.full(session, consultation, utcnow())


@router.get("/consultations", responses=NOT_FOUND)
def list_public(
    session: DbSession, paging: Paging, department: str | None = None
) -> Paged[ConsultationSummary]:
    rows, total = service.list_public(
        session, offset=paging.offset, limit=paging.per_page, department=department
    )
    now = utcnow()
    return Paged(
        items=[views.summary(c, now) for c in rows],
        total=total,
        page=paging.page,
        per_page=paging.per_page,
    )


@router.get("/consultations/{consultation_id}", responses=NOT_FOUND)
def read_public(consultation_id: RowId, session: DbSession) -> ConsultationRead:
    return views.full(session, service.get_public(session, consultation_id), utcnow())


@router.post(
    "/consultations/{consultation_id}/comments",
    status_code=status.HTTP_201_CREATED,
    responses=PUBLIC_WRITE | NOT_FOUND | CONFLICT,
)
@limiter.limit(public_write_limit)
def comment(
    request: Request, consultation_id: RowId, body: CommentCreate, session: DbSession
) -> CommentCreated:
    created = service.add_comment(
        session,
        consultation_id,
        service.CommentIn(
            body=body.body, section=body.section, name=body.name or "", contact=body.contact or ""
        ),
        ip=client_ip(request),
    )
    return CommentCreated(id=created.id, status=created.status)


@router.get("/staff/consultations/{consultation_id}/comments", responses=STAFF | NOT_FOUND)
def staff_comments(
    consultation_id: RowId,
    session: DbSession,
    actor: ApiActor,
    paging: Paging,
    status_filter: Annotated[CommentStatus | None, Query(alias="status")] = None,
) -> Paged[StaffComment]:
    rows = service.list_comments(session, actor, consultation_id, status_filter)
    page = rows[paging.offset : paging.offset + paging.per_page]
    return Paged(
        items=[views.staff_comment(c) for c in page],
        total=len(rows),
        page=paging.page,
        per_page=paging.per_page,
    )


@router.post(
    "/staff/comments/{comment_id}/moderate",
    responses=STAFF | BAD_BODY | NOT_FOUND | CONFLICT,
)
def moderate(
    comment_id: RowId, body: ModerateBody, session: DbSession, actor: ApiActor
) -> StaffComment:
    comment = service.moderate(
        session, actor, comment_id, approve=body.decision == "approve", reason=body.reason or ""
    )
    return views.staff_comment(comment)


@router.post(
    "/staff/consultations/{consultation_id}/report",
    responses=STAFF | BAD_BODY | NOT_FOUND | CONFLICT,
)
def report(
    consultation_id: RowId, body: ReportCreate, session: DbSession, actor: ApiActor
) -> ConsultationRead:
    data = service.ReportIn(
        summary=body.summary,
        other_channels=body.other_channels,
        dispositions=[
            service.DispositionIn(d.comment_id, d.decision, d.reason) for d in body.dispositions
        ],
    )
    consultation = service.publish_report(session, actor, consultation_id, data)
    return views.full(session, consultation, utcnow())
