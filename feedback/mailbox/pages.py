"""Mailbox pages: writing, tracking and rating for citizens; the queue and letters for staff."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement import accounts, i18n, search, vocabulary
from engagement.auth.csrf import verify_csrf
from engagement.auth.deps import DbSession, PageActor, PageUser, client_ip, page_user
from engagement.auth.policy import Action, can
from engagement.browser import browser_id
from engagement.calendar_admin import load_calendar
from engagement.db import CommittingRoute
from engagement.errors import DomainError, Forbidden, Invalid, NotFound
from engagement.models import DepartmentKind, User
from engagement.pagination import PageParams
from engagement.params import PageNumber, RowId
from engagement.ratelimit import limiter, public_write_limit, similar_limit, tracking_limit
from engagement.rendering import local_time, redirect, render
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from feedback.mailbox import labels, rules, service, support, templates_service, views
from feedback.mailbox.models import Category, Letter, Photo, Satisfaction, Status
from feedback.mailbox.photos import CleanPhoto, clean_photo
from feedback.mailbox.schemas import LetterCreate

# How alike a subject and a published letter's must be for the writer to see it (0–1).
CLOSE = 0.3

router = APIRouter(
    route_class=CommittingRoute, dependencies=[Depends(verify_csrf), Depends(page_user)]
)

FIELD_MESSAGES = {
    "category": i18n.N_("Choose what kind of letter this is."),
    "subject": i18n.N_("Enter a subject of 1 to 100 characters."),
    "body": i18n.N_("Write your letter in 10 to 5000 characters."),
    "name": i18n.N_("Enter your name (at most 50 characters)."),
    "phone": i18n.N_(
        "Enter a mainland mobile number (11 digits) or a landline with its area code."
    ),
    "email": i18n.N_("Enter a valid email address, or leave it empty."),
    "township": i18n.N_("Choose a township from the list."),
}


def _common(session: Session) -> dict[str, Any]:
    return {
        "labels": labels,
        "categories": list(Category),
        "townships": accounts.list_departments(session, kind=DepartmentKind.township),
    }


# --- citizens ----------------------------------------------------------------------------------


@router.get("/mailbox")
def write_page(request: Request, session: DbSession) -> Response:
    return _write_form(request, session, {}, {})


def _write_form(
    request: Request,
    session: Session,
    form: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "mailbox/write.html",
        {
            **_common(session),
            "form": form,
            "errors": errors,
            "submission_key": form.get("submission_key") or uuid.uuid4().hex,
            "max_photos": get_settings().upload_max_files,
        },
        status_code=status_code,
    )


@router.post("/mailbox")
@limiter.limit(public_write_limit)
def submit(
    request: Request,
    session: DbSession,
    category: Annotated[str, Form()] = "",
    subject: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    township: Annotated[str, Form()] = "",
    publish_consent: Annotated[bool, Form()] = False,
    submission_key: Annotated[str, Form(max_length=64)] = "",
    photos: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    form = {
        "category": category,
        "subject": subject,
        "body": body,
        "name": name,
        "phone": phone,
        "email": email,
        "township": township,
        "publish_consent": publish_consent,
        "submission_key": submission_key,
    }
    errors: dict[str, str] = {}
    try:
        data = LetterCreate.model_validate(
            {**form, "email": email.strip() or None, "township": township or None}
        )
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "body"
            errors[field] = i18n.gettext(FIELD_MESSAGES.get(field, FIELD_MESSAGES["body"]))
    cleaned = _clean_photos(photos or [], errors)
    if errors:
        return _write_form(request, session, form, errors, status_code=422)
    try:
        result = service.submit_letter(
            session,
            service.NewLetter(**data.model_dump()),
            photos=cleaned,
            submission_key=submission_key or None,
            ip=client_ip(request),
        )
    except Invalid as exc:
        session.rollback()
        for bad_field, err in exc.errors:
            errors[bad_field or "body"] = err.render(i18n.gettext)
        return _write_form(request, session, form, errors, status_code=422)
    if result.tracking_code is not None:
        request.session["sent"] = {"number": result.number, "code": result.tracking_code}
    return redirect(request, "/mailbox/sent")


def _clean_photos(uploads: list[UploadFile], errors: dict[str, str]) -> list[CleanPhoto]:
    settings = get_settings()
    uploads = [u for u in uploads if u.filename]
    if len(uploads) > settings.upload_max_files:
        errors["photos"] = i18n.gettext(
            "You can send at most %(n)s photos.", n=settings.upload_max_files
        )
        return []
    cleaned = []
    for upload in uploads:
        try:
            cleaned.append(
                clean_photo(
                    upload.file.read(settings.upload_max_bytes + 1),
                    max_bytes=settings.upload_max_bytes,
                )
            )
        except Invalid as exc:
            errors["photos"] = exc.render(i18n.gettext)
    return cleaned


@router.get("/mailbox/sent")
def sent_page(request: Request) -> Response:
    """The number and code, shown once: the next person at a shared computer must not see them."""
    sent = request.session.pop("sent", None)
    if not sent:
        return redirect(request, "/mailbox")
    return render(request, "mailbox/sent.html", {"sent": sent})


@router.get("/mailbox/track")
@limiter.limit(tracking_limit)
def track_page(
    request: Request,
    session: DbSession,
    number: Annotated[str, Query(max_length=20)] = "",
    code: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    if number or code:
        return _tracked(request, session, number, code)
    return render(request, "mailbox/track.html", _track_form(number, code))


@router.post("/mailbox/track")
@limiter.limit(tracking_limit)
def track_form(
    request: Request,
    session: DbSession,
    number: Annotated[str, Form(max_length=20)] = "",
    code: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """The tracking form posts, so the code never sits in an address, a history or a log."""
    return _tracked(request, session, number, code)


def _track_form(number: str, code: str) -> dict[str, Any]:
    return {"labels": labels, "number": number, "code": code, "letter": None, "error": None}


def _tracked(
    request: Request,
    session: DbSession,
    number: str,
    code: str,
    *,
    rated: bool = False,
    rate_error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The tracking page with the letter, or the form again with the same 404 for any miss."""
    context = _track_form(number, code)
    try:
        letter = service.track(session, number=number, code=code)
    except NotFound as exc:
        context["error"] = exc.render(i18n.gettext)
        return render(request, "mailbox/track.html", context, status_code=404)
    context.update(_tracking_context(letter), rated=rated, rate_error=rate_error)
    return render(request, "mailbox/track.html", context, status_code=status_code)


def _tracking_context(letter: Letter) -> dict[str, Any]:
    return {
        "letter": letter,
        "events": [e for e in letter.events if e.public],
        "deadlines": views.deadlines(letter),
        "can_rate": letter.status == Status.replied and not letter.replies[-1].ratings,
        "satisfactions": list(Satisfaction),
    }


@router.post("/mailbox/track/rating")
@limiter.limit(public_write_limit)
def rate(
    request: Request,
    session: DbSession,
    number: Annotated[str, Form(max_length=20)] = "",
    code: Annotated[str, Form(max_length=32)] = "",
    satisfaction: Annotated[str, Form()] = "",
    comment: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    # The letter is shown at once rather than by a redirect, which would carry the code; the
    # form posts to #rate, so the page lands where the form was, on the thanks or the reason.
    try:
        if satisfaction not in Satisfaction.__members__:
            raise Invalid("Choose how satisfied you are with the reply.", field="satisfaction")
        service.rate_letter(
            session,
            number=number,
            code=code,
            satisfaction=Satisfaction(satisfaction),
            comment=comment,
            ip=client_ip(request),
        )
    except (Invalid, DomainError) as exc:
        if isinstance(exc, NotFound):
            raise
        session.rollback()
        return _tracked(
            request,
            session,
            number,
            code,
            rate_error=exc.render(i18n.gettext),
            status_code=exc.status_code,
        )
    return _tracked(request, session, number, code, rated=True)


@router.get("/mailbox/letters")
def public_list(
    request: Request,
    session: DbSession,
    category: str = "",
    department: str = "",
    page: PageNumber = 1,
) -> Response:
    paging = PageParams(page=page, per_page=10)
    chosen = Category(category) if category in Category.__members__ else None
    rows, total = service.list_public(
        session,
        category=chosen,
        department=department or None,
        offset=paging.offset,
        limit=paging.per_page,
    )
    return render(
        request,
        "mailbox/letters.html",
        {
            **_common(session),
            "letters": [views.for_public(r) for r in rows],
            "total": total,
            "page": paging.page,
            "pages": paging.pages(total),
            "departments": accounts.list_departments(session),
            "filters": {"category": category, "department": department},
        },
        block="results",
    )


@router.get("/mailbox/letters/{number}")
def public_letter(request: Request, session: DbSession, number: str) -> Response:
    letter = support.get_public_letter(session, number)
    context = {
        "l": views.for_public(letter),
        "labels": labels,
        "supported": support.has_supported(session, letter, browser_id(request)),
    }
    return render(request, "mailbox/public_letter.html", context)


# --- staff -------------------------------------------------------------------------------------

# The first is the default: the letters that still need work (closed ones are under "all").
QUEUES = {
    "open": service.QueueFilter(open_only=True),
    "all": service.QueueFilter(),
    "new": service.QueueFilter(unassigned=True),
    "in_progress": service.QueueFilter(status=Status.assigned),
    "due_soon": service.QueueFilter(due_soon=True),
    "overdue": service.QueueFilter(overdue=True),
    "reopened": service.QueueFilter(status=Status.reopened),
    "replied": service.QueueFilter(status=Status.replied),
}


@router.get("/staff/letters")
def queue_page(
    request: Request,
    session: DbSession,
    user: PageUser,
    queue: str = "open",
    q: Annotated[str, Query(max_length=100)] = "",
    page: PageNumber = 1,
    department: Annotated[str, Query(max_length=64)] = "",
    category: str = "",
) -> Response:
    """The queue; `department` and `category` come from the dashboard's drill-down links."""
    service.close_unrated(session)
    if queue not in QUEUES:
        queue = "open"
    base = QUEUES[queue]
    chosen = Category(category) if category in Category.__members__ else None
    filters = service.QueueFilter(
        **{**base.__dict__, "q": q, "department": department or None, "category": chosen}
    )
    paging = PageParams(page=page, per_page=20)
    rows, total = service.staff_queue(
        session, user, filters, offset=paging.offset, limit=paging.per_page
    )
    now, calendar = utcnow(), load_calendar(session)
    return render(
        request,
        "mailbox/queue.html",
        {
            "labels": labels,
            "letters": [(r, views.for_staff(r, now, calendar)) for r in rows],
            "total": total,
            "page": paging.page,
            "pages": paging.pages(total),
            "queue": queue,
            "q": q,
            "drill": {
                k: v
                for k, v in (
                    ("department", department),
                    ("category", chosen.value if chosen else ""),
                )
                if v
            },
            "counts": service.counts_by_queue(session, user, now),
        },
        block="queue",
    )


@router.get("/staff/letters/{number}")
def letter_page(
    request: Request, session: DbSession, user: PageUser, number: str, template: RowId | None = None
) -> Response:
    letter = service.letter_for_staff(session, user, number)
    return _letter_page(request, session, user, letter, template_id=template)


def _letter_page(
    request: Request,
    session: Session,
    user: User,
    letter: Letter,
    error: str | None = None,
    status_code: int = 200,
    template_id: int | None = None,
    error_at: str = "actions",
) -> Response:
    now, calendar = utcnow(), load_calendar(session)
    templates = templates_service.list_templates(session, user)
    chosen = next((t for t in templates if t.id == template_id), None)
    may = _may(user, letter)
    return render(
        request,
        "mailbox/letter.html",
        {
            "templates": templates,
            "reply_draft": chosen.body if chosen else "",
            "similar": service.similar_letters(session, user, letter, limit=8),
            "labels": labels,
            "letter": letter,
            "view": views.for_staff_detail(letter, user, now, calendar),
            "events": letter.events,
            "deadlines": views.deadlines(letter),
            "photos": letter.photos,
            "departments": accounts.list_departments(session),
            "may": may,
            "error": error,
            # A refused action's message shows in its form, or atop the actions when the
            # letter's new state no longer offers that form.
            "error_at": error_at if may.get(FORM_PERMISSION.get(error_at, ""), True) else "actions",
        },
        status_code=status_code,
    )


# Each action form's id on the letter page -> the `may` entry that offers it.
FORM_PERMISSION = {
    "assign": "assign",
    "reply": "reply",
    "reject": "reject",
    "publish": "publish",
    "merge": "merge",
    "extension": "extend",
    "extension-decision": "decide",
}


def _may(user: User, letter: Letter) -> dict[str, bool]:
    """Which actions the letter page offers this user now."""
    return {
        "assign": can(user, Action.assign_letter, letter.department_id)
        and letter.status in rules.ALLOWED_FROM["assign"],
        "reply": can(user, Action.handle_letter, letter.department_id)
        and letter.status in rules.ALLOWED_FROM["reply"],
        "reject": can(user, Action.assign_letter, letter.department_id)
        and letter.status in rules.ALLOWED_FROM["reject"],
        "publish": can(user, Action.publish_letter, letter.department_id)
        and letter.status in rules.ALLOWED_FROM["publish"]
        and letter.publish_consent
        and not letter.published,
        "contact": service.may_see_contact(user, letter),
        "merge": can(user, Action.assign_letter, letter.department_id)
        and letter.status in rules.ALLOWED_FROM["merge"],
        "extend": can(user, Action.handle_letter, letter.department_id)
        and letter.status in (Status.assigned, Status.reopened)
        and not letter.extension_days,
        "decide": can(user, Action.decide_extension, letter.department_id)
        and bool(letter.extension_days),
    }


def _act(
    request: Request,
    session: Session,
    actor: PageActor,
    number: str,
    action: Callable[..., Letter],
    *,
    form: str,
    done: Callable[[Letter], str],
    place: str = "actions",
    **kwargs: Any,
) -> Response:
    """Runs one staff action. Done, the letter page says `done` at `place`; refused, it shows
    the letter again with the reason in the action's `form`."""
    try:
        letter = action(session, actor, number=number, **kwargs)
    except (Invalid, DomainError) as exc:
        if isinstance(exc, NotFound | Forbidden):
            raise
        session.rollback()
        assert actor.user is not None
        letter = service.letter_for_staff(session, actor.user, number)
        return _letter_page(
            request,
            session,
            actor.user,
            letter,
            exc.render(i18n.gettext),
            status_code=exc.status_code,
            error_at=form,
        )
    return redirect(request, f"/staff/letters/{number}", notice=done(letter), place=place)


def _unit_name(letter: Letter) -> str:
    return letter.department.name if letter.department else ""


@router.post("/staff/letters/{number}/assign")
def assign(
    request: Request,
    session: DbSession,
    actor: PageActor,
    number: str,
    department: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return _act(
        request,
        session,
        actor,
        number,
        service.assign_letter,
        form="assign",
        done=lambda letter: i18n.gettext("Now handled by %(unit)s.", unit=_unit_name(letter)),
        department=department,
        note=note,
    )


@router.post("/staff/letters/{number}/reply")
def reply(
    request: Request,
    session: DbSession,
    actor: PageActor,
    number: str,
    body: Annotated[str, Form(max_length=10000)] = "",
    public: Annotated[bool, Form()] = False,
) -> Response:
    return _act(
        request,
        session,
        actor,
        number,
        service.reply_letter,
        form="reply",
        done=lambda _letter: i18n.gettext(
            "Reply sent. The writer can read it with the letter's number and code, and rate it."
        ),
        body=body,
        public=public,
    )


@router.post("/staff/letters/{number}/reject")
def reject(
    request: Request,
    session: DbSession,
    actor: PageActor,
    number: str,
    reason: Annotated[str, Form(max_length=1000)] = "",
    other: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    text = other.strip() if reason == "other" or not reason else i18n.gettext(reason)
    return _act(
        request,
        session,
        actor,
        number,
        service.reject_letter,
        form="reject",
        done=lambda _letter: i18n.gettext(
            "The letter was not accepted. The writer sees the reason when tracking it."
        ),
        reason=text,
    )


@router.post("/staff/letters/{number}/publish")
def publish(request: Request, session: DbSession, actor: PageActor, number: str) -> Response:
    return _act(
        request,
        session,
        actor,
        number,
        service.publish_letter,
        form="publish",
        done=lambda _letter: i18n.gettext(
            "Approved for publication: the letter and its reply are public now, "
            "personal data masked."
        ),
    )


@router.post("/staff/letters/{number}/note")
def note(
    request: Request,
    session: DbSession,
    actor: PageActor,
    number: str,
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return _act(
        request,
        session,
        actor,
        number,
        service.add_note,
        form="note",
        done=lambda _letter: i18n.gettext("Note added to the timeline."),
        place="note",
        note=text,
    )


@router.get("/staff/letters/{number}/photos/{photo_id}")
def photo(session: DbSession, user: PageUser, number: str, photo_id: RowId) -> Response:
    letter = service.letter_for_staff(session, user, number)
    item = session.scalar(select(Photo).where(Photo.id == photo_id, Photo.letter_id == letter.id))
    if item is None:
        raise NotFound("No such photo.")
    return Response(
        item.data, media_type=item.content_type, headers={"Cache-Control": "private, max-age=3600"}
    )


@router.post("/staff/letters/{number}/merge")
def merge(
    request: Request,
    session: DbSession,
    actor: PageActor,
    number: str,
    into: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    return _act(
        request,
        session,
        actor,
        number,
        service.merge_letter,
        form="merge",
        done=lambda _letter: i18n.gettext(
            "Merged into letter %(number)s: its reply answers this letter too.", number=into
        ),
        into=into,
    )


@router.post("/staff/letters/{number}/extension")
def request_extension(
    request: Request,
    session: DbSession,
    actor: PageActor,
    number: str,
    days: Annotated[int, Form(ge=1, le=30)] = 5,
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    return _act(
        request,
        session,
        actor,
        number,
        service.request_extension,
        form="extension",
        done=lambda _letter: i18n.gettext(
            "Extension requested: a leader decides on it. The deadline stays as it is until then."
        ),
        days=days,
        reason=reason,
    )


@router.post("/staff/letters/{number}/extension/decision")
def decide_extension(
    request: Request,
    session: DbSession,
    actor: PageActor,
    number: str,
    approve: Annotated[bool, Form()] = False,
) -> Response:
    def decided(letter: Letter) -> str:
        if approve:
            return i18n.gettext(
                "Extension approved: the reply is now due by %(date)s.",
                date=local_time(letter.reply_due_at),
            )
        return i18n.gettext("Extension refused: the deadline stays as it was.")

    return _act(
        request,
        session,
        actor,
        number,
        service.decide_extension,
        form="extension-decision",
        done=decided,
        approve=approve,
    )


@router.get("/staff/templates")
def templates_page(request: Request, session: DbSession, user: PageUser) -> Response:
    return _templates(request, session, user)


def _templates(
    request: Request,
    session: Session,
    user: User,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "mailbox/templates.html",
        {
            "templates": templates_service.list_templates(session, user),
            "errors": errors or {},
            "form": form or {},
        },
        status_code=status_code,
    )


@router.post("/staff/templates")
def add_template(
    request: Request,
    session: DbSession,
    actor: PageActor,
    title: Annotated[str, Form(max_length=200)] = "",
    body: Annotated[str, Form(max_length=6000)] = "",
) -> Response:
    try:
        templates_service.create_template(session, actor, title=title, body=body)
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        session.rollback()
        assert actor.user is not None
        problems = exc.errors if isinstance(exc, Invalid) else [(None, exc)]
        return _templates(
            request,
            session,
            actor.user,
            {field or "form": err.render(i18n.gettext) for field, err in problems},
            {"title": title, "body": body},
            status_code=exc.status_code,
        )
    return redirect(
        request,
        "/staff/templates",
        notice=i18n.gettext(
            "Template “%(title)s” saved: it is offered when replying.", title=title.strip()
        ),
        place="new-template",
    )


@router.post("/staff/templates/{template_id}/delete")
def delete_template(
    request: Request, session: DbSession, actor: PageActor, template_id: RowId
) -> Response:
    templates_service.delete_template(session, actor, template_id=template_id)
    return redirect(
        request, "/staff/templates", notice=i18n.gettext("Template deleted."), place="templates"
    )


@router.get("/mailbox/similar")
@limiter.limit(similar_limit)
def similar(
    request: Request, session: DbSession, subject: Annotated[str, Query(max_length=100)] = ""
) -> Response:
    """Up to five answered letters about what is being written (htmx, while typing): close in
    meaning to the subject, each subject once; none when nothing is close."""
    hits, _total, terms = (
        search.search(session, subject, kind="letter", limit=20)
        if len(subject.strip()) >= 2
        else ([], 0, [])
    )
    alike = vocabulary.similarities(session, subject, [h.doc.title for h in hits])
    close = [h for h, score in zip(hits, alike, strict=True) if score >= CLOSE]
    by_title = {h.doc.title: h for h in reversed(close)}  # the best of each subject
    distinct = sorted(by_title.values(), key=close.index)[:5]
    return render(request, "mailbox/similar.html", {"hits": distinct, "terms": terms})
