"""`engagement import letters` (contract §1 and §6): an earlier system's letters with their dates.

The importer runs on the test's session (its batches commit to the test's savepoint); the
command line runs on its own migrated SQLite file. Expected deadlines and figures are computed
here from the rows with `chinese_calendar` directly, not with the platform's calendar code.
"""

from __future__ import annotations

import csv
import io
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics import rollup
from engagement.audit import Actor
from engagement.models import AuditEvent, Department, LexiconTerm, User
from engagement.settings import get_settings
from feedback.mailbox import finder, importer
from feedback.mailbox.models import Letter, LetterEvent, LetterWord, Status
from tests.conftest import bearer, login
from tests.feedback import factories as letters
from tests.realdata import source_rows, write_import_csv

TZ = get_settings().tz
ACTOR = Actor(None, system_name="test")
HEADER = ["number", "submitted_at", "subject", "body", "category", "name", "phone", "township"]
HEADER += ["department", "reply", "replied_at", "status", "support", "public"]

GOOD = [
    {
        "number": "XZ-2019-001",
        "submitted_at": "2019/4/25 9:32:09",
        "subject": "景蓉华苑物业乱收停车费",
        "body": "我叫张三丰，电话13912345678，景蓉华苑物业未经业主大会表决收取停车费。",
        "category": "投诉",
        "name": "张三丰",
        "phone": "13912345678",
        "township": "城关镇",
        "department": "housing",
        "reply": "经调查，景蓉华苑停车收费方案已暂停，将依法召开业主大会表决。",
        "replied_at": "2019-05-10 14:56:53",
        "support": "7",
        "public": "是",
    },
    {
        "number": "XZ-2019-002",
        "submitted_at": "2019-04-26 10:00",
        "subject": "幸福小区路灯不亮",
        "body": "幸福小区三号楼前的路灯坏了两个月。",
        "category": "complaint",
        "department": "县住房和城乡建设局",
    },
    {
        "submitted_at": "2019-04-27T10:00:00+08:00",
        "body": "建议在城关镇菜市场旁边增设公共厕所，方便赶集的群众。",
        "category": "建议",
        "status": "closed",
    },
]


def write_csv(path: Path, rows: list[dict[str, str]], *, bom: bool = True) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as file:
        out = csv.DictWriter(file, HEADER)
        out.writeheader()
        out.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[dict[str, str]]) -> Path:
    """The same rows, columns in another order, times as spreadsheet dates where they can be."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    header = list(reversed(HEADER))
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(column, row.get(column, "")) for column in header])
    book.save(path)
    return path


def _xlsx_cell(column: str, value: str) -> Any:
    if column == "support" and value:
        return int(value)
    if column.endswith("_at") and value and "T" not in value:
        text = value.replace("/", "-")
        form = "%Y-%m-%d %H:%M:%S" if text.count(":") == 2 else "%Y-%m-%d %H:%M"
        return datetime.strptime(text, form)
    return value or None


def run(db: Session, path: Path, **kw: Any) -> importer.Report:
    return importer.import_letters(db, path, actor=ACTOR, **kw)


def snapshot(db: Session) -> list[tuple[Any, ...]]:
    """What an import stored, in a form two imports can be compared by."""
    rows = []
    for letter in db.scalars(select(Letter).order_by(Letter.submitted_at)):
        rows.append(
            (
                letter.legacy_number,
                letter.number_day,
                letter.submitted_at,
                letter.subject,
                letter.category.value,
                letter.status.value,
                letter.department.slug if letter.department else None,
                letter.township.slug if letter.township else None,
                letter.phone,
                letter.support,
                letter.published,
                [(r.body, r.replied_at) for r in letter.replies],
                [
                    e.kind.value
                    for e in db.scalars(
                        select(LetterEvent)
                        .where(LetterEvent.letter_id == letter.id)
                        .order_by(LetterEvent.id)
                    )
                ],
            )
        )
    return rows


def local(y: int, m: int, d: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(y, m, d, hour, minute, second, tzinfo=TZ).astimezone(UTC)


EXPECTED = [
    (
        "XZ-2019-001", "20190425", local(2019, 4, 25, 9, 32, 9), "景蓉华苑物业乱收停车费",
        "complaint", "closed", "housing", "chengguan", "13912345678", 7, True,
        [(GOOD[0]["reply"], local(2019, 5, 10, 14, 56, 53))],
        ["submitted", "assigned", "replied", "published", "closed"],
    ),
    (
        "XZ-2019-002", "20190426", local(2019, 4, 26, 10), "幸福小区路灯不亮", "complaint",
        "assigned", "housing", None, "", 0, False, [], ["submitted", "assigned"],
    ),
    (
        None, "20190427", local(2019, 4, 27, 10), GOOD[2]["body"], "suggestion", "closed",
        None, None, "", 0, False, [], ["submitted", "closed"],
    ),
]  # fmt: skip


@pytest.fixture
def units(housing: Department, township: Department) -> None:
    """housing (县住房和城乡建设局) and the township chengguan (城关镇)."""


# --- a good file -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_good_file_imports_its_letters_with_their_dates(
    db: Session, units: None, tmp_path: Path, kind: str
) -> None:
    write = write_csv if kind == "csv" else write_xlsx
    report = run(db, write(tmp_path / f"letters.{kind}", GOOD))

    assert (report.problems, report.imported, report.present) == ([], 3, 0)
    assert snapshot(db) == EXPECTED
    # Staff search finds them: each letter is in the index with its words.
    [(first_id, _), *_] = finder.search(db, "景蓉华苑 停车费")
    assert db.get_one(Letter, first_id).legacy_number == "XZ-2019-001"
    letter = db.scalar(select(Letter).where(Letter.legacy_number == "XZ-2019-001"))
    assert letter is not None
    assert letter.reply_hours == pytest.approx((15 * 24 + 5) + (56 * 60 + 53 - 32 * 60 - 9) / 3600)
    assert db.scalar(select(func.count()).where(LetterWord.letter_id == letter.id))
    audit = db.scalar(select(AuditEvent).where(AuditEvent.action == "letter.import"))
    assert audit is not None
    assert (audit.actor_name, audit.object_id) == ("test", f"letters.{kind}")
    assert audit.detail == {"file": f"letters.{kind}", "rows": 3, "imported": 3, "skipped": 0}


def test_running_it_again_adds_nothing_twice(db: Session, units: None, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "letters.csv", GOOD)
    run(db, path)

    again = run(db, path)
    xlsx = run(db, write_xlsx(tmp_path / "letters.xlsx", GOOD))

    assert (again.imported, again.present) == (0, 3)
    assert (xlsx.imported, xlsx.present) == (0, 3)
    assert snapshot(db) == EXPECTED


def test_a_platform_number_is_the_platform_letter(db: Session, units: None, tmp_path: Path) -> None:
    made = letters.letter(db)
    row = {"number": made.number, "submitted_at": "2019-04-26 10:00", "subject": "x", "body": "y"}

    report = run(db, write_csv(tmp_path / "letters.csv", [row]))

    assert (report.imported, report.present) == (0, 1)


def test_a_file_with_bad_rows_imports_nothing_and_names_every_bad_row(
    db: Session, units: None, tmp_path: Path
) -> None:
    bad = [
        {**GOOD[0], "department": "no-such-unit"},  # row 2
        {**GOOD[1], "submitted_at": "2019-13-45 10:00"},  # row 3
        {**GOOD[2], "replied_at": ""},  # row 4 (fine)
        {
            "submitted_at": "2019-05-01 08:00",
            "body": "x",
            "reply": "已处理",
            "department": "housing",
        },
        {**GOOD[1], "number": "XZ-2019-009", "subject": "长" * 201, "phone": "12345"},  # row 6
        {**GOOD[1], "number": "XZ-2019-010", "support": "-3"},  # row 7
        {**GOOD[1], "number": "XZ-2019-001", "township": "火星乡"},  # row 8: a number used twice
    ]
    before = db.scalar(select(func.count(LexiconTerm.word)))

    report = run(db, write_csv(tmp_path / "bad.csv", bad))

    assert [str(p) for p in report.problems] == [
        "row 2, column department: unknown unit “no-such-unit” (give its slug or its name)",
        "row 3, column submitted_at: unreadable date “2019-13-45 10:00” (use YYYY-MM-DD HH:MM)",
        "row 5, column replied_at: a reply without a date",
        "row 6, column subject: subject too long (201 characters, at most 200)",
        "row 6, column phone: not a mainland mobile or landline number: “12345”",
        "row 7, column support: not a whole number ≥ 0: “-3”",
        "row 8, column number: duplicate number XZ-2019-001: row 2 has it too",
        "row 8, column township: unknown township “火星乡” (give its slug or its name)",
    ]
    assert report.imported == 0
    assert db.scalar(select(func.count(Letter.id))) == 0
    assert db.scalar(select(func.count(LexiconTerm.word))) == before
    assert (
        db.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "letter.import"))
        == 0
    )


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        (["submitted_at", "subject", "colour"], "row 1, column colour: unknown column"),
        (["subject", "body"], "row 1, column submitted_at: missing: every letter needs its date"),
        (
            ["submitted_at", "name"],
            "row 1, column subject: missing: give a subject or a body column",
        ),
    ],
)
def test_a_bad_header_is_refused(
    db: Session, tmp_path: Path, header: list[str], problem: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(",".join(header) + "\n" + ",".join("x" * len(header)) + "\n", encoding="utf-8")

    report = run(db, path)

    assert str(report.problems[0]).startswith(problem)
    assert db.scalar(select(func.count(Letter.id))) == 0


def test_a_dry_run_writes_nothing(db: Session, units: None, tmp_path: Path) -> None:
    report = run(db, write_csv(tmp_path / "letters.csv", GOOD), dry_run=True)

    assert (report.rows, report.present, report.imported, report.problems) == (3, 0, 0, [])
    assert (report.first, report.last) == (local(2019, 4, 25, 9, 32, 9), local(2019, 4, 27, 10))
    assert report.units == Counter({"县住房和城乡建设局": 2})
    assert db.scalar(select(func.count(Letter.id))) == 0


# --- old numbers, the public and privacy --------------------------------------------------------


def test_old_numbers_find_the_letter_which_cannot_be_tracked(
    client: TestClient, db: Session, units: None, tmp_path: Path
) -> None:
    run(db, write_csv(tmp_path / "letters.csv", GOOD))

    for code in ("x", "", "!"):
        tracked = client.get("/api/v1/letters/XZ-2019-001", params={"code": code})
        assert tracked.status_code == 404
    listed = client.get("/api/v1/letters").json()
    page = client.get("/mailbox/letters/XZ-2019-001")

    assert [(i["number"], i["support"]) for i in listed["items"]] == [("XZ-2019-001", 7)]
    assert listed["items"][0]["submitted_at"] == "2019-04-25T09:32:09+08:00"
    assert page.status_code == 200
    assert "景蓉华苑" in page.text


def test_published_imported_letters_are_masked_everywhere(
    client: TestClient, db: Session, units: None, tmp_path: Path
) -> None:
    run(db, write_csv(tmp_path / "letters.csv", GOOD))

    item = client.get("/api/v1/letters").json()["items"][0]
    found = client.get("/search", params={"q": "景蓉华苑"})

    assert "13912345678" not in item["body"] and "张三丰" not in item["body"]
    assert "139****5678" in item["body"] and "张**" in item["body"]
    assert found.status_code == 200 and "XZ-2019-001" in found.text
    assert "13912345678" not in found.text and "张三丰" not in found.text


# --- dates: deadlines and figures ------------------------------------------------------------


def working_days_after(start: datetime, days: int) -> datetime:
    """The official calendar (weekdays where it has no data), counted here by hand."""

    def workday(day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    local_start = start.astimezone(TZ)
    day, at = local_start.date(), local_start.timetz()
    if not workday(day):  # counted from the start of the next working day
        at = at.replace(hour=0, minute=0, second=0)
        while not workday(day):
            day += timedelta(days=1)
    while days:
        day += timedelta(days=1)
        days -= workday(day)
    return datetime.combine(day, at).astimezone(UTC)


def test_deadlines_follow_the_original_dates_and_calendar(
    client: TestClient, db: Session, units: None, leader: User, tmp_path: Path
) -> None:
    rows = [
        # Monday before the National Day week of 2019: a working Saturday (Oct 12) falls inside.
        {"number": "A", "submitted_at": "2019-09-30 10:00", "subject": "s", "body": "b",
         "category": "complaint", "department": "housing"},
        # 2003: before the official calendar's data, so weekdays only (Oct 1 counts).
        {"number": "B", "submitted_at": "2003-09-30 10:00", "subject": "s", "body": "b",
         "category": "consultation", "department": "housing"},
        # A Saturday: counted from the next working day's start (a working Sunday, 2019-04-28).
        {"number": "C", "submitted_at": "2019-04-27 10:00", "subject": "s", "body": "b"},
    ]  # fmt: skip
    run(db, write_csv(tmp_path / "letters.csv", rows))

    got = {
        letter.legacy_number: (letter.assign_due_at, letter.reply_due_at)
        for letter in db.scalars(select(Letter))
    }
    a, b, c = local(2019, 9, 30, 10), local(2003, 9, 30, 10), local(2019, 4, 27, 10)
    assert got == {
        "A": (working_days_after(a, 1), working_days_after(a, 10)),
        "B": (working_days_after(b, 1), working_days_after(b, 3)),
        "C": (working_days_after(c, 1), None),
    }
    assert got["A"] == (local(2019, 10, 8, 10), local(2019, 10, 18, 10))
    assert got["B"] == (local(2003, 10, 1, 10), local(2003, 10, 3, 10))
    assert got["C"] == (local(2019, 4, 29), None)
    assert run(db, tmp_path / "letters.csv", dry_run=True).weekdays_only == [2003]
    staff_list = client.get("/api/v1/staff/letters", headers=bearer(client, leader.username))
    assert {i["number"]: i["overdue"] for i in staff_list.json()["items"]} == {
        "A": True,
        "B": True,
        "C": True,
    }
    login(client, leader.username)
    note = "官方节假日安排不含 2003 年：这些年份的办理期限只扣除周末。"
    assert note in client.get("/dashboard?from=2003-01-01&to=2019-12-31").text
    assert note not in client.get("/dashboard?from=2019-01-01&to=2019-12-31").text


def test_the_dashboard_shows_history_by_its_own_dates(
    client: TestClient, db: Session, units: None, leader: User, tmp_path: Path
) -> None:
    def row(number: str, at: str, category: str, days: int) -> dict[str, str]:
        submitted = datetime.strptime(at, "%Y-%m-%d %H:%M")
        return {"number": number, "submitted_at": at, "subject": "路灯", "body": "路灯不亮",
                "category": category, "department": "housing", "reply": "已修复",
                "replied_at": f"{submitted + timedelta(days=days):%Y-%m-%d %H:%M}"}  # fmt: skip

    rows = [
        row("M1", "2019-03-04 09:00", "complaint", 10),
        row("M2", "2019-05-06 09:00", "consultation", 20),
        # Three working days later falls after the National Day week: on time.
        row("M3", "2019-09-27 09:00", "consultation", 10),
    ]
    run(db, write_csv(tmp_path / "letters.csv", rows))
    hours, on_time, months = [], 0, Counter[str]()
    for r in rows:
        submitted = datetime.strptime(r["submitted_at"], "%Y-%m-%d %H:%M").replace(tzinfo=TZ)
        replied = datetime.strptime(r["replied_at"], "%Y-%m-%d %H:%M").replace(tzinfo=TZ)
        hours.append((replied - submitted).total_seconds() / 3600)
        on_time += replied <= working_days_after(
            submitted, 3 if r["category"] == "consultation" else 10
        )
        months[f"{submitted:%Y-%m}"] += 1
    headers = bearer(client, leader.username)
    params = {"from": "2019-01-01", "to": "2019-12-31"}

    live = client.get("/api/v1/analytics/letters", params=params, headers=headers).json()
    rollup.fold(db)
    folded = client.get("/api/v1/analytics/letters", params=params, headers=headers).json()

    for figures in (live, folded):
        assert figures["total"] == 3
        assert figures["by_month"] == [{"month": m, "total": n} for m, n in sorted(months.items())]
        assert figures["median_reply_hours"] == pytest.approx(statistics.median(hours))
        assert figures["on_time_rate"] == pytest.approx(on_time / 3)
        assert figures["reply_rate"] == 1.0
    assert on_time == 2


# --- the real letters ----------------------------------------------------------------------------


def _source_time(text: str) -> datetime:
    for form in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, form).replace(tzinfo=TZ)
        except ValueError:
            continue
    raise AssertionError(text)


def test_the_real_letters_arrive_with_their_own_months_and_reply_times(
    client: TestClient, db: Session, housing: Department, leader: User, tmp_path: Path
) -> None:
    source = source_rows()
    path = tmp_path / "real.csv"
    count = write_import_csv(path, "housing")

    report = run(db, path)

    assert (report.problems, report.imported, count) == ([], 2816, 2816)
    submitted = [_source_time(r["留言时间"]) for r in source]
    replied = [_source_time(r["答复时间"]) for r in source]
    months = Counter(f"{at:%Y-%m}" for at in submitted)
    median = statistics.median((b - a).total_seconds() / 3600 for a, b in zip(submitted, replied))
    params = {"from": f"{min(submitted):%Y-%m-%d}", "to": f"{max(submitted):%Y-%m-%d}"}
    figures = client.get(
        "/api/v1/analytics/letters", params=params, headers=bearer(client, leader.username)
    ).json()
    assert figures["total"] == 2816
    assert figures["by_month"] == [{"month": m, "total": n} for m, n in sorted(months.items())]
    assert figures["median_reply_hours"] == pytest.approx(median, abs=0.05)  # one decimal
    assert 10 * 24 < figures["median_reply_hours"] < 12 * 24  # days, not minutes
    assert db.scalar(select(func.count(Letter.id)).where(Letter.status == Status.closed)) == 2816


# --- the command line ----------------------------------------------------------------------------


Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from engagement.migrate import upgrade

    database = tmp_path_factory.mktemp("import-cli") / "template.db"
    upgrade(f"sqlite:///{database}")
    return database


@pytest.fixture
def cli(migrated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Cli]:
    """`engagement …` in-process on a copy of a migrated SQLite file with one unit."""
    from engagement.cli import main

    database = tmp_path / "engagement.db"
    database.write_bytes(migrated.read_bytes())
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ENGAGEMENT_DATABASE_URL", f"sqlite:///{database}")
        get_settings.cache_clear()

        def call(*args: str) -> tuple[int, str, str]:
            mp.setattr(sys, "argv", ["engagement", *args])
            mp.setattr(sys, "stdin", io.StringIO(""))
            with pytest.raises(SystemExit) as exit_info:
                main()
            out, err = capsys.readouterr()
            return int(exit_info.value.code or 0), out, err

        assert call("department", "add", "housing", "--name", "县住房和城乡建设局")[0] == 0
        assert (
            call("department", "add", "chengguan", "--name", "城关镇", "--kind", "township")[0] == 0
        )
        yield call
    get_settings.cache_clear()


def _letters_in(cli: Cli, tmp_path: Path) -> int:
    import sqlite3

    with sqlite3.connect(tmp_path / "engagement.db") as conn:
        return int(conn.execute("SELECT count(*) FROM letters").fetchone()[0])


def test_the_command_imports_once_and_says_so(cli: Cli, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "letters.csv", GOOD)

    first = cli("import", "letters", str(path))
    second = cli("import", "letters", str(path))

    assert first == (0, "imported 3, skipped 0 already present\n", "")
    assert second == (0, "imported 0, skipped 3 already present\n", "")
    assert _letters_in(cli, tmp_path) == 3


def test_the_command_dry_run_tells_what_it_would_import(cli: Cli, tmp_path: Path) -> None:
    code, out, err = cli("import", "letters", str(write_csv(tmp_path / "l.csv", GOOD)), "--dry-run")

    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "would import 3 letters (3 rows, 0 already present)",
        "submitted 2019-04-25 to 2019-04-27",
        "units: 县住房和城乡建设局 2",
    ]
    assert _letters_in(cli, tmp_path) == 0


def test_the_command_lists_every_bad_row_and_exits_1(cli: Cli, tmp_path: Path) -> None:
    bad = [{**GOOD[0], "replied_at": "soon"}, GOOD[1], {**GOOD[2], "category": "抱怨"}]

    code, out, err = cli("import", "letters", str(write_csv(tmp_path / "bad.csv", bad)))

    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "row 2, column replied_at: unreadable date “soon” (use YYYY-MM-DD HH:MM)",
        "row 4, column category: unknown category “抱怨”",
    ]
    assert _letters_in(cli, tmp_path) == 0


def test_the_command_refuses_other_files_in_one_line(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "letters.txt"
    path.write_text("x", encoding="utf-8")

    code, out, err = cli("import", "letters", str(path))

    assert (code, out) == (1, "")
    assert err == "error: Import a .csv or .xlsx file, not letters.txt.\n"
