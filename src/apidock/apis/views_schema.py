"""The flat view of a described API: the properties of its success body's JSON Schema as the
original's dot paths (its named examples: `views_examples`). Pure functions of plain JSON.

What is viewed (SPEC, "One truth"):
- The success response is the first 2xx response, in the order of its status (`200` before
  `201`, an exact status before `2XX`), that has a JSON media type; when none has one, the
  first 2xx response (it has no fields yet). A response that is a `$ref` to
  `#/components/responses/...` is read there.
- Its media type is `application/json` (with any parameters), else the first `+json` one.
- A field is a property of an object (`data.user.id`) or, after `[]`, the elements of an array
  (`data.items[].id`; `[]` itself are the elements of a body that is an array), as the
  original writes them. A property whose name is not such a segment (`@id`, `first name`), an
  array directly inside an array, or a path longer than the column holds are not shown; they
  stay in the schema as written.
- Through a schema's `$ref`s (to the app's `components`), a nullable wrapper (`anyOf`/`oneOf`
  of a schema and `{type: null}`, as the 3.0 conversion writes `nullable`) and the members of
  `allOf` (whose properties are the object's too). A `$ref` that does not name a place under
  `#/components/` is not followed: the field shows, nothing under it. A field reached again
  through a `$ref` it is already inside (a `Pet` whose `children` are `Pet`s) shows, and its
  own fields are not repeated under it.
- `data_type` is the schema's first `type` other than "null" (the export writes a field as
  `{"type": t}` or `{"type": [t, "null"]}`); without a `type`, what its keywords imply
  (`properties`: object, `items`: array, `enum`: the type of its values, ...), else object.
  `nullable` is true for a type union with "null" or a nullable wrapper.
- At most MAX_FIELDS_PER_API fields (the shallow ones first), as the catalog bounds an API's
  rows; the work is bounded by the rows shown, not by how the `$ref`s multiply.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from apidock.apis.schemas import FIELD_MAX_LENGTH
from apidock.apis.views_paths import ITEMS, Step, child_path

Token = str | int
# a place in the description: ("operation", ...) or ("components", ...), then JSON tokens
Loc = tuple[Token, ...]

DATA_TYPES = ("string", "integer", "number", "boolean", "object", "array")
FIELD_DESCRIPTION_MAX = 256
EXAMPLE_TITLE_MAX = 80
# An API holds at most this many live examples: each is a named example of its success body
# in the export, and no reader needs more to see what an API answers.
MAX_EXAMPLES_PER_API = 100
# An API holds at most this many live response fields: each change of one checks it against
# all the others, on the event loop, and the export renders them all as one schema.
MAX_FIELDS_PER_API = 1000
# hops of a `$ref` or a wrapper from one place to its definition, and `allOf` members merged:
# real documents take a few; a longer chain is treated as one that does not resolve
MAX_HOPS = 32
MAX_MEMBERS = 64

_INDEX = re.compile(r"0|[1-9][0-9]{0,17}")
_STATUS = re.compile(r"2[0-9][0-9]|2XX", re.IGNORECASE)
_COMPONENTS = "#/components/"
_KEYWORD_TYPES = (
    ("object", ("properties", "additionalProperties", "patternProperties", "required")),
    ("array", ("items", "prefixItems", "contains", "minItems", "maxItems", "uniqueItems")),
    ("string", ("minLength", "maxLength", "pattern", "format")),
    ("number", ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")),
)


@dataclass(frozen=True, slots=True)
class FieldView:
    path: str
    data_type: str
    nullable: bool
    description: str | None


class Sources:
    """An operation and its app's components, read by place (`Loc`)."""

    def __init__(self, operation: dict[str, Any], components: dict[str, Any] | None) -> None:
        self.roots: dict[str, Any] = {"operation": operation, "components": components or {}}

    def get(self, loc: Loc) -> Any:
        """The value at `loc`, or None when nothing is there."""
        node: Any = self.roots
        for token in loc:
            if isinstance(node, dict):
                node = node.get(token) if isinstance(token, str) else None
            elif isinstance(node, list):
                index = token if isinstance(token, int) else _list_index(token)
                node = node[index] if index is not None and index < len(node) else None
            else:
                return None
            if node is None:
                return None
        return node


def _list_index(token: str) -> int | None:
    return int(token) if _INDEX.fullmatch(token) else None


def ref_target(ref: Any) -> Loc | None:
    """The place a schema's `$ref` names under the app's components, or None."""
    if not isinstance(ref, str) or not ref.startswith(_COMPONENTS):
        return None
    tokens = unquote(ref[len(_COMPONENTS) :], errors="surrogatepass").split("/")
    return ("components", *(token.replace("~1", "/").replace("~0", "~") for token in tokens))


def nullable_member(node: dict[str, Any]) -> tuple[str, int] | None:
    """(`anyOf` or `oneOf`, the index of the other member) when `node` is a nullable wrapper."""
    for keyword in ("anyOf", "oneOf"):
        members = node.get(keyword)
        if isinstance(members, list) and len(members) == 2:
            nulls = [index for index, member in enumerate(members) if member == {"type": "null"}]
            if len(nulls) == 1 and isinstance(members[1 - nulls[0]], dict):
                return keyword, 1 - nulls[0]
    return None


@dataclass(slots=True)
class Chain:
    """The places from a schema to its definition, with their values: `locs[0]` the schema
    itself, `locs[-1]` the definition (a schema neither a followed `$ref` nor a nullable
    wrapper). `shared` is the index of the first place reached through a `$ref` (len(locs)
    when none is): what lies before it belongs to the place the schema is written at."""

    locs: list[Loc]
    values: list[Any]
    shared: int
    wrappers: list[int] = field(default_factory=list)
    refs: list[Loc] = field(default_factory=list)

    @property
    def definition(self) -> Loc:
        return self.locs[-1]


_UNREAD: Any = object()


def follow(sources: Sources, loc: Loc, value: Any = _UNREAD) -> Chain:
    """The chain of `loc` (whose value is `value`, when the caller has it); a `$ref` that
    names nothing, or one already followed, ends it."""
    node = sources.get(loc) if value is _UNREAD else value
    chain = Chain([loc], [node], shared=1_000_000)
    for _ in range(MAX_HOPS):
        if not isinstance(node, dict):
            break
        target = ref_target(node.get("$ref"))
        if target is not None:
            found = sources.get(target)
            if target in chain.locs or not isinstance(found, dict):
                break
            chain.shared = min(chain.shared, len(chain.locs))
            chain.refs.append(target)
            chain.locs.append(target)
            chain.values.append(found)
            node = found
            continue
        member = nullable_member(node)
        if member is None:
            break
        keyword, index = member
        chain.wrappers.append(len(chain.locs) - 1)
        chain.locs.append((*chain.locs[-1], keyword, index))
        node = node[keyword][index]
        chain.values.append(node)
    chain.shared = min(chain.shared, len(chain.locs))
    return chain


def explicit_types(node: Any) -> list[str]:
    kind = node.get("type") if isinstance(node, dict) else None
    if isinstance(kind, str):
        return [kind]
    return [item for item in kind if isinstance(item, str)] if isinstance(kind, list) else []


@dataclass(slots=True)
class Node:
    """A schema as the view sees it, read at one time (an edit reads it again after it)."""

    loc: Loc
    chain: Chain
    data_type: str
    nullable: bool
    description: str | None
    # the dicts whose `properties` are this object's: the definition, then `allOf` members
    holders: list[tuple[Loc, dict[str, Any]]]
    # the `$ref` targets crossed from the body's root to here
    crossed: frozenset[Loc]
    # reached through a `$ref` it already lay inside: its own fields are not shown again
    cycle: bool

    def properties(self) -> Iterator[tuple[str, Loc, Any]]:
        """Each property's name, place and schema, the first holder's winning."""
        seen: set[str] = set()
        for holder, value in self.holders:
            properties = value.get("properties")
            if not isinstance(properties, dict):
                continue
            for name, schema in properties.items():
                if name not in seen and isinstance(schema, dict):
                    seen.add(name)
                    yield name, (*holder, "properties", name), schema

    def holder_of(self, name: str) -> Loc | None:
        """The dict whose `properties` hold `name`, or None."""
        for holder, value in self.holders:
            properties = value.get("properties")
            if isinstance(properties, dict) and isinstance(properties.get(name), dict):
                return holder
        return None

    def items(self) -> tuple[Loc, Any] | None:
        definition = self.chain.values[-1]
        items = definition.get("items") if isinstance(definition, dict) else None
        return ((*self.chain.definition, "items"), items) if isinstance(items, dict) else None

    def children(self) -> Iterator[tuple[Step, Loc, Any]]:
        """What lies under this field: properties of an object, the elements of an array."""
        if self.data_type == "object":
            yield from self.properties()
        elif self.data_type == "array" and (items := self.items()) is not None:
            yield ITEMS, *items


def view(
    sources: Sources, loc: Loc, crossed: frozenset[Loc] = frozenset(), value: Any = _UNREAD
) -> Node:
    """The schema at `loc` (whose value is `value`, when the caller has it) as a field."""
    chain = follow(sources, loc, value)
    definition = chain.values[-1]
    holders = _holders(sources, chain.definition, definition)
    types = explicit_types(definition)
    for _, holder in holders[1:]:
        types = types or explicit_types(holder)
    description = None
    for node in chain.values:
        text = string_of(node, "description")
        if text is not None:
            description = text
            break
    refs = frozenset(chain.refs)
    return Node(
        loc=loc,
        chain=chain,
        data_type=_data_type(types, definition),
        nullable=bool(chain.wrappers) or "null" in types,
        description=description,
        holders=holders,
        crossed=crossed | refs if refs else crossed,
        cycle=bool(refs and crossed & refs),
    )


def string_of(node: Any, key: str) -> str | None:
    """`node[key]` when `node` is an object and that is a string, else None."""
    value = node.get(key) if isinstance(node, dict) else None
    return value if isinstance(value, str) else None


def _holders(sources: Sources, definition: Loc, value: Any) -> list[tuple[Loc, dict[str, Any]]]:
    """The definition, then the definitions of its `allOf` members, depth first, bounded."""
    if not isinstance(value, dict):
        return []
    if "allOf" not in value:
        return [(definition, value)]
    holders: list[tuple[Loc, dict[str, Any]]] = []
    seen: set[Loc] = set()
    pending: list[tuple[Loc, Any]] = [(definition, value)]
    while pending and len(holders) < MAX_MEMBERS:
        loc, node = pending.pop()
        if loc in seen or not isinstance(node, dict):
            continue
        seen.add(loc)
        holders.append((loc, node))
        members = node.get("allOf")
        if isinstance(members, list):
            places = [
                follow(sources, (*loc, "allOf", index), member)
                for index, member in enumerate(members[:MAX_MEMBERS])
            ]
            pending.extend((chain.definition, chain.values[-1]) for chain in reversed(places))
    return holders


def _data_type(types: list[str], definition: Any) -> str:
    for kind in types:
        if kind in DATA_TYPES:
            return kind
    if not isinstance(definition, dict):
        return "object"
    for kind, keywords in _KEYWORD_TYPES:
        if any(keyword in definition for keyword in keywords):
            return kind
    values = definition.get("enum")
    values = values if isinstance(values, list) else [definition.get("const")]
    for value in values:
        if value is not None:
            return _json_type(value)
    return "object"


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dict):
        return "object"
    return "array" if isinstance(value, list) else "string"


def success_response(sources: Sources) -> tuple[Loc | None, Loc | None]:
    """The place of the success response's definition and of its JSON media type (None when
    it has none); (None, None) without a 2xx response."""
    responses = sources.get(("operation", "responses"))
    if not isinstance(responses, dict):
        return None, None
    statuses = sorted(
        (status for status in responses if isinstance(status, str) and _STATUS.fullmatch(status)),
        key=lambda status: (status.upper() == "2XX", status),
    )
    first: Loc | None = None
    for status in statuses:
        definition = follow(sources, ("operation", "responses", status)).definition
        if not isinstance(sources.get(definition), dict):
            continue
        first = first or definition
        media = json_media(sources, definition)
        if media is not None:
            return definition, media
    return first, None


def json_media(sources: Sources, response: Loc) -> Loc | None:
    content = sources.get((*response, "content"))
    if not isinstance(content, dict):
        return None
    kinds = [key for key in content if isinstance(key, str) and isinstance(content[key], dict)]
    bare = [key.split(";", 1)[0].strip().lower() for key in kinds]
    for key, kind in zip(kinds, bare, strict=True):
        if kind == "application/json":
            return (*response, "content", key)
    for key, kind in zip(kinds, bare, strict=True):
        if kind.endswith("+json"):
            return (*response, "content", key)
    return None


def body_schema(sources: Sources) -> Loc | None:
    """The place of the success body's schema, or None."""
    media = success_response(sources)[1]
    return None if media is None else (*media, "schema")


def read_fields(
    operation: dict[str, Any],
    components: dict[str, Any] | None,
    *,
    limit: int = MAX_FIELDS_PER_API,
) -> list[FieldView]:
    """The fields of the success body, breadth first, at most `limit`."""
    sources = Sources(operation, components)
    root_loc = body_schema(sources)
    if root_loc is None or not isinstance(sources.get(root_loc), dict):
        return []
    fields: list[FieldView] = []
    pending: deque[tuple[str, Node]] = deque([("", view(sources, root_loc))])
    while pending and len(fields) < limit:
        parent_path, parent = pending.popleft()
        for step, loc, value in parent.children():
            path = child_path(parent_path, step)
            if path is None or len(path) > FIELD_MAX_LENGTH:
                continue
            node = view(sources, loc, parent.crossed, value)
            description = node.description
            if description is not None:
                description = description[:FIELD_DESCRIPTION_MAX]
            fields.append(FieldView(path, node.data_type, node.nullable, description))
            if len(fields) >= limit:
                break
            if not node.cycle:
                pending.append((path, node))
    return fields
