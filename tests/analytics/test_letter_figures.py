"""GET /api/v1/analytics/letters and /dashboard: every figure of contract §5 "Analytics", exactly.

A known set of letters goes through the real API (submitted, assigned, replied, rated,
rejected), then the test moves them in time through the database. The period is March and
April 2024 (local days, both included):

letter  arrived (local)   kind          unit     status     1st reply  on time  latest rating
L0a     2024-02-29 23:50  complaint     -        submitted  -          -        - (outside)
L0b     2024-03-01 00:10  consultation  -        submitted  -          -        -
L1      2024-03-05        complaint     housing  closed     20 h       yes      satisfied
L2      2024-03-20        suggestion    housing  closed     50 h       no       unsat., then sat.
L7      2024-03-25        suggestion    water    rejected   -          -        -
L3      2024-04-02        consultation  housing  reopened   30 h       yes      unsatisfied
L4      2024-04-10        help          housing  assigned   -          -        - (overdue)
L5      2024-04-20        report        water    replied    100 h      yes      -
L6      2024-04-25        complaint     -        submitted  -          -        - (overdue)
L9      2024-04-30 23:50  help          -        submitted  -          -        -
L10     2024-05-01 00:10  complaint     -        submitted  -          -        - (outside)
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from engagement.models import User
from tests.analytics.dataset import API, EMPTY, HOUSING, PERIOD, UNASSIGNED, WATER, Dataset
from tests.conftest import bearer, login


def by_slug(units: list[dict]) -> dict[str | None, dict]:
    return {(u["department"] or {}).get("slug"): u for u in units}


# --- the JSON API ------------------------------------------------------------------------------


def test_every_figure_of_the_period(client: TestClient, dataset: Dataset) -> None:
    response = client.get(API, params=PERIOD, headers=bearer(client, "leader1"))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 9
    assert body["by_category"] == {
        "consultation": 2,
        "complaint": 2,
        "suggestion": 2,
        "help": 2,
        "report": 1,
    }
    assert body["by_status"] == {
        "submitted": 3,
        "assigned": 1,
        "replied": 1,
        "reopened": 1,
        "closed": 2,
        "rejected": 1,
    }
    assert body["by_month"] == [
        {"month": "2024-03", "total": 4},
        {"month": "2024-04", "total": 5},
    ]
    assert body["reply_rate"] == pytest.approx(4 / 9)
    assert body["on_time_rate"] == pytest.approx(3 / 4)
    # L1 satisfied, L2 satisfied at its second rating, L3 unsatisfied
    assert body["satisfaction_rate"] == pytest.approx(2 / 3)
    units = by_slug(body["by_department"])
    assert set(units) == {"housing", "water", None}
    assert units["housing"] == HOUSING
    assert units["water"] == WATER
    assert units[None] == UNASSIGNED


def test_top_keywords_count_words_of_the_period_most_frequent_first(
    client: TestClient, dataset: Dataset
) -> None:
    words = client.get(API, params=PERIOD, headers=bearer(client, "leader1")).json()["top_keywords"]

    assert words[0] == {"word": "供暖", "count": 7}  # L1 three times, L2 twice, L3 twice
    counts = [w["count"] for w in words]
    assert counts == sorted(counts, reverse=True)
    assert all(len(w["word"]) >= 2 for w in words)
    found = {w["word"]: w["count"] for w in words}
    assert found["小区"] == 2  # L1 and L9
    assert "希望" not in found  # a stop word
    assert "烧烤" not in found and "油烟" not in found  # only in letters outside the period


def test_local_days_bound_the_period(client: TestClient, dataset: Dataset) -> None:
    lead = bearer(client, "leader1")

    def total(start: str, end: str) -> int:
        return client.get(API, params={"from": start, "to": end}, headers=lead).json()["total"]

    # 23:50 on 29 February and 00:10 on 1 March (local) fall on the same UTC day
    assert total("2024-02-29", "2024-02-29") == 1
    assert total("2024-03-01", "2024-03-01") == 1
    assert total("2024-04-30", "2024-04-30") == 1
    assert total("2024-05-01", "2024-05-01") == 1
    assert total("2024-03-05", "2024-03-20") == 2  # L1 and L2, both ends included
    assert total("2024-02-01", "2024-05-31") == 11


def test_department_filter(client: TestClient, dataset: Dataset) -> None:
    body = client.get(
        API, params={**PERIOD, "department": "housing"}, headers=bearer(client, "leader1")
    ).json()

    assert body["total"] == 4
    assert body["by_category"] == {"complaint": 1, "suggestion": 1, "consultation": 1, "help": 1}
    assert body["by_status"] == {"closed": 2, "reopened": 1, "assigned": 1}
    assert body["reply_rate"] == pytest.approx(3 / 4)
    assert body["on_time_rate"] == pytest.approx(2 / 3)
    assert body["satisfaction_rate"] == pytest.approx(2 / 3)
    assert body["by_department"] == [HOUSING]
    assert body["top_keywords"][0] == {"word": "供暖", "count": 7}


def test_an_empty_period_has_no_rates(client: TestClient, dataset: Dataset) -> None:
    body = client.get(API, params=EMPTY, headers=bearer(client, "leader1")).json()

    assert body["total"] == 0
    assert body["reply_rate"] is None
    assert body["on_time_rate"] is None
    assert body["satisfaction_rate"] is None
    assert body["by_category"] == {} and body["by_status"] == {}
    assert body["by_month"] == [] and body["by_department"] == []
    assert body["top_keywords"] == []


def test_rates_without_replies_or_ratings_are_null(client: TestClient, dataset: Dataset) -> None:
    """Letters but no reply: reply rate 0, on-time and satisfaction rates have no divisor."""
    only_new = {"from": "2024-04-25", "to": "2024-04-30"}  # L6 and L9, never answered

    body = client.get(API, params=only_new, headers=bearer(client, "leader1")).json()

    assert body["total"] == 2
    assert body["reply_rate"] == 0
    assert body["on_time_rate"] is None
    assert body["satisfaction_rate"] is None


# --- who sees what -----------------------------------------------------------------------------


def test_no_token_is_401(client: TestClient) -> None:
    assert client.get(API, params=PERIOD).status_code == 401


def test_admin_sees_every_unit(client: TestClient, dataset: Dataset, admin: User) -> None:
    body = client.get(API, params=PERIOD, headers=bearer(client, admin.username)).json()

    assert body["total"] == 9
    assert set(by_slug(body["by_department"])) == {"housing", "water", None}


def test_staff_see_their_own_unit_only(client: TestClient, dataset: Dataset) -> None:
    own = bearer(client, "staff1")

    mine = client.get(API, params=PERIOD, headers=own)
    asked = client.get(API, params={**PERIOD, "department": "housing"}, headers=own)
    other = client.get(API, params={**PERIOD, "department": "water"}, headers=own)

    assert mine.status_code == 200
    assert mine.json()["total"] == 4
    assert mine.json()["by_department"] == [HOUSING]
    assert asked.status_code == 200 and asked.json() == mine.json()
    assert other.status_code == 403
    assert "detail" in other.json()


def test_water_staff_see_water_only(client: TestClient, dataset: Dataset) -> None:
    body = client.get(API, params=PERIOD, headers=bearer(client, "waterstaff")).json()

    assert body["total"] == 2
    assert body["by_department"] == [WATER]
    assert body["by_status"] == {"replied": 1, "rejected": 1}
    assert body["satisfaction_rate"] is None


def test_unknown_department_is_a_validation_error(client: TestClient, leader: User) -> None:
    response = client.get(
        API, params={"department": "no-such-unit"}, headers=bearer(client, "leader1")
    )

    assert response.status_code == 422


# --- the dashboard -----------------------------------------------------------------------------


def headline(html: str, label: str) -> str:
    match = re.search(
        r'<p class="headline-label">' + re.escape(label) + r'</p>\s*<p class="headline-value">'
        r"<a [^>]*>([^<]*)</a>",
        html,
    )
    assert match, f"no headline {label!r}"
    return match.group(1).strip()


def league_row(html: str, unit_name: str) -> list[str]:
    table = html.split('<table class="league', 1)[1].split("</table>", 1)[0]
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        if unit_name in row:
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
    raise AssertionError(f"{unit_name} not in the league table")


def chart(html: str, target: str) -> dict:
    match = re.search(
        r'<script type="application/json" class="plotly-figure" data-target="'
        + target
        + r'">(.*?)</script>',
        html,
        re.S,
    )
    assert match, f"no chart {target}"
    return json.loads(match.group(1))


def test_dashboard_shows_the_figures(client: TestClient, dataset: Dataset) -> None:
    login(client, "leader1")

    page = client.get("/dashboard", params={**PERIOD, "lang": "en"})

    assert page.status_code == 200
    html = page.text
    assert headline(html, "Letters received") == "9"
    assert headline(html, "Reply rate") == "44.4%"
    assert headline(html, "On-time rate") == "75.0%"
    assert headline(html, "Satisfaction rate") == "66.7%"
    assert headline(html, "Resolution rate") == "22.2%"  # L1 and L2 closed
    assert headline(html, "Median hours to reply") == "40"
    assert headline(html, "Overdue now") == "4"
    # unit, letters, overdue, on-time rate, median hours, satisfaction rate
    assert league_row(html, "县住房和城乡建设局") == [
        "县住房和城乡建设局",
        "4",
        "1",
        "66.7%",
        "30",
        "66.7%",
    ]
    assert league_row(html, "县水利局") == ["县水利局", "2", "0", "100.0%", "100", "—"]
    words = chart(html, "chart-words")["data"][0]
    assert (words["y"][0], words["x"][0]) == ("供暖", 7)
    volume = {t["name"]: t["y"] for t in chart(html, "chart-volume")["data"]}
    assert volume["Complaint"] == [1, 1] and volume["Report"] == [0, 1]  # March, April


def test_dashboard_of_an_empty_period_shows_dashes(client: TestClient, dataset: Dataset) -> None:
    login(client, "leader1")

    html = client.get("/dashboard", params={**EMPTY, "lang": "en"}).text

    assert headline(html, "Letters received") == "0"
    for label in ("Reply rate", "On-time rate", "Satisfaction rate", "Median hours to reply"):
        assert headline(html, label) == "—", label
    assert "0.0%" not in html


def test_staff_dashboard_shows_their_unit_only(client: TestClient, dataset: Dataset) -> None:
    login(client, "staff1")

    html = client.get("/dashboard", params={**PERIOD, "lang": "en"}).text

    assert headline(html, "Letters received") == "4"
    assert headline(html, "Reply rate") == "75.0%"
    assert league_row(html, "县住房和城乡建设局")[1] == "4"
    assert "县水利局" not in html
    assert "举报违建" not in html and "道路建议" not in html  # water's letters
    assert client.get("/dashboard", params={"department": "water"}).status_code == 403


def test_dashboard_needs_a_sign_in(client: TestClient) -> None:
    response = client.get("/dashboard", follow_redirects=False)

    assert response.status_code in (302, 303, 401)
    assert "/login" in response.headers.get("location", response.text)


def test_dashboard_default_period_is_the_last_year(client: TestClient, dataset: Dataset) -> None:
    """Without dates the dashboard covers the last 365 days: 2024's letters are not in it."""
    login(client, "leader1")

    page = client.get("/dashboard", params={"lang": "en"})
    today = page.text.split('id="f-to" type="date" name="to" value="', 1)[1][:10]
    start = page.text.split('id="f-from" type="date" name="from" value="', 1)[1][:10]

    from datetime import date

    assert date.fromisoformat(today) - date.fromisoformat(start) == timedelta(days=364)
    assert headline(page.text, "Letters received") == "0"
