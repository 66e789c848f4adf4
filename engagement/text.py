"""Text rules shared by the domains: phone validation and masking of personal data.

Masking is done by this one function wherever text leaves for the public, so there is one place
to get right and to property-test.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)", re.ASCII)
# Area code 0 + 2–3 digits (perhaps in brackets), then a 7–8 digit local number, perhaps split.
LANDLINE = re.compile(r"(?<!\d)[(（]?(0\d{2,3})[)）]?[- ]?(\d{3,4})[- ]?(\d{4})(?!\d)", re.ASCII)
# A bare local number, recognised by a phone word shortly before it.
LOCAL_NUMBER = re.compile(
    r"(电话|座机|手机|联系方式|号码|[Tt]el|TEL)(\D{0,6}?)(?<!\d)(\d{7,8})(?!\d)", re.ASCII
)
# Only digits around it matter: "ID410102199003071234" is an ID number too.
ID_NUMBER = re.compile(r"(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?![\dXx])", re.ASCII)
EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
# "我叫张三", "姓名：王小明", "联系人：李四": the characters after such a phrase. (我是 and 本人
# start ordinary sentences too often: 我是本小区居民, 本人认为.)
SELF_NAME = re.compile(
    r"(我叫|姓名[:：]?\s*|联系人[:：]?\s*)([\u4e00-\u9fff])([\u4e00-\u9fff]{1,3})"
)

PHONE_VALID = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$", re.ASCII)


def ascii_digits(text: str) -> str:
    """Full-width and other Unicode digits as ASCII ones (１３８ → 138), nothing else changed."""
    return "".join(
        str(unicodedata.decimal(c)) if c.isdecimal() and not c.isascii() else c for c in text
    )


def normalize_phone(value: str) -> str:
    """Digits and the area-code hyphen only: '138 1234 5678' → '13812345678'."""
    value = re.sub(r"[\s()（）]", "", ascii_digits(value.strip()))
    return value.removeprefix("+86").removeprefix("0086")


def is_valid_phone(value: str) -> bool:
    """A mainland mobile (11 digits from 13–19) or a landline with its area code."""
    return bool(PHONE_VALID.match(normalize_phone(value)))


def mask_name(name: str) -> str:
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_personal(text: str, names: Iterable[str] = ()) -> str:
    """Masks phone and ID numbers, emails, self-introductions and the given names in `text`."""
    text = ascii_digits(text)
    text = ID_NUMBER.sub(lambda m: f"{m.group(1)}********{m.group(3)[-4:]}"[:18], text)
    text = MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    text = LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(3)[-2:]}", text)
    text = LOCAL_NUMBER.sub(lambda m: f"{m.group(1)}{m.group(2)}****{m.group(3)[-2:]}", text)
    text = EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    for name in sorted(
        {n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True
    ):
        text = text.replace(name, mask_name(name))
    text = SELF_NAME.sub(lambda m: m.group(1) + m.group(2) + "*" * len(m.group(3)), text)
    return text
