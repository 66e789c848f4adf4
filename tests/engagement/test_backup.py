"""`engagement backup PATH` while letters keep arriving, on the test run's database.

SQLite: a fresh migrated file per test. PostgreSQL (ENGAGEMENT_TEST_DATABASE_URL): a schema of
its own in the test database, so the letters these tests commit never meet the other tests'.
A copy is "restored" as an operator would: SQLite's file opened as the app's database, a
PostgreSQL dump put back with `pg_restore` and opened the same way; every letter committed before
the backup began must be found there by its number and tracking code.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from engagement import backup
from engagement.cli import main
from engagement.db import make_engine, make_sessionmaker, write_intent
from engagement.errors import NotFound
from engagement.migrate import upgrade
from engagement.settings import get_settings
from feedback.mailbox import service
from tests.conftest import TEST_DATABASE_URL
from tests.feedback import factories
from tests.feedback.factories import Made

ON_POSTGRES = make_url(TEST_DATABASE_URL).get_backend_name() == "postgresql"
BIN = Path(sys.executable).with_name("engagement")


def _pg_tools() -> tuple[str, str]:
    dump, restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    if dump and restore:
        return dump, restore
    if os.environ.get("CI") == "true":
        pytest.fail("pg_dump and pg_restore must be installed in CI (postgresql-client)")
    pytest.skip("pg_dump and pg_restore are not installed")


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    database = tmp_path_factory.mktemp("backup-template") / "template.db"
    upgrade(f"sqlite:///{database}")
    return database


@pytest.fixture
def live_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The database the backup reads, migrated and empty, as the site would have it."""
    if not ON_POSTGRES:
        database = tmp_path / "live.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), database)
        yield f"sqlite:///{database}"
        return
    _pg_tools()
    schema = f"backup_{uuid.uuid4().hex[:12]}"
    url = make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    owner = make_engine(TEST_DATABASE_URL)
    with owner.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        upgrade(url.render_as_string(hide_password=False))
        yield url.render_as_string(hide_password=False)
    finally:
        with owner.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        owner.dispose()


class LetterWriter(threading.Thread):
    """Submits letters through the mailbox's service, one commit each, until stopped."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.engine = make_engine(url)
        self.sessions = make_sessionmaker(self.engine)
        self.committed: list[Made] = []
        self.error: BaseException | None = None
        self._stopping = threading.Event()

    def run(self) -> None:
        write_intent.set(True)  # as a request that writes: BEGIN IMMEDIATE on SQLite
        try:
            while not self._stopping.is_set():
                with self.sessions() as session:
                    made = factories.letter(session)
                    session.commit()
                self.committed.append(made)
        except BaseException as exc:  # surfaced by stop()
            self.error = exc

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.committed) < count:
            assert self.error is None, self.error
            assert time.monotonic() < deadline, "the writer was held up: no letter committed"
            time.sleep(0.005)

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=60)
        self.engine.dispose()
        assert self.error is None, self.error


@pytest.fixture
def writer(live_url: str) -> Iterator[LetterWriter]:
    letters = LetterWriter(live_url)
    letters.start()
    letters.wait_for(5)
    yield letters
    if letters.is_alive():
        letters.stop()


def _restore(copy: Path, live_url: str, tmp_path: Path) -> str:
    """Puts the copy back as an operator would and returns the URL the app would then use."""
    if not ON_POSTGRES:
        restored = tmp_path / "restored.db"
        shutil.copy(copy, restored)
        return f"sqlite:///{restored}"
    url = make_url(live_url)
    schema = str(url.query["options"]).removeprefix("-csearch_path=")
    owner = make_engine(TEST_DATABASE_URL)
    with owner.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))  # empty, as a new database is
    owner.dispose()
    conninfo, env = backup.libpq(make_url(TEST_DATABASE_URL))
    _, pg_restore = _pg_tools()
    restoring = subprocess.run(
        [pg_restore, "--exit-on-error", "--no-owner", f"--schema={schema}",
         f"--dbname={conninfo}", str(copy)],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert restoring.returncode == 0, restoring.stderr
    return live_url


def _letters_found(url: str, letters: list[Made]) -> tuple[list[Made], int]:
    """The given letters a citizen can still track there, and how many letters there are."""
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            found = []
            for made in letters:
                try:
                    service.track(session, number=made.number, code=made.code)
                except NotFound:
                    continue
                found.append(made)
            total = session.scalar(text("SELECT count(*) FROM letters"))
    finally:
        engine.dispose()
    return found, int(total or 0)


def test_a_backup_while_letters_arrive_restores_every_letter_committed_before_it(
    writer: LetterWriter, live_url: str, tmp_path: Path
) -> None:
    before = list(writer.committed)  # committed before the backup began
    during: list[Made] = []

    steps: list[int] = []

    def step(done: int, _total: int) -> None:
        steps.append(done)
        assert len(steps) < 2000, "the copy keeps starting over"
        if not during:  # the site goes on taking letters while the copy is written
            n = len(writer.committed)
            writer.wait_for(n + 3)
            during.extend(writer.committed[n:])

    made = backup.back_up(live_url, tmp_path / "copy", progress=step, pages_per_step=4)
    writer.stop()

    assert during, "no letter was written while the backup ran"
    assert _letters_found(live_url, before + during)[0] == before + during
    if not ON_POSTGRES:
        with sqlite3.connect(made.path) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    restored = _restore(made.path, live_url, tmp_path)
    found, total = _letters_found(restored, before + during)
    assert found == before  # and none of those that came once the copy had begun
    assert total == made.letters >= len(before)


def test_the_command_reports_the_letters_and_size_of_the_copy(
    writer: LetterWriter, live_url: str, tmp_path: Path
) -> None:
    before = len(writer.committed)
    target = tmp_path / "engagement-20260101.dump"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENGAGEMENT_")}
    env |= {"ENGAGEMENT_DATABASE_URL": live_url, "ENGAGEMENT_SECRET_KEY": "backup-test"}

    result = subprocess.run(
        [str(BIN), "backup", str(target)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    writer.stop()

    assert result.returncode == 0, result.stderr
    match = re.fullmatch(r"backed up (\d+) letters? to (.+) \((\d+\.\d) MB\)\n", result.stdout)
    assert match, result.stdout
    assert before <= int(match[1]) <= len(writer.committed)
    assert match[2] == str(target)
    assert float(match[3]) == pytest.approx(target.stat().st_size / 1e6, abs=0.051)
    assert target.stat().st_mode & 0o077 == 0  # letters' personal data: the owner's alone
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def _cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, *args: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("ENGAGEMENT_DATABASE_URL", url)
    get_settings.cache_clear()
    monkeypatch.setattr(sys, "argv", ["engagement", *args])
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    try:
        with pytest.raises(SystemExit) as exit_info:
            main()
    finally:
        get_settings.cache_clear()
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def _one_line_error(code: int, out: str, err: str) -> str:
    assert code == 1
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.parametrize("where", ["missing-folder", "a-folder", "the-live-database"])
def test_a_bad_path_is_one_line_and_leaves_nothing(
    where: str,
    live_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if where == "the-live-database" and ON_POSTGRES:
        pytest.skip("a PostgreSQL database is not a file")
    path = {
        "missing-folder": tmp_path / "no-such-folder" / "copy.db",
        "a-folder": tmp_path,
        "the-live-database": Path(str(make_url(live_url).database)),
    }[where]
    listed = sorted(tmp_path.rglob("*"))

    message = _one_line_error(*_cli(monkeypatch, capsys, live_url, "backup", str(path)))

    assert str(path) in message
    assert sorted(tmp_path.rglob("*")) == listed


def test_an_existing_backup_is_replaced_only_by_a_checked_copy(
    live_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    target = folder / "nightly.dump"
    target.write_bytes(b"yesterday's backup")

    def failing_check(*_args: object) -> None:
        raise backup.BackupFailed("the copy does not open: planted")

    monkeypatch.setattr(backup, "_check_dump" if ON_POSTGRES else "_check_sqlite", failing_check)
    with pytest.raises(backup.BackupFailed, match="planted"):
        backup.back_up(live_url, target)

    assert target.read_bytes() == b"yesterday's backup"
    assert [p.name for p in folder.iterdir()] == ["nightly.dump"]


def test_without_pg_dump_a_postgresql_backup_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump on it
    url = "postgresql+psycopg://engagement:secret@127.0.0.1:1/engagement"

    message = _one_line_error(*_cli(monkeypatch, capsys, url, "backup", str(tmp_path / "x")))

    assert "pg_dump" in message
    assert "secret" not in message


def test_the_password_reaches_libpq_by_the_environment_only() -> None:
    url = make_url("postgresql+psycopg://county:p%40ss%20word@db.example:5433/engagement")
    url = url.update_query_dict({"sslmode": "require", "options": "-csearch_path=it's"})

    conninfo, env = backup.libpq(url)

    assert env["PGPASSWORD"] == "p@ss word"
    assert "p@ss" not in conninfo
    assert conninfo == (
        "host='db.example' port='5433' user='county' dbname='engagement' "
        "sslmode='require' options='-csearch_path=it\\'s'"
    )
