"""Every code any module writes to the audit log has words in the log (issue #15): its action,
object type and detail keys. The codes are read from the source, so a new audit.record call without
a label fails here."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi import FastAPI

from engagement import i18n
from engagement.audit import AuditLabels

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["engagement", "feedback", "surveys", "analytics"]
WHERE = ("object_type", "object_id")  # record()'s own keywords; the rest are details


@dataclass
class Written:
    actions: dict[str, str] = field(default_factory=dict)  # code -> where
    objects: dict[str, str] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)


def _strings(node: ast.expr, constants: dict[str, str], where: str) -> list[str]:
    """The strings an argument can be: a literal, either branch of `a if c else b`, a constant."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body, constants, where) + _strings(node.orelse, constants, where)
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    pytest.fail(f"{where}: write the audit action as a literal, not {ast.unparse(node)}")


def _is_record(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "record"
        and isinstance(func.value, ast.Name)
        and func.value.id == "audit"
    ) or (isinstance(func, ast.Name) and func.id == "record")


def written_codes() -> Written:
    found = Written()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            constants = {
                target.id: node.value.value
                for node in tree.body
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                for target in node.targets
                if isinstance(target, ast.Name) and isinstance(node.value.value, str)
            }
            for call in ast.walk(tree):
                if not (isinstance(call, ast.Call) and _is_record(call) and len(call.args) >= 3):
                    continue
                where = f"{path.relative_to(ROOT)}:{call.lineno}"
                for action in _strings(call.args[2], constants, where):
                    found.actions[action] = where
                for keyword in call.keywords:
                    if keyword.arg == "object_type":
                        for kind in _strings(keyword.value, constants, where):
                            found.objects[kind] = where
                    elif keyword.arg is not None and keyword.arg not in WHERE:
                        found.details[keyword.arg] = where
    return found


def test_the_scan_finds_the_codes_it_should() -> None:
    written = written_codes()
    assert {"auth.login", "letter.assign", "letter.transfer", "survey.publish"} <= set(
        written.actions
    )
    assert {"letter", "user", "survey"} <= set(written.objects)
    assert {"public", "department", "category"} <= set(written.details)


def test_every_audited_action_object_and_detail_has_words(app: FastAPI) -> None:
    labels: AuditLabels = app.state.audit_labels
    written = written_codes()

    missing = [
        f"{kind} {code!r} written at {where}"
        for kind, codes, known in [
            ("action", written.actions, labels.actions),
            ("object type", written.objects, labels.objects),
            ("detail", written.details, labels.details),
        ]
        for code, where in codes.items()
        if code not in known
    ]
    assert missing == [], "add to the module's AUDIT_LABELS (web.py) or engagement.audit"


def test_every_label_is_translated(app: FastAPI) -> None:
    labels: AuditLabels = app.state.audit_labels
    msgids = [
        *labels.actions.values(),
        *labels.groups.values(),
        *labels.objects.values(),
        *labels.details.values(),
        *labels.actors.values(),
        *(word for words in labels.values.values() for word in words.values()),
    ]
    chinese = i18n.translations("zh")
    untranslated = sorted({m for m in msgids if chinese.gettext(m) == m})
    assert untranslated == []
