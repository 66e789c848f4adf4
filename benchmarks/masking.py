"""What masking changes in the 2,816 real letters, whose personal data the source already removed.

`python -m benchmarks.masking [--rev GIT_REV] [--show N]`

Every subject and body is masked as a letter, every reply as a unit's reply (`reply=True`), with
the board's user id as the writer's name. Each change is sorted by what the masked text was:
the source's own redaction (0000-00000000 and the like, all zeros), another number, or words
(names, and words eaten by mistake). `--show` prints that many changes of each sort to read;
`--rev` measures engagement/text.py as it was at a git revision instead (the figures before).
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import inspect
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from benchmarks.quality.evaluate import DATA, load_letters

Mask = Callable[[str, list[str], bool], str]
FIELDS = {"留言主题": "subject", "留言详情": "body", "答复意见": "reply"}
_NUMBERISH = set("0123456789０１２３４５６７８９ -—－.*")
_PROVINCES = set("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼楚")


def masker(rev: str | None) -> Mask:
    """mask_personal of this checkout, or of engagement/text.py at `rev`."""
    if rev is None:
        from engagement import text as module
    else:
        source = subprocess.run(
            ["git", "show", f"{rev}:engagement/text.py"],  # noqa: S607 (git from PATH, as make does)
            capture_output=True,
            check=True,
            text=True,
        ).stdout
        path = Path(tempfile.mkdtemp()) / "text_at_rev.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location("text_at_rev", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    mask = module.mask_personal
    knows_replies = "reply" in inspect.signature(mask).parameters

    def run(text: str, names: list[str], reply: bool) -> str:
        return mask(text, names, reply=reply) if knows_replies else mask(text, names)

    return run


def _kind(original: str, masked: str, start: int, end: int, name: str) -> str:
    at = original.find(name)
    while at >= 0:
        if at <= start and end <= at + len(name):
            return "writer's name"
        at = original.find(name, at + 1)
    if "*" not in masked and any(c.isdigit() and not c.isascii() for c in original[start:end]):
        return "digits rewritten"  # ８７００ -> 8700, nothing masked
    while start > 0 and (original[start - 1] in _NUMBERISH or original[start - 1].isascii()):
        start -= 1
    while end < len(original) and (original[end] in _NUMBERISH or original[end].isascii()):
        end += 1
    span = original[start:end].strip()
    digits = [c for c in span if c.isdigit()]
    if digits and re.match(r"[A-Za-z]", span) and original[start - 1 : start] in _PROVINCES:
        return "car plate"
    if any("\u4e00" <= c <= "\u9fff" for c in original[start:end]) or not digits:
        return "words"
    if set(digits) == {"0"}:
        return "source's redaction"
    return "number"


def changes(original: str, masked: str, name: str) -> list[tuple[str, str, str]]:
    """(kind, the original around the change, the masked text around it) for each change."""
    found = []
    matcher = difflib.SequenceMatcher(None, original, masked, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op != "equal":
            found.append(
                (
                    _kind(original, masked[b1:b2], a1, a2, name),
                    original[max(0, a1 - 10) : a2 + 10],
                    masked[max(0, b1 - 10) : b2 + 10],
                )
            )
    return found


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rev", help="measure engagement/text.py as it was at this revision")
    parser.add_argument("--show", type=int, default=0, help="changes of each kind to print")
    args = parser.parse_args(argv)
    if not DATA.exists():
        sys.exit(f"no real letters at {DATA}")
    mask = masker(args.rev)
    letters = load_letters()
    fields: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    shown: dict[str, list[str]] = defaultdict(list)
    for _, row in letters.iterrows():
        for column, field in FIELDS.items():
            original = str(row[column])
            name = str(row["留言用户"])
            masked = mask(original, [name], field == "reply")
            if masked == original:
                continue
            fields[field] += 1
            kinds = set()
            for kind, before, after in changes(original, masked, name):
                kinds.add(kind)
                if len(shown[kind]) < args.show:
                    shown[kind].append(f"  {field} {row['留言编号']}: {before!r} -> {after!r}")
            for kind in kinds:
                by_kind[field][kind] += 1
    label = f"engagement/text.py at {args.rev}" if args.rev else "this checkout"
    print(f"Masking {len(letters)} real letters ({label}): fields changed")
    for field in FIELDS.values():
        detail = ", ".join(f"{k} {n}" for k, n in sorted(by_kind[field].items()))
        print(f"  {field:8} {fields[field]:5} of {len(letters)}  ({detail or 'none'})")
    for kind, lines in sorted(shown.items()):
        print(f"\n{kind}:")
        print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
