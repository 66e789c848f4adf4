"""The Chinese catalog covers every UI message of the current sources, placeholders intact.

Messages are extracted with babel's API exactly as `make messages` does: the same babel.cfg
mapping and the keywords read from the Makefile's `pybabel extract` line, so a msgid added to a
template or a module fails here until `make messages` is run and the new entry is translated.
"""

from __future__ import annotations

import html
import re
import shlex
from collections.abc import Iterable
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "engagement" / "locale" / "zh" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(([^)]*)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def _extract_command() -> list[str]:
    """The arguments of the Makefile's `pybabel extract` command (the one source of truth)."""
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        words = shlex.split(line)
        if len(words) > 1 and words[0].endswith("pybabel") and words[1] == "extract":
            return words[2:]
    raise AssertionError("no `pybabel extract` line in the Makefile")


def _option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def _source_messages() -> dict[tuple[str, str | None], tuple[str, ...]]:
    """(msgid, msgctxt) -> (msgid, msgid_plural?) for every message `make messages` extracts."""
    args = _extract_command()
    keyword_specs = [args[i + 1] for i, arg in enumerate(args) if arg in ("-k", "--keyword")]
    assert keyword_specs, "the Makefile's extract line names no keywords"
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update(parse_keywords(keyword_specs))
    with (ROOT / _option(args, "-F")).open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    directory = ROOT / args[-1]
    found: dict[tuple[str, str | None], tuple[str, ...]] = {}
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        directory, method_map, options_map, keywords=keywords
    ):
        ids = (message,) if isinstance(message, str) else tuple(m for m in message if m)
        found.setdefault((ids[0], context), ids)
    return found


def _placeholders(texts: Iterable[str]) -> set[str]:
    return {name for text in texts for name in PLACEHOLDER.findall(text)}


def _stray_percent(text: str) -> bool:
    """A lone % that is neither a placeholder nor %%: formatting the message would fail."""
    return "%" in PLACEHOLDER.sub("", text).replace("%%", "")


def test_every_source_message_has_a_chinese_translation_with_the_same_placeholders() -> None:
    sources = _source_messages()
    assert len(sources) > 100, "extraction found suspiciously few messages"
    with CATALOG.open("rb") as fh:
        catalog = read_po(fh, locale="zh")

    untranslated: list[str] = []
    mismatched: list[str] = []
    for (msgid, context), ids in sorted(sources.items(), key=lambda item: item[0][0]):
        entry = catalog.get(msgid, context)
        raw = None if entry is None else entry.string
        strings = [raw] if isinstance(raw, str) else list(raw or ())
        if not strings or not all(s and s.strip() for s in strings):
            untranslated.append(msgid)
            continue
        if entry is not None and entry.fuzzy:
            untranslated.append(f"{msgid}  (still marked fuzzy)")
            continue
        expected = _placeholders(ids)
        for text in strings:
            if _placeholders([text]) != expected or _stray_percent(text):
                mismatched.append(f"{msgid!r} -> {text!r}")

    problems = []
    if untranslated:
        problems.append(
            f"{len(untranslated)} message(s) without a zh translation "
            "(run `make messages`, then translate them in "
            f"{CATALOG}):\n  " + "\n  ".join(untranslated)
        )
    if mismatched:
        problems.append(
            f"{len(mismatched)} translation(s) whose %(name)s placeholders differ from the "
            "msgid's:\n  " + "\n  ".join(mismatched)
        )
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize(
    ("path", "expected", "lang"),
    [("/", "县长信箱", "zh-CN"), ("/?lang=en", "Mayor's mailbox", "en")],
    ids=["default-zh", "lang-en"],
)
def test_home_page_navigation_is_in_the_chosen_language(
    client: TestClient, path: str, expected: str, lang: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert f'<html lang="{lang}">' in page
    nav = page[page.index('class="container main-nav"') :]
    nav = nav[: nav.index("</nav>")]
    assert expected in nav
