"""Issue #14 through the HTTP surface: a published letter written with every spelling of personal
data shows none of them on the letter's page, the public list, the public API or search, while
the reply keeps the office's hotline and landline."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement.models import User
from engagement.search import SearchDocument
from tests.feedback import factories as letters
from tests.feedback.test_masking_properties import _plain, assert_reveals_at_most

NAME = "李建华"
PHONE = "13968427051"
# (as written, its digits, how many digits in a row masking may keep)
NUMBERS = [
    ("139.6842.7051", "13968427051", 4),
    ("1\u200b5\u200b8\u200b7\u200b3\u200b9\u200b2\u200b0\u200b1\u200b6\u200b4", "15873920164", 4),
    ("一八六七三五九二〇四八", "18673592048", 4),
    ("幺七七三九二八四六零五", "17739284605", 4),
    ("１５９２６０４８７３１", "15926048731", 4),
    ("110105 19880624 3817", "110105198806243817", 6),
    ("310104-19790912-5263", "310104197909125263", 6),
    ("440301780512391", "440301780512391", 6),
    ("6217 0038 9164 2275 319", "6217003891642275319", 4),
    ("6217-0038-9164-2275", "6217003891642275", 4),
]
PLATES = ["京A·93727", "京AD58316", "沪B62941"]
SUBJECT = "李 建 华反映京A·93727长期占用消防通道"
BODY = (
    "我叫李 建 华，住幸福小区三号楼。手机139.6842.7051，备用"
    "1\u200b5\u200b8\u200b7\u200b3\u200b9\u200b2\u200b0\u200b1\u200b6\u200b4，"
    "家人电话一八六七三五九二〇四八、幺七七三九二八四六零五、１５９２６０４８７３１。"
    "身份证110105 19880624 3817，爱人身份证310104-19790912-5263，老身份证440301780512391，"
    "银行卡6217 0038 9164 2275 319，另一张6217-0038-9164-2275。"
    "京A·93727、京AD58316和沪B62941长期占用消防通道，请尽快处理。"
)
REPLY = (
    "李建华同志：您好！我局已按您留下的139.6842.7051与您联系，京AD58316已责令挪走。"
    "如有疑问请拨打12345热线或本局电话0571-87654321。"
)


@pytest.fixture
def number(db: Session, leader: User, staff: User) -> str:
    made = letters.published(
        db, leader, staff, subject=SUBJECT, body=BODY, reply=REPLY, name=NAME, phone=PHONE
    )
    return made.number


def assert_nothing_personal(text: str) -> None:
    for _written, digits, kept in NUMBERS:
        assert_reveals_at_most(text, digits, kept)
    plain = _plain(text)
    for plate in PLATES:
        assert plate[-5:] not in plain.replace("·", "")
    assert not re.search(r"\s*".join(NAME), text)


def test_the_public_api_shows_none_of_the_spellings(client: TestClient, number: str) -> None:
    [item] = client.get("/api/v1/letters").json()["items"]

    assert item["number"] == number
    text = "\n".join([item["subject"], item["body"], *(r["body"] for r in item["replies"])])
    assert_nothing_personal(text)
    assert "消防通道" in item["body"]
    reply = item["replies"][0]["body"]
    assert "12345热线" in reply and "0571-87654321" in reply  # the office's numbers stay


@pytest.mark.parametrize("path", ["/mailbox/letters/{number}", "/mailbox/letters"])
def test_the_letter_pages_show_none_of_the_spellings(
    client: TestClient, number: str, path: str
) -> None:
    response = client.get(path.format(number=number))

    assert response.status_code == 200
    assert_nothing_personal(response.text)
    assert "消防通道" in response.text


def test_search_finds_and_shows_none_of_the_spellings(
    client: TestClient, db: Session, number: str
) -> None:
    found = client.get("/search", params={"q": "消防通道", "lang": "en"})
    by_name = client.get("/search", params={"q": NAME, "lang": "en"})
    [doc] = db.scalars(select(SearchDocument).where(SearchDocument.ref == number))

    assert f"/mailbox/letters/{number}" in found.text
    assert_nothing_personal(found.text.split('<div id="results"', 1)[1])
    assert f"/mailbox/letters/{number}" not in by_name.text
    assert_nothing_personal(f"{doc.title}\n{doc.body}\n{doc.terms}")
    assert "0571-87654321" in doc.body
