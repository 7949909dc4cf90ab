"""Schema patterns that Python's re refuses: respelled when ECMA-262 only spells them
differently, dropped otherwise, each reported; compiled once, never matched."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from apidock.descriptions import lenient_patterns, lenient_schemas
from apidock.descriptions.intake import take_in
from apidock.descriptions.lenient import make_lenient_fixes
from apidock.descriptions.lenient_patterns import (
    MAX_CLASS_ESCAPES,
    MAX_LENGTH,
    PatternVerdict,
    ecma_to_python,
    pattern_verdict,
)
from apidock.descriptions.lenient_schemas import REPORTED
from apidock.descriptions.problems import Report

DOCUMENTS = Path(__file__).parent.parent / "documents"


def with_patterns(*patterns: str, **extra: Any) -> dict[str, Any]:
    properties = {f"p{i}": {"type": "string", "pattern": p} for i, p in enumerate(patterns)}
    schema = {"type": "object", "properties": properties, **extra}
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "components": {"schemas": {"S": schema}},
    }


def fixed(document: dict[str, Any]) -> Report:
    report = Report()
    make_lenient_fixes(document, report)
    return report


def patterns_of(document: dict[str, Any]) -> list[str | None]:
    properties = document["components"]["schemas"]["S"]["properties"]
    return [schema.get("pattern") for schema in properties.values()]


@pytest.mark.parametrize(
    ("ecma", "both"),
    [
        (r"\w[\w- ]+", r"\w[\w\- ]+"),  # goswagger-task-tracker.yml
        (r"^[a-\d]$", r"^[a\-\d]$"),
        (r"[\d-z_]", r"[\d\-z_]"),
        (r"(?<year>\d{4})-(?<m>\d\d)-\k<year>", r"(\d{4})-(\d\d)-(?:\1)"),
        (r"\u{1F600}|\u{2e}", "\U0001f600|\\u002e"),
        (r"\cA[\cz]", r"\x01[\x1a]"),
        (r"^[^]*$", r"^[\s\S]*$"),
        (r"a[]", r"a(?!)"),
        (r"\y[\w-]", r"y[\w\-]"),
        (r"[\b-\d]{2,}\b", r"[\x08\-\d]{2,}\b"),
        (r"a{,5}]}[\w-[]", r"a\{,5\}\]\}[\w\-\[]"),
    ],
)
def test_ecma_spellings_re_refuses_are_respelled_for_both(ecma: str, both: str) -> None:
    with pytest.raises(re.error):
        re.compile(ecma)
    assert ecma_to_python(ecma) == both
    re.compile(both)
    jsonschema_rs.validator_for({"pattern": both})
    verdict = pattern_verdict(ecma)
    assert verdict == PatternVerdict(keep=False, rewritten=both, message=verdict.message)


@pytest.mark.parametrize(
    "pattern",
    [
        r"\p{L}+",  # Unicode properties: re has none
        r"(?<=a+)b",  # variable-length look-behind
        r"(?<a>x)(?<a>y)",
        r"\k<nowhere>(?<a>x)",
        "[a",
        "\\",
        r"\c1",
        r"\u{110000}",
        "(" * 100_000,
    ],
)
def test_what_cannot_be_respelled_is_dropped(pattern: str) -> None:
    verdict = pattern_verdict(pattern)
    assert verdict.rewritten is None
    assert not verdict.keep
    assert "dropped" in verdict.message


def test_a_document_gets_the_respelling_or_loses_the_pattern() -> None:
    example = {"pattern": r"[\w-x]"}
    document = with_patterns(r"^\d+$", r"\w[\w- ]+", r"\p{Lu}", example=example)
    report = fixed(document)
    assert patterns_of(document) == [r"^\d+$", r"\w[\w\- ]+", None]
    assert example == {"pattern": r"[\w-x]"}
    assert [(p.pointer, p.type) for p in report.warnings] == [
        ("/components/schemas/S/properties/p1/pattern", "schema.pattern")
    ]
    assert [(p.pointer, p.type) for p in report.lost] == [
        ("/components/schemas/S/properties/p2/pattern", "schema.pattern")
    ]
    assert "bad character range" in report.warnings[0].message


def test_pattern_properties_names_are_renamed_in_place_or_dropped() -> None:
    names = {
        "^a": {"type": "string"},
        r"[\w-x]": {"type": "integer", "nullable": True},
        r"\p{L}": {"type": "boolean"},
        r"[\w\-x]": {"type": "null"},
        "z$": {},
    }
    document = with_patterns(patternProperties=names)
    report = fixed(document)
    assert list(names.items()) == [
        ("^a", {"type": "string"}),
        (r"[\w\-x]", {"type": ["integer", "null"]}),
        ("z$", {}),
    ]
    at = "/components/schemas/S/patternProperties/"
    assert [(p.pointer, p.type) for p in report.warnings] == [
        (at + "[\\w-x]", "schema.pattern"),
        (at + "[\\w-x]/nullable", "schema.nullable"),  # the name as sent
    ]
    assert [p.pointer for p in report.lost] == [at + "\\p{L}", at + "[\\w\\-x]"]
    assert [e.message for e in OpenAPIV31SpecValidator(document).iter_errors()] == []


def test_each_pattern_is_judged_once_and_warnings_are_capped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    judged: list[str] = []

    def counted(pattern: str) -> PatternVerdict:
        judged.append(pattern)
        return pattern_verdict(pattern)

    monkeypatch.setattr(lenient_schemas, "pattern_verdict", counted)
    document = with_patterns(*[r"[\w-]+[\d-x]"] * (REPORTED + 30), r"\p{L}", r"\p{L}")
    report = fixed(document)
    assert judged == [r"[\w-]+[\d-x]", r"\p{L}"]
    assert patterns_of(document) == [r"[\w\-]+[\d\-x]"] * (REPORTED + 30) + [None, None]
    assert len(report.warnings) == REPORTED + 1
    assert report.warnings[-1].pointer == f"/components/schemas/S/properties/p{REPORTED}/pattern"
    assert report.warnings[-1].message.startswith("and 30 more patterns")
    assert len(report.lost) == 2  # every lost constraint is named


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The patterns each engine is asked to compile, by engine."""
    calls: dict[str, list[str]] = {"re": [], "jsonschema-rs": []}
    python_error, ecma_compiles = lenient_patterns._python_error, lenient_patterns._ecma_compiles

    def by_re(pattern: str) -> str | None:
        calls["re"].append(pattern)
        return python_error(pattern)

    def by_rs(pattern: str) -> bool:
        calls["jsonschema-rs"].append(pattern)
        return ecma_compiles(pattern)

    monkeypatch.setattr(lenient_patterns, "_python_error", by_re)
    monkeypatch.setattr(lenient_patterns, "_ecma_compiles", by_rs)
    return calls


def test_a_pathological_pattern_is_only_compiled(compiled: dict[str, list[str]]) -> None:
    # matched against anything, these would backtrack for ever: each is compiled, once
    patterns = [r"^(a+)+$", r"(\w*)*[\w-@]", "(x|x?)*" * 1_000 + r"[\d-x]"]
    document = with_patterns(*patterns, *patterns)
    report = fixed(document)
    rewrites = [r"(\w*)*[\w\-@]", "(x|x?)*" * 1_000 + r"[\d\-x]"]
    assert patterns_of(document) == [patterns[0], *rewrites] * 2
    assert compiled == {
        "re": [patterns[0], patterns[1], rewrites[0], patterns[2], rewrites[1]],
        "jsonschema-rs": rewrites,
    }
    assert len(report.warnings) == 4


def test_patterns_past_the_bounds_are_not_compiled(compiled: dict[str, list[str]]) -> None:
    # re takes seconds on a `{` before a million digits; jsonschema-rs on thousands of `\s`
    huge = "{" + "1" * (MAX_LENGTH + 1)
    assert pattern_verdict(huge) == PatternVerdict(keep=True)
    assert compiled["re"] == []
    escapes = r"\s" * 2_000 + r"[\w-x]"
    verdict = pattern_verdict(escapes)
    assert verdict.rewritten is None
    assert not verdict.keep
    assert compiled["jsonschema-rs"] == []
    # the count is an upper bound: the \w in the class counts too
    assert pattern_verdict(r"\s" * (MAX_CLASS_ESCAPES - 1) + r"[\w-x]").rewritten is not None
    assert len(compiled["jsonschema-rs"]) == 1


def test_goswagger_task_tracker_gets_its_patterns_respelled() -> None:
    raw = (DOCUMENTS / "swagger-2.0" / "goswagger-task-tracker.yml").read_bytes()
    intake = take_in(raw, media_type=None)
    schemas = intake.document["components"]["schemas"]
    assert schemas["TaskCard"]["properties"]["tags"]["items"]["pattern"] == r"\w[\w\- ]+"
    assert schemas["Milestone"]["properties"]["name"]["pattern"] == r"[A-Za-z][\w\- ]+"
    rewritten = [p.pointer for p in intake.report.warnings if p.type == "schema.pattern"]
    assert rewritten == [
        "/components/schemas/TaskCard/properties/tags/items/pattern",
        "/components/schemas/Milestone/properties/name/pattern",
    ]
    assert not [p for p in intake.report.warnings if p.type.startswith("openapi.pattern")]
