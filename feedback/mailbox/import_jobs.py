"""Imports started from the admin page: an uploaded file, its check and its import.

A job is a folder under `ENGAGEMENT_IMPORT_DIR` holding the upload and `job.json`. The check
and the import run on a thread of the process that took the upload, and write their progress
to `job.json`, not to the database: on SQLite a second connection writing progress would fight
the import for the write lock. Any worker on the machine can then show the progress.

One import runs at a time on a machine (an flock beside the jobs). A job whose process ended
mid-way (a restart) is shown as interrupted; importing it again is safe, since rows already
stored are skipped. The upload holds personal data, so it is deleted once it is imported or
refused, and after `KEEP_DAYS` in any case.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.orm import Session, sessionmaker

from engagement.audit import Actor
from engagement.errors import DomainError, Invalid
from engagement.i18n import N_
from engagement.models import User
from engagement.settings import get_settings
from feedback.mailbox import importer
from feedback.mailbox.importer import Report

log = logging.getLogger(__name__)

SUFFIXES = (".csv", ".xlsx")
JOB_ID = re.compile(r"[0-9a-f]{16}")
RUNNING = ("checking", "importing")
STALE_SECONDS = 60  # no heartbeat for this long: the process that ran the job is gone
HEARTBEAT_SECONDS = 1.0
KEEP_DAYS = 7
SHOWN_PROBLEMS = 500  # bad rows listed on the page; the count says how many in all
CHUNK = 1024 * 1024

Runner = Callable[["sessionmaker[Session]", "Job", bool], None]


@dataclass
class Job:
    """One uploaded file and what became of it."""

    id: str
    file_name: str  # as uploaded, shown and audited
    suffix: str
    user_id: int
    username: str
    created_at: float  # seconds since the epoch
    state: str = "checking"  # checking → checked | refused → importing → done; or failed
    phase: str = "checking"
    done: int = 0
    total: int | None = None
    report: dict[str, Any] | None = None
    error: dict[str, Any] | None = None  # {"message": msgid, "params": {...}}
    updated_at: float = field(default_factory=time.time)

    @property
    def folder(self) -> Path:
        return jobs_dir() / self.id

    @property
    def upload(self) -> Path:
        return self.folder / f"upload{self.suffix}"

    @property
    def interrupted(self) -> bool:
        return self.state in RUNNING and time.time() - self.updated_at > STALE_SECONDS

    @property
    def running(self) -> bool:
        return self.state in RUNNING and not self.interrupted

    @property
    def can_import(self) -> bool:
        """The file passed its check and is still here to import (again, if it stopped)."""
        ready = self.state in ("checked", "failed") or (
            self.state == "importing" and self.interrupted
        )
        return ready and self.report is not None and self.upload.exists()

    def save(self) -> None:
        """Writes `job.json` whole or not at all (a reader never sees half of it)."""
        self.updated_at = time.time()
        partial = self.folder / "job.json.new"
        partial.write_text(json.dumps(asdict(self), ensure_ascii=False), encoding="utf-8")
        partial.replace(self.folder / "job.json")


def jobs_dir() -> Path:
    folder = get_settings().import_dir
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # the uploads hold personal data
    return folder


def create(upload: BinaryIO, file_name: str, user: User) -> Job:
    """Stores an upload as a new job, waiting for its check; refuses other files and big ones."""
    suffix = Path(file_name).suffix.lower()
    if suffix not in SUFFIXES:
        raise Invalid("Upload a .csv or .xlsx file.", field="file")
    job = Job(
        id=secrets.token_hex(8),
        file_name=file_name[-200:],
        suffix=suffix,
        user_id=user.id,
        username=user.username,
        created_at=time.time(),
    )
    job.folder.mkdir(mode=0o700, parents=True)
    try:
        _copy(upload, job.upload, get_settings().import_max_bytes)
    except BaseException:
        shutil.rmtree(job.folder, ignore_errors=True)
        raise
    job.save()
    return job


def _copy(upload: BinaryIO, target: Path, limit: int) -> None:
    written = 0
    with target.open("wb") as out:
        while chunk := upload.read(CHUNK):
            written += len(chunk)
            if written > limit:
                raise Invalid(
                    "The file is larger than %(mb)s MB: import it with the command "
                    "`engagement import letters`.",
                    field="file",
                    mb=limit // (1024 * 1024),
                )
            out.write(chunk)
    if written == 0:
        raise Invalid("The file is empty.", field="file")


def get(job_id: str) -> Job | None:
    if not JOB_ID.fullmatch(job_id):
        return None
    path = jobs_dir() / job_id / "job.json"
    try:
        return Job(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def recent(limit: int = 20) -> list[Job]:
    """The newest jobs, newest first; forgets the uploads of jobs older than `KEEP_DAYS`."""
    jobs = [job for folder in jobs_dir().iterdir() if (job := get(folder.name))]
    for job in jobs:
        if time.time() - job.created_at > KEEP_DAYS * 86400:
            job.upload.unlink(missing_ok=True)
    return sorted(jobs, key=lambda j: j.created_at, reverse=True)[:limit]


def importing_elsewhere(job: Job) -> bool:
    """Whether another job is importing on this machine right now."""
    return any(o.id != job.id and o.state == "importing" and o.running for o in recent())


def start(job: Job, *, dry_run: bool) -> None:
    """Marks the job as running before the page that shows it is sent."""
    job.state = "checking" if dry_run else "importing"
    job.phase, job.done, job.total, job.error = "checking", 0, None, None
    job.save()


def in_thread(factory: sessionmaker[Session], job: Job, dry_run: bool) -> None:
    """The default runner: the job goes on after the request that started it has answered."""
    threading.Thread(
        target=run, args=(factory, job, dry_run), name=f"import-{job.id}", daemon=True
    ).start()


def run(factory: sessionmaker[Session], job: Job, dry_run: bool) -> None:
    """Checks (dry run) or imports the job's file; the outcome goes to `job.json`."""
    with _heartbeat(job), factory() as session:
        try:
            with _one_import_at_a_time(exclusive=not dry_run):
                report = _import(session, job, dry_run)
        except DomainError as exc:
            session.rollback()
            params = {k: v if isinstance(v, int) else str(v) for k, v in exc.params.items()}
            job.state, job.error = "failed", {"message": exc.message, "params": params}
        except Exception:
            session.rollback()
            log.exception("import job %s failed", job.id)
            job.state = "failed"
            job.error = {"message": N_("The import stopped on an unexpected error."), "params": {}}
        else:
            job.report = report_dict(report)
            job.state = "refused" if report.problems else "checked" if dry_run else "done"
            if job.state in ("refused", "done"):
                job.upload.unlink(missing_ok=True)


def _import(session: Session, job: Job, dry_run: bool) -> Report:
    user = session.get(User, job.user_id)
    if user is None or not user.active:
        raise Invalid("The account that uploaded the file no longer exists.")

    def progress(phase: str, done: int, total: int | None) -> None:
        job.phase, job.done, job.total = phase, done, total

    return importer.import_letters(
        session,
        job.upload,
        actor=Actor(user, system_name="import"),
        dry_run=dry_run,
        source_name=job.file_name,
        progress=progress,
    )


@contextmanager
def _heartbeat(job: Job) -> Iterator[None]:
    """Saves the job every second while it runs, and once more at the end."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            job.save()

    beating = threading.Thread(target=beat, name=f"import-{job.id}-heartbeat", daemon=True)
    beating.start()
    try:
        yield
    finally:
        stop.set()
        beating.join()
        job.save()


@contextmanager
def _one_import_at_a_time(*, exclusive: bool) -> Iterator[None]:
    if not exclusive:
        yield
        return
    fd = os.open(jobs_dir() / ".importing", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Invalid(
                "Another file is being imported; import this one when it has finished."
            ) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def report_dict(report: Report) -> dict[str, Any]:
    """What the page shows of a check or an import."""
    tz = get_settings().tz
    return {
        "rows": report.rows,
        "present": report.present,
        "new": report.rows - report.present,
        "imported": report.imported,
        "first": report.first.astimezone(tz).strftime("%Y-%m-%d") if report.first else None,
        "last": report.last.astimezone(tz).strftime("%Y-%m-%d") if report.last else None,
        "units": report.units.most_common(),
        "weekdays_only": report.weekdays_only,
        "problems": [
            {"row": p.row, "column": p.column, "reason": p.reason, "params": dict(p.params)}
            for p in report.problems[:SHOWN_PROBLEMS]
        ],
        "problems_total": len(report.problems),
    }
