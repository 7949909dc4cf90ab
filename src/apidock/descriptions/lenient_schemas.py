"""The lenient fixes found by the structural walk of `refs_walk` (schemas and media types).

A draft-03 boolean `required` on a schema, the commonest schema mistake of real documents
(Swagger 2.0 ones above all), which JSON Schema 2020-12 rejects: `required` is the list of an
object's required property names.

- `required: true` on a property's schema moves the property's name into its object's
  `required` list (a warning: the meaning is kept);
- `required: false` on a property's schema is dropped (a warning: optional is the default);
- a boolean `required` anywhere else has no object to mean anything in: dropped (`lost`);
- a `required` that is one string becomes the list of it (a warning).

A Media Type Object written as a `$ref` to a schema (`application/json: {$ref:
'#/components/schemas/Pet'}`, a frequent slip that OpenAPI 3.1 rejects) gets the reference
as its `schema` (a warning). A `$ref` to anything else, or beside a `schema`, is left for
validation to name: which of the two was meant is not knowable.

Only reference positions are walked, so a `required` or `$ref` inside an example or an `x-`
extension is data and left alone.
"""

from __future__ import annotations

from typing import Any

from apidock.descriptions.lenient_types import TypeFixer
from apidock.descriptions.refs_walk import Path, shapes_of, walk

_MEDIA_TYPE = shapes_of("openapi")["media_type"]


def fix_by_structure(document: dict[str, Any], fixer: TypeFixer) -> None:
    """Apply the rules above to every schema and media type of `document` (OpenAPI 3.1,
    mutated)."""
    property_of: dict[int, tuple[dict[str, Any], str]] = {}
    booleans: list[tuple[dict[str, Any], Path]] = []
    strings: list[tuple[dict[str, Any], Path]] = []
    for node, shape, path, _ in walk(document, "openapi"):
        if shape is _MEDIA_TYPE:
            _fix_media_type_reference(node, path, fixer)
        if not shape.schema:
            continue
        properties = node.get("properties")
        if isinstance(properties, dict):
            for name, schema in properties.items():
                if isinstance(schema, dict) and isinstance(schema.get("required"), bool):
                    property_of[id(schema)] = (node, name)
        required = node.get("required")
        if isinstance(required, bool):
            booleans.append((node, path))
        elif isinstance(required, str):
            strings.append((node, path))
    for node, path in strings:
        node["required"] = [node["required"]]
        fixer.report.warn(
            fixer.at((path, "required")), "required lists property names: kept as a list of one"
        )
    lifted: list[tuple[dict[str, Any], str]] = []
    for node, path in booleans:
        value = node.pop("required")
        owner = property_of.get(id(node))
        at = fixer.at((path, "required"))
        if owner is None:
            fixer.report.lose(at, "a boolean required outside an object's properties: dropped")
        elif value:
            lifted.append(owner)
            fixer.report.warn(
                at, f"required: true on a property: {owner[1]!r} is now in its object's required"
            )
        else:
            fixer.report.warn(at, "required: false on a property is the default: dropped")
    # Lifted after every boolean is gone, so an object that is itself a property (and had its
    # own `required: true`) gets a list, not a boolean.
    listed: dict[int, set[str]] = {}
    for holder, name in lifted:
        names = holder.setdefault("required", [])
        if not isinstance(names, list):
            continue
        known = listed.get(id(holder))
        if known is None:
            known = listed[id(holder)] = {n for n in names if isinstance(n, str)}
        if name not in known:
            known.add(name)
            names.append(name)


def _fix_media_type_reference(node: dict[str, Any], path: Path, fixer: TypeFixer) -> None:
    target = node.get("$ref")
    if (
        isinstance(target, str)
        and target.startswith("#/components/schemas/")
        and "schema" not in node
    ):
        # The walk reads the node's members after this, so the new schema is walked too.
        node["schema"] = {"$ref": node.pop("$ref")}
        fixer.report.warn(
            fixer.at((path, "$ref")),
            "a media type is not a reference in OpenAPI 3.1: the $ref is now its schema",
        )
