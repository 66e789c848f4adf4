"""The surveys' JSON API (contract §5, Surveys)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from engagement.api_errors import BAD_BODY, CONFLICT, NOT_FOUND, PUBLIC_WRITE, STAFF
from engagement.auth import service as auth_service
from engagement.auth.deps import ApiActor, AppSettings, DbSession, client_ip
from engagement.db import CommittingRoute
from engagement.models import User
from engagement.pagination import Paged, Paging
from engagement.params import RowId
from engagement.ratelimit import limiter, public_write_limit
from engagement.timeutil import utcnow
from feedback.mailbox.schemas import UnitRef
from surveys import export, results, service
from surveys.models import Survey
from surveys.rules import QuestionSpec
from surveys.schemas import (
    Created,
    QuestionRead,
    ResponseCreate,
    ResponseCreated,
    SurveyCreate,
    SurveyRead,
    SurveySummary,
)

router = APIRouter(route_class=CommittingRoute, tags=["surveys"])
FILE_TYPES = {
    "text/csv": {"schema": {"type": "string"}},
    export.XLSX: {"schema": {"type": "string", "format": "binary"}},
}
_optional_bearer = HTTPBearer(auto_error=False)


def optional_api_user(
    session: DbSession,
    settings: AppSettings,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_optional_bearer)],
) -> User | None:
    """The caller when a token is sent (staff may see non-public results); None otherwise."""
    if credentials is None:
        return None
    return auth_service.user_for_token(session, credentials.credentials, settings=settings)


def to_input(body: SurveyCreate) -> service.SurveyIn:
    return service.SurveyIn(
        title=body.title,
        description=body.description,
        opens_at=body.opens_at,
        closes_at=body.closes_at,
        results_public=body.results_public,
        one_response_per_browser=body.one_response_per_browser,
        department=body.department,
        questions=[
            QuestionSpec(
                key=q.key,
                kind=q.kind,
                text=q.text,
                required=q.required,
                options=q.options or [],
                min=q.min,
                max=q.max,
                show_if_key=q.show_if.key if q.show_if else None,
                show_if_values=q.show_if.in_ if q.show_if else [],
            )
            for q in body.questions
        ],
    )


def read(survey: Survey) -> SurveyRead:
    return SurveyRead(
        id=survey.id,
        title=survey.title,
        description=survey.description,
        status=survey.status_at(utcnow()),
        department=UnitRef(slug=survey.department.slug, name=survey.department.name),
        opens_at=survey.opens_at,
        closes_at=survey.closes_at,
        results_public=survey.results_public,
        one_response_per_browser=survey.one_response_per_browser,
        questions=[
            QuestionRead(
                key=q.key,
                kind=q.kind,
                text=q.text,
                required=q.required,
                options=q.options or None,
                min=q.min,
                max=q.max,
                show_if={"key": q.show_if_key, "in": q.show_if_values} if q.show_if_key else None,
            )
            for q in survey.questions
        ],
    )


@router.post(
    "/staff/surveys",
    status_code=status.HTTP_201_CREATED,
    responses=STAFF | BAD_BODY | NOT_FOUND,
)
def create(body: SurveyCreate, session: DbSession, actor: ApiActor) -> Created:
    survey = service.create_survey(session, actor, to_input(body))
    return Created(id=survey.id, status=survey.status_at(utcnow()))


@router.post("/staff/surveys/{survey_id}/publish", responses=STAFF | NOT_FOUND | CONFLICT)
def publish(survey_id: RowId, session: DbSession, actor: ApiActor) -> SurveyRead:
    return read(service.publish(session, actor, survey_id))


@router.get("/surveys", responses=NOT_FOUND)
def list_public(
    session: DbSession, paging: Paging, department: str | None = None
) -> Paged[SurveySummary]:
    rows, total = service.list_public(
        session, offset=paging.offset, limit=paging.per_page, department=department
    )
    now = utcnow()
    items = [
        SurveySummary(
            id=s.id,
            title=s.title,
            status=s.status_at(now),
            opens_at=s.opens_at,
            closes_at=s.closes_at,
            results_public=s.results_public,
            department=UnitRef(slug=s.department.slug, name=s.department.name),
        )
        for s in rows
    ]
    return Paged(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.get("/surveys/{survey_id}", responses=NOT_FOUND)
def read_public(survey_id: RowId, session: DbSession) -> SurveyRead:
    return read(service.get_public(session, survey_id))


@router.post(
    "/surveys/{survey_id}/responses",
    status_code=status.HTTP_201_CREATED,
    responses=PUBLIC_WRITE | NOT_FOUND | CONFLICT,
)
@limiter.limit(public_write_limit)
def respond(
    request: Request,
    survey_id: RowId,
    body: ResponseCreate,
    session: DbSession,
    x_browser_id: Annotated[str | None, Header(max_length=64)] = None,
) -> ResponseCreated:
    """`X-Browser-Id`: needed by surveys that take one response per browser (else 409)."""
    response_id = service.submit_response(
        session, survey_id, body.answers, browser=x_browser_id, ip=client_ip(request)
    )
    return ResponseCreated(id=response_id)


@router.get("/surveys/{survey_id}/results", responses=STAFF | NOT_FOUND)
def survey_results(
    survey_id: RowId, session: DbSession, user: Annotated[User | None, Depends(optional_api_user)]
) -> dict[str, Any]:
    survey = service.get_public(session, survey_id)
    service.require_results(user, survey)
    return results.compute(session, survey).as_contract()


@router.get(
    "/staff/surveys/{survey_id}/export",
    response_class=Response,
    responses=STAFF | NOT_FOUND | {200: {"description": "The answers", "content": FILE_TYPES}},
)
def export_answers(
    survey_id: RowId,
    session: DbSession,
    actor: ApiActor,
    format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "csv",
) -> Response:
    survey = service.get_for_staff(session, actor, survey_id)
    if format == "xlsx":
        return Response(
            export.to_xlsx(session, survey),
            media_type=export.XLSX,
            headers={"Content-Disposition": f'attachment; filename="survey-{survey_id}.xlsx"'},
        )
    return Response(
        export.to_csv(session, survey),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="survey-{survey_id}.csv"'},
    )
