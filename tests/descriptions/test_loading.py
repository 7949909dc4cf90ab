"""Reading a document safely: JSON and YAML into a plain JSON value, hostile bodies refused."""

import sys
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]

from apidock.descriptions import loading_yaml
from apidock.descriptions.loading import Limits, load_document, syntax_of
from apidock.descriptions.problems import DocumentRefused
from apidock.errors import PayloadTooLarge

JSON = "application/json"
YAML = "application/yaml"

PETSTORE = b"""\
openapi: 3.1.0
info:
  title: Pets
  version: 2020-01-01
paths:
  /pets/{id}:
    get:
      parameters:
      - &id {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        200:
          description: yes
        '404': {description: on}
    delete:
      parameters: [*id]
      responses:
        204: {description: gone}
x-flags:
  on: off
  yes: no
  1.0: 1.0
  null: ~
  true: True
  values: [012, 0x1F, 0o17, 1e3, .5, -0, 1_000, '1', 2020-01-01T10:00:00Z, null, '', 1:30]
"""


def refusal(raw: bytes, media_type: str | None = None, **limits: int) -> list[dict[str, str]]:
    with pytest.raises(DocumentRefused) as refused:
        load_document(raw, media_type=media_type, limits=Limits(**limits))
    problems: list[dict[str, str]] = refused.value.data
    assert problems
    return problems


def only(raw: bytes, media_type: str | None = None, **limits: int) -> dict[str, str]:
    problems = refusal(raw, media_type, **limits)
    assert len(problems) == 1, problems
    return problems[0]


def test_yaml_keys_stay_strings_and_values_follow_yaml_1_2() -> None:
    document = load_document(PETSTORE, media_type=YAML)
    responses = document["paths"]["/pets/{id}"]["get"]["responses"]
    assert list(responses) == ["200", "404"]
    assert responses["200"] == {"description": "yes"}
    assert responses["404"] == {"description": "on"}
    assert document["info"]["version"] == "2020-01-01"
    flags = document["x-flags"]
    assert list(flags) == ["on", "yes", "1.0", "null", "true", "values"]
    assert flags["on"] == "off"
    assert flags["yes"] == "no"
    assert flags["1.0"] == 1.0
    assert flags["null"] is None
    assert flags["true"] is True
    assert flags["values"] == [
        "012", 31, 15, 1000.0, 0.5, 0, "1_000", "1", "2020-01-01T10:00:00Z", None, "", "1:30"
    ]  # fmt: skip
    assert type(flags["values"][3]) is float


def test_anchors_within_the_bound_are_expanded_into_copies() -> None:
    document = load_document(PETSTORE, media_type=YAML)
    operations = document["paths"]["/pets/{id}"]
    shared = operations["get"]["parameters"][0]
    assert operations["delete"]["parameters"] == [shared]
    assert operations["delete"]["parameters"][0] is not shared
    assert operations["delete"]["parameters"][0]["schema"] is not shared["schema"]


def test_the_result_holds_only_json_types() -> None:
    stack: list[Any] = [load_document(PETSTORE, media_type=YAML)]
    while stack:
        node = stack.pop()
        assert type(node) in (dict, list, str, int, float, bool, type(None))
        if isinstance(node, dict):
            assert all(type(key) is str for key in node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def test_media_types_and_sniffing() -> None:
    assert syntax_of("application/json; charset=utf-8") == "json"
    assert syntax_of("application/vnd.oai.openapi+json") == "json"
    for media_type in ("application/yaml", "application/x-yaml", "Text/YAML", "a/b+yaml"):
        assert syntax_of(media_type) == "yaml"
    assert syntax_of("text/plain") is None
    with pytest.raises(ValueError, match="text/plain"):
        load_document(b"{}", media_type="text/plain")
    # no media type: `{` or `[` first means JSON, whose errors then say so
    assert only(b' \n\t{"a": 1,}')["message"].startswith("Not valid JSON")
    assert only(b"\xef\xbb\xbf[1]")["type"] == "document.type"
    assert load_document(b"# a comment\na: {b: 1}\n") == {"a": {"b": 1}}
    # YAML's flow style is YAML when said so
    assert load_document(b"{a: 1}", media_type=YAML) == {"a": 1}


def test_a_utf8_byte_order_mark_is_dropped() -> None:
    assert load_document(b'\xef\xbb\xbf{"a": "\xc3\xa9"}', media_type=JSON) == {"a": "é"}
    assert load_document(b"\xef\xbb\xbfa: 1\n", media_type=YAML) == {"a": 1}


def test_invalid_utf8_is_refused_at_its_byte_offset() -> None:
    problem = only(b'{"a": "\xff"}', JSON)
    assert problem == {
        "field": "",
        "message": "The document is not UTF-8: invalid byte at offset 7",
        "type": "encoding",
    }
    assert "offset 10" in only(b'\xef\xbb\xbf{"a": "\xc3"}')["message"]
    assert "offset 3" in only(b"a: \xc3\x28\n", YAML)["message"]


def test_utf16_and_utf32_are_refused_as_such() -> None:
    for raw in (
        '{"a": 1}'.encode("utf-16"),
        '{"a": 1}'.encode("utf-16-be"),
        "a: 1".encode("utf-32"),
    ):
        assert "UTF-16 or UTF-32" in only(raw)["message"]


def test_over_max_bytes_is_413_before_anything_is_read() -> None:
    with pytest.raises(PayloadTooLarge):
        load_document(b"\xff" * 101, limits=Limits(max_bytes=100))
    assert load_document(b'{"a": "' + b"x" * 91 + b'"}', limits=Limits(max_bytes=100))


def test_the_top_level_must_be_an_object() -> None:
    for raw, what in (
        (b"[1, 2]", "an array"),
        (b"- 1\n- 2\n", "an array"),
        (b'"text"', "a string"),
        (b"hello", "a string"),
        (b"12", "a number"),
        (b"true", "a boolean"),
    ):
        problem = only(raw)
        assert problem["field"] == ""
        assert problem["type"] == "document.type"
        assert what in problem["message"]
    for raw in (b"", b"  \n", b"# nothing\n", b"---\n", b"null", b"~"):
        assert only(raw) == {
            "field": "",
            "message": "The document is empty",
            "type": "document.empty",
        }
    assert only(b" ", JSON)["type"] == "document.empty"


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 10_000 + b"]" * 10_000,
        b"[" * 10_000,
        b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
        b'{"a":' * 10_000,
        # brackets in a string do not close the ones outside it
        b'{"s": "' + b"]" * 10_000 + b'", "t": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
    ],
)
def test_deep_json_is_refused_before_it_is_parsed(raw: bytes) -> None:
    problem = only(raw, JSON)
    assert problem == {
        "field": "",
        "message": "The document nests deeper than 100 levels",
        "type": "document.depth",
    }


def test_json_depth_counts_brackets_outside_strings_only() -> None:
    nested_100 = b"[" * 99 + b"1" + b"]" * 99
    assert load_document(b'{"a": ' + nested_100 + b"}", media_type=JSON)
    assert only(b'{"a": [' + nested_100 + b"]}", JSON)["type"] == "document.depth"
    in_strings = b'{"a": "' + b"[{" * 5000 + b'", "b": "\\"[[[", "c": "x\\\\", "d": "[[["}'
    assert load_document(in_strings, media_type=JSON)["d"] == "[[["


def yaml_flow(depth: int) -> bytes:
    return b"a: " + b"[" * (depth - 1) + b"]" * (depth - 1) + b"\n"


def yaml_block_sequences(depth: int) -> bytes:
    return b"a:\n" + b"- " * (depth - 1) + b"x\n"


def yaml_block_mappings(depth: int) -> bytes:
    return b"".join(b" " * level + b"k:\n" for level in range(depth)) + b" " * depth + b"x\n"


@pytest.mark.parametrize("deep", [yaml_flow, yaml_block_sequences, yaml_block_mappings])
def test_yaml_depth_is_bounded_for_flow_and_block_nesting(deep: Any) -> None:
    assert load_document(deep(100), media_type=YAML)
    assert only(deep(101), YAML)["type"] == "document.depth"
    problem = only(deep(10_000 if deep is not yaml_block_mappings else 3_000), YAML)
    assert "nest" in problem["message"].lower()


def test_a_deep_flow_yaml_is_refused_by_libyaml_itself_before_any_event() -> None:
    problem = only(b"a: " + b"[" * 10_000, YAML)
    assert problem["type"] in {"syntax", "document.depth"}


def test_billion_laughs_is_refused_never_expanded() -> None:
    lines = [b'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 30):  # 10**30 values if it were expanded
        aliases = b", ".join([b"*a%d" % (level - 1)] * 10)
        lines.append(b"a%d: &a%d [%s]" % (level, level, aliases))
    bomb = b"\n".join(lines) + b"\n"
    problem = only(bomb, YAML)
    assert problem["type"] == "yaml.aliases"
    assert "expand to more than 10000 values" in problem["message"]
    assert problem["field"] == "/a3/7"  # a1 and a2 add 1,220 values, each alias of a2 1,111
    problem = only(bomb, YAML, max_aliases=10**6)
    assert "expand to more than 10000 values" in problem["message"]


def test_more_aliases_than_the_bound_are_refused() -> None:
    raw = b"a: &a 1\nb: [" + b", ".join([b"*a"] * 101) + b"]\n"
    problem = only(raw, YAML)
    assert (problem["field"], problem["type"]) == ("/b/100", "yaml.aliases")
    assert "More than 100 YAML aliases" in problem["message"]
    assert len(load_document(raw, media_type=YAML, limits=Limits(max_aliases=101))["b"]) == 101


def test_aliases_bounded_by_the_values_they_add() -> None:
    big = b"big: &big [" + b", ".join([b"1"] * 999) + b"]\n"
    uses = b"".join(b"u%d: *big\n" % index for index in range(10))
    assert len(load_document(big + uses, media_type=YAML)) == 11  # 10,000 values added: the floor
    problem = only(big + uses + b"more: *big\n", YAML)
    assert problem["type"] == "yaml.aliases"
    assert problem["field"] == "/more"
    # a document that writes more itself may alias as much as it wrote
    filler = b"filler: [" + b",".join([b"0"] * 11_000) + b"]\n"
    assert load_document(filler + big + uses + b"more: *big\n", media_type=YAML)


def test_an_alias_cannot_nest_past_the_depth_bound() -> None:
    anchor = b"deep: &d " + b"[" * 60 + b"]" * 60 + b"\n"
    assert load_document(anchor + b"use: " + b"[" * 38 + b"*d" + b"]" * 38 + b"\n", media_type=YAML)
    problem = only(anchor + b"use: " + b"[" * 40 + b"*d" + b"]" * 40 + b"\n", YAML)
    assert problem["type"] == "document.depth"


@pytest.mark.parametrize(
    ("raw", "field", "kind"),
    [
        (b"a: &a [1, *a]\n", "/a/1", "yaml.alias"),
        (b"a: *nowhere\n", "/a", "yaml.alias"),
        (b"a: &k x\n*k : 1\n", "", "key.type"),
        (b"? [a, b]\n: 1\n", "", "key.type"),
        (b"? {a: b}\n: 1\n", "", "key.type"),
        (b"base: &b {x: 1}\nc:\n  <<: *b\n", "/c/<<", "yaml.merge"),
        (b"a: 1\nb: 2\na: 3\n", "/a", "key.duplicate"),
        (b"p:\n  /x: 1\n  /x: 2\n", "/p/~1x", "key.duplicate"),
    ],
)
def test_yaml_structures_that_are_not_json_are_refused(raw: bytes, field: str, kind: str) -> None:
    problem = only(raw, YAML)
    assert (problem["field"], problem["type"]) == (field, kind)
    assert "line " in problem["message"]


def test_a_quoted_merge_key_is_an_ordinary_key() -> None:
    assert load_document(b"'<<': {a: 1}\n", media_type=YAML) == {"<<": {"a": 1}}


@pytest.mark.parametrize(
    "value",
    [
        b"!!python/object/apply:os.system ['true']",
        b"!!python/name:os.system",
        b"!!python/object:collections.OrderedDict {}",
        b"!!binary aGVsbG8=",
        b"!!set {a, b}",
        b"!!omap [a: 1]",
        b"!!timestamp 2020-01-01",
        b"!Ref Thing",
        b"!!int twelve",
    ],
)
def test_tags_other_than_the_core_ones_are_refused(value: bytes) -> None:
    problem = only(b"a:\n  b: " + value + b"\n", YAML)
    assert problem["field"] == "/a/b"
    assert problem["type"] == "yaml.tag"


def test_core_tags_are_read_as_their_values() -> None:
    raw = b"a: !!str 12\nb: !!int '12'\nc: !!float 1\nd: ! 12\ne: !!bool true\nf: !!null ''\n"
    assert load_document(raw, media_type=YAML) == {
        "a": "12",
        "b": 12,
        "c": 1.0,
        "d": "12",
        "e": True,
        "f": None,
    }


def test_more_than_one_yaml_document_is_refused() -> None:
    problem = only(b"a: 1\n---\nb: 2\n", YAML)
    assert problem["type"] == "yaml.documents"
    assert "line 2" in problem["message"]
    assert load_document(b"---\na: 1\n...\n", media_type=YAML) == {"a": 1}


@pytest.mark.parametrize(
    ("raw", "media_type", "field"),
    [
        (b'{"a": 1e400}', JSON, "/a"),
        (b'{"a": [1, -1e400]}', JSON, "/a/1"),
        (b'{"a": NaN}', JSON, "/a"),
        (b'{"a": {"b": Infinity}}', JSON, "/a/b"),
        (b'{"a": -Infinity}', JSON, "/a"),
        (b'{"a": ' + b"9" * 4301 + b"}", JSON, "/a"),
        (b"a: 1e400\n", YAML, "/a"),
        (b"a: [.inf]\n", YAML, "/a/0"),
        (b"a: -.Inf\n", YAML, "/a"),
        (b"a: .nan\n", YAML, "/a"),
        (b"a: " + b"9" * 4301 + b"\n", YAML, "/a"),
        (b"a: 0x" + b"f" * 5000 + b"\n", YAML, "/a"),
    ],
)
def test_numbers_json_cannot_hold_are_refused(raw: bytes, media_type: str, field: str) -> None:
    problem = only(raw, media_type)
    assert (problem["field"], problem["type"]) == (field, "number")


def test_numbers_json_can_hold_are_kept() -> None:
    raw = b'{"a": 1e-400, "b": ' + b"9" * 4300 + b', "c": -0.0, "d": 1.5e300}'
    document = load_document(raw, media_type=JSON)
    assert document["a"] == 0.0
    assert document["b"] == int("9" * 4300)
    assert document["d"] == 1.5e300


def test_a_lower_process_digit_limit_is_obeyed() -> None:
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(1000)
    try:
        assert only(b'{"a": ' + b"9" * 2000 + b"}", JSON)["type"] == "number"
        assert only(b"a: " + b"9" * 2000 + b"\n", YAML)["type"] == "number"
    finally:
        sys.set_int_max_str_digits(before)


def test_json_lists_every_problem_with_its_pointer() -> None:
    raw = b'{"a": 1, "a": 2, "b": {"c": NaN}, "d": [1e999]}'
    assert refusal(raw, JSON) == [
        {"field": "/a", "message": "The key 'a' appears twice", "type": "key.duplicate"},
        {"field": "/b/c", "message": "NaN is not a JSON number", "type": "number"},
        {"field": "/d/0", "message": "The number 1e999 is too large for a float", "type": "number"},
    ]


def test_lone_surrogate_escapes_are_refused_pairs_kept() -> None:
    assert load_document(b'{"a": "\\ud83d\\ude00"}', media_type=JSON) == {"a": "😀"}
    assert load_document(b'{"a": "\\\\ud800"}', media_type=JSON) == {"a": "\\ud800"}
    for raw in (b'{"a": "\\ud800"}', b'{"a": "\\udc00x"}', b'{"a": "\\ud800\\\\udc00"}'):
        problem = only(raw, JSON)
        assert problem["type"] == "encoding"
        assert "line 1, column 8" in problem["message"]


def test_syntax_errors_name_line_and_column() -> None:
    problem = only(b'{\n  "a": [1, 2\n}', JSON)
    assert problem["type"] == "syntax"
    assert "line 3, column 1" in problem["message"]
    problem = only(b"a:\n  b: [1, 2\nc: d\n", YAML)
    assert problem["type"] == "syntax"
    assert "line 3" in problem["message"]
    assert "column" in problem["message"]
    assert "control characters" in only(b"a: \x01\n", YAML)["message"]


def test_the_pure_python_parser_gives_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = load_document(PETSTORE, media_type=YAML)
    monkeypatch.setattr(loading_yaml, "_PARSER", yaml.SafeLoader)
    assert load_document(PETSTORE, media_type=YAML) == expected
    assert only(yaml_block_sequences(10_000), YAML)["type"] == "document.depth"
