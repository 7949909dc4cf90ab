"""Properties: added, removed, required or not, readOnly/writeOnly, deprecated, their
stability; and the properties the comparison walks into.

A readOnly property is not part of a request and a writeOnly one not part of a response:
oasdiff leaves them out of the request existence and requiredness rules (a removed readOnly
property breaks no client), though not out of its deprecation rules, and names the response
ones apart (`response-required-write-only-property-removed`, info). API Dock carries that to
everything below such a property (the other rules: `Scope.rule`). A property removed from a
response is `response-required-property-removed` (breaking) when clients could count on it,
`response-optional-property-removed` (a warning) otherwise. Removals are pointed at in the
old document, the rest in the new one, at the property (not at the `$ref` target it names).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from apidock.diffing.resolve import child
from apidock.diffing.schemas_node import Edge, Node, declare_rules, with_siblings
from apidock.diffing.schemas_shape import ONE_OF_WRAPPING, moved_into_one_of, schema_map

declare_rules(
    "existence",
    {
        "request-property-removed": "warning",
        "new-required-request-property": "breaking",
        "new-required-request-property-with-default": "breaking",
        "new-optional-request-property": "info",
        "new-required-request-header-property": "breaking",
        "response-required-property-removed": "breaking",
        "response-required-write-only-property-removed": "info",
        "response-required-property-added": "info",
        "response-required-write-only-property-added": "info",
        "response-optional-property-removed": "warning",
        "response-optional-write-only-property-removed": "info",
        "response-optional-property-added": "info",
        "response-optional-write-only-property-added": "info",
    },
)
declare_rules(
    "requiredness",
    {
        "request-property-became-required": "breaking",
        "request-property-became-required-with-default": "breaking",
        "request-property-became-optional": "info",
        "request-header-property-became-required": "breaking",
        "response-property-became-optional": "breaking",
        "response-write-only-property-became-optional": "info",
        "response-property-became-required": "info",
        "response-write-only-property-became-required": "info",
    },
)
declare_rules(
    "mutability",
    {
        "request-optional-property-became-not-write-only": "info",
        "request-optional-property-became-write-only": "info",
        "request-optional-property-became-read-only": "info",
        "request-optional-property-became-not-read-only": "info",
        "request-required-property-became-not-write-only": "info",
        "request-required-property-became-write-only": "info",
        "request-required-property-became-read-only": "info",
        "request-required-property-became-not-read-only": "info",
        "response-optional-property-became-not-write-only": "info",
        "response-optional-property-became-write-only": "info",
        "response-optional-property-became-read-only": "info",
        "response-optional-property-became-not-read-only": "info",
        "response-required-property-became-not-write-only": "warning",
        "response-required-property-became-write-only": "info",
        "response-required-property-became-read-only": "info",
        "response-required-property-became-not-read-only": "info",
    },
)
declare_rules(
    "lifecycle",
    {
        "request-property-deprecated": "info",
        "request-property-deprecated-with-sunset": "info",
        "request-property-deprecated-sunset-invalid": "breaking",
        "request-property-deprecated-sunset-missing": "breaking",
        "request-property-reactivated": "info",
        "request-property-sunset-date-too-small": "breaking",
        "response-property-deprecated": "info",
        "response-property-deprecated-with-sunset": "info",
        "response-property-deprecated-sunset-invalid": "breaking",
        "response-property-deprecated-sunset-missing": "breaking",
        "response-property-reactivated": "info",
        "response-property-sunset-date-too-small": "breaking",
        "request-property-stability-decreased": "breaking",
        "request-property-stability-increased": "info",
        "response-property-stability-decreased": "breaking",
        "response-property-stability-increased": "info",
    },
)

_STABILITY = {"draft": 0, "alpha": 1, "beta": 2, "stable": 3}
_STABILITY_THRESHOLD = _STABILITY["beta"]  # oasdiff's default: draft and alpha may change


def check(node: Node) -> None:
    """The property rules at one node: its properties' existence, requiredness and
    mutability, and its own deprecation and stability."""
    if node.scope.place == "response-header":
        return
    pair = _Properties.of(node)
    if pair.old or pair.new:
        moved = moved_into_one_of(node) if ONE_OF_WRAPPING in node.transitions else set()
        for name in pair.old:
            if name not in pair.new and name not in moved:
                _removed(pair, name)
        for name in pair.new:
            if name in pair.old:
                _kept(pair, name)
            else:
                _added(pair, name)
    if not node.scope.top and node.scope.body and not _lifecycle_hidden(node, node.scope.masked):
        _deprecation(node, node.old, node.new, node.keyword_pointer, ())
        _stability(node, node.old, node.new, node.keyword_pointer, ())


def edges(node: Node) -> Iterator[Edge]:
    """The properties both sides have, in the new side's order."""
    if node.scope.place == "response-header":
        return
    old_properties = schema_map(node.old, "properties")
    if not old_properties:
        return
    old_at, new_at = child(node.old_pointer, "properties"), child(node.new_pointer, "properties")
    for name, written in schema_map(node.new, "properties").items():
        if name in old_properties:
            yield Edge(
                name, old_properties[name], child(old_at, name), written, child(new_at, name)
            )


@dataclass(frozen=True, slots=True)
class _Properties:
    """A node's properties on both sides, and which are required, read once."""

    node: Node
    old: dict[str, Any]
    new: dict[str, Any]
    old_required: frozenset[str]
    new_required: frozenset[str]

    @classmethod
    def of(cls, node: Node) -> _Properties:
        return cls(
            node,
            schema_map(node.old, "properties"),
            schema_map(node.new, "properties"),
            _required(node.old),
            _required(node.new),
        )

    def schema(self, name: str, *, new: bool) -> dict[str, Any]:
        """The property's schema (its `$ref` followed, the `$ref`'s siblings applied)."""
        side, written, at = (
            (self.node.new_side, self.new[name], self.node.new_pointer)
            if new
            else (self.node.old_side, self.old[name], self.node.old_pointer)
        )
        target, _ = side.deref(written, at)  # the pointer it returns is not needed here
        return with_siblings(written, target)

    def pointer(self, name: str, *, new: bool) -> str:
        at = self.node.new_pointer if new else self.node.old_pointer
        return child(at, "properties", name)

    def outside(self, schema: dict[str, Any]) -> bool:
        """Whether a property is left out of the direction (readOnly in a request...)."""
        keyword = "readOnly" if self.node.scope.request else "writeOnly"
        return self.node.scope.masked or schema.get(keyword) is True


def _lifecycle_hidden(node: Node, outside: bool) -> bool:
    """Whether a property's deprecation and stability go unsaid: oasdiff says them of a
    readOnly property of a request as of any other, and API Dock keeps a response's
    writeOnly ones quiet."""
    return outside and not node.scope.request


def _required(schema: dict[str, Any]) -> frozenset[str]:
    listed = schema.get("required")
    if not isinstance(listed, list):
        return frozenset()
    return frozenset(name for name in listed if isinstance(name, str))


def _removed(pair: _Properties, name: str) -> None:
    node = pair.node
    if node.scope.place == "request-body":
        if not pair.outside(pair.schema(name, new=False)):
            pointer = pair.pointer(name, new=False)
            node.emit_rule("request-property-removed", pointer, "was removed", path=(name,))
    elif node.scope.place == "response-body":
        required = "required" if name in pair.old_required else "optional"
        write_only = "write-only-" if pair.outside(pair.schema(name, new=False)) else ""
        node.emit_rule(
            f"response-{required}-{write_only}property-removed",
            pair.pointer(name, new=False),
            "was removed",
            path=(name,),
        )


def _added(pair: _Properties, name: str) -> None:
    node = pair.node
    if node.scope.place not in ("request-body", "request-header", "response-body"):
        return
    schema = pair.schema(name, new=True)
    pointer = pair.pointer(name, new=True)
    outside = pair.outside(schema)
    required = name in pair.new_required
    if node.scope.place == "request-body" and not outside:
        if required:
            rule = "new-required-request-property"
            if "default" in schema:
                rule += "-with-default"
            node.emit_rule(rule, pointer, "was added, required", path=(name,))
        else:
            node.emit_rule("new-optional-request-property", pointer, "was added", path=(name,))
    elif node.scope.place == "request-header" and not outside and required:
        node.emit_rule(
            "new-required-request-header-property", pointer, "was added, required", path=(name,)
        )
    elif node.scope.place == "response-body":
        level = "required" if required else "optional"
        write_only = "write-only-" if outside else ""
        node.emit_rule(
            f"response-{level}-{write_only}property-added",
            pointer,
            f"was added, {level}",
            path=(name,),
        )


def _kept(pair: _Properties, name: str) -> None:
    node = pair.node
    was_required, is_required = name in pair.old_required, name in pair.new_required
    old_beside, new_beside = _beside_ref(pair.old[name]), _beside_ref(pair.new[name])
    if not node.scope.body and (
        was_required == is_required or node.scope.place != "request-header"
    ):
        return  # a parameter's properties have none of these rules but a header's required
    old, new = pair.schema(name, new=False), pair.schema(name, new=True)
    outside = pair.outside(new)
    pointer = pair.pointer(name, new=True)
    if node.scope.body and not _lifecycle_hidden(node, outside) and (old_beside or new_beside):
        # deprecated where the `$ref` is written: the property is, not the component (whose
        # own deprecation is its node's)
        def beside(keyword: str) -> str:
            return child(pointer, keyword)

        _deprecation(node, old_beside, new_beside, beside, (name,))
        _stability(node, old_beside, new_beside, beside, (name,))
    if was_required != is_required:
        _requiredness(node, name, pointer, became_required=is_required, new=new, outside=outside)
    if node.scope.body and not node.scope.masked:
        which = "required" if was_required else "optional"
        direction = "request" if node.scope.request else "response"
        for keyword, mode in (("writeOnly", "write-only"), ("readOnly", "read-only")):
            before, after = old.get(keyword) is True, new.get(keyword) is True
            if before != after:
                became = mode if after else f"not-{mode}"
                node.emit_rule(
                    f"{direction}-{which}-property-became-{became}",
                    child(pointer, keyword),
                    f"became {became.replace('-', ' ')}",
                    path=(name,),
                )


def _requiredness(
    node: Node,
    name: str,
    pointer: str,
    *,
    became_required: bool,
    new: dict[str, Any],
    outside: bool,
) -> None:
    detail = "became required" if became_required else "became optional"
    place = node.scope.place
    if place == "request-body" and not outside:
        if not became_required:
            node.emit_rule("request-property-became-optional", pointer, detail, path=(name,))
        else:
            rule = "request-property-became-required"
            if "default" in new:
                rule += "-with-default"
            node.emit_rule(rule, pointer, detail, path=(name,))
    elif place == "request-header" and became_required and not outside:
        node.emit_rule("request-header-property-became-required", pointer, detail, path=(name,))
    elif place == "response-body":
        write_only = "write-only-" if outside else ""
        became = "required" if became_required else "optional"
        node.emit_rule(
            f"response-{write_only}property-became-{became}", pointer, detail, path=(name,)
        )


_LIFECYCLE = ("deprecated", "x-sunset", "x-stability-level")


def _beside_ref(written: Any) -> dict[str, Any]:
    """The lifecycle keywords written beside a property's `$ref` (none for an inline one)."""
    if not isinstance(written, dict) or "$ref" not in written:
        return {}
    return {keyword: written[keyword] for keyword in _LIFECYCLE if keyword in written}


def _deprecation(
    node: Node,
    old: dict[str, Any],
    new: dict[str, Any],
    pointer_of: Callable[[str], str],
    path: tuple[str, ...],
) -> None:
    before, after = old.get("deprecated") is True, new.get("deprecated") is True
    if before == after:
        return
    pointer = pointer_of("deprecated")
    if not after:
        _lifecycle(node, "reactivated", pointer, "is no longer deprecated", path)
        return
    grace = node.scope.sunset_days
    if "x-sunset" not in new:
        if grace > 0:
            detail = "was deprecated without an x-sunset"
            _lifecycle(node, "deprecated-sunset-missing", pointer, detail, path)
        else:
            _lifecycle(node, "deprecated", pointer, "was deprecated", path)
        return
    sunset = _sunset(new["x-sunset"])
    if sunset is None:
        detail = "was deprecated with an invalid x-sunset"
        _lifecycle(node, "deprecated-sunset-invalid", pointer, detail, path)
    elif (sunset - node.scope.today).days < grace:
        detail = f"was deprecated with the sunset {sunset}, less than {grace} days away"
        _lifecycle(node, "sunset-date-too-small", pointer, detail, path)
    else:
        detail = f"was deprecated, sunset {sunset}"
        _lifecycle(node, "deprecated-with-sunset", pointer, detail, path)


def _lifecycle(node: Node, suffix: str, pointer: str, detail: str, path: tuple[str, ...]) -> None:
    if path:
        # said of a property from its parent: the property's family, whatever the parent is
        direction = "request" if node.scope.request else "response"
        node.emit_rule(f"{direction}-property-{suffix}", pointer, detail, path=path)
    else:
        node.emit(suffix, pointer, detail)


def _sunset(value: Any) -> date | None:
    """An `x-sunset` date (RFC 3339: a full date or a date-time), or None."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None


def _stability(
    node: Node,
    old_schema: dict[str, Any],
    new_schema: dict[str, Any],
    pointer_of: Callable[[str], str],
    path: tuple[str, ...],
) -> None:
    old, new = old_schema.get("x-stability-level"), new_schema.get("x-stability-level")
    if old == new:
        return
    before, after = _stability_level(old), _stability_level(new)
    if before is None or after is None or before == after or before < _STABILITY_THRESHOLD:
        return
    _lifecycle(
        node,
        "stability-decreased" if after < before else "stability-increased",
        pointer_of("x-stability-level"),
        f"stability changed from `{old or 'stable'}` to `{new or 'stable'}`",
        path,
    )


def _stability_level(value: Any) -> int | None:
    if value is None:
        return _STABILITY["stable"]
    return _STABILITY.get(value) if isinstance(value, str) else None
