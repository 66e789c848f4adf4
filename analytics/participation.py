"""How many people took part: consultation comments and survey responses in a period."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from analytics.queries import LetterFilter
from feedback.consultations.models import Comment, CommentStatus, Consultation
from surveys.models import Response, Survey


@dataclass
class Participation:
    comments: int
    approved_comments: int
    consultations: int
    responses: int
    surveys: int


def participation(session: Session, f: LetterFilter) -> Participation:
    comments = select(
        func.count(Comment.id),
        func.count(func.distinct(Comment.consultation_id)),
        func.sum(case((Comment.status == CommentStatus.approved, 1), else_=0)),
    )
    comments = comments.join(Consultation, Consultation.id == Comment.consultation_id)
    responses = select(func.count(Response.id), func.count(func.distinct(Response.survey_id)))
    responses = responses.join(Survey, Survey.id == Response.survey_id)
    if f.since is not None:
        comments = comments.where(Comment.created_at >= f.since)
        responses = responses.where(Response.created_at >= f.since)
    if f.until is not None:
        comments = comments.where(Comment.created_at < f.until)
        responses = responses.where(Response.created_at < f.until)
    if f.department_id is not None:
        comments = comments.where(Consultation.department_id == f.department_id)
        responses = responses.where(Survey.department_id == f.department_id)
    n_comments, n_consultations, n_approved = session.execute(comments).one()
    n_responses, n_surveys = session.execute(responses).one()
    return Participation(n_comments, int(n_approved or 0), n_consultations, n_responses, n_surveys)
