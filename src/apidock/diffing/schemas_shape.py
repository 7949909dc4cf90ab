"""Reading a schema the way the comparison rules need it: its types, its bounds, values
compared as JSON compares them, and the edits that change a schema's shape without changing
what it accepts (or change it in one recognisable way).

Three shapes are recognised, after oasdiff (see docs/NULLABILITY.md there): a schema made
nullable by wrapping it (`X` becomes `oneOf`/`anyOf` `[{type: "null"}, X]`; API Dock's import
writes the `anyOf` form for a 3.0 `nullable` beside a `$ref`), a single type that became a
list of types (`type: string` becomes `oneOf: [{type: string}, {type: integer}]`), and an
object wrapped into a `oneOf` of objects. Each is one change; the raw differences they cause
(a type "changed", an enum "removed", a `oneOf` "added") are its echoes.
"""

from __future__ import annotations

from typing import Any

from apidock.diffing.resolve import Side, child
from apidock.diffing.schemas_node import Node, as_schema

ANNOTATIONS = frozenset(
    {"title", "description", "default", "example", "examples", "externalDocs", "$comment"}
)
"""Keywords that describe a value and never refuse one."""

# Annotations API Dock's import keeps on the outside of a schema it wraps for `nullable`.
_WRAPPER_KEYWORDS = ANNOTATIONS | {"deprecated", "readOnly", "writeOnly"}
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "dependentSchemas", "$defs"})
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_SCHEMA_SINGLES = frozenset(
    {
        "items",
        "not",
        "if",
        "then",
        "else",
        "contains",
        "propertyNames",
        "additionalProperties",
        "unevaluatedItems",
        "unevaluatedProperties",
        "contentSchema",
    }
)
_FORM_DEPTH = 48  # deeper than this, two values are told apart by their shape only

NULL_TYPE_CHANGE = "null-type"
NULLABLE_WRAPPING = "nullable-wrapping"
LIST_OF_TYPES = "list-of-types"
ONE_OF_WRAPPING = "one-of-wrapping"


def types_of(schema: dict[str, Any]) -> tuple[str, ...]:
    """The schema's `type` as a tuple (a 3.1 list or a single name), each name once."""
    declared = schema.get("type")
    names = [declared] if isinstance(declared, str) else declared
    if not isinstance(names, list):
        return ()
    return tuple(dict.fromkeys(name for name in names if isinstance(name, str)))


def format_of(schema: dict[str, Any]) -> str:
    found = schema.get("format")
    return found if isinstance(found, str) else ""


def accepts_null(schema: dict[str, Any]) -> bool:
    """Whether the schema says null is allowed (3.1's `"null"` type, or a 3.0 `nullable`)."""
    return schema.get("nullable") is True or "null" in types_of(schema)


def number(value: Any) -> int | float | None:
    """A JSON number (never a boolean), or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def form(value: Any, *, schema: bool = False, annotations: bool = True, depth: int = 0) -> Any:
    """A hashable form of a JSON value, equal for equal JSON (`1` and `1.0` alike, `true` and
    `1` not). With `schema`, `value` is read as a schema: without `annotations`, the
    annotation keywords of it and of its subschemas (never a property named `title`) are
    left out."""
    if depth > _FORM_DEPTH:
        return ("deep", type(value).__name__)
    if isinstance(value, bool) or value is None:
        return ("c", value)
    if isinstance(value, int | float):
        return ("n", int(value) if isinstance(value, float) and value.is_integer() else value)
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, list):
        return ("l", tuple(form(item, depth=depth + 1) for item in value))
    if not isinstance(value, dict):
        return ("?", type(value).__name__)
    members = []
    for key, item in value.items():
        if schema and not annotations and key in ANNOTATIONS:
            continue
        members.append((str(key), _member_form(str(key), item, schema, annotations, depth + 1)))
    return ("d", tuple(sorted(members)))


def _member_form(key: str, item: Any, schema: bool, annotations: bool, depth: int) -> Any:
    if not schema:
        return form(item, depth=depth)
    if key in _SCHEMA_SINGLES:
        return form(item, schema=True, annotations=annotations, depth=depth)
    if key in _SCHEMA_LISTS and isinstance(item, list):
        return (
            "l",
            tuple(form(s, schema=True, annotations=annotations, depth=depth + 1) for s in item),
        )
    if key in _SCHEMA_MAPS and isinstance(item, dict):
        return (
            "d",
            tuple(
                sorted(
                    (str(name), form(s, schema=True, annotations=annotations, depth=depth + 1))
                    for name, s in item.items()
                )
            ),
        )
    return form(item, depth=depth)


def same_contract(left: Any, right: Any) -> bool:
    """Whether two schemas (as written: a `$ref` inside either is compared by its target's
    name) refuse the same values, annotations aside."""
    left_form = form(as_schema(left), schema=True, annotations=False)
    right_form = form(as_schema(right), schema=True, annotations=False)
    return bool(left_form == right_form)


def annotation_only(schema: Any) -> bool:
    """Whether a subschema holds only annotations, so it refuses nothing (`{}`, `true`)."""
    if isinstance(schema, dict):
        return all(key in ANNOTATIONS for key in schema)
    return schema is True


def schema_list(schema: dict[str, Any], keyword: str) -> list[Any]:
    found = schema.get(keyword)
    return found if isinstance(found, list) else []


def schema_map(schema: dict[str, Any], keyword: str) -> dict[str, Any]:
    found = schema.get(keyword)
    return found if isinstance(found, dict) else {}


def detect_transitions(node: Node) -> frozenset[str]:
    """The recognised shape changes between the node's two schemas."""
    found: set[str] = set()
    old_types, new_types = set(types_of(node.old)), set(types_of(node.new))
    same_format = format_of(node.old) == format_of(node.new)
    if old_types != new_types and (old_types ^ new_types) == {"null"} and same_format:
        found.add(NULL_TYPE_CHANGE)
    if nullable_payload(node) is not None:
        found.add(NULLABLE_WRAPPING)
    if list_of_types(node) is not None:
        found.add(LIST_OF_TYPES)
    if moved_into_one_of(node):
        found.add(ONE_OF_WRAPPING)
    return frozenset(found)


def nullable_payload(node: Node) -> tuple[bool, Any, str] | None:
    """When one side is the other wrapped for null (`X` and `oneOf: [{type: null}, X]`): True
    when the new side is the wrapper (False for the unwrapping), with the wrapped branch and
    its pointer. The branch is the other side when it is the same component (a `$ref` to it)
    or, inline, when it refuses the same values."""
    wrapped = _wrapped_branch(node.old, node.old_pointer, node.new_side, node.new, node.new_pointer)
    if wrapped is not None:
        return (True, *wrapped)
    unwrapped = _wrapped_branch(
        node.new, node.new_pointer, node.old_side, node.old, node.old_pointer
    )
    if unwrapped is not None:
        return (False, *unwrapped)
    return None


def _wrapped_branch(
    plain: dict[str, Any], plain_pointer: str, side: Side, wrapper: dict[str, Any], pointer: str
) -> tuple[Any, str] | None:
    if any(key in plain for key in ("oneOf", "anyOf", "allOf", "not")) or accepts_null(plain):
        return None
    keywords = [key for key in ("oneOf", "anyOf") if key in wrapper]
    if len(keywords) != 1:
        return None
    keyword = keywords[0]
    branches = schema_list(wrapper, keyword)
    outside = {key for key in wrapper if key != keyword}
    if len(branches) != 2 or not outside <= _WRAPPER_KEYWORDS:
        return None
    found: tuple[Any, str] | None = None
    nulls = 0
    for index, branch in enumerate(branches):
        target, target_pointer = side.deref(branch, child(pointer, keyword, index))
        if _bare_null(target):
            nulls += 1
        else:
            found = (target, target_pointer)
    if nulls != 1 or found is None:
        return None
    if found[1] == plain_pointer:
        # the branch names the component the other side is: the same schema, made nullable
        # (whatever changed inside the component is compared, and reported, there)
        return found
    # What the import moved outside the wrapper still belongs to the wrapped schema.
    moved = {key: wrapper[key] for key in outside if key not in ANNOTATIONS}
    return found if same_contract(plain, {**as_schema(found[0]), **moved}) else None


def _bare_null(schema: Any) -> bool:
    return (
        isinstance(schema, dict)
        and types_of(schema) == ("null",)
        and all(key == "type" or key in ANNOTATIONS for key in schema)
    )


def _type_pattern(side: Side, schema: dict[str, Any], pointer: str) -> tuple[set[str], bool]:
    """The types a schema allows as one type or as a `oneOf`/`anyOf` of plain types, and
    whether it is such a list; an empty set when it is neither."""
    if "not" in schema or schema_list(schema, "allOf") or schema_map(schema, "properties"):
        return set(), False
    declared = types_of(schema)
    if declared:
        return {declared[0]}, False
    for keyword in ("oneOf", "anyOf"):
        listed: list[str] = []
        for index, member in enumerate(schema_list(schema, keyword)):
            target, _ = side.deref(member, child(pointer, keyword, index))
            single = _single_plain_type(target)
            if single is None:
                listed = []
                break
            listed.append(single)
        if listed:
            return set(listed), True
    return set(), False


def _single_plain_type(schema: Any) -> str | None:
    if not isinstance(schema, dict):
        return None
    declared = types_of(schema)
    composed = any(schema_list(schema, key) for key in ("oneOf", "anyOf", "allOf"))
    if len(declared) != 1 or composed or schema_map(schema, "properties"):
        return None
    return declared[0]


def list_of_types(node: Node) -> tuple[list[str], list[str]] | None:
    """The types added and removed when a single type became a list of types (or back, or
    one list another): None when the node is not such a change."""
    old_types, old_list = _type_pattern(node.old_side, node.old, node.old_pointer)
    new_types, new_list = _type_pattern(node.new_side, node.new, node.new_pointer)
    if not old_types or not new_types or not (old_list or new_list) or old_types == new_types:
        return None
    return sorted(new_types - old_types), sorted(old_types - new_types)


def moved_into_one_of(node: Node) -> set[str]:
    """The old properties that moved into the alternatives of a `oneOf` the new side wraps
    them in (an object became a `oneOf` of objects); empty when that is not the change."""
    old_properties = schema_map(node.old, "properties")
    alternatives = schema_list(node.new, "oneOf")
    if not old_properties or "oneOf" in node.old or not alternatives:
        return set()
    if schema_map(node.new, "properties") or types_of(node.new):
        return set()
    names: set[str] = set()
    for index, alternative in enumerate(alternatives):
        target, _ = node.new_side.deref(alternative, child(node.new_pointer, "oneOf", index))
        names.update(schema_map(as_schema(target), "properties"))
    return {name for name in old_properties if name in names}
