"""Open data: published letters as CSV and JSON (/statistics/letters.csv, .json), masked as on
the site, in the page's language, streamed in batches."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from analytics import open_data
from engagement.models import Department, User
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from tests.analytics.helpers import backdate, local
from tests.feedback import factories as letters

CSV_URL, JSON_URL = "/statistics/letters.csv", "/statistics/letters.json"
PERSONAL = ("王建国", "13912345678", "41010219900307123X")
SUBJECT = "王建国反映13912345678路灯不亮，身份证41010219900307123X"
KEYS = {
    "number",
    "submitted_date",
    "replied_date",
    "unit",
    "township",
    "category",
    "category_label",
    "subject",
    "satisfaction",
    "satisfaction_label",
}
TODAY = utcnow().astimezone(get_settings().tz).date().isoformat()


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def json_items(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return list(json.loads(response.content)["items"])


def public_subjects(client: TestClient) -> dict[str, str]:
    items = client.get("/api/v1/letters", params={"per_page": 100}).json()["items"]
    return {item["number"]: item["subject"] for item in items}


@pytest.fixture
def shown(
    client: TestClient, db: Session, leader: User, staff: User, township: Department
) -> letters.Made:
    """A published letter with a name, a phone and an ID number in its subject, rated."""
    made = letters.published(
        db, leader, staff, subject=SUBJECT, category="suggestion", township="chengguan"
    )
    rated = client.post(
        f"/api/v1/letters/{made.number}/rating",
        json={"code": made.code, "satisfaction": "basically_satisfied"},
    )
    assert rated.status_code == 200, rated.text
    return made


@pytest.fixture
def hidden(db: Session, leader: User, staff: User) -> list[str]:
    """Letters the public list does not show: each carries the same personal data."""
    return [
        letters.letter(db, subject=f"未公开{SUBJECT}").number,
        letters.assigned(db, leader, subject=f"办理中{SUBJECT}").number,
        letters.replied(db, leader, staff, subject=f"未审核{SUBJECT}").number,
        letters.replied(
            db, leader, staff, subject=f"未同意{SUBJECT}", publish_consent=False
        ).number,
    ]


def test_only_published_letters_are_exported_and_masked_as_on_the_site(
    client: TestClient, shown: letters.Made, hidden: list[str]
) -> None:
    site = public_subjects(client)
    rows = csv_rows(client.get(CSV_URL))
    items = json_items(client.get(JSON_URL))

    assert [r[0] for r in rows[1:]] == [shown.number] == [i["number"] for i in items]
    assert rows[1][6] == items[0]["subject"] == site[shown.number]
    assert items[0]["subject"] == "王**反映139****5678路灯不亮，身份证410102********123X"
    for text in (json.dumps(items, ensure_ascii=False), "\n".join(map(",".join, rows))):
        assert not any(secret in text for secret in PERSONAL)
        assert not any(number in text for number in hidden)
        assert "未公开" not in text and "未审核" not in text and "未同意" not in text


def test_csv_speaks_chinese_by_default_and_english_when_asked(
    client: TestClient, shown: letters.Made
) -> None:
    zh = csv_rows(client.get(CSV_URL))
    en = csv_rows(client.get(CSV_URL, params={"lang": "en"}))

    assert zh[0] == [
        "编号",
        "来信时间",
        "答复日期",
        "承办单位",
        "乡镇",
        "来信类型",
        "标题",
        "满意度",
    ]
    assert zh[1][:6] == [shown.number, TODAY, TODAY, "县住房和城乡建设局", "城关镇", "建议"]
    assert zh[1][7] == "基本满意"
    assert en[0] == [
        "Number",
        "Date received",
        "Date replied",
        "Handled by",
        "Township",
        "Kind of letter",
        "Subject",
        "Satisfaction",
    ]
    assert (en[1][5], en[1][7]) == ("Suggestion", "Basically satisfied")


def test_json_keeps_english_keys_and_codes_with_labels_in_the_pages_language(
    client: TestClient, shown: letters.Made
) -> None:
    zh = json.loads(client.get(JSON_URL).content)
    en = json_items(client.get(JSON_URL, params={"lang": "en"}))

    assert zh["year"] is None
    item = zh["items"][0]
    assert set(item) == KEYS
    assert item == {
        "number": shown.number,
        "submitted_date": TODAY,
        "replied_date": TODAY,
        "unit": {"slug": "housing", "name": "县住房和城乡建设局"},
        "township": {"slug": "chengguan", "name": "城关镇"},
        "category": "suggestion",
        "category_label": "建议",
        "subject": item["subject"],
        "satisfaction": "basically_satisfied",
        "satisfaction_label": "基本满意",
    }
    assert {k: v for k, v in en[0].items() if k.endswith("label")} == {
        "category_label": "Suggestion",
        "satisfaction_label": "Basically satisfied",
    }
    assert {k: v for k, v in en[0].items() if not k.endswith("label")} == {
        k: v for k, v in item.items() if not k.endswith("label")
    }


def test_a_letter_not_rated_yet_has_no_satisfaction(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    letters.published(db, leader, staff)

    item = json_items(client.get(JSON_URL))[0]
    row = csv_rows(client.get(CSV_URL))[1]

    assert (item["satisfaction"], item["satisfaction_label"], item["township"]) == (
        None,
        None,
        None,
    )
    assert (row[4], row[7]) == ("", "")


def test_a_year_chooses_the_letters_received_in_it(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    old = letters.published(db, leader, staff, subject="二〇二四年的来信")
    backdate(db, old.number, local(2024, 12, 31, 23, 30), reply_hours=2, on_time=True)
    new = letters.published(db, leader, staff, subject="今年的来信")
    year = utcnow().astimezone(get_settings().tz).year

    in_2024 = client.get(JSON_URL, params={"year": 2024})
    this_year = json_items(client.get(JSON_URL, params={"year": year}))
    everything = csv_rows(client.get(CSV_URL))

    assert json.loads(in_2024.content)["year"] == 2024
    assert [(i["subject"], i["submitted_date"]) for i in json_items(in_2024)] == [
        ("二〇二四年的来信", "2024-12-31")
    ]
    assert "letters-2024.json" in in_2024.headers["content-disposition"]
    assert [i["number"] for i in this_year] == [new.number]
    assert [r[6] for r in everything[1:]] == ["二〇二四年的来信", "今年的来信"]  # oldest first
    assert client.get(JSON_URL, params={"year": "abc"}).status_code == 422


def test_batches_stream_every_letter_once_in_order(
    client: TestClient, db: Session, leader: User, staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(open_data, "BATCH", 2)
    made = [letters.published(db, leader, staff, subject=f"第{n}封公开信") for n in range(5)]
    # Three letters replied at the same moment: the id keeps them apart across a batch's edge.
    for m in made[1:4]:
        backdate(db, m.number, local(2025, 6, 1), reply_hours=1, on_time=True)

    items = json_items(client.get(JSON_URL))
    rows = csv_rows(client.get(CSV_URL))
    frame = pd.read_csv(io.BytesIO(client.get(CSV_URL).content), encoding="utf-8-sig", dtype=str)

    subjects = ["第1封公开信", "第2封公开信", "第3封公开信", "第0封公开信", "第4封公开信"]
    assert [i["subject"] for i in items] == subjects
    assert [r[6] for r in rows[1:]] == subjects
    assert len(frame) == 5 and list(frame["标题"]) == subjects


def test_an_empty_export_is_still_a_valid_file(client: TestClient) -> None:
    assert json.loads(client.get(JSON_URL).content) == {"year": None, "items": []}
    assert len(csv_rows(client.get(CSV_URL))) == 1


@pytest.mark.parametrize(
    ("lang", "described"),
    [("zh", "开放数据：公开来信"), ("en", "Open data: published letters")],
)
def test_the_statistics_page_links_both_exports_and_says_what_they_hold(
    client: TestClient, lang: str, described: str
) -> None:
    html = client.get("/statistics", params={"year": "2024", "lang": lang}).text

    assert described in html
    for url in ("/statistics/letters.csv?year=2024", "/statistics/letters.json?year=2024"):
        assert f'href="{url}"' in html
    assert 'href="/statistics/letters.csv"' in html and 'href="/statistics/letters.json"' in html
    assert ("承办单位" if lang == "zh" else "handling unit") in html
