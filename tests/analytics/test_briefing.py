"""The printable briefing (/dashboard/briefing) and its Excel twin (/dashboard/briefing.xlsx)."""

from __future__ import annotations

import io
import re
from datetime import date
from html import unescape

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from analytics import comparison
from tests.analytics.dataset import PERIOD, Dataset
from tests.analytics.helpers import act, backdate, local, submit
from tests.conftest import bearer, login


def rows(html: str, heading: str) -> list[list[str]]:
    """The cells of the table under the h2 that starts with `heading`, row by row."""
    table = re.split(rf"<h2[^>]*>{re.escape(heading)}\b", unescape(html), maxsplit=1)[1]
    body = table.split("</table>", 1)[0].split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def headings(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", h).strip()
        for h in re.findall(r"<h[12][^>]*>(.*?)</h[12]>", unescape(html), re.S)
    ]


def test_briefing_shows_top_words_and_units(client: TestClient, dataset: Dataset) -> None:
    login(client, "leader1")

    page = client.get("/dashboard/briefing", params={**PERIOD, "lang": "en"})

    assert page.status_code == 200
    html = page.text
    assert "Letters received from 2024-03-01 to 2024-04-30" in html
    demands = rows(html, "Top demands")
    assert demands[0][:2] == ["供暖", "7"]
    assert demands[0][2] == "—"  # letters on record begin on 2024-02-29: nothing to compare
    assert set(demands[0][3].split("；")) == {"供暖不热", "供暖收费", "咨询供暖时间"}
    units = {r[0]: r[1:] for r in rows(html, "Units' performance")}
    # letters, overdue, on-time rate, median hours, satisfaction rate
    assert units["县住房和城乡建设局"] == ["4", "1", "66.7%", "30", "66.7%"]
    assert units["县水利局"] == ["2", "0", "100.0%", "100", "—"]
    assert units["not assigned yet"] == ["3", "3", "—", "—", "—"]


def test_briefing_excel_holds_the_figures(client: TestClient, dataset: Dataset) -> None:
    login(client, "leader1")

    response = client.get("/dashboard/briefing.xlsx", params=PERIOD)

    assert response.status_code == 200
    assert "spreadsheetml" in response.headers["content-type"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["总体", "单位", "热词"]
    units = [list(r) for r in book["单位"].iter_rows(values_only=True)]
    assert units[0] == ["单位", "来信", "已答复", "按时答复", "超期", "答复中位小时", "满意率"]
    by_name = {r[0]: r[1:] for r in units[1:]}
    assert by_name["县住房和城乡建设局"][:5] == [4, 3, 2, 1, 30]
    assert by_name["县住房和城乡建设局"][5] == pytest.approx(2 / 3)
    assert by_name["县水利局"] == [2, 1, 1, 0, 100, None]
    assert by_name["未分配"] == [3, 0, 0, 3, None, None]
    overview = {r[0]: r[1] for r in book["总体"].iter_rows(min_row=2, values_only=True)}
    assert overview["来信总量"] == 9
    assert overview["答复率"] == pytest.approx(4 / 9)
    assert overview["当前超期"] == 4
    words = list(book["热词"].iter_rows(values_only=True))
    assert words[0] == ("词", "次数")
    assert words[1] == ("供暖", 7)


def test_staff_briefing_is_their_units(client: TestClient, dataset: Dataset) -> None:
    login(client, "staff1")

    html = client.get("/dashboard/briefing", params={**PERIOD, "lang": "en"}).text
    book = load_workbook(io.BytesIO(client.get("/dashboard/briefing.xlsx", params=PERIOD).content))

    assert [r[0] for r in rows(html, "Units' performance")] == ["县住房和城乡建设局"]
    assert [r[0].value for r in book["单位"].iter_rows(min_row=2)] == ["县住房和城乡建设局"]


@pytest.fixture
def heating_elsewhere(client: TestClient, db: Session, dataset: Dataset) -> None:
    """Two more letters on heating: water's in the period, housing's after it (newest ids)."""
    lead = bearer(client, "leader1")
    theirs = submit(client, "水利局供暖管道漏水", "河道旁的供暖管道漏水，供暖受到影响。")
    later = submit(client, "六月还在收供暖费", "六月了物业还在催缴供暖费用，供暖早停了。")
    act(client, lead, theirs["number"], "assign", department="water")
    act(client, lead, later["number"], "assign", department="housing")
    backdate(db, theirs["number"], local(2024, 4, 12))
    backdate(db, later["number"], local(2024, 6, 10))


@pytest.mark.usefixtures("heating_elsewhere")
def test_staff_briefing_examples_are_their_units_letters(client: TestClient) -> None:
    login(client, "staff1")

    html = client.get("/dashboard/briefing", params={**PERIOD, "lang": "en"}).text

    assert rows(html, "Top demands")[0][0] == "供暖"
    assert "水利局供暖管道漏水" not in html


@pytest.mark.usefixtures("heating_elsewhere")
def test_briefing_examples_are_letters_of_the_period(client: TestClient) -> None:
    login(client, "leader1")

    html = client.get("/dashboard/briefing", params={**PERIOD, "lang": "en"}).text

    examples = rows(html, "Top demands")[0][3].split("；")
    assert examples
    assert "六月还在收供暖费" not in examples


def overview(html: str) -> tuple[list[str], dict[str, list[str]]]:
    """The overview table's column headers, and each figure's row by its name."""
    table = re.split(r"<h2[^>]*>Overview\b", html, maxsplit=1)[1].split("</table>", 1)[0]
    head = re.findall(r'<th scope="col">(.*?)</th>', table)
    body = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S):
        name = re.search(r'<th scope="row">(.*?)</th>', row)
        assert name is not None
        body[name.group(1)] = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    return head, body


def test_briefing_overview_has_headers_and_signed_labelled_changes(
    client: TestClient, db: Session, dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(comparison, "MIN_PREVIOUS_LETTERS", 3)
    for day in (date(2023, 12, 20), date(2024, 1, 15), date(2024, 2, 1)):
        letter = submit(client, "路灯不亮", "小区路灯坏了一个月，晚上出行不便。")
        backdate(db, letter["number"], local(day.year, day.month, day.day))
    login(client, "leader1")

    html = client.get("/dashboard/briefing", params={**PERIOD, "lang": "en"}).text

    head, body = overview(html)
    assert head == ["Figure", "This period", "On the previous period"]
    assert body["Letters received"] == ["9", "+6"]
    assert body["Reply rate"] == ["44.4%", "+44.4 percentage points (better)"]
    assert body["Overdue now"] == ["4", "—"]  # a count of today: not compared
    assert "Changes compare with the previous period of the same length, 2023-12-31 to " in html


def test_briefing_says_when_there_is_no_comparable_period(
    client: TestClient, dataset: Dataset
) -> None:
    login(client, "leader1")

    html = client.get("/dashboard/briefing", params={**PERIOD, "lang": "en"}).text

    head, body = overview(html)
    assert head == ["Figure", "This period"]
    assert body["Letters received"] == ["9"]
    assert "No change is shown: there is no comparable previous period" in html


@pytest.mark.parametrize("who, params", [("leader1", {"department": "housing"}), ("staff1", {})])
def test_a_units_briefing_names_the_unit_and_period_in_every_heading(
    client: TestClient, dataset: Dataset, who: str, params: dict[str, str]
) -> None:
    login(client, who)

    english = client.get("/dashboard/briefing", params={**PERIOD, **params, "lang": "en"}).text
    chinese = client.get("/dashboard/briefing", params={**PERIOD, **params, "lang": "zh"}).text

    assert headings(english)[0] == (
        "Briefing on public demands (县住房和城乡建设局, 2024-03-01 to 2024-04-30)"
    )
    for heading in headings(english)[1:]:
        assert "县住房和城乡建设局" in heading or "whole county" in heading, heading
        assert "2024-03-01 to 2024-04-30" in heading or "as of" in heading, heading
    assert headings(chinese)[1] == "总体情况（县住房和城乡建设局，2024-03-01至2024-04-30）"


def test_the_county_briefing_says_so_in_its_headings(client: TestClient, dataset: Dataset) -> None:
    login(client, "leader1")

    html = client.get("/dashboard/briefing", params={**PERIOD, "lang": "zh"}).text

    assert headings(html)[:2] == [
        "群众诉求分析简报（全县，2024-03-01至2024-04-30）",
        "总体情况（全县，2024-03-01至2024-04-30）",
    ]


def test_briefing_excel_names_the_unit_period_and_comparison(
    client: TestClient, dataset: Dataset
) -> None:
    login(client, "leader1")

    response = client.get(
        "/dashboard/briefing.xlsx", params={**PERIOD, "department": "housing", "lang": "zh"}
    )

    sheet = load_workbook(io.BytesIO(response.content))["总体"]
    cells = {r[0]: r[1] for r in sheet.iter_rows(min_row=2, values_only=True) if r[0]}
    assert cells["范围"] == "县住房和城乡建设局"
    assert cells["期间"] == "2024-03-01至2024-04-30"
    assert cells["上期"].startswith("不显示变化：没有可比的上期。")
