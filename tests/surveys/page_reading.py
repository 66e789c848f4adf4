"""A page read as a tree (the standard library's parser), so that a test can ask what a reader
finds inside one part of it: the message at the place of an action, a table's cells."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        """The words inside, as one line (tags removed, white space folded)."""
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return re.sub(r"\s+", " ", " ".join(parts)).strip()

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.walk()

    def find_all(self, match: Callable[[Node], bool]) -> list[Node]:
        return [n for n in self.walk() if match(n)]

    def by_id(self, element_id: str) -> Node | None:
        return next((n for n in self.walk() if n.attrs.get("id") == element_id), None)

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(page: str) -> Node:
    builder = _Builder()
    builder.feed(page)
    builder.close()
    return builder.root


def notice_at(page: str, place: str) -> str:
    """The message shown after an action inside the element `place` ("" when there is none);
    it must be one that site.js focuses and a screen reader reads."""
    scope = parse(page).by_id(place)
    assert scope is not None, f"no element #{place} on the page"
    notices = scope.find_all(lambda n: "data-notice" in n.attrs)
    if not notices:
        return ""
    (notice,) = notices
    assert notice.attrs.get("role") in ("status", "alert")
    return notice.text()


def inputs_named(page: str, prefix: str) -> list[Node]:
    """Form controls whose name starts with `prefix` (what a citizen could still fill in)."""
    return parse(page).find_all(
        lambda n: (
            n.tag in ("input", "textarea", "select") and n.attrs.get("name", "").startswith(prefix)
        )
    )
