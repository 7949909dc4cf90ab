"""Comparing two schemas: what changed for the clients of one place of one operation (a
request body, a parameter, a header, a response body).

The rules live in the `schemas_*` modules, each a family of oasdiff's catalogue; this module
walks the two schemas side by side and runs them at each pair of nodes: properties,
`items`, `prefixItems`, the members of `allOf`/`anyOf`/`oneOf` (paired by `$ref` or by
content), `additionalProperties`, `not` and the other subschemas (not `if`),
each `$ref` followed (its siblings count where they describe the property that holds it:
`readOnly`, `writeOnly`, `deprecated`, `default`).

Recursion: a schema may contain itself (a `Tree` whose children are `Tree`s, or `A` → `B` →
`A`). The walk keeps the pairs of nodes it is inside and stops at one it is already in (what
lies below is being compared there), and recurses no deeper than `MAX_DEPTH` (deeper pairs
wait, and are compared from a fresh start).

Cost: a pair of nodes is compared once per place, not once per path to it nor once per
operation. Where the walk stops inside a cycle it leaves a link to the pair it stopped at,
filled when that pair is done, so every result is whole when the call ends; the results are
then kept per pair of documents (the last few compared) and reused by the next operation that
reaches the same component, re-stamped with that operation and its property path. Reading a
result visits each node once, breadth first: a finding reached by two paths is reported once,
at the shorter.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from apidock.diffing import (
    schemas_bounds,
    schemas_composition,
    schemas_keywords,
    schemas_properties,
    schemas_types,
    schemas_values,
)
from apidock.diffing.changes import Change
from apidock.diffing.resolve import Side
from apidock.diffing.schemas_node import (
    RULE_KINDS,
    Edge,
    Finding,
    Kind,
    Node,
    SchemaPlace,
    Scope,
    as_schema,
    subject,
    with_siblings,
)
from apidock.diffing.schemas_shape import (
    LIST_OF_TYPES,
    NULL_TYPE_CHANGE,
    NULLABLE_WRAPPING,
    ONE_OF_WRAPPING,
    detect_transitions,
)

__all__ = ["MAX_DEPTH", "SchemaPlace", "compare_schemas"]

MAX_DEPTH = 64
"""Nested schemas compared on one stack: a pair deeper than this is put off and compared on a
fresh one, so a deep document costs no deep recursion."""

_CHECKS: tuple[Callable[[Node], None], ...] = (
    schemas_types.check,
    schemas_values.check,
    schemas_bounds.check,
    schemas_properties.check,
    schemas_composition.check,
    schemas_keywords.check,
)
_EDGES: tuple[Callable[[Node], Iterable[Edge]], ...] = (
    schemas_properties.edges,
    schemas_composition.edges,
    schemas_keywords.edges,
)

_NULLABILITY_RULES = frozenset(
    rule for rule in RULE_KINDS if "became-nullable" in rule or "became-not-nullable" in rule
)
# A recognised transition at a node drops the findings of the kinds it explains there, but
# for its own reporters (oasdiff's transition claims).
_CLAIMS: dict[str, tuple[frozenset[Kind], frozenset[str]]] = {
    NULLABLE_WRAPPING: (
        frozenset({"type", "values", "constraints", "structure", "existence", "requiredness"}),
        _NULLABILITY_RULES,
    ),
    ONE_OF_WRAPPING: (
        frozenset({"type", "structure"}),
        frozenset(
            {
                "request-body-wrapped-in-one-of",
                "response-body-wrapped-in-one-of",
                "request-property-one-of-added",
                "response-property-one-of-added",
            }
        ),
    ),
    LIST_OF_TYPES: (
        frozenset({"type", "structure"}),
        frozenset(rule for rule in RULE_KINDS if "list-of-types" in rule),
    ),
    NULL_TYPE_CHANGE: (frozenset({"type"}), _NULLABILITY_RULES),
}

_PairKey = tuple[bool, bool, str, str]


@dataclass(slots=True, eq=False)
class _Result:
    """The findings of a node and of what lies below it, each child under its path. `live`
    says some finding is there or below (set once the call that made it ends)."""

    own: tuple[Finding, ...]
    children: tuple[tuple[tuple[str, ...], _Result | _Link], ...]
    live: bool = True


@dataclass(slots=True, eq=False)
class _Link:
    """Where the walk stopped at a pair it was inside: that pair's result, once known."""

    target: _Result | None = None


_EMPTY = _Result((), (), live=False)

_SHARED_LOCK = threading.Lock()
_SHARED: OrderedDict[tuple[int, int], tuple[Side, Side, dict[tuple[Any, ...], _Result]]] = (
    OrderedDict()
)
_SHARED_PAIRS = 4  # pairs of documents whose results are kept (a diff uses one)


def compare_schemas(
    place: SchemaPlace,
    operation: str | None,
    old: Side,
    old_schema: Any,
    old_pointer: str,
    new: Side,
    new_schema: Any,
    new_pointer: str,
    *,
    name: str | None = None,
    media_type: str | None = None,
    required: bool = False,
    today: date | None = None,
    sunset_days: int = 0,
    form_exploded: bool = False,
) -> list[Change]:
    """The changes between two schemas of `place`, nearest the top first (then in the new
    schema's order). `name` is the parameter's or the header's, for messages;
    `media_type` the body's (None reads as JSON: `1` and `"1"` differ there); `required` says
    the parameter is required on either side (its default is never used then);
    `form_exploded` that the new parameter is serialized form/explode (one value is an
    array of one). A property deprecated now must announce an `x-sunset` at least
    `sunset_days` after `today` (the real day if None) when `sunset_days` is set (oasdiff's
    grace period, off by default)."""
    strongly = media_type is None or _is_json(media_type)
    day = today or date.today()
    context = (place, strongly, required, day, sunset_days, form_exploded)
    comparer = _Comparer(old, new, context, _shared_results(old, new))
    scope = Scope(place, True, False, strongly, required, day, sunset_days, form_exploded)
    found = comparer.compare(Edge(None, old_schema, old_pointer, new_schema, new_pointer), scope, 0)
    comparer.finish()
    return _changes(found, place, operation, name)


def _is_json(media_type: str) -> bool:
    essence = media_type.split(";", 1)[0].strip().lower()
    return essence == "application/json" or essence.endswith("+json")


def _shared_results(old: Side, new: Side) -> dict[tuple[Any, ...], _Result]:
    """The results kept for this pair of documents (the Sides are held with them, so their
    ids name them for as long as the results are kept)."""
    key = (id(old), id(new))
    with _SHARED_LOCK:
        found = _SHARED.get(key)
        if found is None or found[0] is not old or found[1] is not new:
            found = (old, new, {})
            _SHARED[key] = found
        _SHARED.move_to_end(key)
        while len(_SHARED) > _SHARED_PAIRS:
            _SHARED.popitem(last=False)
        return found[2]


class _Comparer:
    """One call's walk: the pairs it is inside and the links waiting for their results, the
    pairs put off to keep the stack short, and what it has compared."""

    def __init__(
        self,
        old: Side,
        new: Side,
        context: tuple[Any, ...],
        shared: dict[tuple[Any, ...], _Result],
    ) -> None:
        self.old = old
        self.new = new
        self.context = context
        self.shared = shared
        self.local: dict[tuple[Any, ...], _Result] = {}
        self.inside: dict[_PairKey, list[_Link]] = {}
        self.put_off: dict[_PairKey, list[_Link]] = {}
        self.queue: deque[tuple[_PairKey, Edge, Scope]] = deque()

    def compare(self, edge: Edge, scope: Scope, depth: int) -> _Result | _Link:
        """The result of a pair, or a link to it: the walk is inside that pair already (a
        cycle), or is `MAX_DEPTH` deep and puts the pair off (`finish` compares it)."""
        old_schema, old_pointer = self.old.deref(edge.old, edge.old_pointer)
        new_schema, new_pointer = self.new.deref(edge.new, edge.new_pointer)
        if (old_schema is False) != (new_schema is False):
            # a schema that accepts nothing against one that accepts something: no rule of
            # the catalogue says that, and reading `false` as `{not: {}}` would misname it
            return _EMPTY
        old_node, new_node = as_schema(old_schema), as_schema(new_schema)
        scope = scope.entering(with_siblings(edge.new, new_schema))
        key: _PairKey = (scope.top, scope.masked, old_pointer, new_pointer)
        waiting = self.inside.get(key)
        memo_key = (*self.context, *key)
        if waiting is None:
            known = self.shared.get(memo_key) or self.local.get(memo_key)
            if known is not None:
                return known
            if depth > MAX_DEPTH:
                waiting = self.put_off.get(key)
                if waiting is None:
                    waiting = self.put_off[key] = []
                    self.queue.append((key, edge, scope))
        if waiting is not None:
            link = _Link()
            waiting.append(link)
            return link
        self.inside[key] = []
        try:
            node = Node(self.old, self.new, old_node, new_node, old_pointer, new_pointer, scope)
            result = self._compare_node(node, depth)
        finally:
            links = self.inside.pop(key)
        for link in links:
            link.target = result
        self.local[memo_key] = result
        return result

    def _compare_node(self, node: Node, depth: int) -> _Result:
        node.transitions = detect_transitions(node)
        for check in _CHECKS:
            check(node)
        own = tuple(_unclaimed(node))
        children: list[tuple[tuple[str, ...], _Result | _Link]] = []
        if node.scope.place != "response-header":
            for edge in _edges(node):
                if edge.label is None:
                    found = self.compare(edge, node.scope, depth)
                else:
                    found = self.compare(edge, node.scope.nested(), depth + 1)
                if found is not _EMPTY:
                    children.append(((edge.label,) if edge.label is not None else (), found))
        if not own and not children:
            return _EMPTY
        return _Result(own, tuple(children))

    def finish(self) -> None:
        """Compare the pairs put off (each on a fresh stack), then, every link filled, say
        which results hold a finding and keep them all for the next calls."""
        while self.queue:
            key, edge, scope = self.queue.popleft()
            found = self.compare(edge, scope, 0)
            for link in self.put_off.pop(key):
                link.target = _target(found)
        made = [result for result in self.local.values() if result is not _EMPTY]
        _settle(made)
        for memo_key, result in self.local.items():
            self.shared[memo_key] = result if result.live else _EMPTY


def _target(found: _Result | _Link) -> _Result | None:
    return found.target if isinstance(found, _Link) else found


def _settle(made: list[_Result]) -> None:
    """Mark which of the results made by a call hold a finding, there or below (the links
    can make cycles of them, so liveness flows from the findings up to their parents)."""
    fresh = {id(result) for result in made}
    parents: dict[int, list[_Result]] = {}
    alive: list[_Result] = []
    for result in made:
        result.live = False
    for result in made:
        if result.own:
            alive.append(result)
        for _, found in result.children:
            below = _target(found)
            if below is None:
                continue
            if id(below) in fresh:
                parents.setdefault(id(below), []).append(result)
            elif below.live:
                alive.append(result)
    while alive:
        result = alive.pop()
        if result.live:
            continue
        result.live = True
        alive.extend(parents.get(id(result), ()))


def _edges(node: Node) -> Iterable[Edge]:
    wrapping = schemas_types.nullable_branch(node)
    if wrapping is not None:
        # The two sides differ by null only: the rest of the comparison is between the
        # unwrapped side and the wrapped branch, at the same place and path.
        wrapped, branch, branch_pointer = wrapping
        if wrapped:
            yield Edge(None, node.old, node.old_pointer, branch, branch_pointer)
        else:
            yield Edge(None, branch, branch_pointer, node.new, node.new_pointer)
        return
    for edges in _EDGES:
        yield from edges(node)


def _unclaimed(node: Node) -> Iterable[Finding]:
    claims = [_CLAIMS[name] for name in node.transitions]
    for finding in node.findings:
        kind = RULE_KINDS[finding.rule_id]
        if not any(kind in kinds and finding.rule_id not in own for kinds, own in claims):
            yield finding


def _changes(
    result: _Result | _Link, place: SchemaPlace, operation: str | None, name: str | None
) -> list[Change]:
    """The findings below `result` as changes, each once, nearest first: a result reached by
    several paths (a shared component, a cycle) is read once, at its shortest path."""
    changes: list[Change] = []
    reported: set[tuple[str, str, str]] = set()
    start = _target(result)
    if start is None or not start.live:
        return changes
    # breadth first: how each result was reached (its parent and the label from it) is kept,
    # and a path is spelled only for the results that hold findings
    reached: dict[int, tuple[int, tuple[str, ...]] | None] = {id(start): None}
    queue: deque[_Result] = deque([start])
    while queue:
        current = queue.popleft()
        if current.own:
            path = _path_to(id(current), reached)
            for finding in current.own:
                seen = (finding.rule_id, finding.pointer, finding.detail)
                if seen in reported:
                    continue
                reported.add(seen)
                message = f"{subject(place, name, path + finding.path)} {finding.detail}"
                changes.append(
                    Change.of(
                        finding.rule_id,
                        operation=operation,
                        pointer=finding.pointer,
                        message=message,
                    )
                )
        for label, found in current.children:
            below = _target(found)
            if below is not None and below.live and id(below) not in reached:
                reached[id(below)] = (id(current), label)
                queue.append(below)
    return changes


def _path_to(
    result: int, reached: dict[int, tuple[int, tuple[str, ...]] | None]
) -> tuple[str, ...]:
    labels: list[tuple[str, ...]] = []
    step = reached[result]
    while step is not None:
        parent, label = step
        labels.append(label)
        step = reached[parent]
    return tuple(part for label in reversed(labels) for part in label)
