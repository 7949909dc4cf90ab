"""Swagger 2.0 → OpenAPI 3.1: component names and where each `$ref` target went.

Names follow swagger2openapi so that a converted document has the components the reference
converter gives: a name keeps `[A-Za-z0-9_.-]`, a run of anything else becomes `_`, the first
`[]` becomes `Array`, and a name that collides with another gets `2`, `3`, … appended. Unlike
the reference, every kind (not only schemas) gets the full treatment, so that a `/` in a
parameter's name can't produce a component name that OpenAPI 3.1 refuses.

A `$ref` is rewritten through `Moves`, a trie from the source's pointer prefixes to the
converted document's (`/definitions/Pet` → `/components/schemas/Pet`, a response's
`schema` → its first media type's `schema`, …): the deepest recorded prefix wins and the rest
of the reference is kept as written. This rewriter serves the Swagger 2.0 converter only; it
could be unified with `apidock.descriptions.refs` once that exists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import unquote

_NOT_NAME = re.compile(r"[^A-Za-z0-9_\-.]+")
_CAMEL = re.compile(r"[-_ /.](.)")
# Characters a fragment can't hold as they are (RFC 3986 §3.5), percent-encoded in new tokens;
# `{` and `}` stay as written, as every tool reads them in `#/paths/~1pets~1{id}`.
_FRAGMENT_UNSAFE = re.compile(r"[%\x00-\x20\"#<>\\^`|\x7f]")


def sanitise(name: str) -> str:
    """`name` with what a component name can't hold replaced, as the reference does."""
    return _NOT_NAME.sub("_", name.replace("/", "_").replace("[]", "Array", 1))


def component_name(name: str) -> str:
    """The reference's name for a component called `name` (never empty)."""
    return sanitise(name) or "_"


def camel_case(text: str) -> str:
    """The reference's camel case, used in the names it gives request bodies."""
    return _CAMEL.sub(lambda match: match.group(1).upper(), text.lower())


def unique_names(names: Iterable[str]) -> dict[str, str]:
    """Each name's component name, a collision resolved by a suffix as the reference does:
    names are taken in order, an unchanged name keeps its place, a changed one gets the first
    free `name`, `name2`, `name3`, …"""
    taken = dict.fromkeys(names)
    renamed: dict[str, str] = {}
    for name in list(taken):
        new = component_name(name)
        if new != name:
            suffix = 1
            candidate = new
            while candidate in taken:
                suffix += 1
                candidate = f"{new}{suffix}"
            del taken[name]
            taken[candidate] = None
            new = candidate
        renamed[name] = new
    return renamed


def local_reference(ref: str) -> tuple[list[str], list[str]] | None:
    """The pointer tokens of a same-document reference and its raw segments, or None for a
    reference to elsewhere or to an anchor. Each segment is percent-decoded, then unescaped
    (RFC 6901 §6)."""
    if not ref.startswith("#"):
        return None
    fragment = ref[1:]
    if fragment == "":
        return [], []
    if not fragment.startswith("/"):
        return None
    raw = fragment[1:].split("/")
    return [unquote(part).replace("~1", "/").replace("~0", "~") for part in raw], raw


def encode_tokens(tokens: Sequence[str]) -> str:
    """The fragment (without `#`) of a pointer made of `tokens`."""
    parts = []
    for token in tokens:
        escaped = token.replace("~", "~0").replace("/", "~1")
        parts.append("/" + _FRAGMENT_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", escaped))
    return "".join(parts)


class Moves:
    """Where each moved part of the source went: a trie of pointer tokens."""

    __slots__ = ("_root",)

    def __init__(self) -> None:
        # a node: {token: node}, with the key None holding the node's new tokens, if recorded
        self._root: dict[str | None, object] = {}

    def add(self, source: Sequence[str], target: Sequence[str]) -> None:
        node = self._root
        for token in source:
            following = node.get(token)
            if not isinstance(following, dict):
                following = {}
                node[token] = following
            node = following
        node[None] = tuple(target)

    def rewrite(self, ref: str) -> str | None:
        """`ref` rewritten to where its target went; None when it needs no change (another
        document, an anchor, or a target that did not move)."""
        parsed = local_reference(ref)
        if parsed is None:
            return None
        tokens, raw = parsed
        node = self._root
        best: tuple[str, ...] | None = None
        depth = 0
        for index, token in enumerate(tokens):
            following = node.get(token)
            if not isinstance(following, dict):
                break
            node = following
            target = node.get(None)
            if isinstance(target, tuple):
                best, depth = target, index + 1
        if best is None:
            return None
        rest = "".join("/" + segment for segment in raw[depth:])
        return "#" + encode_tokens(best) + rest
