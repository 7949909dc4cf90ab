"""JSONPath queries (RFC 9535) of a case's body assertions: compiled, and run within a bound.

Decisions:
- python-jsonpath 2.2 in strict mode: the RFC's grammar and functions only (no unions with
  `|`, no `isinstance`, no leading or trailing space), which passes all 703 cases of the RFC's
  compliance suite. A query must start with `$`, be at most `MAX_QUERY` characters and
  compile; a query nested past Python's recursion limit (`$[?((((…` ) is refused as one that
  does not compile.
- The RFC's `match()` and `search()` functions run on RE2 (`regexes`), not on Python's
  backtracking engine: a filter cannot be made to spin. (RE2's `.` also matches `\\r`, where
  I-Regexp's does not.)
- A query runs within a budget of steps: every member or item a query reads is one step,
  however it reads it (a wildcard, a descendant segment, a filter, a name, an index, a slice,
  a filter's own subqueries). The budget is `BASE_STEPS` plus `STEPS_PER_VALUE` for each value
  of the body: a query that reads the body a few times over (`$..id`, `$..[?@.price > 10]`
  read it two or three times) always fits, and one built to read it combinatorially
  (`$..*..*..*`, `$[*,*][*,*]…`, descendant filters inside descendant filters) stops with
  `QueryFailed`, having cost a few times what an honest query on that body costs. The body
  is copied once (`QueryTarget`) into containers that count their reads; the counting is on
  only while a query runs.
- The descendant segment (`..`) goes at most 100 levels down (the library's bound): deeper is
  `QueryFailed`, saying so.
- The query is run from a root made here rather than through `JSONPath.finditer`, which would
  parse a body that is a JSON string as JSON a second time.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar

from jsonpath import JSONPath, JSONPathEnvironment, JSONPathError, JSONPathMatch
from jsonpath.function_extensions import ExpressionType, FilterFunction

from apidock.contracts.regexes import PatternRefused, linear_pattern

MAX_QUERY = 1024
BASE_STEPS = 20_000
STEPS_PER_VALUE = 8
MAX_CACHED = 1024


class QueryRefused(ValueError):
    """A query that is not one this package runs; the message says why."""


class QueryFailed(Exception):
    """A query that could not be run to its end on a body; the message says why."""


class _LinearRegexFunction(FilterFunction):
    """RFC 9535's `match` (whole) or `search` (anywhere), on RE2."""

    arg_types: ClassVar[list[ExpressionType]] = [ExpressionType.VALUE, ExpressionType.VALUE]
    return_type = ExpressionType.LOGICAL

    def __init__(self, *, whole: bool) -> None:
        self._whole = whole

    def __call__(self, value: object, pattern: object) -> bool:
        if not isinstance(value, str) or not isinstance(pattern, str):
            return False
        try:
            compiled = linear_pattern(pattern)
        except PatternRefused:
            # RFC 9535: a pattern that is not a valid regular expression matches nothing
            return False
        found = compiled.fullmatch(value) if self._whole else compiled.search(value)
        return found is not None


class _StrictEnvironment(JSONPathEnvironment):
    def setup_function_extensions(self) -> None:
        super().setup_function_extensions()
        self.function_extensions["match"] = _LinearRegexFunction(whole=True)
        self.function_extensions["search"] = _LinearRegexFunction(whole=False)


_ENVIRONMENT = _StrictEnvironment(strict=True)


@lru_cache(maxsize=MAX_CACHED)
def compile_query(query: str) -> JSONPath:
    """`query` compiled (see the module's doc); raises QueryRefused."""
    if not query.startswith("$"):
        raise QueryRefused("A JSONPath starts with $")
    if len(query) > MAX_QUERY:
        raise QueryRefused(f"A JSONPath has at most {MAX_QUERY} characters")
    try:
        compiled = _ENVIRONMENT.compile(query)
    except RecursionError:
        raise QueryRefused("The JSONPath nests too deeply to be read") from None
    except JSONPathError as error:
        raise QueryRefused(f"Not a JSONPath (RFC 9535): {_first_line(error)}") from None
    if not isinstance(compiled, JSONPath):
        raise QueryRefused("Not a JSONPath (RFC 9535): one query, not a union of queries")
    return compiled


class QueryTarget:
    """A JSON body ready to be queried: copied once into counting containers, each query then
    given the whole budget of a body of this size."""

    __slots__ = ("_budget", "_root", "_steps")

    def __init__(self, body: Any) -> None:
        self._budget = _Budget()
        self._root, values = _counting_copy(body, self._budget)
        self._steps = BASE_STEPS + STEPS_PER_VALUE * values

    def select(self, query: JSONPath) -> list[tuple[str, Any]]:
        """The nodes `query` selects: each one's normalized path (`$['items'][0]`) and value,
        in the RFC's order; raises QueryFailed."""
        budget = self._budget
        budget.restart(self._steps)
        root = self._root
        start = JSONPathMatch(
            filter_context={}, obj=root, parent=None, path="$", parts=(), root=root
        )
        try:
            nodes: Any = [start]
            for segment in query.segments:
                nodes = segment.resolve(nodes)
            return [(node.path, node.obj) for node in nodes]
        except _OverBudget:
            raise QueryFailed(
                f"The query was stopped after {self._steps} reads of the body's members and "
                "items, the most a query may make on a body of this size"
            ) from None
        except RecursionError:
            raise QueryFailed(
                "The query goes deeper than it may run (a descendant segment goes at most 100 "
                "levels down)"
            ) from None
        except JSONPathError as error:
            raise QueryFailed(f"The query cannot run on this body: {_first_line(error)}") from None
        finally:
            budget.lift()


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:300] if text else type(error).__name__


class _OverBudget(Exception):
    """Raised inside the library's iteration when a query spent its budget."""


class _Budget:
    __slots__ = ("left", "lifted")

    def __init__(self) -> None:
        self.left = 0
        self.lifted = True

    def restart(self, steps: int) -> None:
        self.left = steps
        self.lifted = False

    def spend(self, steps: int) -> None:
        if self.lifted:
            return
        self.left -= steps
        if self.left < 0:
            raise _OverBudget

    def lift(self) -> None:
        """Reads after a query (comparing what it selected) cost nothing."""
        self.lifted = True


class _CountingObject(dict[str, Any]):
    """A JSON object whose every read is a step of its budget."""

    __slots__ = ("_budget",)
    _budget: _Budget

    def items(self) -> Any:
        self._budget.spend(len(self))
        return super().items()

    def keys(self) -> Any:
        self._budget.spend(len(self))
        return super().keys()

    def values(self) -> Any:
        self._budget.spend(len(self))
        return super().values()

    def __iter__(self) -> Any:
        self._budget.spend(len(self))
        return super().__iter__()

    def __getitem__(self, key: str) -> Any:
        self._budget.spend(1)
        return super().__getitem__(key)


class _CountingArray(list[Any]):
    """A JSON array whose every read is a step of its budget."""

    __slots__ = ("_budget",)
    _budget: _Budget

    def __iter__(self) -> Any:
        self._budget.spend(len(self))
        return super().__iter__()

    def __getitem__(self, index: Any) -> Any:
        found = super().__getitem__(index)
        self._budget.spend(len(found) if isinstance(index, slice) else 1)
        return found


def _counting_copy(value: Any, budget: _Budget) -> tuple[Any, int]:
    """`value` copied into counting containers (iteratively: any depth), and how many values
    it holds."""
    count = 1
    if not isinstance(value, dict | list):
        return value, count
    root = _container(value, budget)
    stack: list[tuple[Any, Any]] = [(value, root)]
    while stack:
        source, target = stack.pop()
        pairs = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in pairs:
            count += 1
            copied = item
            if isinstance(item, dict | list):
                copied = _container(item, budget)
                stack.append((item, copied))
            if isinstance(target, dict):
                dict.__setitem__(target, key, copied)
            else:
                list.append(target, copied)
    return root, count


def _container(value: dict[str, Any] | list[Any], budget: _Budget) -> Any:
    container: _CountingObject | _CountingArray = (
        _CountingObject() if isinstance(value, dict) else _CountingArray()
    )
    container._budget = budget
    return container
