"""References in a document: finding them, checking that each resolves inside the document, and
rewriting them.

Which `$ref`s are references is the structure's business (`refs_walk`): one under `x-`, an
example, `default`, `enum` or `const` is data, kept as written and never looked at. A reference
is never followed, fetched or inlined: checking one resolves its target pointer once (cached
per distinct target), so a cycle such as a `Tree` whose children are `Tree`s is just a pointer
that resolves, and 100,000 references to one deep schema cost one resolution.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from apidock.descriptions.problems import DocumentRefused, Problem, Report
from apidock.descriptions.refs_walk import PointerMemo, join_uri, pointer_of, walk

_INDEX = re.compile(r"0|[1-9][0-9]{0,17}")
_BAD_ESCAPE = re.compile(r"~(?![01])")
# RFC 3986 fragment characters other than unreserved ones (which `quote` always keeps).
_FRAGMENT_SAFE = "/!$&'()*+,;=:@?"


@dataclass(frozen=True, slots=True)
class Reference:
    """A `$ref` in a reference position: `at` is the pointer of the `$ref` member itself."""

    at: str
    target: str


def resolve_pointer(document: Any, json_pointer: str) -> Any:
    """The value `json_pointer` (RFC 6901, not a URI fragment: no %-decoding) names in
    `document`.

    Raises LookupError when it names nothing: a missing member, an array index that is not a
    decimal without leading zeros or is out of range (`-`, the past-the-end index, names
    nothing that exists), a token under a scalar, a `~` not followed by 0 or 1, or a pointer
    not starting with ``/``.
    """
    if json_pointer == "":
        return document
    if not json_pointer.startswith("/"):
        raise LookupError(f"not a JSON Pointer: {json_pointer!r}")
    node = document
    for raw in json_pointer[1:].split("/"):
        if "~" in raw:
            if _BAD_ESCAPE.search(raw):
                raise LookupError(f"bad escape in {raw!r} of {json_pointer!r}")
            raw = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            if raw not in node:
                raise LookupError(f"no member {raw!r} on the way to {json_pointer!r}")
            node = node[raw]
        elif isinstance(node, list):
            # At most 18 digits: Python refuses to parse a very long decimal, and no list is
            # that long anyway.
            if not _INDEX.fullmatch(raw) or int(raw) >= len(node):
                raise LookupError(f"no item {raw!r} on the way to {json_pointer!r}")
            node = node[int(raw)]
        else:
            raise LookupError(f"{raw!r} is under a scalar on the way to {json_pointer!r}")
    return node


def fragment_of(json_pointer: str) -> str:
    """The `$ref` value naming `json_pointer` in the same document: ``#`` and the pointer,
    %-encoded where a URI fragment needs it (a space, ``{``, ``%``, non-ASCII)."""
    return "#" + quote(json_pointer, safe=_FRAGMENT_SAFE, errors="surrogatepass")


def _decode(fragment: str) -> str:
    """`fragment` %-decoded as UTF-8; a lone surrogate (JSON allows one) survives the trip
    through `fragment_of` instead of raising."""
    return unquote(fragment, errors="surrogatepass")


def find_references(document: dict[str, Any], family: str) -> list[Reference]:
    """Every string-valued `$ref` in a reference position, in document order.

    `family` is "openapi" (3.0 and 3.1) or "swagger" (2.0). A `$ref` whose value is not a
    string is not listed (`check_references` removes it).
    """
    found: list[Reference] = []
    memo: PointerMemo = {}
    for node, shape, path, _ in walk(document, family):
        if shape.refs and isinstance(node.get("$ref"), str):
            found.append(Reference(pointer_of(path, memo) + "/$ref", node["$ref"]))
    return found


def rewrite_references(
    document: dict[str, Any], family: str, mapping: Callable[[str], str | None]
) -> int:
    """Replace every reference-position `$ref` value `t` by `mapping(t)` (mutates `document`).

    `mapping` returns the new value, or None to leave the reference as it is; data `$ref`s
    (examples, `x-`, ...) are never passed to it. `family` is the structure `document` has
    when this runs ("swagger" for a 2.0 document being converted, "openapi" once converted).
    Returns how many references changed.
    """
    changed: list[tuple[dict[str, Any], str]] = []
    for node, shape, _, _ in walk(document, family):
        target = node.get("$ref") if shape.refs else None
        if isinstance(target, str):
            new = mapping(target)
            if new is not None and new != target:
                changed.append((node, new))
    for node, new in changed:
        node["$ref"] = new
    return len(changed)


@dataclass(slots=True)
class _Index:
    """What one walk found: references with their base URI, `$id`s and anchors."""

    references: list[tuple[dict[str, Any], Any, str]]  # (holder, path, base)
    dynamic: list[tuple[Any, str, str]]  # (path, value, base) of each `$dynamicRef`
    ids: dict[str, str]  # absolute (or document-relative) URI -> pointer of the schema
    anchors: dict[tuple[str, str], str]  # (resource URI, name) -> pointer of the schema
    memo: PointerMemo


def _index(document: dict[str, Any], family: str) -> _Index:
    index = _Index([], [], {}, {}, {})
    for node, shape, path, base in walk(document, family):
        if shape.refs and "$ref" in node:
            index.references.append((node, path, base))
        if not shape.schema:
            continue
        dynamic = node.get("$dynamicRef")
        if isinstance(dynamic, str):
            index.dynamic.append((path, dynamic, base))
        names = [node.get("$anchor"), node.get("$dynamicAnchor")]
        identifier = node.get("$id")
        if isinstance(identifier, str) and identifier:
            if base:
                index.ids.setdefault(base, pointer_of(path, index.memo))
            # A draft-07 `$id: "#name"` is what 2020-12 spells `$anchor: name`.
            names.append(identifier.partition("#")[2])
        for name in names:
            if isinstance(name, str) and name and not name.startswith("/"):
                index.anchors.setdefault((base, name), pointer_of(path, index.memo))
    return index


@dataclass(frozen=True, slots=True)
class _Outcome:
    """How one `(base, $ref)` resolves: `kind` is "ok", "rewrite", "external" or
    "unresolved"; `target` is the rewritten `$ref` and `via` what it was found through."""

    kind: str
    target: str = ""
    via: str = ""


class _Resolver:
    def __init__(self, document: dict[str, Any], index: _Index) -> None:
        self.document = document
        self.index = index
        self.outcomes: dict[tuple[str, str], _Outcome] = {}

    def outcome(self, base: str, target: str) -> _Outcome:
        key = (base, target)
        known = self.outcomes.get(key)
        if known is None:
            known = self.outcomes[key] = self._resolve(base, target)
        return known

    def _resolves(self, json_pointer: str) -> bool:
        try:
            resolve_pointer(self.document, json_pointer)
        except LookupError:
            return False
        return True

    def _resolve(self, base: str, target: str) -> _Outcome:
        if target.startswith("#") and target[1:2] in ("", "/"):
            # OpenAPI tools resolve `#/...` from the document's root even inside a schema with
            # an `$id`; JSON Schema resolves it from that schema: the root first, then it.
            if self._resolves(_decode(target[1:])):
                return _Outcome("ok")
            if self._resolves(target[1:]):
                return _Outcome(
                    "rewrite", fragment_of(target[1:]), "its pointer read without %-decoding"
                )
            if not base:
                return _Outcome("unresolved")
        uri, _, fragment = join_uri(base, target).partition("#")
        resource = self.index.ids.get(uri) if uri else ""
        if resource is None:
            return _Outcome("external")
        found = self._locate(resource, uri, fragment)
        if found is None:
            return _Outcome("unresolved")
        name = _decode(fragment)
        if name and not name.startswith("/"):
            via = f"the $anchor {name!r}" + (f" of the $id {uri!r}" if uri else "")
        else:
            via = f"the $id {uri!r}" if uri else "the document itself"
        return _Outcome("rewrite", fragment_of(found), via)

    def _locate(self, resource: str, uri: str, fragment: str) -> str | None:
        """The document pointer `fragment` names in the schema resource at `resource`."""
        decoded = _decode(fragment)
        if decoded == "":
            return resource
        if decoded.startswith("/"):
            for candidate in (resource + decoded, resource + fragment):
                if self._resolves(candidate):
                    return candidate
            return None
        return self.index.anchors.get((uri, decoded))


def check_references(document: dict[str, Any], family: str, report: Report) -> None:
    """Refuse `document` unless every reference resolves inside it; fix what a lenient import
    may fix. Mutates `document` in place.

    Raises DocumentRefused with one Problem per reference (all of them: the `$ref`s in
    document order, then the `$dynamicRef`s) that is `ref.external` (another file or any
    URL: named, never fetched) or `ref.unresolved` (a pointer naming nothing, an anchor or
    `$id` nobody declares). Nothing is changed when it raises. Otherwise, each with an
    entry in `report`, in document order:
    - a `$ref` whose value is not a string is removed (`lost`): it references nothing;
    - a `$ref` that resolves only through a schema's `$id` or `$anchor` (or through a
      pointer that is only right when not %-decoded) is rewritten to the `#/...` pointer of
      its target (`warnings`), since the app resolves references by pointer only.
    A `$dynamicRef` to another file or URL is refused like a `$ref`; a local one is left to
    JSON Schema's dynamic scope.
    """
    index = _index(document, family)
    resolver = _Resolver(document, index)
    problems: list[Problem] = []
    fixes: list[tuple[dict[str, Any], str, str | None, str]] = []  # (holder, at, new, message)
    for holder, path, base in index.references:
        target = holder["$ref"]
        if not isinstance(target, str):
            kind = type(target).__name__
            at = pointer_of(path, index.memo) + "/$ref"
            fixes.append((holder, at, None, f"$ref is not a string (a {kind}): removed"))
            continue
        outcome = resolver.outcome(base, target)
        if outcome.kind == "ok":
            continue
        at = pointer_of(path, index.memo) + "/$ref"
        if outcome.kind == "rewrite":
            message = f"$ref {target!r} resolves through {outcome.via}: now {outcome.target!r}"
            fixes.append((holder, at, outcome.target, message))
        else:
            problems.append(_problem(outcome.kind, at, "$ref", target))
    for path, value, base in index.dynamic:
        uri = join_uri(base, value).partition("#")[0]
        if uri and uri not in index.ids:
            at = pointer_of(path, index.memo) + "/$dynamicRef"
            problems.append(_problem("external", at, "$dynamicRef", value))
    if problems:
        raise DocumentRefused(problems)
    for holder, at, new, message in fixes:
        if new is None:
            del holder["$ref"]
            report.lose(at, message, "ref.invalid")
        else:
            holder["$ref"] = new
            report.warn(at, message, "ref.rewritten")


def _problem(kind: str, at: str, keyword: str, target: str) -> Problem:
    if kind == "external":
        return Problem(
            at,
            f"{keyword} {target!r} points outside the document: only references inside it "
            "are imported, and nothing is fetched",
            "ref.external",
        )
    return Problem(at, f"{keyword} {target!r} resolves nowhere in the document", "ref.unresolved")
