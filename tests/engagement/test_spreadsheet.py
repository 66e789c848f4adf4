"""The one place exports write cells: any text is shown as typed and never runs as a formula."""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from engagement import spreadsheet
from tests.hostile_text import HOSTILE

# What XML 1.0 (and so XLSX) can hold: no other control characters, no U+FFFE/U+FFFF; often led
# by what a spreadsheet would run, an error code or a quote of its own.
_XML_CHARS = st.characters(
    blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff", min_codepoint=0x20
) | st.sampled_from("\t\n\r")
XML_TEXT = st.builds(
    str.__add__,
    st.sampled_from(["", "=", "+", "-", "@", "\t", "\r", "#N/A", "'", "'="]),
    st.text(_XML_CHARS),
)


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def shown_in_csv(field: str) -> str:
    """The text without the export's protective quote."""
    return field.removeprefix("'")


def xlsx_round_trip(values: list[Any], *, write_only: bool) -> list[Any]:
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("s") if write_only else book.active
    spreadsheet.append_row(sheet, values)
    read = load_workbook(io.BytesIO(spreadsheet.xlsx_bytes(book)))
    cells = next(read.worksheets[0].iter_rows())
    assert all(c.data_type != "f" for c in cells)
    return [c.value for c in cells]


@pytest.mark.parametrize("value", HOSTILE)
def test_csv_protects_every_formula_start_with_a_quote(value: str) -> None:
    rows = read_csv(spreadsheet.csv_bytes(["h"], [[value]]))

    assert rows[1] == ["'" + value]
    assert shown_in_csv(rows[1][0]) == value


def test_csv_keeps_numbers_and_plain_text_and_starts_with_the_bom() -> None:
    data = spreadsheet.csv_bytes(["id", "n", "text", "none"], [[7, -2.5, "城东 -2", None]])

    assert data.startswith(b"\xef\xbb\xbf")
    assert read_csv(data) == [["id", "n", "text", "none"], ["7", "-2.5", "城东 -2", ""]]


def test_csv_comes_in_chunks_that_join_to_the_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spreadsheet, "CSV_BATCH", 2)
    rows = [[i, f"第{i}行"] for i in range(5)]

    chunks = list(spreadsheet.csv_chunks(["n", "t"], iter(rows)))

    assert len(chunks) == 3
    assert b"".join(chunks) == spreadsheet.csv_bytes(["n", "t"], rows)
    frame = pd.read_csv(io.BytesIO(b"".join(chunks)), encoding="utf-8-sig")
    assert list(frame.columns) == ["n", "t"] and len(frame) == 5


@given(XML_TEXT)
@settings(max_examples=300)
def test_any_text_reads_back_from_csv_as_typed(text: str) -> None:
    field = read_csv(spreadsheet.csv_bytes(["h"], [[text]]))[1][0]

    assert shown_in_csv(field) == text
    assert not spreadsheet.runs_as_formula(field)


@given(st.text())
@settings(max_examples=300)
def test_no_csv_field_starts_a_formula(text: str) -> None:
    field = spreadsheet.csv_field(text)

    assert not spreadsheet.runs_as_formula(field)
    assert shown_in_csv(field) == text


@pytest.mark.parametrize("write_only", [True, False])
def test_xlsx_shows_hostile_text_as_typed_with_excels_quote_prefix(write_only: bool) -> None:
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("s") if write_only else book.active
    spreadsheet.append_row(sheet, [*HOSTILE, "#N/A", "plain", None, 3, 2.5])
    read = load_workbook(io.BytesIO(spreadsheet.xlsx_bytes(book))).worksheets[0]
    cells = next(read.iter_rows())

    assert [c.data_type for c in cells[:9]] == ["s"] * 9
    # XML reads a carriage return as a line break; the cell still shows text, not a formula.
    assert [c.value for c in cells] == [*HOSTILE[:-1], "\n=1", "#N/A", "plain", None, 3, 2.5]
    assert all(c.quotePrefix for c in cells[:7]) and not cells[8].quotePrefix


@given(XML_TEXT)
@settings(max_examples=150, deadline=None)
def test_any_text_reads_back_from_xlsx_as_typed_and_never_as_a_formula(text: str) -> None:
    value = xlsx_round_trip([text], write_only=True)[0]

    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    assert value == (expected or None)  # an empty cell reads back as no value


@given(st.text(st.characters(max_codepoint=0x1F) | st.sampled_from("=+-@a中")))
@settings(max_examples=100, deadline=None)
def test_control_characters_xml_cannot_hold_are_dropped_not_a_failed_download(text: str) -> None:
    value = xlsx_round_trip([text], write_only=False)[0]

    assert value == (spreadsheet.xlsx_text(text) or None)
