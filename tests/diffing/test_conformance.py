"""The engine held to its peer: the cases of oasdiff's own checker tests.

`tests/documents/diff/oasdiff_cases.yaml` lists, for each Go test of oasdiff's checker that
diffs two documents, the pair, the rule ids the test asserts are reported (with the operation
when it names one) and those it asserts are not; its header explains every field. A team moving
from oasdiff keeps its rule ids, so the same pair must give the same findings here. A case that
fails is a difference from oasdiff to fix or to argue, not to hide: the message lists all the
engine reported, to hand to whoever fixes it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]

from apidock.descriptions.intake import take_in
from apidock.descriptions.loading import Limits, load_document
from apidock.diffing.changes import Change, Level, at_least
from apidock.diffing.engine import diff_documents

DOCUMENTS = Path(__file__).resolve().parent.parent / "documents" / "diff"
TABLE = DOCUMENTS / "oasdiff_cases.yaml"


@cache
def _table() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(TABLE.read_text(encoding="utf-8"))
    return loaded


def _cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = _table()["cases"]
    return cases


def _token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _patched(document: Any, operations: Iterable[dict[str, Any]]) -> Any:
    """`document` with JSON Patch `add` (set a member or an item) and `remove` applied: the
    edits a Go test makes to a loaded document, made to the same document as read."""
    for operation in operations:
        *parents, last = [_token(token) for token in operation["path"].split("/")[1:]]
        node = document
        for token in parents:
            node = node[int(token)] if isinstance(node, list) else node[token]
        key: Any = int(last) if isinstance(node, list) else last
        if operation["op"] == "remove":
            del node[key]
        elif operation["op"] == "add":
            node[key] = operation["value"]
        else:
            raise ValueError(f"unknown patch operation {operation['op']}")
    return document


def _document(file: str, patch: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The 3.1 document import makes of `file`, after `patch` when the case has one."""
    raw = (DOCUMENTS / file).read_bytes()
    if patch:
        read = load_document(raw, media_type=None, limits=Limits())
        raw = json.dumps(_patched(read, patch)).encode()
    return take_in(raw, media_type=None).document


def _shown(changes: Iterable[Change]) -> str:
    lines = [f"  {c.id} [{c.level}] {c.operation or '-'} {c.pointer}" for c in changes]
    return "\n".join(lines) or "  (nothing)"


def _failures(case: dict[str, Any], changes: list[Change]) -> list[str]:
    """What the engine got wrong on `case`, one sentence each (empty when it conforms)."""
    threshold: Level = case["threshold"]
    failures: list[str] = []
    wanted = Counter((e["id"], e.get("operation")) for e in case["expect"])
    for (rule, operation), count in wanted.items():
        found = [c for c in changes if c.id == rule and operation in (None, c.operation)]
        where = f" on {operation}" if operation else ""
        if len(found) < count:
            failures.append(f"expected {rule}{where} ({count}x), found {len(found)}")
    levels = {e["id"]: e["level"] for e in case["expect"]}
    for change in changes:
        if change.id in levels and change.level != levels[change.id]:
            failures.append(f"{change.id} reported as {change.level}, oasdiff: {levels[change.id]}")
    forbidden = sorted({c.id for c in changes if c.id in set(case["forbid"])})
    if forbidden:
        failures.append(f"reported what the Go test rules out: {', '.join(forbidden)}")
    if case["exact"]:
        if case["check"] == "all":
            off = set(_table()["switched_off"])
            in_scope = [c.id for c in changes if at_least(c.level, threshold) and c.id not in off]
        else:
            scope = set(levels) | set(case["forbid"])
            in_scope = [c.id for c in changes if c.id in scope]
        expected = Counter(e["id"] for e in case["expect"])
        if Counter(in_scope) != expected:
            failures.append(
                f"the Go test asserts exactly {dict(expected) or 'nothing'} at {threshold} or "
                f"graver ({case['check']}); got {dict(Counter(in_scope)) or 'nothing'}"
            )
    if case.get("expect_some") and not any(at_least(c.level, threshold) for c in changes):
        failures.append(f"expected some change at {threshold} or graver")
    return failures


@pytest.mark.parametrize("case", _cases(), ids=lambda case: case["name"])
def test_oasdiff_case(case: dict[str, Any]) -> None:
    base = _document(case["base"], case.get("patch_base"))
    revision = _document(case["revision"], case.get("patch_revision"))
    changes = diff_documents(base, revision)
    failures = _failures(case, changes)
    assert not failures, (
        f"{case['go_test']} ({case['about']}):\n- "
        + "\n- ".join(failures)
        + "\nthe engine reported:\n"
        + _shown(changes)
    )


def test_every_case_asserts_something() -> None:
    """A case with nothing expected, nothing forbidden and no count would pass on any engine."""
    idle = [
        case["name"]
        for case in _cases()
        if not case["expect"] and not case["forbid"] and not case["exact"]
        if not case.get("expect_some")
    ]
    assert idle == []


def test_every_document_named_is_in_the_corpus() -> None:
    named = {case[side] for case in _cases() for side in ("base", "revision")}
    assert sorted(name for name in named if not (DOCUMENTS / name).is_file()) == []


def test_patches_reach_what_they_edit() -> None:
    """A patch whose parent pointer names nothing would make the case test another edit."""
    for case in _cases():
        for side in ("base", "revision"):
            patch = case.get(f"patch_{side}")
            if patch:
                read = load_document(
                    (DOCUMENTS / case[side]).read_bytes(), media_type=None, limits=Limits()
                )
                _patched(read, patch)  # raises KeyError / IndexError on a wrong pointer


def test_the_table_names_its_source() -> None:
    source = _table()["source"]
    assert source["repository"] == "https://github.com/oasdiff/oasdiff"
    assert len(source["commit"]) == 40
    assert source["licence"] == "Apache-2.0"
