"""Strings of the generator: every format it makes, within lengths that make it grow or
shrink; patterns (the corpus's own among them) alone, with lengths and with a format; the
property name's hint."""

from __future__ import annotations

import base64
import re
from random import Random

import pytest

from apidock.mocking.generate import generate
from apidock.mocking.generate_strings import pattern_string
from tests.mocking.test_generate import check, distinct

FORMATS = (
    "date", "date-time", "time", "duration", "email", "idn-email", "hostname", "idn-hostname",
    "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uri-template", "uuid",
    "json-pointer", "relative-json-pointer", "regex", "byte", "password", "binary", "int64",
    "double", "url", "no-such-format",
)  # fmt: skip
GROWING = ("date-time", "time", "email", "hostname", "uri", "uri-reference", "byte", "password")
PATTERNS = (
    r"^[A-Z]{3}-\d{4}$",
    r"^(?:#[0-9a-fA-F]{3}|#[0-9a-fA-F]{4}|#[0-9a-fA-F]{6}|#[0-9a-fA-F]{8})$",
    r"^([01]\d|2[0-3]):?([0-5]\d)$",
    r"^US[0-9a-fA-F]{32}$",
    r"\w[\w\- ]+",
    r"(v{0,1})(stable|([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(-.*)?)(_(.*))?",
    r"\/(versions|branches)\/((v{0,1})(stable|([0-9]+)(?:\.([0-9]+))?)(-.*)?)\/(guides|reference)",
    r"(([a-z0-9-_ ]|[^\\x00-\\x7F])+.(json|yaml|yml))",
    r"^[^@\s]+@[^@\s]+$",
    r"^(a)\1-\d+$",
    r"^(?!admin)[a-z]{3,8}$",
    r"^\p{Ll}+$",  # not Python syntax: met by words, checked by jsonschema-rs
    r"colou?r",
)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_gives_valid_varied_values(fmt: str) -> None:
    assert distinct(check({"type": "string", "format": fmt})) > 1


@pytest.mark.parametrize("fmt", GROWING)
def test_a_format_grows_to_a_min_length(fmt: str) -> None:
    values = check({"type": "string", "format": fmt, "minLength": 40, "maxLength": 44})
    assert all(40 <= len(value) <= 44 for value in values)


@pytest.mark.parametrize("fmt", ["email", "hostname", "uri", "uri-reference"])
def test_a_format_shrinks_to_a_max_length(fmt: str) -> None:
    assert all(
        len(value) <= 6 for value in check({"type": "string", "format": fmt, "maxLength": 6})
    )


def test_byte_is_base64() -> None:
    for value in check({"type": "string", "format": "byte"}):
        assert base64.b64encode(base64.b64decode(value, validate=True)).decode() == value


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_pattern_gives_valid_varied_values(pattern: str) -> None:
    assert distinct(check({"type": "string", "pattern": pattern})) > 1


@pytest.mark.parametrize(
    ("pattern", "low", "high"),
    [(r"^[a-z]+$", 40, 45), (r"^[A-Z]", 30, None), (r"[0-9]{3}$", 10, 12), (r"^x{2,}y$", 3, 3)],
)
def test_a_pattern_meets_lengths_by_repetition_or_padding(
    pattern: str, low: int, high: int | None
) -> None:
    schema = {"type": "string", "pattern": pattern, "minLength": low}
    if high is not None:
        schema["maxLength"] = high
    values = check(schema)
    assert all(len(value) >= low and (high is None or len(value) <= high) for value in values)


def test_a_pattern_and_a_format_hold_together() -> None:
    check({"type": "string", "format": "date", "pattern": r"^20(19|2\d)-"})
    check({"type": "string", "format": "int64", "pattern": r"^-?\d+$"})
    check({"type": "string", "format": "email", "pattern": r"\.(com|org)$"})


def test_an_unbounded_repetition_stays_short() -> None:
    texts = [pattern_string(r"^a+b*c{2,}$", Random(seed), 0, None, 10_000) for seed in range(20)]
    assert all(text is not None and re.fullmatch(r"a+b*c{2,}", text) for text in texts)
    assert max(len(text or "") for text in texts) <= 20


def test_a_property_name_hints_at_a_plausible_string() -> None:
    schema = {
        "type": "object",
        "required": ["email", "homepage_url", "uuid"],
        "properties": {
            "email": {"type": "string"},
            "homepage_url": {"type": "string"},
            "uuid": {"type": "string"},
        },
    }
    for value in check(schema):
        assert "@" in value["email"]
        assert value["homepage_url"].startswith("https://")
        assert re.fullmatch(
            r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value["uuid"]
        )


def test_a_hint_gives_way_to_the_lengths() -> None:
    schema = {"type": "object", "required": ["email"], "properties": {"email": {"maxLength": 3}}}
    assert all(len(generate(schema, {}, seed)["email"]) <= 3 for seed in range(10))
