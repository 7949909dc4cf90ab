"""The parameters of an operation: added, removed, made required or optional, deprecated, and
their schemas handed to the schema comparison.

An operation's parameters are the ones it inherits from its path item with its own laid over
them (same `in` and `name`), the way a client sees them; oasdiff calls this flattening, and
recommends it, since otherwise moving a parameter between the levels reads as a removal and
an addition. A parameter added at the path level of an existing path has its own rule
(`new-…-default-parameter-to-existing-path`). Parameters are matched by `in` and `name`
(header names case-insensitively, as HTTP does), path parameters by their positions in the
path template when its names changed (`/pets/{id}` → `/pets/{petId}`: `id` is `petId`, as
oasdiff pairs them); a path parameter its template does not name (a document's mistake) then
keeps its name, and pairs with none the new template names.

A path parameter is always sent, so it is always required (the import says so of every one,
whatever the document wrote); oasdiff reads `required` as written and judges the default of
one written without it. Its default is judged here whatever `required` says: the import
leaves no trace of what was written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apidock.diffing import lifecycle
from apidock.diffing.changes import Change, Level, declare
from apidock.diffing.resolve import Side, child
from apidock.diffing.schemas import SchemaPlace
from apidock.diffing.walk import OperationPair, Walk, mapping, quoted, sequence

RULES: dict[str, Level] = {
    "new-request-path-parameter": "breaking",
    "new-required-request-parameter": "breaking",
    "new-optional-request-parameter": "info",
    "new-required-request-default-parameter-to-existing-path": "breaking",
    "new-optional-request-default-parameter-to-existing-path": "info",
    "request-parameter-became-required": "breaking",
    "request-parameter-became-optional": "info",
}
declare(RULES)

ParameterKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Parameter:
    """A parameter as the operation sees it, `pointer` past any `$ref`."""

    node: dict[str, Any]
    pointer: str
    location: str
    name: str
    from_path_item: bool

    @property
    def subject(self) -> str:
        return f"the {self.location} parameter {quoted(self.name)}"


def key_of(location: str, name: str) -> ParameterKey:
    return (location, name.lower() if location == "header" else name)


def effective_parameters(
    side: Side,
    path_item: dict[str, Any],
    path_pointer: str,
    operation: dict[str, Any],
    operation_pointer: str,
) -> dict[ParameterKey, Parameter]:
    """The path item's parameters overlaid with the operation's, by (in, name)."""
    found: dict[ParameterKey, Parameter] = {}
    for owner, pointer, from_path_item in (
        (path_item, path_pointer, True),
        (operation, operation_pointer, False),
    ):
        for index, raw in enumerate(sequence(owner.get("parameters"))):
            node, at = side.deref(raw, child(pointer, "parameters", index))
            location, name = mapping(node).get("in"), mapping(node).get("name")
            if isinstance(location, str) and isinstance(name, str):
                parameter = Parameter(node, at, location, name, from_path_item)
                found[key_of(location, name)] = parameter
    return found


def compare_parameters(walk: Walk, pair: OperationPair, stability: str | None) -> list[Change]:
    """Every change of the operation's parameters; `stability` is the new operation's."""
    old = effective_parameters(
        walk.old, pair.old_path_item, pair.old_path_pointer, pair.old, pair.old_pointer
    )
    new = effective_parameters(
        walk.new, pair.new_path_item, pair.new_path_pointer, pair.new, pair.new_pointer
    )
    changes: list[Change] = []
    for key, parameter in old.items():
        counterpart = _counterpart(key, pair.path_names)
        match = None if counterpart is None else new.pop(counterpart, None)
        if match is None:
            removed = lifecycle.removal(
                lifecycle.PARAMETER_REMOVAL,
                parameter.node,
                parameter.pointer,
                subject=parameter.subject,
                operation=pair.label,
                today=walk.today,
            )
            if removed is not None:
                changes.append(removed)
        else:
            changes += _compare_parameter(walk, pair, parameter, match, stability)
    changes += [_added(pair.label, parameter) for parameter in new.values()]
    return changes


def _counterpart(key: ParameterKey, path_names: dict[str, str]) -> ParameterKey | None:
    """The key of an old parameter in the new operation, or None when it can have none: a
    path parameter of a renamed template is the one at its position; one the old template
    does not name keeps its name, unless the new template gave that name to a position."""
    location, name = key
    if location != "path" or not path_names:
        return key
    if name in path_names:
        return (location, path_names[name])
    return None if name in path_names.values() else key


def form_exploded(parameter: Parameter) -> bool:
    """Whether a parameter is serialized form/explode: a query's or a cookie's by default
    (a path's and a header's default style is `simple`), `explode` true by default with
    `style: form`."""
    default_style = "form" if parameter.location in ("query", "cookie") else "simple"
    style = parameter.node.get("style")
    style = style if isinstance(style, str) else default_style
    explode = parameter.node.get("explode")
    return style == "form" and (explode if isinstance(explode, bool) else True)


def _added(label: str, parameter: Parameter) -> Change:
    required = parameter.node.get("required") is True
    kind = "required" if required or parameter.location == "path" else "optional"
    if parameter.location == "path":
        rule = "new-request-path-parameter"
    elif parameter.from_path_item:
        rule = f"new-{kind}-request-default-parameter-to-existing-path"
    else:
        rule = f"new-{kind}-request-parameter"
    shared = " to every operation of the path" if parameter.from_path_item else ""
    what = f"the {kind} {parameter.location} parameter {quoted(parameter.name)}"
    return Change.of(
        rule,
        operation=label,
        pointer=parameter.pointer,
        message=f"{what} was added{shared}",
    )


def _compare_parameter(
    walk: Walk, pair: OperationPair, old: Parameter, new: Parameter, stability: str | None
) -> list[Change]:
    changes: list[Change] = []
    old_required, new_required = old.node.get("required") is True, new.node.get("required") is True
    if old_required != new_required:
        changes.append(
            Change.of(
                "request-parameter-became-required"
                if new_required
                else "request-parameter-became-optional",
                operation=pair.label,
                pointer=child(new.pointer, "required"),
                message=f"{new.subject} became {'required' if new_required else 'optional'}",
            )
        )
    changes += lifecycle.deprecation_changes(
        lifecycle.PARAMETER_DEPRECATION,
        (old.node, old.pointer),
        (new.node, new.pointer),
        subject=new.subject,
        operation=pair.label,
        stability=stability,
        policy=walk.policy,
        today=walk.today,
    )
    place: SchemaPlace = "request-header" if new.location == "header" else "request-parameter"
    for media_type, old_schema, old_at, new_schema, new_at in schema_pairs(
        old.node, old.pointer, new.node, new.pointer
    ):
        changes += walk.schemas(
            place,
            pair.label,
            old_schema,
            old_at,
            new_schema,
            new_at,
            name=new.name,
            media_type=media_type,
            required=(old_required or new_required) and new.location != "path",
            form_exploded=media_type is None and form_exploded(new),
        )
    return changes


SchemaPair = tuple[str | None, Any, str, Any, str]


def schema_pairs(
    old: dict[str, Any], old_pointer: str, new: dict[str, Any], new_pointer: str
) -> list[SchemaPair]:
    """The schemas of two parameters (or headers) to compare, each with the media type it is
    serialized as (None for a plain `schema`): `schema` with `schema`, each media type of
    `content` with the same one, and a lone `schema` with a lone media type's when one side
    moved from one form to the other."""
    old_form, new_form = _schemas_by_form(old, old_pointer), _schemas_by_form(new, new_pointer)
    if isinstance(old_form, tuple) and isinstance(new_form, tuple):
        return [(None, *old_form, *new_form)]
    if isinstance(old_form, dict) and isinstance(new_form, dict):
        return [
            (name, *old_form[name], *new_form[name])
            for name in sorted(old_form.keys() & new_form.keys())
        ]
    if isinstance(old_form, dict) and len(old_form) == 1 and isinstance(new_form, tuple):
        ((name, found),) = old_form.items()
        return [(name, *found, *new_form)]
    if isinstance(new_form, dict) and len(new_form) == 1 and isinstance(old_form, tuple):
        ((name, found),) = new_form.items()
        return [(name, *old_form, *found)]
    return []


def _schemas_by_form(
    node: dict[str, Any], pointer: str
) -> tuple[Any, str] | dict[str, tuple[Any, str]] | None:
    if node.get("schema") is not None:
        return (node["schema"], child(pointer, "schema"))
    content = node.get("content")
    if isinstance(content, dict):
        return {
            name: (media["schema"], child(pointer, "content", name, "schema"))
            for name, media in mapping(content).items()
            if isinstance(media, dict) and media.get("schema") is not None
        }
    return None
