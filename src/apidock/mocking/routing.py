"""Which path of a document a request's path is: a table built once per document, read on
every mock request.

Decisions:
- A path is split at `/` as sent, then each segment is percent-decoded (so `/pets/a%2Fb` is the
  one segment `a/b`). Decoding is strict: a `%` not followed by two hex digits, bytes that are
  not UTF-8, a control character (NUL included) or a `.`/`..` segment refuse the path
  (`PathRefused`, a 400): nothing is normalised, so no two spellings reach one route.
- Segment by segment, a literal segment wins over a templated one (`/pets/mine` before
  `/pets/{id}`); among templated segments, the one with more literal characters first
  (`{name}.json` before `{name}`), then document order. A parameter is part of exactly one
  segment and never empty, so `/pets/` is not `/pets/{id}` and not `/pets` either: the document
  decides whether a trailing slash is a path of its own. A segment with several parameters
  (`{a}-{b}`) gives each the shortest text that lets the rest match.
- Every matching path is offered in that order (`matches`), so the caller can take the first
  that has the request's method and still answer 405 with the methods of all of them.
- Base paths: the path of each document-level server URL, with its variables replaced by their
  defaults (`https://api.example.com/v1` and `/v1` give `/v1`), is accepted as a prefix of
  every path; a path-level server's base path is a prefix of that path only. The path as sent
  is tried first, then with each base path removed. A variable without a default stays a
  templated segment. A server URL that does not parse is ignored.
- The table is a tree of segments: matching visits each node at most once, so a request costs
  at most the size of the table whatever the document, and a path with more segments than the
  deepest route matches nothing (a 404) by a count, without being split.
- Path Items that are `$ref`s (to `components/pathItems`) are read through.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from apidock.descriptions.problems import pointer
from apidock.mocking.references import follow

_PARAMETER = re.compile(r"\{([^{}]*)\}")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DOT_SEGMENTS = frozenset({".", ".."})


class PathRefused(Exception):
    """A request path that cannot name any route (answered 400); the message says why."""


@dataclass(frozen=True, slots=True)
class Route:
    """A path of the document: its template, its Path Item and where that item sits."""

    template: str
    item: dict[str, Any]
    pointer: str
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RouteMatch:
    """A route a request path matched, with its path parameters (decoded) by name."""

    route: Route
    parameters: dict[str, str]


@dataclass(frozen=True, slots=True)
class _Pattern:
    """A templated segment: the literal texts around its parameters (one more than those)."""

    literals: tuple[str, ...]
    weight: int = field(init=False, compare=False)

    def __post_init__(self) -> None:
        # how much literal text the segment holds: more of it matches first
        object.__setattr__(self, "weight", sum(len(literal) for literal in self.literals))

    def match(self, segment: str) -> list[str] | None:
        """The parameters' values in `segment`, or None when it does not fit.

        Leftmost-shortest, without backtracking: each parameter takes at least one character
        and ends at the first place where the next literal text occurs."""
        first, last = self.literals[0], self.literals[-1]
        end = len(segment) - len(last)
        if not segment.startswith(first) or not segment.endswith(last) or end < len(first):
            return None
        values: list[str] = []
        start = len(first)
        for literal in self.literals[1:-1]:
            found = segment.find(literal, start + 1, end) if literal else start + 1
            if found < 0 or found > end or (not literal and found >= end):
                return None
            values.append(segment[start:found])
            start = found + len(literal)
        if end - start < 1:
            return None
        values.append(segment[start:end])
        return values


class _Node:
    """A segment of the tree: its literal and templated children, and the routes ending here.

    `reversed_templated` is the templated children in reverse precedence, as the walk's stack
    wants them; empty members are shared, so a leaf costs one object."""

    __slots__ = ("literal", "reversed_templated", "routes", "templated")

    def __init__(self) -> None:
        self.literal: dict[str, _Node] = _NO_CHILDREN
        self.templated: dict[_Pattern, _Node] = _NO_TEMPLATED
        self.reversed_templated: tuple[tuple[_Pattern, _Node], ...] = ()
        self.routes: tuple[Route, ...] = ()


_NO_CHILDREN: dict[str, _Node] = {}
_NO_TEMPLATED: dict[_Pattern, _Node] = {}


Segment = str | _Pattern


class RouteTable:
    """The paths of one document as a tree of segments, and its servers' base paths."""

    __slots__ = ("_bases", "_deepest", "_root")

    def __init__(self) -> None:
        self._root = _Node()
        self._bases: list[tuple[Segment, ...]] = []
        self._deepest = 0

    @classmethod
    def build(cls, document: Mapping[str, Any]) -> RouteTable:
        """The table of `document`'s `paths` (linear in their number and size)."""
        table = cls()
        table._bases = _base_paths(document.get("servers"))
        paths = document.get("paths")
        if isinstance(paths, dict):
            for template, value in paths.items():
                if not isinstance(template, str) or template.startswith("x-"):
                    continue
                located = follow(document, value, pointer("paths", template))
                if located is None or not isinstance(located.value, dict):
                    continue
                item: dict[str, Any] = located.value
                route = Route(template, item, located.pointer, _names_of(template))
                segments = _template_segments(template)
                table._insert(segments, route)
                for base in _base_paths(item.get("servers")):
                    table._insert((*base, *segments), route)
        table._order(table._root)
        longest_base = max((len(base) for base in table._bases), default=0)
        table._deepest += longest_base
        return table

    def matches(self, path: str) -> Iterator[RouteMatch]:
        """The routes `path` (raw, as sent) matches, most specific first.

        Raises PathRefused for a path that is not a valid one (see the module's doc)."""
        if not path.startswith("/"):
            raise PathRefused("The path must start with '/'")
        if path.count("/") > self._deepest:
            return
        segments = _request_segments(path)
        yield from self._walk(segments)
        for base in self._bases:
            if len(base) < len(segments) and _prefix_matches(base, segments):
                yield from self._walk(segments[len(base) :])

    def _insert(self, segments: tuple[Segment, ...], route: Route) -> None:
        node = self._root
        for segment in segments:
            if isinstance(segment, str):
                if node.literal is _NO_CHILDREN:
                    node.literal = {}
                children: dict[Any, _Node] = node.literal
            else:
                if node.templated is _NO_TEMPLATED:
                    node.templated = {}
                children = node.templated
            found = children.get(segment)
            if found is None:
                found = children[segment] = _Node()
            node = found
        node.routes = (*node.routes, route)
        self._deepest = max(self._deepest, len(segments))

    def _order(self, root: _Node) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            if node.templated:
                # sorted is stable: equal weights keep the document's order
                ranked = sorted(node.templated.items(), key=lambda pair: -pair[0].weight)
                node.reversed_templated = tuple(reversed(ranked))
                stack.extend(node.templated.values())
            stack.extend(node.literal.values())

    def _walk(self, segments: list[str]) -> Iterator[RouteMatch]:
        # Depth first, literal child before templated ones: the stack is pushed in reverse.
        stack: list[tuple[_Node, int, tuple[str, ...]]] = [(self._root, 0, ())]
        while stack:
            node, depth, values = stack.pop()
            if depth == len(segments):
                for route in node.routes:
                    yield RouteMatch(route, dict(zip(route.names, values, strict=False)))
                continue
            segment = segments[depth]
            for pattern, next_node in node.reversed_templated:
                found = pattern.match(segment)
                if found is not None:
                    stack.append((next_node, depth + 1, (*values, *found)))
            literal = node.literal.get(segment)
            if literal is not None:
                stack.append((literal, depth + 1, values))


def _request_segments(path: str) -> list[str]:
    if _CONTROL.search(path):
        raise PathRefused("The path holds a control character")
    segments = path[1:].split("/")
    for index, raw in enumerate(segments):
        if "%" in raw:
            segments[index] = _decoded(raw)
        if segments[index] in _DOT_SEGMENTS:
            raise PathRefused("The path holds a '.' or '..' segment")
    return segments


def _decoded(raw: str) -> str:
    if _BAD_PERCENT.search(raw):
        raise PathRefused("The path holds a '%' that is not followed by two hex digits")
    try:
        text = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise PathRefused("The path's percent-encoded bytes are not UTF-8") from None
    if _CONTROL.search(text):
        raise PathRefused("The path holds an encoded control character")
    return text


def _names_of(template: str) -> tuple[str, ...]:
    return tuple(_PARAMETER.findall(template))


def _template_segments(template: str) -> tuple[Segment, ...]:
    text = template[1:] if template.startswith("/") else template
    return tuple(_segment_of(part) for part in text.split("/"))


def _segment_of(part: str) -> Segment:
    if "{" not in part or not _PARAMETER.search(part):
        return unquote(part)
    return _Pattern(tuple(unquote(literal) for literal in _PARAMETER.split(part)[::2]))


def _prefix_matches(base: tuple[Segment, ...], segments: list[str]) -> bool:
    for expected, segment in zip(base, segments, strict=False):
        if isinstance(expected, str):
            if expected != segment:
                return False
        elif expected.match(segment) is None:
            return False
    return True


def _base_paths(servers: Any) -> list[tuple[Segment, ...]]:
    """The distinct non-empty base paths of a `servers` list, in its order."""
    bases: list[tuple[Segment, ...]] = []
    if not isinstance(servers, list):
        return bases
    for server in servers:
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            continue
        base = _base_path(server["url"], server.get("variables"))
        if base and base not in bases:
            bases.append(base)
    return bases


def _base_path(url: str, variables: Any) -> tuple[Segment, ...]:
    def default_of(found: re.Match[str]) -> str:
        variable = variables.get(found.group(1)) if isinstance(variables, dict) else None
        default = variable.get("default") if isinstance(variable, dict) else None
        return default if isinstance(default, str) else found.group(0)

    substituted = _PARAMETER.sub(default_of, url)
    try:
        parts = urlsplit(substituted)
    except ValueError:
        return ()
    path = parts.path if parts.scheme or parts.netloc else substituted.split("?")[0]
    path = path.strip("/")
    if not path:
        return ()
    return tuple(_segment_of(part) for part in path.split("/"))
