"""The bytes of an export: deterministic, in stored order, read back as the very same value."""

import json
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]

from apidock.descriptions.dumping import dump_json, dump_yaml
from apidock.descriptions.loading import load_document

TRICKY_STRINGS = [
    "200", "on", "On", "yes", "no", "off", "y", "Y", "n", "N", "true", "True", "1.0", "1e3",
    ".5", "-0", "+1", "012", "0x1F", "0o17", "0b101", "1_000", "1:30", "null", "Null", "~",
    "", " x", "x ", "2020-01-01", "2020-01-01T10:00:00Z", ".inf", "-.inf", ".nan", "=", "<<",
    "- x", "a: b", "#c", "a #b", "? q", "{x}", "[x]", "&a", "*a", "!t", "|", ">", "%", "@",
    "`", "'q'", '"dq"', "NaN", "-", ".", "a,b",
    "line\nbreak\n", "end\n\n", "\n lead", "trailing  \nspaces", "no final newline\nx",
    "\ttab", "\x00", "\x7f", "\x85", "\u2028", "\ufeff", "é ü ß 中文", "😀",
    "a" * 300 + " " + "b" * 300, "word " * 100, "9" * 5000,
]  # fmt: skip
TRICKY_NUMBERS = [0, -1, 12, 10**30, -(10**300), 1.5, -0.0, 1e16, 1e-7, 3.0, 2.5e300, 5e-324]


def tricky_document() -> dict[str, Any]:
    shared = {"type": "object", "properties": {"id": {"type": "integer"}}}
    return {
        "strings": TRICKY_STRINGS,
        "numbers": TRICKY_NUMBERS,
        "constants": [True, False, None],
        "keys": {text: index for index, text in enumerate(TRICKY_STRINGS)},
        "empty": [{}, [], ""],
        "first": shared,
        "again": shared,
        "nested": {"a": [{"b": [[1, [2, {"c": "d"}]]]}]},
        "k" * 300: "long key",
    }


@pytest.mark.parametrize("dump", [dump_json, dump_yaml])
def test_what_is_dumped_loads_back_the_same_and_dumps_the_same_bytes(dump: Any) -> None:
    document = tricky_document()
    dumped = dump(document)
    loaded = load_document(dumped)
    assert loaded == document
    assert json.dumps(loaded) == json.dumps(document)  # same order and same types, too
    assert dump(loaded) == dumped


def test_any_yaml_reader_reads_the_same_value() -> None:
    document = tricky_document()
    dumped = dump_yaml(document)
    # PyYAML reads YAML 1.1 (`on`, `yes`, `012`, dates, `1_000` are not strings there)
    assert yaml.load(dumped, Loader=yaml.CSafeLoader) == document
    assert yaml.load(dumped, Loader=yaml.SafeLoader) == document


def test_ambiguous_strings_are_quoted_in_yaml() -> None:
    dumped = dump_yaml({"200": "on", "v": ["yes", "y", "1e3", "0o17", "012", "", " x", "~"]})
    assert dumped == (
        b"'200': 'on'\nv:\n- 'yes'\n- 'y'\n- '1e3'\n- '0o17'\n- '012'\n- ''\n- ' x'\n- '~'\n"
    )
    assert (
        dump_yaml({"a": "plain words", "b": 12, "c": "12"}) == b"a: plain words\nb: 12\nc: '12'\n"
    )


def test_keys_keep_the_stored_order() -> None:
    document = {"openapi": "3.1.0", "info": {}, "paths": {"/b": {}, "/a": {}}, "components": {}}
    assert dump_yaml(document).splitlines()[:4] == [
        b"openapi: 3.1.0",
        b"info: {}",
        b"paths:",
        b"  /b: {}",
    ]
    assert list(json.loads(dump_json(document))) == ["openapi", "info", "paths", "components"]
    assert dump_json(document).index(b'"/b"') < dump_json(document).index(b'"/a"')


def test_no_anchors_or_aliases_even_for_a_shared_object() -> None:
    shared = {"type": "string"}
    dumped = dump_yaml({"a": shared, "b": [shared, shared]})
    assert dumped == b"a:\n  type: string\nb:\n- type: string\n- type: string\n"
    assert b"&" not in dump_yaml(tricky_document()).replace(b"'&a'", b"")


def test_yaml_layout_block_style_unfolded_lines_literal_blocks() -> None:
    long = "word " * 100 + "end"
    dumped = dump_yaml({"a": {"b": [long]}, "d": "first line\nsecond line\n", "u": "é"})
    assert dumped == (
        b"a:\n  b:\n  - " + long.encode() + b"\nd: |\n  first line\n  second line\nu: \xc3\xa9\n"
    )


def test_json_layout() -> None:
    assert dump_json({"a": [1, 2.5], "é": "ü\u2028", "n": None}) == (
        b'{\n  "a": [\n    1,\n    2.5\n  ],\n'
        b'  "\xc3\xa9": "\xc3\xbc\xe2\x80\xa8",\n  "n": null\n}\n'
    )


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
@pytest.mark.parametrize("dump", [dump_json, dump_yaml])
def test_numbers_no_json_holds_are_refused(dump: Any, value: float) -> None:
    with pytest.raises(ValueError, match=r"JSON|compliant"):
        dump({"a": value})


def test_yaml_takes_json_types_only() -> None:
    for value in ({1, 2}, (1, 2), b"bytes", object()):
        with pytest.raises(yaml.representer.RepresenterError):
            dump_yaml({"a": value})
