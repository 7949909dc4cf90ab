"""A case's `expect`: checked when the case is written, and judged against an answer.

`expect` holds `status` (a code, or a class such as `"2xx"`), `headers` (`{name: value}`),
`body` (a list of assertions `{"path": <JSONPath>, <operator>: …}`) and `max_ms`; each is
optional, and a member that is null is as if absent.

Decisions:
- Written (`validate_expect`): every problem at once, each at its JSON Pointer into the case
  (`/expect/body/0/path`). A status is an integer of 100 to 599 or `1xx` to `5xx` (either
  case); a header name is an HTTP token, its value a string, and no name twice in different
  cases; at most `MAX_ASSERTIONS` assertions, each a path that compiles (`queries`) and exactly
  one of `equals` (any JSON), `matches` (a pattern RE2 compiles, no backreference: `regexes`),
  `exists` (a boolean) or `type` (a JSON Schema type name); `max_ms` a number ≥ 0. Members
  `expect` or an assertion doesn't know are refused: a misspelt `max_time` would otherwise
  test nothing.
- Judged (`evaluate`): each expectation is its own failure, in the order status, headers,
  body, time. Header names compare case-insensitively, values exactly. The body is read as
  JSON whatever its Content-Type says (the contract check judges the Content-Type); a body
  that is not JSON fails each assertion, saying so.
- An assertion's nodes: `exists: true` passes when the path selects something, `false` when
  it selects nothing. `equals` compares the value a singular query (RFC 9535: names and
  indexes only) selects, or the list of values any other query selects, as JSON (`1` equals
  `1.0`, `true` is not `1`). `matches` and `type` need at least one node, and every node to
  be a string the pattern is found in (anywhere: anchor it with `^…$` for a whole match) or
  a value of that type. A failure names the first node that fails.
- An expectation that cannot be judged (written before validation existed, or made invalid
  by a `{{name}}` filled in) fails with the reason rather than raising.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from apidock.contracts.bodies import Unreadable, parse_json
from apidock.contracts.exchange import Failure, Observed
from apidock.contracts.json_judgements import (
    JSON_TYPES,
    MAX_SHOWN,
    has_type,
    json_equal,
    shown,
)
from apidock.contracts.queries import QueryFailed, QueryRefused, QueryTarget, compile_query
from apidock.contracts.regexes import PatternRefused, linear_pattern
from apidock.descriptions.problems import pointer
from apidock.mocking.generate_shape import kind_of

EXPECTATIONS = ("status", "headers", "body", "max_ms")
OPERATORS = ("equals", "matches", "exists", "type")
MAX_ASSERTIONS = 100
_STATUS_CLASS = re.compile(r"[1-5][xX][xX]")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")

Problem = tuple[str, str]


class CaseInvalid(Exception):
    """A case's `expect` that cannot be stored: `problems` are `(JSON Pointer into the case,
    message)`."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{at}: {message}" for at, message in problems))


def validate_expect(expect: Mapping[str, Any]) -> None:
    """Raise CaseInvalid with every problem of `expect` (see the module's doc)."""
    problems = list(_expect_problems(expect))
    if problems:
        raise CaseInvalid(problems)


def _expect_problems(expect: Any) -> Iterator[Problem]:
    if not isinstance(expect, Mapping):
        yield pointer("expect"), "expect is an object"
        return
    for key in expect:
        if key not in EXPECTATIONS:
            yield (
                pointer("expect", key),
                f"Unknown expectation; expect takes {_listed(EXPECTATIONS)}",
            )
    if expect.get("status") is not None:
        yield from _at(_status_problem(expect["status"]), "expect", "status")
    if expect.get("headers") is not None:
        yield from _header_problems(expect["headers"])
    if expect.get("body") is not None:
        assertions = expect["body"]
        if not isinstance(assertions, list):
            yield pointer("expect", "body"), "body is a list of assertions"
        elif len(assertions) > MAX_ASSERTIONS:
            yield pointer("expect", "body"), f"body has at most {MAX_ASSERTIONS} assertions"
        else:
            for index, assertion in enumerate(assertions):
                for tokens, message in _assertion_problems(assertion):
                    yield pointer("expect", "body", index, *tokens), message
    if expect.get("max_ms") is not None:
        yield from _at(_max_ms_problem(expect["max_ms"]), "expect", "max_ms")


def _at(message: str | None, *tokens: str) -> Iterator[Problem]:
    if message is not None:
        yield pointer(*tokens), message


def _listed(names: tuple[str, ...]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1]


def _status_problem(status: Any) -> str | None:
    if isinstance(status, int) and not isinstance(status, bool) and 100 <= status <= 599:
        return None
    if isinstance(status, str) and _STATUS_CLASS.fullmatch(status):
        return None
    return 'status is a code of 100 to 599, or a class of codes such as "2xx"'


def _header_problems(headers: Any) -> Iterator[Problem]:
    if not isinstance(headers, Mapping):
        yield pointer("expect", "headers"), "headers is an object of header names and values"
        return
    seen: set[str] = set()
    for name, value in headers.items():
        at = pointer("expect", "headers", name)
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            yield at, "A header name is an HTTP token (letters, digits and !#$%&'*+.^_`|~-)"
        elif name.lower() in seen:
            yield at, "This header is expected twice (names are case-insensitive)"
        else:
            seen.add(name.lower())
        if not isinstance(value, str):
            yield at, "A header's expected value is a string"


def _assertion_problems(assertion: Any) -> Iterator[tuple[tuple[str, ...], str]]:
    """`(tokens below the assertion, message)` for each problem of one assertion."""
    if not isinstance(assertion, Mapping):
        yield (), 'An assertion is an object: {"path": …, and one of equals, matches, exists, type}'
        return
    path = assertion.get("path")
    if not isinstance(path, str):
        yield ("path",), "An assertion has a path, a JSONPath (RFC 9535) string"
    else:
        try:
            compile_query(path)
        except QueryRefused as error:
            yield ("path",), str(error)
    for key in assertion:
        if key != "path" and key not in OPERATORS:
            yield (key,), f"Unknown member; an assertion takes path and {_listed(OPERATORS)}"
    operators = [key for key in OPERATORS if key in assertion]
    if len(operators) != 1:
        found = f"it has {_listed(tuple(operators))}" if operators else "it has none"
        yield (), f"An assertion has exactly one of {_listed(OPERATORS)}; {found}"
    for key in operators:
        message = _operand_problem(key, assertion[key])
        if message is not None:
            yield (key,), message


def _operand_problem(operator: str, operand: Any) -> str | None:
    if operator == "matches":
        if not isinstance(operand, str):
            return "matches is a regular expression, a string"
        try:
            linear_pattern(operand)
        except PatternRefused as error:
            return str(error)
    elif operator == "exists" and not isinstance(operand, bool):
        return "exists is true or false"
    elif operator == "type" and operand not in JSON_TYPES:
        return f"type is a JSON Schema type: {_listed(JSON_TYPES)}"
    return None


def _max_ms_problem(max_ms: Any) -> str | None:
    is_number = isinstance(max_ms, int | float) and not isinstance(max_ms, bool)
    if is_number and math.isfinite(max_ms) and max_ms >= 0:
        return None
    return "max_ms is a number of milliseconds, 0 or more"


def evaluate(expect: Mapping[str, Any], observed: Observed) -> list[Failure]:
    """The expectations of `expect` that `observed` does not meet, each its own Failure."""
    if not isinstance(expect, Mapping):
        return [Failure("assertion", "The case's expect is not an object", None)]
    failures: list[Failure] = []
    status = expect.get("status")
    if status is not None:
        failures.extend(_status_failures(status, observed.status))
    headers = expect.get("headers")
    if headers is not None:
        failures.extend(_header_failures(headers, observed.headers))
    assertions = expect.get("body")
    if assertions is not None:
        failures.extend(_body_failures(assertions, observed.body))
    max_ms = expect.get("max_ms")
    if max_ms is not None:
        failures.extend(_time_failures(max_ms, observed.elapsed_ms))
    return failures


def _status_failures(status: Any, observed: int) -> list[Failure]:
    problem = _status_problem(status)
    if problem is not None:
        return [Failure("status", f"The expected status cannot be judged: {problem}", None)]
    if isinstance(status, str):
        if str(observed // 100) == status[0]:
            return []
        return [Failure("status", f"The status is {observed}, expected {status.lower()}", None)]
    if observed == status:
        return []
    return [Failure("status", f"The status is {observed}, expected {status}", None)]


def _header_failures(expected: Any, received: Mapping[str, str]) -> list[Failure]:
    problems = list(_header_problems(expected))
    if problems:
        message = f"The expected headers cannot be judged: {problems[0][1]}"
        return [Failure("header", message, None)]
    lowered = {name.lower(): value for name, value in received.items()}
    failures: list[Failure] = []
    for name, value in expected.items():
        found = lowered.get(name.lower())
        if found is None:
            message = f"The header {name} is missing, expected {shown(value)}"
            failures.append(Failure("header", message, name))
        elif found != value:
            message = f"The header {name} is {shown(found)}, expected {shown(value)}"
            failures.append(Failure("header", message, name))
    return failures


def _body_failures(assertions: Any, raw: bytes) -> list[Failure]:
    if not isinstance(assertions, list):
        return [Failure("assertion", "The body assertions are not a list", None)]
    if not assertions:
        return []
    body: QueryTarget | Unreadable
    try:
        body = QueryTarget(parse_json(raw))
    except Unreadable as error:
        body = error
    failures: list[Failure] = []
    for assertion in assertions[:MAX_ASSERTIONS]:
        failure = _assertion_failure(assertion, body)
        if failure is not None:
            failures.append(failure)
    return failures


def _assertion_failure(assertion: Any, body: QueryTarget | Unreadable) -> Failure | None:
    path = assertion.get("path") if isinstance(assertion, Mapping) else None
    named = path if isinstance(path, str) else None
    problems = list(_assertion_problems(assertion))
    if problems:
        return Failure("assertion", f"The assertion cannot be judged: {problems[0][1]}", named)
    assert isinstance(path, str)  # no problem, so a string
    if isinstance(body, Unreadable):
        return Failure("assertion", f"{path} cannot be evaluated: {body}", path)
    try:
        nodes = body.select(compile_query(path))
    except QueryFailed as error:
        return Failure("assertion", f"{path} cannot be evaluated: {error}", path)
    operator = next(key for key in OPERATORS if key in assertion)
    message = _judged(operator, assertion[operator], path, nodes)
    return None if message is None else Failure("assertion", message, path)


def _judged(operator: str, operand: Any, path: str, nodes: list[tuple[str, Any]]) -> str | None:
    """What is wrong with the nodes `path` selected, or None."""
    if operator == "exists":
        if operand and not nodes:
            return f"{path} selects nothing"
        if not operand and nodes:
            return f"{path} selects {len(nodes)} value(s), expected none"
        return None
    if operator == "equals":
        if compile_query(path).singular_query():
            if not nodes:
                return f"{path} selects nothing, expected {shown(operand)}"
            actual = nodes[0][1]
        else:
            actual = [value for _, value in nodes]
        if json_equal(actual, operand):
            return None
        return f"{path} is {shown(actual)}, expected {shown(operand)}"
    if not nodes:
        wanted = f"a string matching {shown(operand)}" if operator == "matches" else operand
        return f"{path} selects nothing, expected {wanted}"
    for node_path, value in nodes:
        at = node_path if len(node_path) <= MAX_SHOWN else node_path[: MAX_SHOWN - 1] + "…"
        if operator == "type" and not has_type(value, operand):
            return f"{at} is {kind_of(value)} {shown(value)}, expected {operand}"
        if operator == "matches":
            if not isinstance(value, str):
                return f"{at} is {shown(value)}, not a string to match {shown(operand)}"
            if linear_pattern(operand).search(value) is None:
                return f"{at} is {shown(value)}, which does not match {shown(operand)}"
    return None


def _time_failures(max_ms: Any, elapsed_ms: float) -> list[Failure]:
    problem = _max_ms_problem(max_ms)
    if problem is not None:
        return [Failure("time", f"The expected time cannot be judged: {problem}", None)]
    if elapsed_ms <= max_ms:
        return []
    return [
        Failure("time", f"The answer took {elapsed_ms:.1f} ms, more than max_ms {max_ms}", None)
    ]
