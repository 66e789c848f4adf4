"""The `engagement` command against a fresh SQLite file per test, never the developer's database.

A few tests run the installed console script in a subprocess (the real stdin, exit code and
stderr); the rest call its entry point, `engagement.cli.main`, in-process for speed.
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

import engagement.app
from engagement.auth.passwords import verify_password
from engagement.cli import app as cli_app
from engagement.cli import main
from engagement.demo import DEPARTMENTS, TOWNSHIPS
from engagement.settings import get_settings

BIN = Path(sys.executable).with_name("engagement")
UNITS = len(DEPARTMENTS) + len(TOWNSHIPS)


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


Cli = Callable[..., Result]


def _env(database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENGAGEMENT_")}
    env["ENGAGEMENT_DATABASE_URL"] = f"sqlite:///{database}"
    env["ENGAGEMENT_SECRET_KEY"] = "cli-test-secret"
    return env


def _script(database: Path, *args: str, stdin: str | None = None, cwd: Path | None = None):
    """The installed console script, as an operator runs it."""
    return subprocess.run(
        [str(BIN), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(database),
        cwd=cwd or database.parent,  # never the project's .env, ./engagement.db or secret file
        timeout=120,
    )


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    database = tmp_path_factory.mktemp("cli-template") / "template.db"
    result = _script(database, "migrate")
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    return database


@pytest.fixture
def database(tmp_path: Path, migrated_template: Path) -> Path:
    target = tmp_path / "engagement.db"
    shutil.copy(migrated_template, target)
    return target


def _in_process(database: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Cli]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ENGAGEMENT_DATABASE_URL", f"sqlite:///{database}")
        get_settings.cache_clear()

        def call(*args: str, stdin: str = "") -> Result:
            mp.setattr(sys, "argv", ["engagement", *args])
            mp.setattr(sys, "stdin", io.StringIO(stdin))
            with pytest.raises(SystemExit) as exit_info:
                main()
            out, err = capsys.readouterr()
            return Result(int(exit_info.value.code or 0), out, err)

        yield call
    get_settings.cache_clear()


@pytest.fixture
def cli(database: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Cli]:
    yield from _in_process(database, capsys)


def _rows(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database) as conn:
        return conn.execute(sql).fetchall()


def _count(database: Path, table: str) -> int:
    return _rows(database, f"SELECT count(*) FROM {table}")[0][0]


def _one_line_error(result: Result | subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


# the console script itself


def test_migrate_is_safe_to_run_again(database: Path) -> None:
    result = _script(database, "migrate")  # the template was the first run

    assert result.returncode == 0, result.stderr
    assert len(_rows(database, "SELECT version_num FROM alembic_version")) == 1
    assert _count(database, "users") == 0


def test_duplicate_slug_from_the_script_exits_1_with_one_line(database: Path, cli: Cli) -> None:
    assert cli("department", "add", "housing", "--name", "县住房和城乡建设局").returncode == 0

    result = _script(database, "department", "add", "housing", "--name", "另一个")

    assert result.returncode == 1
    assert "housing" in _one_line_error(result)
    assert _rows(database, "SELECT name FROM departments") == [("县住房和城乡建设局",)]


def test_user_add_reads_the_password_from_stdin(database: Path, cli: Cli) -> None:
    cli("department", "add", "housing", "--name", "县住房和城乡建设局")

    result = _script(
        database, "user", "add", "clerk", "--role", "staff", "--department", "housing",
        stdin="a password with spaces \n",
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    ((role, unit, password_hash),) = _rows(
        database,
        "SELECT u.role, d.slug, u.password_hash FROM users u "
        "JOIN departments d ON d.id = u.department_id WHERE u.username = 'clerk'",
    )
    assert (role, unit) == ("staff", "housing")
    assert password_hash.startswith("$argon2id$")
    assert verify_password("a password with spaces ", password_hash)
    assert "a password" not in result.stdout + result.stderr


def test_a_command_on_an_unmigrated_database_is_one_line(tmp_path: Path) -> None:
    result = _script(tmp_path / "never-migrated.db", "department", "add", "housing", "--name", "x")

    assert "migrate" in _one_line_error(result)


# the same entry point, in-process


def test_migrate_of_an_unreachable_database_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for cli in _in_process(tmp_path / "no-such-dir" / "x.db", capsys):
        _one_line_error(cli("migrate"))


def test_department_add(cli: Cli, database: Path) -> None:
    result = cli("department", "add", "chengguan", "--name", "城关镇", "--kind", "township")

    assert result.returncode == 0, result.stderr
    assert "chengguan" in result.stdout
    assert _rows(database, "SELECT slug, name, kind, active FROM departments") == [
        ("chengguan", "城关镇", "township", 1)
    ]
    assert _rows(database, "SELECT actor_name, action, object_id FROM audit_events") == [
        ("cli", "department.create", "chengguan")
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("department", "add", "Bad Slug", "--name", "x"),
        ("department", "add", "ok", "--name", "x", "--kind", "village"),
        ("department", "add", "ok", "--name", " "),
        ("department", "add", "ok"),
    ],
    ids=["bad-slug", "unknown-kind", "blank-name", "no-name"],
)
def test_bad_department_arguments_are_one_line(
    cli: Cli, database: Path, args: tuple[str, ...]
) -> None:
    _one_line_error(cli(*args))
    assert _count(database, "departments") == 0


def test_user_add_leader_needs_no_department(cli: Cli, database: Path) -> None:
    result = cli("user", "add", "boss", "--role", "leader", stdin="long-enough-pw\n")

    assert result.returncode == 0, result.stderr
    assert _rows(database, "SELECT role, department_id FROM users") == [("leader", None)]


PW = "long-enough-pw\n"


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        pytest.param(("clerk", "--role", "staff"), PW, id="staff-without-unit"),
        pytest.param(("clerk", "--role", "boss"), PW, id="unknown-role"),
        pytest.param(("clerk", "--role", "staff", "--department", "nowhere"), PW, id="no-unit"),
        pytest.param(("clerk", "--role", "leader"), "short\n", id="short-password"),
        pytest.param(("clerk", "--role", "leader"), "", id="no-password"),
        pytest.param(("x", "--role", "leader"), PW, id="bad-username"),
        pytest.param(("clerk",), PW, id="no-role"),
    ],
)
def test_bad_user_arguments_are_one_line_and_add_nobody(
    cli: Cli, database: Path, args: tuple[str, ...], stdin: str
) -> None:
    _one_line_error(cli("user", "add", *args, stdin=stdin))
    assert _count(database, "users") == 0


def test_duplicate_username_is_one_line(cli: Cli, database: Path) -> None:
    cli("user", "add", "boss", "--role", "leader", stdin=PW)

    line = _one_line_error(cli("user", "add", "BOSS", "--role", "admin", stdin=PW))

    assert "boss" in line.lower()
    assert _count(database, "users") == 1


def test_demo_twice_adds_nothing_twice_and_prints_the_logins(
    cli: Cli, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The core's demo only: the domains' demo letters take ~20 s and are theirs to test.
    monkeypatch.setattr(engagement.app, "DOMAINS", [])

    first = cli("demo")
    counts = (_count(database, "departments"), _count(database, "users"))
    second = cli("demo")

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert counts == (UNITS, UNITS + 2)
    assert (_count(database, "departments"), _count(database, "users")) == counts
    for output in (first.stdout, second.stdout):
        assert "demo-admin-pass" in output and "demo-leader-pass" in output
        assert "staff-housing" in output and "demo-staff-pass" in output
    ((admin_hash,),) = _rows(database, "SELECT password_hash FROM users WHERE username='admin'")
    assert verify_password("demo-admin-pass", admin_hash)


def test_demo_keeps_units_that_already_exist(cli: Cli, database: Path, monkeypatch) -> None:
    monkeypatch.setattr(engagement.app, "DOMAINS", [])
    cli("department", "add", "housing", "--name", "本县住建局")

    assert cli("demo").returncode == 0

    assert _count(database, "departments") == UNITS
    assert _rows(database, "SELECT name FROM departments WHERE slug='housing'") == [("本县住建局",)]


@pytest.mark.parametrize(
    "command",
    [[], ["migrate"], ["serve"], ["demo"], ["department", "add"], ["user", "add"],
     ["analytics", "refresh"]],
)  # fmt: skip
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(cli_app, [*command, "--help"])

    assert result.exit_code == 0
    assert "Usage" in result.output


def test_serve_and_demo_offer_the_contract_options() -> None:
    serve = CliRunner().invoke(cli_app, ["serve", "--help"]).output
    demo = CliRunner().invoke(cli_app, ["demo", "--help"]).output

    assert all(option in serve for option in ("--host", "--port", "--workers"))
    assert "--scale" in demo and "small" in demo and "large" in demo
