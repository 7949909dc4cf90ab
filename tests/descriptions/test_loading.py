"""Reading a document safely: JSON and YAML into a plain JSON value, hostile bodies refused."""

import sys

import pytest

from apidock.descriptions.loading import Limits, load_document, syntax_of
from apidock.descriptions.problems import DocumentRefused
from apidock.errors import PayloadTooLarge

JSON = "application/json"
YAML = "application/yaml"


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


def test_the_number_of_values_is_bounded() -> None:
    eleven = b'{"a": [1, 2, 3, 4, 5, 6, 7, 8, "9,", {}]}'  # commas in strings do not count
    assert load_document(eleven, media_type=JSON, limits=Limits(max_nodes=13))
    assert only(eleven, JSON, max_nodes=10)["type"] == "document.size"
    flat = b"a: [" + b", ".join([b"0"] * 10) + b"]\n"
    assert load_document(flat, media_type=YAML, limits=Limits(max_nodes=12))
    problem = only(flat, YAML, max_nodes=11)
    assert (problem["field"], problem["type"]) == ("/a/9", "document.size")
    aliased = b"a: &a [1, 2, 3]\nb: *a\n"
    assert load_document(aliased, media_type=YAML, limits=Limits(max_nodes=9))
    assert only(aliased, YAML, max_nodes=8)["field"] == "/b"


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
