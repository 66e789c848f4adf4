"""Each unit's reply templates: standard wording a clerk starts a reply from."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engagement import audit
from engagement.audit import Actor
from engagement.auth.policy import Action, require, unit_scope
from engagement.errors import Invalid, NotFound
from engagement.models import User
from feedback.mailbox.models import ReplyTemplate


def list_templates(session: Session, user: User) -> list[ReplyTemplate]:
    """The user's unit's templates and the county-wide ones (no unit)."""
    scope = unit_scope(user)
    stmt = select(ReplyTemplate).order_by(ReplyTemplate.title)
    if scope is not None:
        stmt = stmt.where(
            or_(ReplyTemplate.department_id == scope, ReplyTemplate.department_id.is_(None))
        )
    return list(session.scalars(stmt))


def create_template(session: Session, actor: Actor, *, title: str, body: str) -> ReplyTemplate:
    assert actor.user is not None
    unit = actor.user.department_id
    require(actor.user, Action.handle_letter if unit else Action.manage_settings, unit)
    title, body = title.strip(), body.strip()
    if not 1 <= len(title) <= 100:
        raise Invalid("A title has 1 to 100 characters.", field="title")
    if not 5 <= len(body) <= 5000:
        raise Invalid("A template has 5 to 5000 characters.", field="body")
    template = ReplyTemplate(department_id=unit, title=title, body=body)
    session.add(template)
    session.flush()
    audit.record(
        session,
        actor,
        "reply_template.create",
        object_type="reply_template",
        object_id=template.id,
        title=title,
    )
    return template


def delete_template(session: Session, actor: Actor, *, template_id: int) -> None:
    template = session.get(ReplyTemplate, template_id)
    if template is None:
        raise NotFound("No such template.")
    assert actor.user is not None
    require(
        actor.user,
        Action.handle_letter if template.department_id else Action.manage_settings,
        template.department_id,
    )
    session.delete(template)
    audit.record(
        session, actor, "reply_template.delete", object_type="reply_template", object_id=template_id
    )
