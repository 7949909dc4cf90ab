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

`nullable`, an OpenAPI 3.0 keyword that 3.1 documents still carry (and that `redocly lint`
refuses there), is read as 3.0 reads it, by the converter's own rules
(`from_openapi30.apply_nullable`): `true` puts "null" in the `type` (and the `enum`), or wraps
a `$ref` or an untyped composition in `anyOf` with `{type: "null"}`; `false` goes. One warning
per schema (`schema.nullable`), the first `REPORTED` of them one by one and then one entry
that counts the rest, where they start: a document generated for 3.0 carries hundreds, all
fixed alike, and an answer listing each would bury the warnings that matter.

A `pattern` that Python's `re` does not compile (openapi-spec-validator checks `format: regex`
with it, so an export carrying it would be invalid to that validator) is rewritten where
ECMA-262 and Python differ only in spelling (`lenient_patterns`); the rewrite is kept when
both `re` and jsonschema-rs compile it (a warning, `schema.pattern`, capped as above: each
keeps the meaning), else the pattern is dropped (`lost`, every one: a constraint is gone). A
pattern is only compiled, never matched, and each distinct string judged once per document.
The names of `patternProperties` are regular expressions too (openapi-spec-validator checks
them alike): a name is renamed to its rewrite in its place, or dropped with its schema.

Only reference positions are walked, so a `required`, `nullable`, `pattern` or `$ref` inside
an example, a `default`, an `enum`, a `const` or an `x-` extension is data and left alone; and
a property named `nullable` is a name in `properties`, not the keyword.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apidock.descriptions.from_openapi30 import NullableOutcome, apply_nullable, wrap_nullable
from apidock.descriptions.lenient_patterns import PatternVerdict, pattern_verdict
from apidock.descriptions.lenient_types import TypeFixer
from apidock.descriptions.refs_walk import Path, shapes_of, walk

_MEDIA_TYPE = shapes_of("openapi")["media_type"]
REPORTED = 20
"""Warnings of one kind (`schema.nullable`, a `pattern` rewritten) given one by one; the rest
are counted in one entry."""
_NOT_31 = "nullable is OpenAPI 3.0, not 3.1"
_NULLABLE_FIXES: dict[NullableOutcome, str] = {
    "union": '"null" added to the type',
    "enum": "null added to the enum (and to the type, if any)",
    "wrap": 'the schema is now anyOf [the schema, {"type": "null"}]',
    "dropped": "dropped",
}


def fix_by_structure(document: dict[str, Any], fixer: TypeFixer) -> None:
    """Apply the rules above to every schema and media type of `document` (OpenAPI 3.1,
    mutated)."""
    property_of: dict[int, tuple[dict[str, Any], str]] = {}
    booleans: list[tuple[dict[str, Any], Path]] = []
    strings: list[tuple[dict[str, Any], Path]] = []
    nullables = _Capped(
        fixer, "schema.nullable", "and {count} more schemas with nullable from here on, fixed alike"
    )
    patterns = _Patterns(fixer)
    wrapped: list[dict[str, Any]] = []
    for node, shape, path, _ in walk(document, "openapi"):
        if shape is _MEDIA_TYPE:
            _fix_media_type_reference(node, path, fixer)
        if not shape.schema:
            continue
        if isinstance(node.get("nullable"), bool):
            _fix_nullable(node, path, nullables, wrapped)
        if isinstance(node.get("pattern"), str):
            patterns.fix_pattern(node, path)
        if isinstance(node.get("patternProperties"), dict):
            patterns.fix_names(node["patternProperties"], (path, "patternProperties"))
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
    # Wrapping moves a schema's members into its `anyOf`: done last, once every pointer and
    # every `required` above has been taken from the schemas as they were.
    for node in wrapped:
        wrap_nullable(node)
    nullables.close()
    patterns.close()


@dataclass(slots=True)
class _Capped:
    """Warnings of one `type`: the first `REPORTED` one by one, then one entry at the first
    of the others, `summary` with their `{count}` (and the count of each `kind` given)."""

    fixer: TypeFixer
    type: str
    summary: str
    first_unlisted: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    listed: int = 0

    def warn(self, path: Path, message: str, kind: str = "") -> None:
        if self.listed < REPORTED:
            self.listed += 1
            self.fixer.report.warn(self.fixer.at(path), message, self.type)
            return
        if self.first_unlisted is None:
            self.first_unlisted = self.fixer.at(path)
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def close(self) -> None:
        if self.first_unlisted is None:
            return
        total = sum(self.counts.values())
        detail = ", ".join(f"{kind}: {n}" for kind, n in self.counts.items() if kind)
        message = self.summary.format(count=total) + (f" ({detail})" if detail else "")
        self.fixer.report.warn(self.first_unlisted, message, self.type)


def _fix_nullable(
    node: dict[str, Any], path: Path, nullables: _Capped, wrapped: list[dict[str, Any]]
) -> None:
    was = node["nullable"]
    outcome = apply_nullable(node)
    if outcome is None:
        return
    if outcome == "wrap":
        wrapped.append(node)
    if not was:
        why = "nullable: false never forbade null"
    elif outcome == "dropped":
        why = "with no type, null is allowed already"
    else:
        why = "nullable: true read as OpenAPI 3.0 does"
    nullables.warn(
        (path, "nullable"),
        f"{_NOT_31}; {why}: {_NULLABLE_FIXES[outcome]}",
        _NULLABLE_FIXES[outcome],
    )


class _Patterns:
    """The pattern fixes of one document: each distinct string judged once; the names of a
    `patternProperties` renamed (or dropped) once the walk is over, so that the pointers of
    the schemas below them still name the document as sent."""

    def __init__(self, fixer: TypeFixer) -> None:
        self.fixer = fixer
        self.rewrites = _Capped(
            fixer,
            "schema.pattern",
            "and {count} more patterns from here on that Python's re does not compile, each "
            "rewritten as above",
        )
        self.verdicts: dict[str, PatternVerdict] = {}
        self.renamed: list[tuple[dict[str, Any], Path, dict[str, str | None]]] = []

    def verdict(self, pattern: str) -> PatternVerdict:
        verdict = self.verdicts.get(pattern)
        if verdict is None:
            verdict = self.verdicts[pattern] = pattern_verdict(pattern)
        return verdict

    def fix_pattern(self, node: dict[str, Any], path: Path) -> None:
        verdict = self.verdict(node["pattern"])
        if verdict.keep:
            return
        if verdict.rewritten is not None:
            node["pattern"] = verdict.rewritten
            self.rewrites.warn((path, "pattern"), verdict.message)
        else:
            del node["pattern"]
            self.fixer.report.lose(
                self.fixer.at((path, "pattern")), verdict.message, "schema.pattern"
            )

    def fix_names(self, schemas: dict[str, Any], path: Path) -> None:
        """Judge the names of the `patternProperties` map `schemas`: a rewritten name is
        renamed (in its place), one that cannot be is dropped with its schema (`lost`)."""
        names: dict[str, str | None] = {}
        for name in schemas:
            verdict = self.verdict(name)
            if verdict.keep:
                continue
            names[name] = verdict.rewritten
            if verdict.rewritten is not None:
                self.rewrites.warn((path, name), verdict.message)
            else:
                self.fixer.report.lose(
                    self.fixer.at((path, name)),
                    f"{verdict.message}, with the schema it names",
                    "schema.pattern",
                )
        if names:
            self.renamed.append((schemas, path, names))

    def close(self) -> None:
        for schemas, path, names in self.renamed:
            kept = [(name, names.get(name, name), schema) for name, schema in schemas.items()]
            schemas.clear()
            for was, name, schema in kept:
                if name is None:
                    continue
                if name in schemas:
                    self.fixer.report.lose(
                        self.fixer.at((path, was)),
                        "rewritten, this name is another of the same map: dropped with its "
                        "schema (the first of the two is kept)",
                        "schema.pattern",
                    )
                    continue
                schemas[name] = schema
        self.rewrites.close()


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
