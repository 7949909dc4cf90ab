"""A strict run's extra check: the members of a body's objects that their schemas don't declare.

Decisions:
- At each object of the body, the schemas that apply to it are gathered: the one that reaches
  it, what its `$ref` names (local references; a `$ref` beside other keywords applies with
  them, as in 2020-12), every `allOf` member, the `anyOf`/`oneOf` members the object is valid
  for (all of them when it is valid for none, so that a body already failing its schema is not
  blamed twice), `then` or `else` as `if` decides, and `dependentSchemas` whose member is there.
- A member is flagged when at least one of those schemas declares `properties`, none of them
  says anything of other members (`additionalProperties`, `patternProperties` or
  `unevaluatedProperties`, whatever their value: the schema then decides, and the plain check
  already judged it), and no `properties` among them names the member. So a property declared
  in any `allOf` member counts as declared, as a reader of the composition means it.
- The walk goes down through `properties`, `patternProperties` (matched with RE2; a pattern RE2
  cannot compile is not followed), a schema-valued `additionalProperties`, `prefixItems` and
  `items`. `$dynamicRef`, references by `$id` or `$anchor`, and `contains` are not followed:
  what they reach is not judged strictly.
- Bounded: at most `MAX_SCHEMAS` schemas gathered at one place, `MAX_NODES` places visited,
  `MAX_ERRORS` members flagged; iterative, so a deep body cannot overflow the stack.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

from apidock.contracts.regexes import searches
from apidock.contracts.validators import MAX_ERRORS, DocumentSchemas
from apidock.descriptions.problems import child
from apidock.descriptions.refs import resolve_pointer

MAX_SCHEMAS = 256
MAX_NODES = 100_000
OPEN_KEYWORDS = ("additionalProperties", "patternProperties", "unevaluatedProperties")

Applied = list[tuple[str, dict[str, Any]]]


def undeclared_members(
    document: Mapping[str, Any], schemas: DocumentSchemas, schema_pointer: str, body: Any
) -> list[tuple[str, str]]:
    """The members of `body`'s objects that no applying schema declares: their JSON Pointers
    (into `body`) and names, in the body's order."""
    found: list[tuple[str, str]] = []
    if not isinstance(body, dict | list):
        return found
    stack: list[tuple[Any, str, list[str]]] = [(body, "", [schema_pointer])]
    visited = 0
    while stack and visited < MAX_NODES and len(found) < MAX_ERRORS:
        value, at, pointers = stack.pop()
        visited += 1
        applied = _applied(document, schemas, pointers, value)
        if isinstance(value, dict):
            found.extend(_flagged(applied, value, at))
            children = [
                (item, child(at, name), _member_schemas(applied, name))
                for name, item in value.items()
            ]
        else:
            children = [
                (item, child(at, index), _item_schemas(applied, index))
                for index, item in enumerate(value)
            ]
        # reversed, so that the stack gives members back in their order
        for item, item_at, item_pointers in reversed(children):
            if item_pointers and isinstance(item, dict | list):
                stack.append((item, item_at, item_pointers))
    return found[:MAX_ERRORS]


def _flagged(applied: Applied, value: dict[str, Any], at: str) -> Iterator[tuple[str, str]]:
    declared: set[str] = set()
    declares = False
    for _, schema in applied:
        if any(keyword in schema for keyword in OPEN_KEYWORDS):
            return
        properties = schema.get("properties")
        if isinstance(properties, dict):
            declares = True
            declared.update(properties)
    if declares:
        for name in value:
            if name not in declared:
                yield child(at, name), name


def _applied(
    document: Mapping[str, Any], schemas: DocumentSchemas, pointers: list[str], value: Any
) -> Applied:
    """The schemas that apply to `value` at one place (see the module's doc)."""
    applied: Applied = []
    seen: set[str] = set()
    queue = list(reversed(pointers))
    while queue and len(applied) < MAX_SCHEMAS:
        at = queue.pop()
        if at in seen:
            continue
        seen.add(at)
        try:
            schema = resolve_pointer(document, at)
        except LookupError:
            continue
        if not isinstance(schema, dict):
            continue
        applied.append((at, schema))
        queue.extend(reversed(list(_next_schemas(schemas, at, schema, value))))
    return applied


def _next_schemas(
    schemas: DocumentSchemas, at: str, schema: dict[str, Any], value: Any
) -> Iterator[str]:
    reference = schema.get("$ref")
    if isinstance(reference, str) and reference.startswith("#"):
        yield unquote(reference[1:])
    all_of = schema.get("allOf")
    if isinstance(all_of, list):
        yield from (child(at, "allOf", index) for index in range(len(all_of)))
    for keyword in ("anyOf", "oneOf"):
        options = schema.get(keyword)
        if isinstance(options, list):
            members = [child(at, keyword, index) for index in range(len(options))]
            valid = [member for member in members if schemas.holds(member, value) is not False]
            yield from valid or members
    if "if" in schema:
        chosen = "then" if schemas.holds(child(at, "if"), value) is not False else "else"
        if chosen in schema:
            yield child(at, chosen)
    dependent = schema.get("dependentSchemas")
    if isinstance(dependent, dict) and isinstance(value, dict):
        yield from (child(at, "dependentSchemas", name) for name in dependent if name in value)


def _member_schemas(applied: Applied, name: str) -> list[str]:
    found: list[str] = []
    for at, schema in applied:
        properties = schema.get("properties")
        declared = isinstance(properties, dict) and name in properties
        if declared:
            found.append(child(at, "properties", name))
        matched = False
        patterns = schema.get("patternProperties")
        if isinstance(patterns, dict):
            for pattern in patterns:
                if isinstance(pattern, str) and searches(pattern, name):
                    matched = True
                    found.append(child(at, "patternProperties", pattern))
        if not declared and not matched and isinstance(schema.get("additionalProperties"), dict):
            found.append(child(at, "additionalProperties"))
    return found


def _item_schemas(applied: Applied, index: int) -> list[str]:
    found: list[str] = []
    for at, schema in applied:
        prefix = schema.get("prefixItems")
        prefix_length = len(prefix) if isinstance(prefix, list) else 0
        if index < prefix_length:
            found.append(child(at, "prefixItems", index))
        elif isinstance(schema.get("items"), dict):
            found.append(child(at, "items"))
    return found
