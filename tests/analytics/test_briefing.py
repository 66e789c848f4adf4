"""The printable briefing (/dashboard/briefing) and its Excel twin (/dashboard/briefing.xlsx)."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tests.analytics.dataset import PERIOD, Dataset
from tests.analytics.helpers import act, backdate, local, submit
from tests.conftest import bearer, login


def rows(html: str, heading: str) -> list[list[str]]:
    table = html.split(f"<h2>{heading}</h2>", 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_briefing_shows_top_words_and_units(client: TestClient, dataset: Dataset) -> None:
    login(client, "leader1")

    page = client.get("/dashboard/briefing", params={**PERIOD, "lang": "en"})

    assert page.status_code == 200
    html = page.text
    assert "Letters received from 2024-03-01 to 2024-04-30" in html
    demands = rows(html, "Top demands")
    assert demands[0][:2] == ["供暖", "7"]
    assert demands[0][2] == "0"  # the two months before: nobody wrote about heating
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

    examples = rows(html, "Top demands")[0][2].split("；")
    assert "六月还在收供暖费" not in examples
