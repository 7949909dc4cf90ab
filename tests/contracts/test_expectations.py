"""A case's `expect`: refused when written wrong, each problem at its pointer; judged against an
answer, each expectation its own failure; hostile queries and patterns stay bounded."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from apidock.contracts.checks import Failure
from apidock.contracts.expectations import CaseInvalid, evaluate, validate_expect
from tests.contracts.test_checks import observed

BODY = orjson.dumps(
    {
        "id": 7,
        "name": "Pen",
        "price": 1.0,
        "tags": [{"label": "blue"}, {"label": "cheap"}],
        "owner": None,
        "code": "AB-1234",
    }
)


def problems_of(expect: Any) -> list[tuple[str, str]]:
    with pytest.raises(CaseInvalid) as raised:
        validate_expect(expect)
    return raised.value.problems


def pointers_of(expect: Any) -> list[str]:
    return [at for at, _ in problems_of(expect)]


def judged(expect: dict[str, Any], body: bytes = BODY, **answer: Any) -> list[Failure]:
    return evaluate(expect, observed(body=body, **answer))


# Written


def test_a_valid_expect_passes_validation() -> None:
    validate_expect(
        {
            "status": "2xx",
            "headers": {"X-Id": "1", "content-type": "application/json"},
            "body": [
                {"path": "$.id", "equals": 7},
                {"path": "$.tags[?@.label == 'blue']", "exists": True},
                {"path": "$..label", "type": "string"},
                {"path": "$.code", "matches": "^[A-Z]{2}-\\d{4}$"},
                {"path": "$.owner", "equals": None},
            ],
            "max_ms": 250,
        }
    )
    validate_expect({})
    validate_expect({"status": None, "headers": None, "body": None, "max_ms": None})
    for status in (100, 200, 599, "1xx", "5XX"):
        validate_expect({"status": status})
    validate_expect({"max_ms": 0})
    validate_expect({"max_ms": 0.5})


@pytest.mark.parametrize(
    ("status"), [99, 600, True, "200", "2x", "6xx", "xx2", 200.0, [200]], ids=repr
)
def test_a_status_is_a_code_or_a_class(status: Any) -> None:
    assert pointers_of({"status": status}) == ["/expect/status"]


@pytest.mark.parametrize("max_ms", [-1, "100", True, float("inf"), float("nan")], ids=repr)
def test_max_ms_is_a_number_not_below_zero(max_ms: Any) -> None:
    assert pointers_of({"max_ms": max_ms}) == ["/expect/max_ms"]


def test_headers_are_names_to_strings() -> None:
    assert pointers_of({"headers": ["X-Id"]}) == ["/expect/headers"]
    assert pointers_of({"headers": {"X-Id": 1}}) == ["/expect/headers/X-Id"]
    assert pointers_of({"headers": {"bad name": "1"}}) == ["/expect/headers/bad name"]
    assert pointers_of({"headers": {"X-Id": "1", "x-id": "2"}}) == ["/expect/headers/x-id"]


def test_unknown_members_are_refused() -> None:
    assert pointers_of({"max_time": 5}) == ["/expect/max_time"]
    assert pointers_of({"body": [{"path": "$", "exists": True, "equal": 1}]}) == [
        "/expect/body/0/equal"
    ]
    assert pointers_of(["status"]) == ["/expect"]


def test_an_assertion_has_exactly_one_operator() -> None:
    none = problems_of({"body": [{"path": "$.id"}]})
    assert none == [("/expect/body/0", none[0][1])]
    assert "it has none" in none[0][1]
    two = problems_of({"body": [{"path": "$.id", "equals": 7, "exists": True}]})
    assert [at for at, _ in two] == ["/expect/body/0"]
    assert "equals and exists" in two[0][1]


@pytest.mark.parametrize(
    "path",
    [
        "id",
        "@.id",
        " $.id",
        "$.id ",
        "$.a | $.b",
        "$[?isinstance(@, 'int')]",
        "$[",
        "$." + "a" * 1100,
    ],
    ids=lambda path: path[:20],
)
def test_a_path_starts_with_dollar_and_compiles_strictly(path: str) -> None:
    assert pointers_of({"body": [{"path": path, "exists": True}]}) == ["/expect/body/0/path"]


def test_a_path_is_a_string() -> None:
    assert pointers_of({"body": [{"path": 3, "exists": True}]}) == ["/expect/body/0/path"]
    assert pointers_of({"body": [{"exists": True}]}) == ["/expect/body/0/path"]


def test_operands_are_checked() -> None:
    assert pointers_of(
        {
            "body": [
                {"path": "$.a", "exists": "yes"},
                {"path": "$.a", "type": "int"},
                {"path": "$.a", "matches": 5},
                {"path": "$.a", "matches": "("},
                "not an assertion",
            ]
        }
    ) == [
        "/expect/body/0/exists",
        "/expect/body/1/type",
        "/expect/body/2/matches",
        "/expect/body/3/matches",
        "/expect/body/4",
    ]


@pytest.mark.parametrize("pattern", ["(a)\\1", "(?<n>a)\\k<n>", "(?P<n>a)(?P=n)"])
def test_backreferences_are_refused_by_name(pattern: str) -> None:
    problems = problems_of({"body": [{"path": "$.a", "matches": pattern}]})
    assert problems[0][0] == "/expect/body/0/matches"
    assert "Backreferences are not allowed" in problems[0][1]


def test_lookaround_is_refused_with_re2s_reason() -> None:
    problems = problems_of({"body": [{"path": "$.a", "matches": "a(?=b)"}]})
    assert "RE2 cannot compile" in problems[0][1]


def test_every_problem_is_reported_at_once() -> None:
    assert pointers_of({"status": 0, "headers": {"X": 1}, "max_ms": -1, "extra": 1}) == [
        "/expect/extra",
        "/expect/status",
        "/expect/headers/X",
        "/expect/max_ms",
    ]


def test_a_query_nested_past_the_recursion_limit_is_refused_not_raised() -> None:
    path = "$[?" + "(" * 500 + "@" + ")" * 500 + "]"
    problems = problems_of({"body": [{"path": path, "exists": True}]})
    assert problems[0][0] == "/expect/body/0/path"


def test_there_are_at_most_a_hundred_assertions() -> None:
    many = [{"path": "$", "exists": True}] * 101
    assert pointers_of({"body": many}) == ["/expect/body"]


# Judged


def test_met_expectations_give_no_failure() -> None:
    expect = {
        "status": 200,
        "headers": {"X-Id": "abc"},
        "body": [
            {"path": "$.id", "equals": 7.0},
            {"path": "$.price", "equals": 1},
            {"path": "$.tags[*].label", "equals": ["blue", "cheap"]},
            {"path": "$.tags[0]", "equals": {"label": "blue"}},
            {"path": "$.owner", "equals": None},
            {"path": "$.owner", "exists": True},
            {"path": "$.missing", "exists": False},
            {"path": "$..label", "type": "string"},
            {"path": "$.price", "type": "integer"},
            {"path": "$.price", "type": "number"},
            {"path": "$.code", "matches": "\\d{4}"},
            {"path": "$.tags[?@.label == 'cheap'].label", "equals": ["cheap"]},
            {"path": "$.tags[?match(@.label, 'b.*')]", "exists": True},
        ],
        "max_ms": 10,
    }
    assert judged(expect, x_id="abc") == []


def test_each_expectation_fails_as_its_own_check() -> None:
    expect = {
        "status": "2xx",
        "headers": {"X-Id": "abc", "X-Other": "1"},
        "body": [{"path": "$.id", "equals": 8}, {"path": "$.name", "exists": False}],
        "max_ms": 10,
    }
    failures = judged(expect, status=404, elapsed_ms=10.5, x_id="ABC")
    assert [(failure.check, failure.pointer) for failure in failures] == [
        ("status", None),
        ("header", "X-Id"),
        ("header", "X-Other"),
        ("assertion", "$.id"),
        ("assertion", "$.name"),
        ("time", None),
    ]
    assert failures[0].message == "The status is 404, expected 2xx"
    assert failures[1].message == 'The header X-Id is "ABC", expected "abc"'
    assert "missing" in failures[2].message
    assert failures[3].message == "$.id is 7, expected 8"
    assert "10.5 ms" in failures[5].message


def test_the_seeded_slow_answer_is_a_time_failure_only() -> None:
    failures = judged({"status": 200, "max_ms": 100}, elapsed_ms=250.0)
    assert [(failure.check, failure.pointer) for failure in failures] == [("time", None)]
    assert judged({"max_ms": 100}, elapsed_ms=100.0) == []


def test_an_exact_status_and_header_names_in_any_case() -> None:
    assert judged({"status": 201}, status=201) == []
    assert judged({"status": 200}, status=201)[0].message == "The status is 201, expected 200"
    assert judged({"headers": {"x-ID": "abc"}}, x_id="abc") == []


def test_json_equality_is_not_pythons() -> None:
    body = orjson.dumps({"flag": True, "one": 1, "list": [1, 2], "object": {"a": 1, "b": 2}})
    assert judged({"body": [{"path": "$.flag", "equals": 1}]}, body) != []
    assert judged({"body": [{"path": "$.one", "equals": True}]}, body) != []
    assert judged({"body": [{"path": "$.list", "equals": [2, 1]}]}, body) != []
    assert judged({"body": [{"path": "$.object", "equals": {"b": 2, "a": 1}}]}, body) == []
    assert judged({"body": [{"path": "$.object", "equals": {"a": 1}}]}, body) != []
    assert judged({"body": [{"path": "$.one", "type": "boolean"}]}, body) != []
    assert judged({"body": [{"path": "$.flag", "type": "number"}]}, body) != []


def test_a_non_singular_query_compares_its_list_of_values() -> None:
    failures = judged({"body": [{"path": "$.tags[*].label", "equals": "blue"}]})
    assert failures[0].message == '$.tags[*].label is ["blue","cheap"], expected "blue"'
    assert judged({"body": [{"path": "$.nothing[*]", "equals": []}]}) == []


def test_a_singular_query_that_selects_nothing() -> None:
    failures = judged({"body": [{"path": "$.nothing", "equals": 1}]})
    assert failures[0].message == "$.nothing selects nothing, expected 1"


def test_matches_and_type_name_the_first_failing_node() -> None:
    failures = judged({"body": [{"path": "$.tags[*].label", "matches": "^b"}]})
    assert failures[0].message == "$['tags'][1]['label'] is \"cheap\", which does not match \"^b\""
    failures = judged({"body": [{"path": "$.id", "matches": "7"}]})
    assert "not a string" in failures[0].message
    failures = judged({"body": [{"path": "$.*", "type": "string"}]})
    assert failures[0].message == "$['id'] is integer 7, expected string"
    failures = judged({"body": [{"path": "$.none[*]", "type": "string"}]})
    assert failures[0].message == "$.none[*] selects nothing, expected string"


def test_an_assertion_on_a_body_that_is_not_json_fails_clearly() -> None:
    failures = judged(
        {"body": [{"path": "$.id", "exists": True}]}, b"<html>", content_type="text/html"
    )
    assert [(failure.check, failure.pointer) for failure in failures] == [("assertion", "$.id")]
    assert "cannot be evaluated: The body is not valid JSON" in failures[0].message
    failures = judged(
        {"body": [{"path": "$", "exists": False}, {"path": "$.a", "exists": True}]}, b""
    )
    assert len(failures) == 2


def test_a_json_string_body_is_not_read_as_json_twice() -> None:
    body = orjson.dumps('{"id": 1}')
    assert judged({"body": [{"path": "$.id", "exists": False}]}, body) == []
    assert judged({"body": [{"path": "$", "equals": '{"id": 1}'}]}, body) == []


def test_an_expectation_made_invalid_fails_instead_of_raising() -> None:
    failures = judged(
        {
            "status": "two hundred",
            "headers": {"X": 1},
            "body": [{"path": "id", "exists": True}, {"path": "$.a", "matches": "("}],
            "max_ms": "fast",
        }
    )
    assert [(failure.check, failure.pointer) for failure in failures] == [
        ("status", None),
        ("header", None),
        ("assertion", "id"),
        ("assertion", "$.a"),
        ("time", None),
    ]
    assert all("cannot be judged" in failure.message for failure in failures)
    assert evaluate("nope", observed()) != []  # type: ignore[arg-type]


# Hostile


def test_a_catastrophic_pattern_runs_in_linear_time() -> None:
    body = orjson.dumps({"text": "a" * 200_000 + "!"})
    failures = judged({"body": [{"path": "$.text", "matches": "^(a+)+$"}]}, body)
    assert [failure.pointer for failure in failures] == ["$.text"]
    # the same pattern inside a JSONPath filter runs on RE2 too
    assert judged({"body": [{"path": "$[?match(@, '(a+)+')]", "exists": False}]}, body) == []
    assert judged({"body": [{"path": "$[?search(@, '(a+)+!')]", "exists": True}]}, body) == []


def nested(levels: int, make: Any) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = make(value)
    return value


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("$" + "[*,*,*,*]" * 12, nested(12, lambda value: [value])),
        ("$" + "['a','a','a','a']" * 12, nested(12, lambda value: {"a": value})),
        ("$" + "[0:1,0:1,0:1,0:1]" * 12, nested(12, lambda value: [value])),
        ("$..*..*..*..*..*..*", nested(60, lambda value: {"a": value, "b": [1, 2, 3]})),
        ("$..[?@..[?@..[?@..*]]]", nested(60, lambda value: {"a": value, "b": [1, 2]})),
    ],
    ids=["wildcard-unions", "name-unions", "slice-unions", "descendants", "nested-filters"],
)
def test_a_jsonpath_bomb_is_stopped_by_its_budget(path: str, body: Any) -> None:
    failures = judged({"body": [{"path": path, "exists": True}]}, orjson.dumps(body))
    assert [failure.check for failure in failures] == ["assertion"]
    assert "was stopped after" in failures[0].message


def test_an_honest_descendant_query_on_a_large_body_fits_its_budget() -> None:
    body = orjson.dumps(
        {"items": [{"id": index, "tags": [{"id": index}]} for index in range(5000)]}
    )
    assert judged({"body": [{"path": "$..id", "type": "integer"}]}, body) == []
    assert judged({"body": [{"path": "$..[?@.id > 4998].id", "equals": [4999, 4999]}]}, body) == []


def test_a_deep_body_is_judged_without_crashing() -> None:
    deep = b'{"a":' * 500 + b"1" + b"}" * 500
    failures = judged({"body": [{"path": "$..a", "exists": True}]}, deep)
    assert "at most 100 levels down" in failures[0].message
    assert judged({"body": [{"path": "$" + ".a" * 500, "equals": 1}]}, deep) == []
    too_deep = b"[" * 100_000 + b"]" * 100_000
    failures = judged({"body": [{"path": "$[0]", "exists": True}]}, too_deep)
    assert "not valid JSON" in failures[0].message
