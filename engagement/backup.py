"""A consistent copy of the database while the site runs, checked before it is trusted.

SQLite: the online backup API copies the pages in steps while this process holds one read
snapshot open (WAL), so the site's writers never wait for the copy and no write restarts it.
PostgreSQL: `pg_dump -Fc` from a snapshot this process exported, read back with `pg_restore`.
Either way the copy is written beside PATH, checked (it opens, and holds as many letters as the
database did at the snapshot) and only then renamed onto PATH: a failed run never spoils an
earlier backup of the same name.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL, make_url, text
from sqlalchemy.exc import SQLAlchemyError

from engagement.db import make_engine

# The figure a backup reports and checks: the rows that matter most to the county.
LETTERS = "letters"
PAGES_PER_STEP = 4096  # 16 MB of 4 KB pages between progress reports

Progress = Callable[[int, int], None]  # (done, total), in SQLite pages or pg_dump's two phases


class BackupFailed(Exception):
    """The backup was not made; the message is one line for the operator."""


@dataclass(frozen=True)
class Backup:
    path: Path
    letters: int
    size: int  # bytes


def back_up(
    url: str,
    path: Path,
    *,
    progress: Progress | None = None,
    pages_per_step: int = PAGES_PER_STEP,
) -> Backup:
    """Copies the database named by `url` to `path`, checks the copy, and reports its letters."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise BackupFailed(f"{target} is a directory; name the backup file")
    database_url = make_url(url)
    if database_url.get_backend_name() == "sqlite":
        return _sqlite(database_url, target, progress, pages_per_step)
    if database_url.get_backend_name() == "postgresql":
        return _postgres(url, database_url, target, progress)
    raise BackupFailed(f"cannot back up a {database_url.get_backend_name()} database")


@contextmanager
def _partial(target: Path) -> Iterator[Path]:
    """A new file beside `target` that replaces it on success and disappears on failure."""
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise BackupFailed(f"cannot write {target}: {exc.strerror or exc}") from None
    os.close(fd)
    partial = Path(name)
    try:
        yield partial
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, target)
    except OSError as exc:
        raise BackupFailed(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)


# SQLite


def _sqlite(url: URL, target: Path, progress: Progress | None, pages_per_step: int) -> Backup:
    database = url.database
    if not database or database == ":memory:" or url.query.get("mode") == "memory":
        raise BackupFailed("an in-memory SQLite database has no file to back up")
    live = Path(database)
    if not live.is_file():
        raise BackupFailed(f"no database at {live}")
    if target.resolve() in {live.resolve(), *(Path(f"{live.resolve()}{s}") for s in _SIDECARS)}:
        raise BackupFailed(f"{target} is the live database; name another file")
    with _partial(target) as partial:
        try:
            source = sqlite3.connect(live, timeout=30, isolation_level=None)
        except sqlite3.Error as exc:
            raise BackupFailed(f"cannot open {live}: {exc}") from None
        try:
            letters = _copy_sqlite(source, partial, progress, pages_per_step)
        finally:
            source.close()
        _check_sqlite(partial, letters)
    return Backup(target, letters, target.stat().st_size)


_SIDECARS = ("-wal", "-shm", ".writelock")


def _copy_sqlite(
    source: sqlite3.Connection, partial: Path, progress: Progress | None, pages_per_step: int
) -> int:
    """Copies one snapshot of `source`; returns its letters.

    The read transaction stays open across the steps. Without it each step would read the
    newest data, and SQLite restarts a backup whenever another connection wrote in between:
    under a steady flow of letters it would never finish. In WAL mode the open snapshot blocks
    no writer; it only keeps the WAL from being checkpointed past it until the copy is done.
    """
    try:
        source.execute("PRAGMA journal_mode=WAL")  # as every connection of the site sets it
        source.execute("PRAGMA query_only=ON")
        source.execute("BEGIN")
        letters = _count_letters(source)  # the first read fixes the snapshot
        destination = sqlite3.connect(partial, isolation_level=None)
        try:

            def report(_status: int, remaining: int, total: int) -> None:
                if progress:
                    progress(total - remaining, total)

            source.backup(destination, pages=pages_per_step, progress=report)
            # One self-contained file: the site switches a restored copy back to WAL itself.
            destination.execute("PRAGMA journal_mode=DELETE")
        finally:
            destination.close()
        source.execute("COMMIT")
    except sqlite3.Error as exc:
        raise BackupFailed(f"the backup failed: {exc}") from None
    return letters


def _check_sqlite(copy: Path, letters: int) -> None:
    try:
        checked = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
        try:
            problems = [row[0] for row in checked.execute("PRAGMA integrity_check")]
            found = _count_letters(checked)
        finally:
            checked.close()
    except sqlite3.Error as exc:
        raise BackupFailed(f"the copy does not open: {exc}") from None
    if problems != ["ok"]:
        raise BackupFailed(f"the copy fails SQLite's integrity check: {problems[0]}")
    if found != letters:
        raise BackupFailed(f"the copy holds {found} letters, the database held {letters}")


def _count_letters(connection: sqlite3.Connection) -> int:
    try:
        return int(connection.execute(f"SELECT count(*) FROM {LETTERS}").fetchone()[0])  # noqa: S608
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            raise BackupFailed(
                "the database has no letters table; run `engagement migrate`"
            ) from None
        raise


# PostgreSQL


def _postgres(url: str, database_url: URL, target: Path, progress: Progress | None) -> Backup:
    pg_dump, pg_restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    if not pg_dump or not pg_restore:
        raise BackupFailed(
            "pg_dump and pg_restore are needed to back up PostgreSQL "
            "(Debian: apt install postgresql-client)"
        )
    conninfo, env = libpq(database_url)
    engine = make_engine(url)
    try:
        with _partial(target) as partial, engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                # pg_dump reads exactly what this transaction sees, and the letters are
                # counted in it too, so the copy can be checked against the count.
                snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
                schema = connection.scalar(text("SELECT current_schema()"))
                letters = int(connection.scalar(text(f"SELECT count(*) FROM {LETTERS}")) or 0)  # noqa: S608
                if progress:
                    progress(0, 2)
                _run(
                    [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}",
                     f"--file={partial}", f"--dbname={conninfo}"],
                    env, "pg_dump",
                )  # fmt: skip
            if progress:
                progress(1, 2)
            _check_dump(pg_restore, partial, str(schema), letters)
            if progress:
                progress(2, 2)
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise BackupFailed(f"cannot read the database: {first}") from None
    finally:
        engine.dispose()
    return Backup(target, letters, target.stat().st_size)


def libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string for the URL, and an environment carrying its password.

    The password never appears on a command line, where any local user could read it.
    """
    params = {
        "host": url.host,
        "port": str(url.port) if url.port else None,
        "user": url.username,
        "dbname": url.database,
        **{key: value for key, value in url.query.items() if isinstance(value, str)},
    }
    conninfo = " ".join(f"{key}={_quote(value)}" for key, value in params.items() if value)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return conninfo, env


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _run(args: list[str], env: dict[str, str], name: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupFailed(f"{name} failed: {_last_error(result.stderr)}")


def _last_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or lines or ["no message"])[0]


def _check_dump(pg_restore: str, dump: Path, schema: str, letters: int) -> None:
    """The archive opens, and its letters table holds the letters counted at the snapshot."""
    listing = subprocess.run(  # noqa: S603
        [pg_restore, "--list", str(dump)], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        raise BackupFailed(f"the copy does not open: {_last_error(listing.stderr)}")
    if f"TABLE DATA {schema} {LETTERS} " not in listing.stdout:
        raise BackupFailed(f"the copy has no data for {schema}.{LETTERS}")
    found = _rows_in_dump(pg_restore, dump, schema)
    if found != letters:
        raise BackupFailed(f"the copy holds {found} letters, the database held {letters}")


def _rows_in_dump(pg_restore: str, dump: Path, schema: str) -> int:
    """Counts the letters' rows in the archive by reading its COPY data back, one row a line."""
    args = [pg_restore, "--data-only", f"--schema={schema}", f"--table={LETTERS}", "--file=-"]
    with (
        tempfile.TemporaryFile() as errors,
        subprocess.Popen([*args, str(dump)], stdout=subprocess.PIPE, stderr=errors) as reading,  # noqa: S603
    ):
        assert reading.stdout is not None
        rows, inside = 0, False
        for line in reading.stdout:
            if inside:
                if line == b"\\.\n":
                    inside = False
                else:
                    rows += 1
            elif line.startswith(b"COPY "):
                inside = True
        reading.wait()
        errors.seek(0)
        error = errors.read().decode(errors="replace")
    if reading.returncode != 0:
        raise BackupFailed(f"the copy does not read back: {_last_error(error)}")
    return rows
