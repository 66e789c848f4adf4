"""Consultation pages: the public draft with comments, and the unit's editing and moderation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.datastructures import FormData
from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement import accounts, i18n
from engagement.auth.csrf import verify_csrf
from engagement.auth.deps import DbSession, PageActor, PageUser, client_ip, page_user
from engagement.auth.policy import Action, can
from engagement.browser import browser_id_or_new, remember_browser
from engagement.db import CommittingRoute
from engagement.errors import DomainError, Forbidden, Invalid, NotFound
from engagement.i18n import gettext as _
from engagement.i18n import ngettext
from engagement.models import Role
from engagement.notices import announce
from engagement.params import PageNumber, RowId, form_int
from engagement.ratelimit import limiter, public_write_limit
from engagement.rendering import is_htmx, redirect, render
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from feedback.consultations import export, labels, service
from feedback.consultations.files import check_attachment
from feedback.consultations.models import (
    Attachment,
    Comment,
    CommentStatus,
    Consultation,
    Decision,
    Kind,
    Status,
)
from feedback.consultations.splitter import split_draft

router = APIRouter(
    route_class=CommittingRoute, dependencies=[Depends(verify_csrf), Depends(page_user)]
)

# Ids of the places on the pages where the message after an action shows (engagement.notices).
STATUS = "consultation-status"
COMMENTS = "comments"
REPORT = "report"
REPORT_FORM = "report-form"
ATTACHMENTS = "attachments"
WORDS = "sensitive-words"


def days_left(consultation: Consultation, now: datetime) -> int:
    return max(0, -(-int((consultation.closes_at - now).total_seconds()) // 86400))


# --- public ------------------------------------------------------------------------------------


@router.get("/consultations")
def list_page(request: Request, session: DbSession, page: PageNumber = 1) -> Response:
    rows, total = service.list_public(session, offset=(max(page, 1) - 1) * 20, limit=20)
    now = utcnow()
    items = [(c, c.status_at(now), days_left(c, now)) for c in rows]
    return render(
        request,
        "consultations/list.html",
        {
            "items": items,
            "labels": labels,
            "total": total,
            "page": max(page, 1),
            "pages": max(1, -(-total // 20)),
        },
    )


@router.get("/consultations/{consultation_id}")
def detail_page(request: Request, session: DbSession, consultation_id: RowId) -> Response:
    consultation = service.get_public(session, consultation_id)
    return _detail(request, session, consultation)


def _detail(
    request: Request,
    session: Session,
    consultation: Consultation,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    from feedback.consultations import views

    now = utcnow()
    comments = [
        views.public_comment(c) for c in service.approved_comments(session, consultation.id)
    ]
    by_section: dict[int | None, list[Any]] = {}
    for comment in comments:
        by_section.setdefault(comment.section, []).append(comment)
    read = views.full(session, consultation, now)
    return render(
        request,
        "consultations/detail.html",
        {
            "c": consultation,
            "read": read,
            "status": consultation.status_at(now),
            "days_left": days_left(consultation, now),
            "by_section": by_section,
            "labels": labels,
            "errors": errors or {},
            "form": form or {},
            "report_groups": _report_groups(read) if read.report else None,
        },
        status_code=status_code,
    )


def _report_groups(read: Any) -> dict[str, Any]:
    """Decisions grouped by article, for the report; its figures come with the report itself."""
    decisions = {d.comment_id: d for d in read.report.dispositions}
    groups: dict[int | None, list[Any]] = {}
    for comment in read.comments:
        groups.setdefault(comment.section, []).append((comment, decisions.get(comment.id)))
    return {"by_section": groups}


@router.post("/consultations/{consultation_id}/comments")
@limiter.limit(public_write_limit)
def post_comment(
    request: Request,
    session: DbSession,
    consultation_id: RowId,
    body: Annotated[str, Form(max_length=4000)] = "",
    section: Annotated[str, Form()] = "",
    name: Annotated[str, Form(max_length=50)] = "",
    contact: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    ordinal = form_int(section)
    try:
        service.add_comment(
            session,
            consultation_id,
            service.CommentIn(body=body, section=ordinal, name=name, contact=contact),
            ip=client_ip(request),
        )
    except Invalid as exc:
        session.rollback()
        consultation = service.get_public(session, consultation_id)
        errors = {f"{field}-{section or 'all'}": e.render(i18n.gettext) for field, e in exc.errors}
        form = {"body": body, "section": section, "name": name, "contact": contact}
        return _detail(request, session, consultation, errors, form, status_code=422)
    return redirect(
        request,
        f"/consultations/{consultation_id}",
        notice=_("Thank you. Your comment will appear here once it has been reviewed."),
        place=f"section-{ordinal}" if ordinal else "comment-all",
    )


@router.post("/consultations/comments/{comment_id}/agree")
@limiter.limit(public_write_limit)
def agree(request: Request, session: DbSession, comment_id: RowId) -> Response:
    browser = browser_id_or_new(request)
    comment = service.agree(session, comment_id, browser=browser)
    response = (
        render(request, "consultations/agree.html", {"comment": comment}, block="agree")
        if request.headers.get("HX-Request")
        else redirect(request, f"/consultations/{comment.consultation_id}#comment-{comment.id}")
    )
    remember_browser(response, browser)
    return response


@router.get("/consultations/{consultation_id}/attachments/{attachment_id}")
def attachment(session: DbSession, consultation_id: RowId, attachment_id: RowId) -> Response:
    service.get_public(session, consultation_id)
    item = session.scalar(
        select(Attachment).where(
            Attachment.id == attachment_id, Attachment.consultation_id == consultation_id
        )
    )
    if item is None:
        raise NotFound("No such attachment.")
    return Response(
        item.data,
        media_type=item.content_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(item.filename)}"},
    )


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# --- staff -------------------------------------------------------------------------------------


@router.get("/staff/consultations")
def staff_list(request: Request, session: DbSession, user: PageUser) -> Response:
    now = utcnow()
    rows = service.list_for_staff(session, user)
    late = {c.id for c in service.late_reports(session, now)}
    pending = _pending_counts(session, [c.id for c in rows])
    return render(
        request,
        "consultations/staff_list.html",
        {
            "items": [(c, c.status_at(now), pending.get(c.id, 0), c.id in late) for c in rows],
            "labels": labels,
        },
    )


def _pending_counts(session: Session, ids: list[int]) -> dict[int, int]:
    from sqlalchemy import func

    if not ids:
        return {}
    rows = session.execute(
        select(Comment.consultation_id, func.count(Comment.id))
        .where(Comment.consultation_id.in_(ids), Comment.status == CommentStatus.pending)
        .group_by(Comment.consultation_id)
    )
    return {cid: n for cid, n in rows}


def _form_context(
    session: Session, user: Any, form: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    return {
        "form": form,
        "errors": errors,
        "kinds": list(Kind),
        "labels": labels,
        "departments": accounts.list_departments(session),
        "choose_unit": user.role != Role.staff,
    }


@router.get("/staff/consultations/new")
def new_page(request: Request, session: DbSession, user: PageUser) -> Response:
    if not (can(user, Action.manage_consultation, user.department_id) or user.role == Role.admin):
        raise Forbidden("You are not allowed to do this.")
    form = {"kind": "other", "sections": [{"heading": "", "text": ""}]}
    return render(
        request, "consultations/edit.html", {**_form_context(session, user, form, {}), "c": None}
    )


def _read_form(form: FormData) -> dict[str, Any]:
    headings, texts = form.getlist("heading"), form.getlist("text")
    sections = [
        {"heading": str(h), "text": str(t)}
        for h, t in zip(headings, texts, strict=False)
        if str(h).strip() or str(t).strip()
    ]
    return {
        key: str(form.get(key) or "")
        for key in (
            "title",
            "kind",
            "summary",
            "background",
            "how_to_comment",
            "opens_at",
            "closes_at",
            "short_period_reason",
            "department",
            "draft",
            "revision_note",
        )
    } | {"sections": sections}


def _to_input(form: dict[str, Any]) -> service.ConsultationIn:
    errors: list[tuple[str | None, DomainError]] = []
    times = {}
    for key in ("opens_at", "closes_at"):
        try:
            times[key] = datetime.fromisoformat(form[key]).replace(tzinfo=get_settings().tz)
        except ValueError:
            errors.append((key, DomainError("Enter a date and time.")))
    if form["kind"] not in Kind.__members__:
        errors.append(("kind", DomainError("Choose a kind.")))
    if errors:
        raise Invalid.many(errors)
    return service.ConsultationIn(
        title=form["title"],
        summary=form["summary"],
        background=form["background"],
        how_to_comment=form["how_to_comment"],
        kind=Kind(form["kind"]),
        sections=[service.SectionIn(s["heading"], s["text"]) for s in form["sections"]],
        opens_at=times["opens_at"],
        closes_at=times["closes_at"],
        short_period_reason=form["short_period_reason"],
        department=form["department"] or None,
    )


@router.post("/staff/consultations")
async def create_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    form = _read_form(await request.form())
    return await _save(request, session, actor, form, None)


async def _save(
    request: Request,
    session: Session,
    actor: PageActor,
    form: dict[str, Any],
    consultation: Consultation | None,
) -> Response:
    from fastapi.concurrency import run_in_threadpool

    action = str((await request.form()).get("action") or "save")
    # Splitting and adding re-render the whole form: the focus goes to the part to check or fill
    # in, not back at the top of the page, dozens of tab stops away.
    if action == "split":
        parts = split_draft(form["draft"])
        form["sections"] = [{"heading": p.heading, "text": p.text} for p in parts] or form[
            "sections"
        ]
        return _edit_page(request, session, actor, form, {}, consultation, focus_part=1)
    if action == "add":
        form["sections"].append({"heading": "", "text": ""})
        focus_part = len(form["sections"])
        return _edit_page(request, session, actor, form, {}, consultation, focus_part=focus_part)

    def save() -> Consultation:
        data = _to_input(form)
        if consultation is None:
            return service.create_consultation(session, actor, data)
        return service.update_consultation(
            session, actor, consultation.id, data, revision_note=form["revision_note"]
        )

    try:
        saved = await run_in_threadpool(save)
    except (Invalid, DomainError) as exc:
        if isinstance(exc, NotFound | Forbidden):
            raise
        await run_in_threadpool(session.rollback)
        errors = {f or "form": e.render(i18n.gettext) for f, e in getattr(exc, "errors", [])}
        if not errors:
            errors = {"form": exc.render(i18n.gettext)}
        return _edit_page(request, session, actor, form, errors, consultation, status_code=422)
    if consultation is None:
        done = _("The draft is saved. Publish it when it is ready.")
    else:
        done = _("The changes are saved.")
    return redirect(request, f"/staff/consultations/{saved.id}", notice=done, place=STATUS)


def _edit_page(
    request: Request,
    session: Session,
    actor: PageActor,
    form: dict[str, Any],
    errors: dict[str, str],
    consultation: Consultation | None,
    status_code: int = 200,
    focus_part: int | None = None,
) -> Response:
    if consultation is not None:
        return _staff_detail(
            request,
            session,
            actor,
            consultation,
            form=form,
            errors=errors,
            status_code=status_code,
            focus_part=focus_part,
        )
    return render(
        request,
        "consultations/edit.html",
        {**_form_context(session, actor.user, form, errors), "c": None, "focus_part": focus_part},
        status_code=status_code,
    )


def _form_from(c: Consultation) -> dict[str, Any]:
    tz = get_settings().tz
    return {
        "title": c.title,
        "kind": c.kind.value,
        "summary": c.summary,
        "background": c.background,
        "how_to_comment": c.how_to_comment,
        "opens_at": c.opens_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": c.closes_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
        "short_period_reason": c.short_period_reason or "",
        "department": c.department.slug,
        "sections": [{"heading": s.heading, "text": s.text} for s in c.sections],
        "draft": "",
        "revision_note": "",
    }


@router.get("/staff/consultations/{consultation_id}")
def staff_detail(
    request: Request,
    session: DbSession,
    actor: PageActor,
    consultation_id: RowId,
    comments: str = "pending",
) -> Response:
    consultation = service.get_for_staff(session, actor, consultation_id)
    return _staff_detail(request, session, actor, consultation, show=comments)


def _staff_detail(
    request: Request,
    session: Session,
    actor: PageActor,
    c: Consultation,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    show: str = "pending",
    status_code: int = 200,
    focus_part: int | None = None,
    report_form: FormData | None = None,
) -> Response:
    now = utcnow()
    status = c.status_at(now)
    chosen = CommentStatus(show) if show in CommentStatus.__members__ else CommentStatus.pending
    comments = service.list_comments(session, actor, c.id, chosen)
    return render(
        request,
        "consultations/staff_detail.html",
        {
            **_form_context(session, actor.user, form or _form_from(c), errors or {}),
            "c": c,
            "status": status,
            "comments": comments,
            "show": chosen.value,
            "may_manage": service.may_manage(actor.user, c),
            "approved": service.approved_comments(session, c.id) if status == Status.closed else [],
            "channels": service.CHANNELS,
            "decisions": list(Decision),
            "late": c in service.late_reports(session, now),
            "words": service.sensitive_words(session),
            "focus_part": focus_part,
            "report_form": report_form or {},
            "online_total": service.online_comment_count(session, c.id),
        },
        block="comments",
        status_code=status_code,
    )


@router.post("/staff/consultations/{consultation_id}")
async def update_page(
    request: Request, session: DbSession, actor: PageActor, consultation_id: RowId
) -> Response:
    from fastapi.concurrency import run_in_threadpool

    consultation = await run_in_threadpool(
        service.get_for_staff, session, actor, consultation_id, manage=True
    )
    form = _read_form(await request.form())
    return await _save(request, session, actor, form, consultation)


@router.post("/staff/consultations/{consultation_id}/publish")
def publish_page(
    request: Request, session: DbSession, actor: PageActor, consultation_id: RowId
) -> Response:
    consultation = service.publish(session, actor, consultation_id)
    if consultation.status_at(utcnow()) == Status.open:
        done = _("The consultation is published and open for comment.")
    else:
        done = _(
            "The consultation is published; it opens for comment on %(date)s.",
            date=consultation.opens_at.astimezone(get_settings().tz).strftime("%Y-%m-%d %H:%M"),
        )
    return redirect(request, f"/staff/consultations/{consultation_id}", notice=done, place=STATUS)


@router.post("/staff/consultations/{consultation_id}/attachments")
def upload(
    request: Request,
    session: DbSession,
    actor: PageActor,
    consultation_id: RowId,
    attachment: Annotated[UploadFile | None, File()] = None,
) -> Response:
    consultation = service.get_for_staff(session, actor, consultation_id, manage=True)
    try:
        if attachment is None or not attachment.filename:
            raise Invalid("Choose a file.", field="attachment")
        data = attachment.file.read(10 * 1024 * 1024 + 1)
        content_type = check_attachment(attachment.filename, data)
    except Invalid as exc:
        errors = {"attachment": exc.render(i18n.gettext)}
        return _staff_detail(request, session, actor, consultation, errors=errors, status_code=422)
    consultation.attachments.append(
        Attachment(
            filename=attachment.filename[:200], content_type=content_type, size=len(data), data=data
        )
    )
    from engagement import audit

    audit.record(
        session,
        actor,
        "consultation.attach",
        object_type="consultation",
        object_id=consultation.id,
        filename=attachment.filename[:200],
    )
    return redirect(
        request,
        f"/staff/consultations/{consultation_id}",
        notice=_("“%(name)s” is attached.", name=attachment.filename[:200]),
        place=ATTACHMENTS,
    )


@router.post("/staff/comments/{comment_id}/moderate")
def moderate_page(
    request: Request,
    session: DbSession,
    actor: PageActor,
    comment_id: RowId,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    approve = decision == "approve"
    try:
        comment = service.moderate(session, actor, comment_id, approve=approve, reason=reason)
    except Invalid as exc:
        session.rollback()
        return _refused_moderation(request, session, actor, comment_id, exc.render(i18n.gettext))
    if approve:
        done = _("Comment %(n)s is approved and shown on the public page.", n=comment.id)
    else:
        done = _("Comment %(n)s is rejected; it stays off the public page.", n=comment.id)
    if request.headers.get("HX-Request"):
        response = render(
            request,
            "consultations/moderated.html",
            {"comment": comment, "labels": labels, "done": done},
        )
        announce(response, done)
        return response
    return redirect(
        request, f"/staff/consultations/{comment.consultation_id}", notice=done, place=COMMENTS
    )


def _refused_moderation(
    request: Request, session: Session, actor: PageActor, comment_id: int, error: str
) -> Response:
    """The comment again with the error at its reject form: in place for htmx (a 200, since
    htmx swaps only those), else the whole page as a 422, scrolled to the comment."""
    comment = session.get(Comment, comment_id)
    assert comment is not None  # moderate() found it before refusing
    consultation = service.get_for_staff(session, actor, comment.consultation_id)
    if not is_htmx(request):
        errors = {f"moderate-{comment_id}": error}
        return _staff_detail(request, session, actor, consultation, errors=errors, status_code=422)
    return render(
        request,
        "consultations/_staff_comment.html",
        {
            "cm": comment,
            "show": comment.status.value,
            "may_manage": service.may_manage(actor.user, consultation),
            "status": consultation.status_at(utcnow()),
            "moderation_error": error,
            "labels": labels,
        },
    )


@router.post("/staff/consultations/{consultation_id}/comments/approve")
async def approve_many(
    request: Request, session: DbSession, actor: PageActor, consultation_id: RowId
) -> Response:
    from fastapi.concurrency import run_in_threadpool

    ids = [n for n in map(form_int, (await request.form()).getlist("comment")) if n is not None]

    def approve() -> None:
        for comment_id in ids:
            service.moderate(session, actor, comment_id, approve=True)

    await run_in_threadpool(approve)
    if ids:
        done = ngettext("%(num)s comment approved.", "%(num)s comments approved.", len(ids))
    else:
        done = _("No comment was selected.")
    return redirect(request, f"/staff/consultations/{consultation_id}", notice=done, place=COMMENTS)


@router.post("/staff/consultations/{consultation_id}/report")
async def report_page(
    request: Request, session: DbSession, actor: PageActor, consultation_id: RowId
) -> Response:
    from fastapi.concurrency import run_in_threadpool

    form = await request.form()
    dispositions = []
    for key, value in form.multi_items():
        comment_id = form_int(key.removeprefix("decision-"))
        if key.startswith("decision-") and comment_id and str(value) in Decision.__members__:
            dispositions.append(
                service.DispositionIn(
                    comment_id, Decision(str(value)), str(form.get(f"reason-{comment_id}") or "")
                )
            )
    counts = {ch: form_int(form.get(f"channel-{ch}") or "0", low=0) for ch in service.CHANNELS}
    channels = {ch: n for ch, n in counts.items() if n is not None}
    data = service.ReportIn(
        summary=str(form.get("summary") or ""), dispositions=dispositions, other_channels=channels
    )

    def publish() -> None:
        service.publish_report(session, actor, consultation_id, data)

    try:
        await run_in_threadpool(publish)
    except Invalid as exc:
        await run_in_threadpool(session.rollback)
        consultation = await run_in_threadpool(
            service.get_for_staff, session, actor, consultation_id
        )
        errors = {f"report-{f or 'form'}": e.render(i18n.gettext) for f, e in exc.errors}
        return await run_in_threadpool(
            lambda: _staff_detail(
                request,
                session,
                actor,
                consultation,
                errors=errors,
                report_form=form,
                status_code=422,
            )
        )
    return redirect(
        request,
        f"/consultations/{consultation_id}",
        notice=_("The adoption report is published."),
        place=REPORT,
    )


@router.get("/staff/consultations/{consultation_id}/export.xlsx")
def export_xlsx(session: DbSession, actor: PageActor, consultation_id: RowId) -> Response:
    consultation = service.get_for_staff(session, actor, consultation_id)
    data = export.comments_xlsx(session, consultation)
    return Response(
        data,
        media_type=export.XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="consultation-{consultation_id}.xlsx"'
        },
    )


@router.get("/staff/sensitive-words")
def words_page(request: Request, session: DbSession, user: PageUser) -> Response:
    from engagement.auth.policy import require

    require(user, Action.manage_settings)
    rows = session.scalars(select(service.SensitiveWord).order_by(service.SensitiveWord.word))
    return render(request, "consultations/words.html", {"words": list(rows)})


@router.post("/staff/sensitive-words")
def add_word(
    request: Request,
    session: DbSession,
    actor: PageActor,
    word: Annotated[str, Form(max_length=50)] = "",
) -> Response:
    service.add_sensitive_word(session, actor, word)
    return redirect(
        request,
        "/staff/sensitive-words",
        notice=_("“%(word)s” is added.", word=word.strip()),
        place=WORDS,
    )


@router.post("/staff/sensitive-words/{word_id}/delete")
def delete_word(request: Request, session: DbSession, actor: PageActor, word_id: RowId) -> Response:
    word = session.get(service.SensitiveWord, word_id)
    name = word.word if word is not None else ""
    service.remove_sensitive_word(session, actor, word_id)
    return redirect(
        request,
        "/staff/sensitive-words",
        notice=_("“%(word)s” is removed.", word=name),
        place=WORDS,
    )
