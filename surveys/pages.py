"""Survey pages: answering on a phone, results with charts, and the staff editor."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from engagement import accounts, charts, i18n
from engagement.auth.csrf import verify_csrf
from engagement.auth.deps import (
    DbSession,
    OptionalPageUser,
    PageActor,
    PageUser,
    client_ip,
    page_user,
)
from engagement.auth.policy import Action, can
from engagement.browser import browser_id, browser_id_or_new, remember_browser, remember_cookie
from engagement.db import CommittingRoute
from engagement.errors import Conflict, Forbidden, Invalid, NotFound
from engagement.i18n import gettext as _
from engagement.models import Role
from engagement.notices import announce
from engagement.params import RowId
from engagement.ratelimit import limiter, public_write_limit
from engagement.rendering import redirect, render
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from surveys import export, forms, labels, results, rules, service
from surveys.models import CHOICE_KINDS, QuestionKind, Status, Survey
from surveys.rules import QuestionSpec

router = APIRouter(
    route_class=CommittingRoute, dependencies=[Depends(verify_csrf), Depends(page_user)]
)


# Ids of the places on the pages where the message after an action shows (engagement.notices).
ANSWERED = "survey-answered"
STATUS = "survey-status"
SETTINGS = "survey-settings"
QUESTIONS = "questions"


def _answered_cookie(survey_id: int) -> str:
    return f"answered_{survey_id}"


# --- public ------------------------------------------------------------------------------------


@router.get("/surveys")
def list_page(request: Request, session: DbSession) -> Response:
    rows, _total = service.list_public(session, limit=100)
    now = utcnow()
    return render(
        request,
        "surveys/list.html",
        {"items": [(s, s.status_at(now)) for s in rows], "labels": labels},
    )


@router.get("/surveys/{survey_id}")
def answer_page(
    request: Request, session: DbSession, survey_id: RowId, again: bool = False
) -> Response:
    survey = service.get_public(session, survey_id)
    answered = _answered_here(request, session, survey)
    # A survey that takes several answers per browser offers the form again only when asked
    # (another person at the same computer), never straight after an answer.
    if again and not survey.one_response_per_browser:
        answered = False
    return _form(request, survey, {}, {}, answered=answered)


def _answered_here(request: Request, session: Session, survey: Survey) -> bool:
    """Whether this browser has answered: its cookie, or for a one-per-browser survey also its
    stored browser id (the cookie may have been cleared while the browser id stayed)."""
    if request.cookies.get(_answered_cookie(survey.id)):
        return True
    browser = browser_id(request)
    return (
        survey.one_response_per_browser
        and bool(browser)
        and (service.answered_from(session, survey.id, str(browser)))
    )


def _form(
    request: Request,
    survey: Survey,
    answers: dict[str, Any],
    errors: dict[str, str],
    *,
    status_code: int = 200,
    preview: bool = False,
    answered: bool = False,
) -> Response:
    shown = rules.visible_keys(survey.questions, answers)
    return render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "status": survey.status_at(utcnow()),
            "answers": answers,
            "errors": errors,
            "questions": [q for q in survey.questions if q.key in shown],
            "answered": answered and not preview,
            "preview": preview,
            "labels": labels,
            "QuestionKind": QuestionKind,
        },
        block="questions",
        status_code=status_code,
    )


@router.post("/surveys/{survey_id}/visible")
async def visible(request: Request, session: DbSession, survey_id: RowId) -> Response:
    """htmx: the questions again, with follow-ups shown or hidden as the server decides."""
    survey = await run_in_threadpool(service.get_public, session, survey_id)
    answers = forms.answers_from_form(survey.questions, await request.form())
    return _form(request, survey, answers, {})


@router.post("/surveys/{survey_id}")
@limiter.limit(public_write_limit)
async def submit(request: Request, session: DbSession, survey_id: RowId) -> Response:
    survey = await run_in_threadpool(service.get_public, session, survey_id)
    form = await request.form()
    answers = forms.answers_from_form(survey.questions, form)
    shown = rules.visible_keys(survey.questions, answers)
    # A plain form may still carry answers to questions that later answers hid: drop them.
    answers = {k: v for k, v in answers.items() if k in shown}
    if form.get("action") == "refresh":
        return _form(request, survey, answers, {})
    browser = browser_id_or_new(request)
    try:
        await run_in_threadpool(
            lambda: service.submit_response(
                session,
                survey.id,
                answers,
                browser=browser if survey.one_response_per_browser else None,
                ip=client_ip(request),
            )
        )
    except Invalid as exc:
        await run_in_threadpool(session.rollback)
        errors = {f or "form": e.render(i18n.gettext) for f, e in exc.errors}
        return _form(request, survey, answers, errors, status_code=422)
    # The survey's own page says the answers were received, in place of the form.
    response = redirect(
        request,
        f"/surveys/{survey.id}",
        notice=_("Thank you: your answers were received."),
        place=ANSWERED,
    )
    remember_browser(response, browser)
    remember_cookie(response, _answered_cookie(survey.id), "1")
    return response


@router.get("/surveys/{survey_id}/thanks")
def thanks(request: Request, session: DbSession, survey_id: RowId) -> Response:
    """The old thank-you address: the survey's page now says the answers were received."""
    survey = service.get_public(session, survey_id)
    return redirect(request, f"/surveys/{survey.id}#{ANSWERED}")


@router.get("/surveys/{survey_id}/results")
def results_page(
    request: Request,
    session: DbSession,
    survey_id: RowId,
    user: OptionalPageUser,
    rows: str = "",
    columns: str = "",
) -> Response:
    survey = service.get_public(session, survey_id)
    if not service.may_see_results(user, survey):
        # Said plainly on a page of its own: 401 asks the unit's staff to sign in, 403 tells
        # a signed-in person of another unit that the results are not theirs to see.
        return render(
            request,
            "surveys/results_private.html",
            {"survey": survey, "signed_in": user is not None},
            status_code=401 if user is None else 403,
        )
    staff_view = can(user, Action.view_unit, survey.department_id)
    computed = results.compute(session, survey, with_words=staff_view)
    return render(
        request,
        "surveys/results.html",
        {
            "survey": survey,
            "results": computed,
            "figures": _figures(computed),
            "charts": True,
            "staff_view": staff_view,
            "labels": labels,
            "QuestionKind": QuestionKind,
            "choice_questions": [q for q in survey.questions if q.kind in CHOICE_KINDS],
            **(_crosstab(session, survey, rows, columns) if staff_view else {}),
        },
    )


def _figures(computed: results.SurveyResults) -> dict[str, str]:
    figures = {}
    for r in computed.questions:
        if r.question.kind in CHOICE_KINDS and r.counts:
            figures[r.question.key] = charts.bar(list(r.counts), list(r.counts.values()))
        elif r.question.kind in (QuestionKind.rating, QuestionKind.number) and r.counts:
            ordered = sorted(r.counts.items(), key=lambda kv: float(kv[0]))
            figures[r.question.key] = charts.bar(
                [k for k, _ in ordered], [v for _, v in ordered], horizontal=False, height=260
            )
    return figures


def _crosstab(session: Session, survey: Survey, rows: str, columns: str) -> dict[str, Any]:
    by_key = {q.key: q for q in survey.questions if q.kind in CHOICE_KINDS}
    if rows in by_key and columns in by_key and rows != columns:
        return {
            "crosstab": results.crosstab(session, by_key[rows], by_key[columns]),
            "crosstab_keys": (by_key[rows], by_key[columns]),
        }
    return {"crosstab": None, "crosstab_keys": None}


# --- staff -------------------------------------------------------------------------------------


@router.get("/staff/surveys")
def staff_list(request: Request, session: DbSession, user: PageUser) -> Response:
    now = utcnow()
    rows = service.list_for_staff(session, user)
    return render(
        request,
        "surveys/staff_list.html",
        {
            "items": [(s, s.status_at(now), service.response_count(session, s.id)) for s in rows],
            "labels": labels,
        },
    )


def _may_create(user: Any) -> bool:
    return user.role == Role.admin or can(user, Action.manage_survey, user.department_id)


@router.get("/staff/surveys/new")
def new_page(request: Request, session: DbSession, user: PageUser) -> Response:
    if not _may_create(user):
        raise Forbidden("You are not allowed to do this.")
    tz = get_settings().tz
    now = utcnow().astimezone(tz)
    form = {
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
    }
    return render(
        request,
        "surveys/new.html",
        {
            "form": form,
            "errors": {},
            "departments": accounts.list_departments(session),
            "choose_unit": user.role != Role.staff,
        },
    )


def _times(form: dict[str, str]) -> tuple[datetime, datetime]:
    tz = get_settings().tz
    try:
        return (
            datetime.fromisoformat(form["opens_at"]).replace(tzinfo=tz),
            datetime.fromisoformat(form["closes_at"]).replace(tzinfo=tz),
        )
    except ValueError as exc:
        raise Invalid("Enter the opening and closing date and time.", field="opens_at") from exc


@router.post("/staff/surveys")
def create_page(
    request: Request,
    session: DbSession,
    actor: PageActor,
    title: Annotated[str, Form(max_length=200)] = "",
    description: Annotated[str, Form(max_length=5000)] = "",
    opens_at: Annotated[str, Form()] = "",
    closes_at: Annotated[str, Form()] = "",
    department: Annotated[str, Form()] = "",
) -> Response:
    form = {
        "title": title,
        "description": description,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "department": department,
    }
    try:
        opens, closes = _times(form)
        first = QuestionSpec(
            key="q1",
            kind=QuestionKind.single,
            text="问题一",
            required=True,
            options=["选项一", "选项二"],
        )
        survey = service.create_survey(
            session,
            actor,
            service.SurveyIn(
                title=title,
                description=description,
                opens_at=opens,
                closes_at=closes,
                results_public=False,
                one_response_per_browser=False,
                questions=[first],
                department=department or None,
            ),
        )
    except Invalid as exc:
        session.rollback()
        assert actor.user is not None
        return render(
            request,
            "surveys/new.html",
            {
                "form": form,
                "errors": {f or "form": e.render(i18n.gettext) for f, e in exc.errors},
                "departments": accounts.list_departments(session),
                "choose_unit": actor.user.role != Role.staff,
            },
            status_code=422,
        )
    return redirect(
        request,
        f"/staff/surveys/{survey.id}",
        notice=_("The survey is created as a draft. Write its questions, then publish it."),
        place=QUESTIONS,
    )


@router.get("/staff/surveys/{survey_id}")
def editor(request: Request, session: DbSession, actor: PageActor, survey_id: RowId) -> Response:
    survey = service.get_for_staff(session, actor, survey_id)
    return _editor(request, session, actor, survey)


def _editor(
    request: Request,
    session: Session,
    actor: PageActor,
    survey: Survey,
    *,
    error: str | None = None,
    editing: str | None = None,
    status_code: int = 200,
    saved: str | None = None,
    settings_form: dict[str, Any] | None = None,
    settings_errors: dict[str, str] | None = None,
) -> Response:
    tz = get_settings().tz
    count = service.response_count(session, survey.id)
    settings = settings_form or {
        "title": survey.title,
        "description": survey.description,
        "opens_at": survey.opens_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": survey.closes_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
        "results_public": survey.results_public,
        "one_response_per_browser": survey.one_response_per_browser,
    }
    return render(
        request,
        "surveys/editor.html",
        {
            "survey": survey,
            "status": survey.status_at(utcnow()),
            "responses": count,
            "locked": count > 0,
            "may_manage": can(actor.user, Action.manage_survey, survey.department_id),
            "error": error,
            "editing": editing,
            "kinds": list(QuestionKind),
            "labels": labels,
            "settings": settings,
            "settings_errors": settings_errors or {},
            "saved": saved,
            "choice_questions": [q for q in survey.questions if q.kind in CHOICE_KINDS],
            # Staff read "question 2", not a key such as q2 or often, where one is referred to.
            "numbers": {q.key: n for n, q in enumerate(survey.questions, 1)},
        },
        block="questions",
        status_code=status_code,
    )


def _change(
    request: Request,
    session: Session,
    actor: PageActor,
    survey_id: RowId,
    change: Any,
    done: str,
    editing: str | None = None,
) -> Response:
    """Applies an edit to the question list through the one validating update; `done` is the
    message that confirms it, in the swapped list (htmx, also announced) or after the redirect."""
    survey = service.get_for_staff(session, actor, survey_id, manage=True)
    specs = [service.spec_of(q) for q in survey.questions]
    try:
        new_specs = change(specs)
        service.update_survey(session, actor, survey.id, _with_questions(survey, new_specs))
    except (Invalid, Conflict) as exc:
        session.rollback()
        survey = service.get_for_staff(session, actor, survey_id)
        message = "; ".join(
            e.render(i18n.gettext) for _f, e in getattr(exc, "errors", [])
        ) or exc.render(i18n.gettext)
        return _editor(
            request,
            session,
            actor,
            survey,
            error=message,
            editing=editing,
            status_code=exc.status_code,
        )
    if not request.headers.get("HX-Request"):
        return redirect(request, f"/staff/surveys/{survey_id}", notice=done, place=QUESTIONS)
    response = _editor(request, session, actor, survey, saved=done)
    announce(response, done)
    return response


def _with_questions(survey: Survey, specs: list[QuestionSpec]) -> service.SurveyIn:
    return service.SurveyIn(
        title=survey.title,
        description=survey.description,
        opens_at=survey.opens_at,
        closes_at=survey.closes_at,
        results_public=survey.results_public,
        one_response_per_browser=survey.one_response_per_browser,
        questions=specs,
    )


@router.post("/staff/surveys/{survey_id}/settings")
def save_settings(
    request: Request,
    session: DbSession,
    actor: PageActor,
    survey_id: RowId,
    title: Annotated[str, Form(max_length=200)] = "",
    description: Annotated[str, Form(max_length=5000)] = "",
    opens_at: Annotated[str, Form()] = "",
    closes_at: Annotated[str, Form()] = "",
    results_public: Annotated[bool, Form()] = False,
    one_response_per_browser: Annotated[bool, Form()] = False,
) -> Response:
    survey = service.get_for_staff(session, actor, survey_id, manage=True)
    form: dict[str, Any] = {
        "title": title,
        "description": description,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "results_public": results_public,
        "one_response_per_browser": one_response_per_browser,
    }
    try:
        opens, closes = _times(form)
        service.update_survey(
            session,
            actor,
            survey.id,
            service.SurveyIn(
                title=title,
                description=description,
                opens_at=opens,
                closes_at=closes,
                results_public=results_public,
                one_response_per_browser=one_response_per_browser,
                questions=[service.spec_of(q) for q in survey.questions],
            ),
        )
    except (Invalid, Conflict) as exc:
        session.rollback()
        survey = service.get_for_staff(session, actor, survey_id)
        errors = {f or "form": e.render(i18n.gettext) for f, e in getattr(exc, "errors", [])}
        return _editor(
            request,
            session,
            actor,
            survey,
            settings_form=form,
            settings_errors=errors or {"form": exc.render(i18n.gettext)},
            status_code=exc.status_code,
        )
    return redirect(
        request,
        f"/staff/surveys/{survey_id}",
        notice=_("The settings are saved."),
        place=SETTINGS,
    )


@router.post("/staff/surveys/{survey_id}/questions")
async def add_question(
    request: Request, session: DbSession, actor: PageActor, survey_id: RowId
) -> Response:
    spec = forms.spec_from_form(await request.form())
    return await run_in_threadpool(
        _change,
        request,
        session,
        actor,
        survey_id,
        lambda specs: [*specs, spec],
        _("The question is added."),
        "new",
    )


@router.post("/staff/surveys/{survey_id}/questions/{key}")
async def edit_question(
    request: Request, session: DbSession, actor: PageActor, survey_id: RowId, key: str
) -> Response:
    spec = forms.spec_from_form(await request.form())
    return await run_in_threadpool(
        _change,
        request,
        session,
        actor,
        survey_id,
        lambda specs: [spec if s.key == key else s for s in specs],
        _("The question is saved."),
        key,
    )


@router.post("/staff/surveys/{survey_id}/questions/{key}/delete")
def delete_question(
    request: Request, session: DbSession, actor: PageActor, survey_id: RowId, key: str
) -> Response:
    return _change(
        request,
        session,
        actor,
        survey_id,
        lambda specs: [s for s in specs if s.key != key],
        _("The question is deleted."),
    )


@router.post("/staff/surveys/{survey_id}/questions/{key}/move")
def move_question(
    request: Request,
    session: DbSession,
    actor: PageActor,
    survey_id: RowId,
    key: str,
    direction: Annotated[str, Form()] = "up",
) -> Response:
    def move(specs: list[QuestionSpec]) -> list[QuestionSpec]:
        i = next((n for n, s in enumerate(specs) if s.key == key), None)
        if i is None:
            raise NotFound("No such question.")
        j = i - 1 if direction == "up" else i + 1
        if 0 <= j < len(specs):
            specs[i], specs[j] = specs[j], specs[i]
        return specs

    return _change(request, session, actor, survey_id, move, _("The question is moved."))


@router.get("/staff/surveys/{survey_id}/preview")
def preview(request: Request, session: DbSession, actor: PageActor, survey_id: RowId) -> Response:
    survey = service.get_for_staff(session, actor, survey_id)
    return _form(request, survey, {}, {}, preview=True)


@router.post("/staff/surveys/{survey_id}/publish")
def publish(request: Request, session: DbSession, actor: PageActor, survey_id: RowId) -> Response:
    survey = service.publish(session, actor, survey_id)
    if survey.status_at(utcnow()) == Status.open:
        done = _("The survey is published and open for answers.")
    else:
        tz = get_settings().tz
        done = _(
            "The survey is published; it opens for answers on %(date)s.",
            date=survey.opens_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        )
    return redirect(request, f"/staff/surveys/{survey_id}", notice=done, place=STATUS)


@router.post("/staff/surveys/{survey_id}/close")
def close(request: Request, session: DbSession, actor: PageActor, survey_id: RowId) -> Response:
    service.close_now(session, actor, survey_id)
    return redirect(
        request,
        f"/staff/surveys/{survey_id}",
        notice=_("The survey is closed: no more answers."),
        place=STATUS,
    )


@router.get("/staff/surveys/{survey_id}/export.{fmt}")
def export_page(session: DbSession, actor: PageActor, survey_id: RowId, fmt: str) -> Response:
    survey = service.get_for_staff(session, actor, survey_id)
    if fmt == "xlsx":
        return Response(
            export.to_xlsx(session, survey),
            media_type=export.XLSX,
            headers={"Content-Disposition": f'attachment; filename="survey-{survey_id}.xlsx"'},
        )
    if fmt == "csv":
        return Response(
            export.to_csv(session, survey),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="survey-{survey_id}.csv"'},
        )
    raise NotFound("No such export format.")


@router.get("/staff/surveys/{survey_id}/results")
def staff_results(
    request: Request, survey_id: RowId, actor: PageActor, session: DbSession
) -> Response:
    survey = service.get_for_staff(session, actor, survey_id)
    if survey.status_at(utcnow()) == Status.draft:
        raise Conflict("A draft survey has no results yet.")
    return redirect(request, f"/surveys/{survey_id}/results")
