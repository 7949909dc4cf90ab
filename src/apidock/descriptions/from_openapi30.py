"""OpenAPI 3.0 to 3.1: what changed between them, applied to a copy of the document.

What the 3.1 release notes and the OAI's upgrade guide list, and nothing else:

- `openapi` becomes "3.1.0"; everything else of the document is kept as written, in its order.
- In every Schema Object (found by the structural walk of `refs_walk`, so never inside `x-`
  extensions, examples, `default`, `enum` or `const`, which are data):
  - `nullable: true` with a `type` makes the type a union with "null" (`[string, "null"]`),
    as OpenAPI 3.0.3 defines it; an `enum` beside it gains `null` too (see `apply_nullable`);
  - `nullable: true` beside a `$ref`, or with no `type` but an `allOf`/`anyOf`/`oneOf`:
    3.0.3 gives it no effect (its `type` is missing, and 3.0 ignores the siblings of `$ref`),
    yet that is how 3.0 authors write "this schema, or null". Read so: the schema becomes
    `anyOf: [<the schema>, {type: "null"}]`, its annotations (`description`, `default`, ...)
    kept outside, and a warning says it. With none of these (no type at all), null is already
    allowed: the keyword is dropped, nothing else changes;
  - `nullable: false` is dropped (it never forbade anything);
  - a boolean `exclusiveMinimum: true` with a `minimum` becomes `exclusiveMinimum: <minimum>`
    and the `minimum` goes (the same for the maximum); `false`, or `true` with no numeric
    bound, is dropped (it meant nothing);
  - a `$ref` with siblings: 3.0 ignores the siblings, 3.1 applies them. They are kept, since
    authors write them meaning them (a `description`, a `nullable`); when one of them
    constrains the value (anything but an annotation or an `x-` key) a warning says that it now
    applies;
  - `example` is kept (3.1 deprecates it for `examples` but still accepts it; SPEC keeps it), and
    so are `format: binary` and `format: base64` strings, which 3.1 still accepts and which the
    tools reading these documents understand; the `contentMediaType`/`contentEncoding` spelling
    the upgrade guide suggests would only make a round trip lose the author's text.
- A Reference Object (not a schema's `$ref`) with siblings: 3.0 ignores them and 3.1 allows only
  `summary` and `description`, which override the target's. Those two are kept; any other
  member is dropped, each a `lost` entry.

Only a change of meaning or a guess is reported; the ordinary conversions are not. Pointers are
into the 3.0 document, which the conversion leaves with the same structure but for the wrapped
schemas (the only place a pointer moves: `/x/allOf` becomes `/x/anyOf/0/allOf`). The document
passed in is not changed (unless asked, `in_place`): the result is a full copy, sharing no
container with it. The work is one copy and one walk, linear in the document's size; a
report entry's pointer costs its depth (the importer caps depth at 100).
"""

from __future__ import annotations

from typing import Any, Literal

from apidock.descriptions.json_values import copy_json as copy_json
from apidock.descriptions.problems import Report
from apidock.descriptions.refs_walk import Path, pointer_of, shapes_of, walk

# What describes a value rather than constrains it: kept beside a `$ref` without a warning, and
# kept on the outside of a schema wrapped for `nullable`, where documentation tools look.
ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "default",
        "example",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "externalDocs",
        "xml",
        "$comment",
    }
)
_COMPOSITIONS = ("allOf", "anyOf", "oneOf")
_REFERENCE_MEMBERS = frozenset({"$ref", "summary", "description"})
_SHAPES = shapes_of("openapi")
# Where OpenAPI 3.0 allows a Reference Object (a Path Item's `$ref` is one of its fields, and a
# Media Type has none in 3.0 or 3.1).
_REFERENCE_SHAPES = frozenset(
    id(_SHAPES[name])
    for name in (
        "parameter",
        "request_body",
        "response",
        "example",
        "link",
        "security_scheme",
        "callback",
    )
)


def convert_openapi30(
    document: dict[str, Any], report: Report, *, in_place: bool = False
) -> dict[str, Any]:
    """The OpenAPI 3.1.0 document `document` (OpenAPI 3.0.x) says, by the rules above; what
    changes its meaning or is a guess goes to `report` at its pointer in `document`.

    `in_place=True` converts `document` itself and returns it: for a caller that parsed it and
    needs it no more, it saves the copy, the larger part of the time on a 10 MB document (the
    copy's millions of containers also wake the garbage collector).
    """
    converted: dict[str, Any] = document if in_place else copy_json(document)
    converted["openapi"] = "3.1.0"
    wrapped: list[dict[str, Any]] = []
    for node, shape, path, _ in walk(converted, "openapi"):
        if shape.schema:
            _convert_schema(node, path, report, wrapped)
        elif id(shape) in _REFERENCE_SHAPES and "$ref" in node:
            _trim_reference(node, path, report)
    # Wrapping moves members: done once the walk (and its 3.0 pointers) is over.
    for node in wrapped:
        wrap_nullable(node)
    return converted


def _convert_schema(
    schema: dict[str, Any], path: Path, report: Report, wrapped: list[dict[str, Any]]
) -> None:
    _exclusive_bounds(schema)
    if "$ref" in schema:
        constraining = [
            key
            for key in schema
            if key not in ANNOTATIONS
            and key not in ("$ref", "nullable")
            and not key.startswith("x-")
        ]
        if constraining:
            report.warn(
                pointer_of(path),
                f"OpenAPI 3.0 ignores the members beside $ref ({', '.join(constraining)}); 3.1 "
                "applies them: kept, so they now constrain the value too",
            )
    if isinstance(schema.get("nullable"), bool):
        _nullable(schema, path, report, wrapped)


def _exclusive_bounds(schema: dict[str, Any]) -> None:
    for exclusive, inclusive in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        flag = schema.get(exclusive)
        if not isinstance(flag, bool):
            continue  # absent, or a number already: 3.1's own form
        bound = schema.get(inclusive)
        if flag and isinstance(bound, int | float) and not isinstance(bound, bool):
            schema[exclusive] = schema.pop(inclusive)
        else:
            del schema[exclusive]


NullableOutcome = Literal["dropped", "union", "enum", "wrap"]
"""What `apply_nullable` did: `nullable` removed and nothing else ("dropped": false, or no
type, so null was allowed already); `type` made a union with "null" ("union"); `null` added
to the `enum` (and to the `type`, if any: "enum"); or the schema is to be wrapped ("wrap")."""


def apply_nullable(schema: dict[str, Any]) -> NullableOutcome | None:
    """Remove a boolean `nullable` from the Schema Object `schema` and give its meaning to the
    rest by the rules of the module's doc; None (and nothing changed) when `schema` has no
    boolean `nullable`. Nothing is reported: the caller says what the outcome means to it.

    "wrap" leaves the wrapping to the caller, who calls `wrap_nullable(schema)` once its walk
    of the document is over (wrapping moves members, so pointers of a walk still under way
    would no longer name their places).

    With an `enum`, 3.0.3 says the enum still refuses null (`nullable` only widens `type`),
    but authors and most tools (code generators, validators of 3.0) read `nullable: true`
    beside an enum as "or null", and that is the only reason to write both: `null` joins the
    enum.
    """
    if not isinstance(schema.get("nullable"), bool):
        return None
    if not schema.pop("nullable"):
        return "dropped"
    kind = schema.get("type")
    if "$ref" in schema or (kind is None and any(k in schema for k in _COMPOSITIONS)):
        return "wrap"
    if isinstance(kind, str) and kind != "null":
        schema["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        kind.append("null")
    enum = schema.get("enum")
    if isinstance(enum, list) and not any(value is None for value in enum):
        enum.append(None)
        return "enum"
    return "dropped" if kind is None else "union"


def _nullable(
    schema: dict[str, Any], path: Path, report: Report, wrapped: list[dict[str, Any]]
) -> None:
    """Apply a boolean `nullable` of `schema` (`apply_nullable`), reporting a guess."""
    outcome = apply_nullable(schema)
    if outcome == "wrap":
        wrapped.append(schema)
        if "$ref" in schema:
            why = "beside $ref has no effect in OpenAPI 3.0 (it ignores what is beside $ref)"
        else:
            what = "/".join(k for k in _COMPOSITIONS if k in schema)
            why = f"with {what} and no type has no effect in OpenAPI 3.0.3"
        report.warn(
            pointer_of((path, "nullable")),
            f"nullable: true {why}; read as meant, the schema is now "
            'anyOf [the schema, {"type": "null"}] and accepts null',
        )
    elif outcome == "enum":
        report.warn(
            pointer_of((path, "enum")),
            "nullable: true beside an enum: null added to the enum (OpenAPI 3.0.3 would "
            "still refuse null; the value null is accepted now, as nullable meant)",
        )


def wrap_nullable(schema: dict[str, Any]) -> None:
    """`schema` becomes `anyOf: [schema, {type: null}]`, in place (a `$ref` to it, or a
    pointer held by the caller, still names it), its annotations left on the outside."""
    inner = {key: value for key, value in schema.items() if key not in ANNOTATIONS}
    outer = {key: value for key, value in schema.items() if key in ANNOTATIONS}
    schema.clear()
    schema.update(outer)
    schema["anyOf"] = [inner, {"type": "null"}]


def _trim_reference(reference: dict[str, Any], path: Path, report: Report) -> None:
    for key in [key for key in reference if key not in _REFERENCE_MEMBERS]:
        del reference[key]
        report.lose(
            pointer_of((path, key)),
            f"{key!r} beside $ref: OpenAPI 3.0 ignores it and 3.1 does not allow it: dropped",
        )
