"""`{{name}}` filled in from an environment, one pass, values only; secrets masked."""

from __future__ import annotations

import pytest

from apidock.contracts.templating import UnknownVariable, mask, names_in, substitute

VARIABLES = {"host": "api.example.com", "token": "s3cr/t", "id": "42", "loop": "{{id}}"}


def test_placeholders_are_filled_inside_longer_strings_and_nested_values() -> None:
    value = {
        "path": {"id": "{{id}}"},
        "headers": {"Authorization": "Bearer {{ token }}"},
        "body": {"items": [{"ref": "{{id}}-{{id}}"}, 3, None, True, ["{{\thost\t}}"]]},
    }
    assert substitute(value, VARIABLES) == {
        "path": {"id": "42"},
        "headers": {"Authorization": "Bearer s3cr/t"},
        "body": {"items": [{"ref": "42-42"}, 3, None, True, ["api.example.com"]]},
    }
    assert value["path"] == {"id": "{{id}}"}  # the input is not changed


def test_keys_are_left_as_written() -> None:
    assert substitute({"{{id}}": "{{id}}"}, VARIABLES) == {"{{id}}": "42"}
    assert names_in({"{{key}}": "{{id}}"}) == {"id"}


def test_one_pass_a_filled_value_is_not_read_again() -> None:
    assert substitute("{{loop}}", VARIABLES) == "{{id}}"


def test_text_outside_the_grammar_stays_as_written() -> None:
    for text in ("{{ a b }}", "{{}}", "{{", "{ {id} }", "{{1abc}}", "{{id}", "{{=id}}"):
        assert substitute(text, {}) == text
    assert substitute("{{{id}}}", VARIABLES) == "{42}"


def test_names_take_dots_dashes_and_underscores() -> None:
    assert substitute("{{a.b-c_d}}/{{_x}}", {"a.b-c_d": "1", "_x": "2"}) == "1/2"
    assert names_in(["{{a.b-c_d}}", {"k": "{{ _x }} {{bad name}}"}]) == {"a.b-c_d", "_x"}


def test_an_unknown_name_raises_naming_it() -> None:
    with pytest.raises(UnknownVariable) as raised:
        substitute({"a": ["{{id}}", "{{missing}}"]}, VARIABLES)
    assert raised.value.name == "missing"
    assert "{{missing}}" in str(raised.value)


def test_a_deep_value_is_filled_without_recursion() -> None:
    value: object = "{{id}}"
    for _ in range(5000):
        value = [value]
    filled = substitute(value, VARIABLES)
    for _ in range(5000):
        assert isinstance(filled, list)
        filled = filled[0]
    assert filled == "42"
    assert names_in(value) == {"id"}


def test_mask_replaces_every_occurrence_and_the_encoded_forms() -> None:
    text = "Bearer s3cr/t at https://x/?t=s3cr%2Ft&u=s3cr/t"
    assert mask(text, ["s3cr/t"]) == "Bearer *** at https://x/?t=***&u=***"
    assert mask("a+b c", ["a+b c"]) == "***"
    assert mask("q=a%2Bb+c", ["a+b c"]) == "q=***"


def test_mask_takes_longer_secrets_first_and_ignores_empty_ones() -> None:
    assert mask("abcdef abc", ["abc", "abcdef"]) == "*** ***"
    assert mask("text", ["", ""]) == "text"
    assert mask("", ["x"]) == ""
    assert mask("a.b a-b", ["a.b"]) == "*** a-b"  # a secret is text, never a pattern
