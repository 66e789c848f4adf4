"""The `engagement` command: migrate, serve, demo data, units, users, analytics, backups."""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from engagement import accounts, demo
from engagement.audit import Actor
from engagement.db import make_engine, make_sessionmaker, write_intent
from engagement.errors import DomainError
from engagement.models import DepartmentKind, Role
from engagement.settings import get_settings

if TYPE_CHECKING:
    from feedback.mailbox.importer import Report

app = typer.Typer(
    help="Public-engagement platform for local government.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
department_app = typer.Typer(help="Departments and townships.", no_args_is_help=True)
user_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
analytics_app = typer.Typer(help="Dashboard figures and topics.", no_args_is_help=True)
import_app = typer.Typer(help="Bring in an earlier system's data.", no_args_is_help=True)
app.add_typer(department_app, name="department")
app.add_typer(user_app, name="user")
app.add_typer(analytics_app, name="analytics")
app.add_typer(import_app, name="import")

console = Console()
CLI_ACTOR = Actor(None, system_name="cli")


def fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """A session committed when the command succeeds; a domain error ends it with exit 1."""
    engine = make_engine(get_settings().database_url)
    session = make_sessionmaker(engine)()
    # Commands write: on SQLite take the write lock at BEGIN, in turn with the site's writers,
    # rather than fail when a read transaction cannot become a write one.
    intent = write_intent.set(True)
    try:
        yield session
        session.commit()
    except DomainError as exc:
        session.rollback()
        raise fail(exc.render()) from None
    except (OperationalError, ProgrammingError) as exc:
        session.rollback()
        first = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        raise fail(f"the database is not ready ({first}); run `engagement migrate`") from None
    finally:
        write_intent.reset(intent)
        session.close()
        engine.dispose()


@app.command()
def migrate() -> None:
    """Bring the database to the newest schema (safe to run again)."""
    from engagement.migrate import upgrade

    try:
        upgrade()
    except Exception as exc:  # a bad URL or an unreachable server is the operator's to fix
        raise fail(f"migration failed: {exc}") from None
    typer.echo("database is up to date")


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1)] = 1,
    forwarded_allow_ips: Annotated[
        str, typer.Option(help="Proxies trusted to set X-Forwarded-For.")
    ] = "127.0.0.1",
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
) -> None:
    """Serve the web app with uvicorn, after migrating."""
    import uvicorn

    from engagement.request_log import logging_config

    migrate()
    _check_connections(workers)
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # The workers keep their request counts in one folder, so /metrics adds them up.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="engagement-metrics-")
    uvicorn.run(
        "engagement.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        access_log=False,  # our request log replaces uvicorn's: route templates, no codes
        # Each worker loads the segmenter's dictionary at start: on a busy machine that takes
        # longer than uvicorn's 5 s health check, which then restarts healthy workers.
        timeout_worker_healthcheck=60,
        log_config=logging_config(json_lines=get_settings().log_json, requests=access_log),
    )


COMMAND_CONNECTIONS = 5  # kept free for `analytics refresh`, `backup`, psql…


def _check_connections(workers: int) -> None:
    """Refuses to start workers that together could open more PostgreSQL connections than the
    server allows: they would fail under load, not at start."""
    settings = get_settings()
    if settings.is_sqlite:
        return
    with unit_of_work() as session:
        allowed = int(session.execute(text("SHOW max_connections")).scalar_one())
        reserved = int(session.execute(text("SHOW superuser_reserved_connections")).scalar_one())
    wanted = workers * (settings.db_pool_size + settings.db_max_overflow)
    if wanted > allowed - reserved - COMMAND_CONNECTIONS:
        raise fail(
            f"{workers} workers × {settings.db_pool_size + settings.db_max_overflow} connections "
            f"(ENGAGEMENT_DB_POOL_SIZE + ENGAGEMENT_DB_MAX_OVERFLOW) = {wanted} exceed what "
            f"PostgreSQL allows ({allowed} - {reserved} reserved - {COMMAND_CONNECTIONS} "
            "for commands): lower them or raise max_connections"
        )


class Scale(StrEnum):
    small = "small"
    large = "large"


@app.command("demo")
def load_demo(scale: Scale = Scale.small) -> None:
    """Fill the database with realistic demo data; running it again adds nothing twice."""
    from engagement.app import DOMAINS

    loaders = [importlib.import_module(f"{name}.demo") for name in DOMAINS]
    with unit_of_work() as session, Progress(console=console, transient=False) as progress:
        task = progress.add_task("departments and users", total=2 + len(loaders))
        demo.load_units(session)
        progress.advance(task)
        logins = demo.load_users(session)
        session.commit()
        progress.advance(task)
        notes: list[str] = []
        for loader in loaders:
            name = loader.__name__.split(".")[0]
            progress.update(task, description=name)
            started = time.perf_counter()
            notes += loader.load(session, scale=scale.value, progress=progress) or []
            session.commit()
            notes.append(f"  ({name}: {time.perf_counter() - started:.0f} s)")
            progress.advance(task)
        started = time.perf_counter()
        documents = reindex_everything(session)
        notes.append(
            f"Search index: {documents} public documents ({time.perf_counter() - started:.0f} s)"
        )
    _print_logins(logins)
    for line in notes:
        console.print(line)


def _print_logins(logins: list[demo.DemoLogin]) -> None:
    table = Table(title="Demo logins")
    for column in ("username", "password", "role", "unit"):
        table.add_column(column)
    for login in logins:
        table.add_row(login.username, login.password, login.role, login.unit)
    console.print(table)


@department_app.command("add")
def add_department(
    slug: str,
    name: Annotated[str, typer.Option("--name", help="Display name, e.g. 县住房和城乡建设局")],
    kind: DepartmentKind = DepartmentKind.department,
) -> None:
    """Add a department or township."""
    with unit_of_work() as session:
        accounts.create_department(session, CLI_ACTOR, slug=slug, name=name, kind=kind)
    typer.echo(f"added {kind.value} {slug}")


@user_app.command("add")
def add_user(
    username: str,
    role: Annotated[Role, typer.Option("--role")],
    department: Annotated[str | None, typer.Option("--department", help="Unit slug")] = None,
    display_name: Annotated[str, typer.Option("--name")] = "",
) -> None:
    """Add a user; the password is read as one line from standard input."""
    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    with unit_of_work() as session:
        accounts.create_user(
            session,
            CLI_ACTOR,
            username=username,
            password=password,
            role=role,
            department_slug=department,
            display_name=display_name,
        )
    typer.echo(f"added {role.value} {username}")


mail_app = typer.Typer(help="Outgoing mail.", no_args_is_help=True)
app.add_typer(mail_app, name="mail")


@mail_app.command("deliver")
def mail_deliver() -> None:
    """Send queued mail that is due (run from cron to retry failures)."""
    from engagement.mail import deliver_pending

    with unit_of_work() as session:
        sent = deliver_pending(session)
    typer.echo(f"sent {sent}")


search_app = typer.Typer(help="The public search index.", no_args_is_help=True)
app.add_typer(search_app, name="search")


@search_app.command("reindex")
def search_reindex() -> None:
    """Rebuild the search index from everything public now."""
    with unit_of_work() as session:
        n = reindex_everything(session)
    typer.echo(f"indexed {n} documents")


def reindex_everything(session: Session) -> int:
    from engagement import search
    from engagement.app import domain_modules

    return sum(
        search.reindex(session, module.search_documents(session))
        for module in domain_modules()
        if hasattr(module, "search_documents")
    )


@analytics_app.command("refresh")
def analytics_refresh() -> None:
    """Recompute topics and the rollups the dashboard keeps."""
    from engagement.app import DOMAINS

    refreshed = []
    with unit_of_work() as session:
        for name in DOMAINS:
            try:
                module = importlib.import_module(f"{name}.refresh")
            except ModuleNotFoundError:
                continue
            refreshed.append(module.refresh(session))
    typer.echo("refreshed: " + (", ".join(refreshed) if refreshed else "nothing to refresh yet"))


@app.command("backup")
def backup_database(
    path: Annotated[
        Path, typer.Argument(help="The file to write, e.g. /var/backups/engagement.dump")
    ],
) -> None:
    """Write a consistent copy of the database while the site runs, and check that it opens.

    SQLite: the online backup API; the site's writers never wait for it.
    PostgreSQL: pg_dump -Fc (pg_dump and pg_restore must be installed).
    PATH is replaced only by a copy that passed its check.
    """
    from engagement.backup import BackupFailed, back_up

    quiet = not console.is_terminal
    with Progress(console=console, transient=True, disable=quiet) as progress:
        task = progress.add_task("backing up", total=None)

        def show(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            made = back_up(get_settings().database_url, path, progress=show)
        except BackupFailed as exc:
            progress.stop()
            raise fail(str(exc)) from None
    letters = "1 letter" if made.letters == 1 else f"{made.letters} letters"
    typer.echo(f"backed up {letters} to {made.path} ({made.size / 1_000_000:.1f} MB)")


@import_app.command("letters")
def import_letters(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help=".csv or .xlsx")
    ],
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Check the file and show what it holds; write nothing."),
    ] = False,
) -> None:
    """Import an earlier system's letters with their own dates and numbers.

    Every row is checked first: a file with any bad row imports nothing and lists each one.
    Running it again adds nothing twice.
    """
    from feedback.mailbox import importer  # a domain, loaded only for this command

    quiet = not console.is_terminal  # a script reads the summary line alone
    with (
        unit_of_work() as session,
        Progress(console=console, transient=True, disable=quiet) as progress,
    ):
        tasks: dict[str, TaskID] = {}

        def show(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = progress.add_task(phase, total=total)
            progress.update(tasks[phase], completed=done, total=total)

        report = importer.import_letters(
            session, path, actor=CLI_ACTOR, dry_run=dry_run, progress=show
        )
        if report.problems:
            progress.stop()
            for problem in report.problems:
                typer.echo(str(problem), err=True)
            raise typer.Exit(1)
    if dry_run:
        _print_dry_run(report)
    else:
        typer.echo(f"imported {report.imported}, skipped {report.present} already present")


def _print_dry_run(report: Report) -> None:
    tz = get_settings().tz
    typer.echo(
        f"would import {report.rows - report.present} letters "
        f"({report.rows} rows, {report.present} already present)"
    )
    if report.first is not None and report.last is not None:
        first, last = report.first.astimezone(tz), report.last.astimezone(tz)
        typer.echo(f"submitted {first:%Y-%m-%d} to {last:%Y-%m-%d}")
    units = ", ".join(f"{name} {n}" for name, n in report.units.most_common())
    typer.echo(f"units: {units or 'none'}")
    if report.weekdays_only:
        years = ", ".join(str(year) for year in report.weekdays_only)
        typer.echo(f"no official holiday calendar for {years}: deadlines count weekends only")


def main() -> None:
    """Console entry point: usage mistakes end in one line on stderr, never a traceback."""
    from typer._click.exceptions import ClickException, NoArgsIsHelpError

    try:
        result = app(standalone_mode=False)
    except NoArgsIsHelpError:
        app(["--help"])
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except ClickException as exc:
        typer.echo(f"error: {' '.join(exc.format_message().split())}", err=True)
        sys.exit(exc.exit_code)
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
