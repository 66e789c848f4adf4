"""Reading an admin page as a person does: one element's HTML and text (standard library only)."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Finder(HTMLParser):
    """Finds where the first element matching `attrs` starts and ends in the source."""

    def __init__(self, attrs: dict[str, str]) -> None:
        super().__init__(convert_charrefs=False)
        self.wanted = attrs
        self.depth = 0
        self.start: int | None = None
        self.end: int | None = None
        self.offsets: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.end is not None or tag in VOID:
            if self.start is None and tag in VOID and self._matches(attrs):
                self.start = self._offset()
                self.end = self.start + len(self.get_starttag_text() or "")
            return
        if self.start is None:
            if self._matches(attrs):
                self.start = self._offset()
                self.depth = 1
        else:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.start is not None and self.end is None and tag not in VOID:
            self.depth -= 1
            if self.depth == 0:
                self.end = self._offset() + len(f"</{tag}>")

    def _matches(self, attrs: list[tuple[str, str | None]]) -> bool:
        values = {k: v or "" for k, v in attrs}
        return all(values.get(k) == v for k, v in self.wanted.items())

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.offsets[line - 1] + column


def element(html: str, **attrs: str) -> str:
    """The HTML of the first element with these attributes (`id="x"`, `role="alert"`), or ""."""
    finder = _Finder({k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()})
    finder.offsets = [0]
    for line in html.splitlines(keepends=True):
        finder.offsets.append(finder.offsets[-1] + len(line))
    finder.feed(html)
    if finder.start is None:
        return ""
    return html[finder.start : finder.end]


def text(html: str) -> str:
    """What a reader sees of this HTML: the text, tags dropped, white space collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
