"""Reading an earlier system's letters (contract §6): a CSV or XLSX file, one checked row at a time.

Nothing here touches the database: `RowReader` turns each row into an `ImportRow` or into
`Problem`s, against the units it was given, so the importer can check a whole file before it
writes anything and read it again, row by row, to write it.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email

from engagement.errors import Invalid
from engagement.i18n import N_
from engagement.text import is_valid_phone, normalize_phone
from feedback.mailbox.models import Category

COLUMNS = (
    "number",
    "submitted_at",
    "subject",
    "body",
    "category",
    "name",
    "phone",
    "email",
    "township",
    "department",
    "reply",
    "replied_at",
    "status",
    "support",
    "public",
)
SUBJECT_MAX, BODY_MAX, REPLY_MAX, NAME_MAX, EMAIL_MAX, NUMBER_MAX = 200, 20_000, 20_000, 50, 254, 40
SUPPORT_MAX = 2**31 - 1  # an INTEGER column
DERIVED_SUBJECT = 30  # characters of the body that name a letter that came without a subject
CATEGORIES = {c.value: c for c in Category} | {
    "咨询": Category.consultation,
    "投诉": Category.complaint,
    "建议": Category.suggestion,
    "求助": Category.help,
    "举报": Category.report,
}
TRUE, FALSE = {"true", "yes", "1", "是"}, {"false", "no", "0", "否", ""}
CLOSED = {"closed", "已办结", "办结", "已关闭"}
# Local time, YYYY-MM-DD HH:MM[:SS] or YYYY/M/D H:MM[:SS] (a T instead of the space too). Older
# systems' exports also hold a bare date now and then: it is read as that day's local midnight.
LOCAL_TIME = re.compile(
    r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
)
# A number is part of an address (/letters/{number}): nothing that would break a URL path.
BAD_NUMBER = re.compile(r"[\s/?#%\\]")


@dataclass(frozen=True)
class Problem:
    """A bad cell: `reason` is an English msgid with %(name)s fields filled from `params`."""

    row: int
    column: str
    reason: str
    params: tuple[tuple[str, str], ...] = ()

    def explain(self, gettext: Callable[[str], str] = str) -> str:
        """The reason in the language of `gettext` (English by default)."""
        return gettext(self.reason) % dict(self.params)

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.explain()}"


@dataclass(frozen=True)
class Unit:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One good row, ready to store (times aware, in UTC)."""

    row: int
    number: str | None
    submitted_at: datetime
    subject: str
    body: str
    category: Category
    name: str
    phone: str
    email: str | None
    township: Unit | None
    department: Unit | None
    reply: str
    replied_at: datetime | None
    closed: bool
    support: int
    public: bool

    @property
    def text(self) -> str:
        """What is segmented, as for a letter written on the site."""
        return f"{self.subject}\n{self.body}"


# --- the file ----------------------------------------------------------------------------------


def read_table(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as text) of a CSV or XLSX file, streaming; the header is row 1."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path)
    if suffix == ".xlsx":
        return _xlsx_rows(path)
    raise Invalid("Import a .csv or .xlsx file, not %(name)s.", name=path.name)


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    row = 0
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            for row, cells in enumerate(csv.reader(file), 1):
                yield row, cells
    except UnicodeDecodeError:
        raise Invalid(
            "The file is not UTF-8 text (near row %(row)s): save it as “CSV UTF-8”.", row=row + 1
        ) from None
    except csv.Error as exc:
        raise Invalid("Row %(row)s cannot be read as CSV: %(why)s.", row=row + 1, why=exc) from None


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise Invalid(
            "%(name)s is not an XLSX workbook (%(why)s).", name=path.name, why=exc
        ) from None
    try:
        for row, values in enumerate(book.worksheets[0].iter_rows(values_only=True), 1):
            yield row, [_cell_text(v) for v in values]
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold (dates as local times)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def header_columns(cells: list[str]) -> tuple[list[str | None], list[Problem]]:
    """Each position's column (None where the header cell is empty), and the header's problems."""
    names: list[str | None] = [c.strip().lower() or None for c in cells]
    problems = [
        Problem(1, name, N_("unknown column (known: %(known)s)"), (("known", ", ".join(COLUMNS)),))
        for name in names
        if name is not None and name not in COLUMNS
    ]
    seen: set[str] = set()
    for name in names:
        if name is not None and name in seen:
            problems.append(Problem(1, name, N_("the column appears twice")))
        seen.add(name or "")
    if "submitted_at" not in seen:
        problems.append(Problem(1, "submitted_at", N_("missing: every letter needs its date")))
    if not {"subject", "body"} & seen:
        problems.append(Problem(1, "subject", N_("missing: give a subject or a body column")))
    return names, problems


# --- one row -----------------------------------------------------------------------------------


class RowReader:
    """Checks rows against the county's units; one instance reads one file."""

    def __init__(
        self,
        columns: list[str | None],
        *,
        units: dict[str, Unit],
        townships: dict[str, Unit],
        tz: ZoneInfo,
        now: datetime,
    ) -> None:
        self.columns = columns
        self.units, self.townships = units, townships
        self.tz, self.now = tz, now
        self.numbers: dict[str, int] = {}  # number -> the row that has it

    def read(self, row: int, cells: list[str]) -> ImportRow | list[Problem]:
        values, problems = self._values(row, cells)
        check = _Check(row, values, problems)
        letter = self._letter(check)
        return check.problems if letter is None or check.problems else letter

    def _values(self, row: int, cells: list[str]) -> tuple[dict[str, str], list[Problem]]:
        values: dict[str, str] = {}
        problems = []
        for i, cell in enumerate(cells):
            name = self.columns[i] if i < len(self.columns) else None
            if name is not None:
                values[name] = cell.strip()
            elif cell.strip():
                problems.append(Problem(row, str(i + 1), N_("a value in a column without a name")))
        return values, problems

    def _letter(self, c: _Check) -> ImportRow | None:
        submitted = self._time(c, "submitted_at", required=True)
        subject, body = c.text("subject", SUBJECT_MAX), c.text("body", BODY_MAX)
        if not subject and not body:
            c.bad("subject", N_("a letter needs a subject or a body"))
        reply, replied = c.text("reply", REPLY_MAX), self._time(c, "replied_at")
        department = self._unit(c, "department", self.units)
        if reply and not c.get("replied_at"):
            c.bad("replied_at", N_("a reply without a date"))
        if c.get("replied_at") and not reply:
            c.bad("reply", N_("a reply date without a reply"))
        if reply and department is None and not c.get("department"):
            c.bad("department", N_("a reply needs the unit that sent it"))
        if submitted and replied and replied < submitted:
            c.bad("replied_at", N_("the reply is dated before the letter"))
        public = c.flag("public")
        if public and not reply:
            c.bad("public", N_("only a replied letter can be published"))
        status = c.get("status").lower()
        if status and status not in CLOSED:
            c.bad(
                "status",
                N_("unknown status “%(value)s” (only “closed” can be given)"),
                value=status,
            )
        if submitted is None or c.problems:
            self._rest(c)  # the remaining columns' mistakes are reported too
            return None
        return ImportRow(
            row=c.row,
            number=self._number(c),
            submitted_at=submitted,
            subject=subject or _subject_of(body),
            body=body,
            category=self._category(c),
            name=c.text("name", NAME_MAX),
            phone=self._phone(c),
            email=self._email(c),
            township=self._unit(c, "township", self.townships),
            department=department,
            reply=reply,
            replied_at=replied,
            closed=bool(status) or bool(reply),
            support=self._support(c),
            public=public,
        )

    def _rest(self, c: _Check) -> None:
        self._number(c)
        self._category(c)
        c.text("name", NAME_MAX)
        self._phone(c)
        self._email(c)
        self._unit(c, "township", self.townships)
        self._support(c)

    def _time(self, c: _Check, column: str, *, required: bool = False) -> datetime | None:
        text = c.get(column)
        if not text:
            if required:
                c.bad(column, N_("missing: every letter needs its date"))
            return None
        at = parse_time(text, self.tz)
        if at is None:
            c.bad(column, N_("unreadable date “%(value)s” (use YYYY-MM-DD HH:MM)"), value=text)
        elif at > self.now:
            c.bad(column, N_("the date %(value)s is in the future"), value=text)
            return None
        return at

    def _unit(self, c: _Check, column: str, units: dict[str, Unit]) -> Unit | None:
        text = c.get(column)
        if not text:
            return None
        unit = units.get(text) or units.get(text.lower())
        if unit is None:
            reason = (
                N_("unknown township “%(value)s” (give its slug or its name)")
                if column == "township"
                else N_("unknown unit “%(value)s” (give its slug or its name)")
            )
            c.bad(column, reason, value=text)
        return unit

    def _number(self, c: _Check) -> str | None:
        number = c.get("number")
        if not number:
            return None
        if len(number) > NUMBER_MAX or BAD_NUMBER.search(number):
            c.bad("number", N_("a number has 1 to 40 characters, without spaces or / ? # %% \\"))
            return None
        earlier = self.numbers.setdefault(number, c.row)
        if earlier != c.row:
            c.bad(
                "number",
                N_("duplicate number %(value)s: row %(row)s has it too"),
                value=number,
                row=str(earlier),
            )
        return number

    def _category(self, c: _Check) -> Category:
        text = c.get("category")
        category = CATEGORIES.get(text.lower() or "consultation")
        if category is None:
            c.bad("category", N_("unknown category “%(value)s”"), value=text)
        return category or Category.consultation

    def _phone(self, c: _Check) -> str:
        phone = c.get("phone")
        if phone and not is_valid_phone(phone):
            c.bad("phone", N_("not a mainland mobile or landline number: “%(value)s”"), value=phone)
        return normalize_phone(phone)[:20] if phone else ""

    def _email(self, c: _Check) -> str | None:
        email = c.get("email")
        if not email:
            return None
        try:
            if len(email) > EMAIL_MAX:
                raise EmailNotValidError("too long")
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            c.bad("email", N_("not an email address: “%(value)s”"), value=email)
        return email

    def _support(self, c: _Check) -> int:
        text = c.get("support")
        if not text:
            return 0
        if not text.isascii() or not text.isdigit() or int(text) > SUPPORT_MAX:
            c.bad("support", N_("not a whole number ≥ 0: “%(value)s”"), value=text)
            return 0
        return int(text)


@dataclass
class _Check:
    """One row's values and the problems found in them so far."""

    row: int
    values: dict[str, str]
    problems: list[Problem]

    def get(self, column: str) -> str:
        return self.values.get(column, "")

    def bad(self, column: str, reason: str, **params: str) -> None:
        self.problems.append(Problem(self.row, column, reason, tuple(params.items())))

    def text(self, column: str, limit: int) -> str:
        text = self.get(column)
        if len(text) > limit:
            self.bad(
                column,
                N_("%(name)s too long (%(length)s characters, at most %(limit)s)"),
                name=column,
                length=str(len(text)),
                limit=str(limit),
            )
        return text

    def flag(self, column: str) -> bool:
        text = self.get(column).lower()
        if text not in TRUE | FALSE:
            self.bad(column, N_("give true or false, not “%(value)s”"), value=text)
        return text in TRUE


def parse_time(text: str, tz: ZoneInfo) -> datetime | None:
    """A local time (either form of §6) or ISO 8601 with an offset, in UTC; None if unreadable."""
    try:
        match = LOCAL_TIME.fullmatch(text)
        if match:
            year, month, day, hour, minute, second, fraction = match.groups()
            local = datetime(
                int(year),
                int(month),
                int(day),
                int(hour or 0),
                int(minute or 0),
                int(second or 0),
                int((fraction or "0").ljust(6, "0")),
                tzinfo=tz,
            )
            return local.astimezone(UTC)
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return at.astimezone(UTC) if at.tzinfo is not None else None


def _subject_of(body: str) -> str:
    """A subject for a letter that came without one: the start of its first line."""
    first = body.splitlines()[0].strip() if body.strip() else ""
    return first if len(first) <= DERIVED_SUBJECT else first[:DERIVED_SUBJECT] + "…"
