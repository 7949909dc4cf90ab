"""Reading YAML safely: keys as strings, YAML 1.2 values, aliases and depth within bounds."""

from typing import Any

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]

from apidock.descriptions import loading_yaml
from apidock.descriptions.loading import Limits, load_document
from apidock.descriptions.problems import DocumentRefused

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
        (b"base: &b [1]\nc:\n  <<: *b\n", "/c/<<", "yaml.merge"),
        (b"c:\n  <<: [{a: 1}, 2]\n", "/c/<<", "yaml.merge"),
        (b"a: 1\nb: 2\na: 3\n", "/a", "key.duplicate"),
        (b"p:\n  /x: 1\n  /x: 2\n", "/p/~1x", "key.duplicate"),
    ],
)
def test_yaml_structures_that_are_not_json_are_refused(raw: bytes, field: str, kind: str) -> None:
    problem = only(raw, YAML)
    assert (problem["field"], problem["type"]) == (field, kind)
    assert "line " in problem["message"]


def test_merge_keys_merge_as_yaml_1_1_says() -> None:
    raw = b"""\
base: &b {x: 1, y: 2}
more: &m {y: 3, z: 4, v: 5}
c:
  w: 0
  v: 6
  <<: [*b, *m]
  y: 9
"""
    c = load_document(raw, media_type=YAML)["c"]
    # the mapping's own keys first win, then the first merged mapping, then the next
    assert c == {"w": 0, "v": 6, "x": 1, "y": 9, "z": 4}
    assert list(c) == ["w", "v", "x", "y", "z"]
    parameters = b"x-defaults: &d\n  parameters: [{name: id}]\nget:\n  <<: *d\n  responses: {}\n"
    assert load_document(parameters, media_type=YAML)["get"] == {
        "parameters": [{"name": "id"}],
        "responses": {},
    }
    twice = b"b: &b {x: 1}\nc: {<<: *b, a: 1, a: 2}\n"
    assert only(twice, YAML)["field"] == "/c/a"


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


def test_the_pure_python_parser_gives_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = load_document(PETSTORE, media_type=YAML)
    monkeypatch.setattr(loading_yaml, "_PARSER", yaml.SafeLoader)
    assert load_document(PETSTORE, media_type=YAML) == expected
    assert only(yaml_block_sequences(10_000), YAML)["type"] == "document.depth"
