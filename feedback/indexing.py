"""What the feedback domain puts in the public search index, and when."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement import search
from engagement.search import Doc
from engagement.timeutil import utcnow
from feedback.consultations.models import Comment, CommentStatus, Consultation
from feedback.consultations.views import masked_body
from feedback.mailbox.models import Letter
from feedback.mailbox.service import public_letters_query
from feedback.mailbox.views import masked


def letter_doc(letter: Letter) -> Doc:
    """Masked like the public list: the writer's name, phones, IDs and emails never indexed."""
    replies = "\n".join(masked(letter, r.body, reply=True) for r in letter.replies if r.public)
    return Doc(
        "letter",
        letter.number,
        masked(letter, letter.subject),
        f"{masked(letter, letter.body)}\n{replies}",
        f"/mailbox/letters/{letter.number}",
        letter.department_id,
        letter.published_at or utcnow(),
    )


def consultation_doc(c: Consultation) -> Doc:
    text = "\n".join([c.summary, c.background, *(f"{s.heading} {s.text}" for s in c.sections)])
    return Doc(
        "consultation",
        str(c.id),
        c.title,
        text,
        f"/consultations/{c.id}",
        c.department_id,
        c.published_at or utcnow(),
    )


def report_doc(c: Consultation) -> Doc:
    assert c.report is not None
    return Doc(
        "report",
        str(c.id),
        c.title,
        c.report.summary,
        f"/consultations/{c.id}#report",
        c.department_id,
        c.report.published_at,
    )


def comment_doc(comment: Comment, consultation: Consultation) -> Doc:
    return Doc(
        "comment",
        str(comment.id),
        consultation.title,
        masked_body(comment),
        f"/consultations/{consultation.id}#comment-{comment.id}",
        consultation.department_id,
        comment.moderated_at or comment.created_at,
    )


def documents(session: Session) -> Iterator[Doc]:
    """Everything public now, for a full re-index."""
    for letter in session.scalars(public_letters_query()):
        yield letter_doc(letter)
    for c in session.scalars(select(Consultation).where(Consultation.published_at.is_not(None))):
        yield consultation_doc(c)
        if c.report is not None:
            yield report_doc(c)
    rows = session.execute(
        select(Comment, Consultation)
        .join(Consultation, Consultation.id == Comment.consultation_id)
        .where(Comment.status == CommentStatus.approved)
    )
    for comment, consultation in rows:
        yield comment_doc(comment, consultation)


def refresh_letter(session: Session, letter: Letter) -> None:
    if letter.published and letter.publish_consent:
        search.index(session, letter_doc(letter))
