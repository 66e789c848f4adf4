"""The admin's import page: upload an earlier system's letters, read the check, then import."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from engagement import i18n
from engagement.auth.csrf import verify_csrf
from engagement.auth.deps import PageUser
from engagement.auth.policy import Action, require
from engagement.db import CommittingRoute
from engagement.errors import DomainError, NotFound
from engagement.i18n import N_
from engagement.rendering import redirect, render
from engagement.settings import get_settings
from feedback.mailbox import import_jobs
from feedback.mailbox.import_jobs import Job

router = APIRouter(
    prefix="/admin/import", route_class=CommittingRoute, dependencies=[Depends(verify_csrf)]
)

# The columns of an import file (contract §6), as the page explains them.
COLUMNS = [
    ("number", N_("no"), N_("The earlier number, kept as the letter's number")),
    (
        "submitted_at",
        N_("yes"),
        N_("Written at: 2019-04-25 09:32 or 2019/4/25 9:32"),
    ),
    ("subject", N_("one of the two"), N_("Subject, up to 200 characters")),
    ("body", N_("one of the two"), N_("The letter, up to 20,000 characters")),
    ("category", N_("no"), N_("咨询, 投诉, 建议, 求助 or 举报; consultation by default")),
    ("name, phone, email", N_("no"), N_("The writer's contact")),
    ("township", N_("no"), N_("The township, by its name or slug")),
    (
        "department",
        N_("with a reply"),
        N_("The unit that handled it, by name or slug"),
    ),
    ("reply, replied_at", N_("no"), N_("The reply and when it went out, together")),
    ("status", N_("no"), N_("closed: archived without a reply")),
    ("support", N_("no"), N_("How many people supported it")),
    ("public", N_("no"), N_("是 or 否: published with its reply, personal data masked")),
]


@router.get("")
def import_page(request: Request, user: PageUser) -> Response:
    require(user, Action.import_letters)
    return _index(request)


def _index(request: Request, error: str | None = None, status_code: int = 200) -> Response:
    return render(
        request,
        "mailbox/import.html",
        {
            "columns": COLUMNS,
            "jobs": import_jobs.recent(),
            "max_mb": get_settings().import_max_bytes // (1024 * 1024),
            "error": error,
            "local": _local,
        },
        status_code=status_code,
    )


@router.post("")
async def upload(request: Request, user: PageUser, file: Annotated[UploadFile, File()]) -> Response:
    require(user, Action.import_letters)
    try:
        job = await run_in_threadpool(import_jobs.create, file.file, file.filename or "", user)
    except DomainError as exc:
        return _index(request, exc.render(i18n.gettext), status_code=422)
    _start(request, job, dry_run=True)
    return redirect(request, f"/admin/import/{job.id}")


@router.get("/{job_id}")
def job_page(request: Request, user: PageUser, job_id: str) -> Response:
    require(user, Action.import_letters)
    return _job(request, _get(job_id))


def _job(request: Request, job: Job, error: str | None = None, status_code: int = 200) -> Response:
    return render(
        request,
        "mailbox/import_job.html",
        {"job": job, "error": error, "local": _local, "explain": _explain},
        block="status",
        status_code=status_code,
    )


@router.post("/{job_id}/import")
def import_file(request: Request, user: PageUser, job_id: str) -> Response:
    require(user, Action.import_letters)
    job = _get(job_id)
    if not job.can_import:
        return _job(request, job, i18n.gettext("This file cannot be imported now."), 409)
    if import_jobs.importing_elsewhere(job):
        message = "Another file is being imported; import this one when it has finished."
        return _job(request, job, i18n.gettext(message), 409)
    _start(request, job, dry_run=False)
    return redirect(request, f"/admin/import/{job.id}")


@router.post("/{job_id}/check")
def check_again(request: Request, user: PageUser, job_id: str) -> Response:
    """Checks an upload again, after a restart stopped its check."""
    require(user, Action.import_letters)
    job = _get(job_id)
    if job.running or not job.upload.exists():
        return _job(request, job, i18n.gettext("This file cannot be checked now."), 409)
    _start(request, job, dry_run=True)
    return redirect(request, f"/admin/import/{job.id}")


def _start(request: Request, job: Job, *, dry_run: bool) -> None:
    import_jobs.start(job, dry_run=dry_run)
    runner: import_jobs.Runner = getattr(request.app.state, "import_runner", import_jobs.in_thread)
    runner(request.app.state.sessionmaker, job, dry_run)


def _get(job_id: str) -> Job:
    job = import_jobs.get(job_id)
    if job is None:
        raise NotFound("No such import.")
    return job


def _local(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, get_settings().tz).strftime("%Y-%m-%d %H:%M")


def _explain(message: dict[str, Any]) -> str:
    """A stored problem or error in the reader's language."""
    params = message.get("params") or {}
    text = i18n.gettext(message.get("reason") or message["message"])
    return text % params if params else text
