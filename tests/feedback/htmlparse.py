"""Just enough HTML reading for the page tests (the standard library's parser, no extra package)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

FORM_CONTROLS = {"input", "select", "textarea"}
NOT_TYPED_BY_A_PERSON = {"hidden", "submit", "button", "reset", "image"}


@dataclass
class Control:
    tag: str
    attrs: dict[str, str]
    inside_label: bool


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[Control] = []
        self.label_for: set[str] = set()
        self.open_labels = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "label":
            self.open_labels += 1
            if values.get("for"):
                self.label_for.add(values["for"])
        elif tag in FORM_CONTROLS:
            self.controls.append(Control(tag, values, self.open_labels > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self.open_labels:
            self.open_labels -= 1


def controls(page: str) -> tuple[list[Control], set[str]]:
    """The form controls a person fills in, and the ids that some <label for> names."""
    collector = _Collector()
    collector.feed(page)
    typed = [
        c
        for c in collector.controls
        if not (c.tag == "input" and c.attrs.get("type", "text") in NOT_TYPED_BY_A_PERSON)
    ]
    return typed, collector.label_for


def text_of(page: str, element_id: str) -> str:
    """The text inside the element with this id (tags removed), or '' when there is none."""
    match = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"[^>]*>(.*?)</\1>', page, re.S)
    return unescape(re.sub(r"<[^>]+>", "", match.group(2))).strip() if match else ""


def hidden_value(page: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert match, f"no field {name} on the page"
    return unescape(match.group(1))


def forms_posting_to(page: str, action: str) -> int:
    """How many forms post to `action` (a `#place` the browser lands on after posting aside)."""
    return len(re.findall(rf'<form[^>]*action="{re.escape(action)}(?:#[^"]*)?"', page))


def facts(page: str) -> dict[str, str]:
    """The page's <dt>/<dd> pairs as the reader sees them: name -> text (tags removed)."""
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", page, re.S)

    def text(html: str) -> str:
        return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())

    return {text(name): text(value) for name, value in pairs}
