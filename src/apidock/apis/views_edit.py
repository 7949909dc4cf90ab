"""What a field write through the flat routes does to a described API's operation and its
app's components: pure functions on a copy-on-write `Draft`, raising `ViewRefused` with the status
and message the original's routes give for the same mistake.

A field lives where its schema is written. Decisions (the README's "a field edit of a shared
component"):
- Through a `$ref` to a shared component (`#/components/schemas/Pet`), what is defined there
  is edited there, and every operation using it sees the change: adding a field under it,
  or changing the type, description or nullability of a field that is one of its properties.
- What belongs to the place that refers keeps to that place. A field whose own schema is a
  `$ref` (`pet: {$ref: Pet}`) is renamed, moved or deleted as that reference (the component
  is untouched; the fields it lends go with it, and a delete is not refused for them); its
  description is written beside the `$ref` (3.1 lets it override the target's); `nullable`
  wraps it as `anyOf: [{$ref}, {type: "null"}]`, as the 3.0 conversion writes it, instead of
  making the component nullable for every use. Its type is the component's: changing it
  edits the component.
- A new field is `{"type": t}` or `{"type": [t, "null"]}` with its description, as the export
  of the original writes one; missing parents are made objects or arrays as the path says. A
  body without a success response, JSON media type or schema gets them (`200`,
  `application/json`).
- A write changes only what it names: a rename moves the schema as written (with its place in
  the parent's `required`), a description leaves the type alone.
(Examples: `views_examples`.)
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from apidock.apis.views_paths import ITEMS, Step, child_path, parse_path
from apidock.apis.views_schema import (
    Loc,
    Sources,
    Token,
    body_schema,
    explicit_types,
    nullable_member,
    success_response,
    view,
)
from apidock.descriptions.from_openapi30 import ANNOTATIONS


class ViewRefused(Exception):
    """A flat write the view refuses: `status` 409 or 422, about the body's `field`."""

    def __init__(self, status: int, message: str, field: str = "field") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


class Draft(Sources):
    """Sources edited copy-on-write: each container on the way to a change is copied once,
    so the stored JSON is never changed in place (the session compares the old value with
    the new one) and an edit copies only the path it changes. `touched` names the roots
    changed ("operation", "components")."""

    def __init__(self, operation: dict[str, Any], components: dict[str, Any] | None) -> None:
        super().__init__(operation, components)
        self.roots = dict(self.roots)
        # the containers made here, held so that no id is reused while the draft lives
        self._owned: dict[int, Any] = {id(self.roots): self.roots}
        self.touched: set[str] = set()

    def own(self, loc: Loc) -> Any:
        """The container at `loc`, copied (with those above it) unless copied already."""
        node: Any = self.roots
        for token in loc:
            key = _key(node, token)
            child = node[key]
            if id(child) not in self._owned:
                child = copy.copy(child)
                node[key] = child
                self._owned[id(child)] = child
            node = child
        if loc:
            self.touched.add(str(loc[0]))
        return node

    def put(self, loc: Loc, value: Any) -> None:
        parent = self.own(loc[:-1])
        parent[_key(parent, loc[-1])] = value
        self.touched.add(str(loc[0]))

    def remove(self, loc: Loc) -> None:
        parent = self.own(loc[:-1])
        del parent[_key(parent, loc[-1])]

    def ensure_dict(self, loc: Loc) -> dict[str, Any]:
        if not isinstance(self.get(loc), dict):
            self.put(loc, {})
        owned: dict[str, Any] = self.own(loc)
        return owned


def _key(node: Any, token: Token) -> Any:
    return int(token) if isinstance(node, list) else token


def _steps(path: str) -> list[Step]:
    steps = parse_path(path)
    if steps is None:
        raise ViewRefused(422, f"{path!r} is not a dot path")
    return steps


def new_field(data_type: str, nullable: bool, description: str | None) -> dict[str, Any]:
    field: dict[str, Any] = {"type": [data_type, "null"] if nullable else data_type}
    if description:
        field["description"] = description
    return field


def _step(sources: Sources, loc: Loc, step: Step) -> tuple[Loc, bool]:
    """The place of `step` under the schema at `loc`, and whether something is there."""
    node = view(sources, loc)
    definition = node.chain.definition
    if step is ITEMS:
        items = (*definition, "items")
        return items, isinstance(sources.get(items), dict)
    holder = node.holder_of(step)
    if holder is not None:
        return (*holder, "properties", step), True
    return (*definition, "properties", step), False


def locate(sources: Sources, path: str) -> Loc | None:
    """The place of the schema of the field `path`, or None when the body has no such field."""
    loc = body_schema(sources)
    if loc is None or not isinstance(sources.get(loc), dict):
        return None
    for step in _steps(path):
        node = view(sources, loc)
        if node.data_type != ("array" if step is ITEMS else "object"):
            return None
        loc, found = _step(sources, loc, step)
        if not found:
            return None
    return loc


def _root(draft: Draft, first: Step) -> Loc:
    """The place of the body's schema, made (with the response and media type) if missing."""
    media = media_of(draft)
    schema = (*media, "schema")
    if not isinstance(draft.get(schema), dict):
        draft.put(schema, {"type": "array" if first is ITEMS else "object"})
    return schema


def media_of(draft: Draft) -> Loc:
    """The place of the success body's JSON media type, made (with a `200`) if missing."""
    response, media = success_response(draft)
    if media is not None:
        return media
    if response is None:
        draft.ensure_dict(("operation", "responses"))
        response = ("operation", "responses", "200")
        draft.put(response, {"description": "Success"})
    draft.ensure_dict((*response, "content"))
    media = (*response, "content", "application/json")
    draft.put(media, {})
    return media


def place(draft: Draft, path: str, value: dict[str, Any], *, required: bool = False) -> Loc:
    """Write the schema `value` as the field `path`, making its parents; 409 when the body
    has that field, 422 when a parent is not the container the path says."""
    steps = _steps(path)
    loc = _root(draft, steps[0])
    parent_path = ""
    for index, step in enumerate(steps):
        node = view(draft, loc)
        needed = "array" if step is ITEMS else "object"
        where = repr(parent_path) if parent_path else "the body"
        if node.data_type != needed:
            raise ViewRefused(
                422, f"{path!r} lies under {where}, which is {node.data_type}, not {needed}"
            )
        _refuse_opaque(draft, node.chain.definition, where)
        child, found = _step(draft, loc, step)
        if index == len(steps) - 1:
            if found:
                raise ViewRefused(409, f"The API already documents the field {path!r}")
            holder = child[:-2] if step is not ITEMS else child[:-1]
            if step is not ITEMS:
                draft.ensure_dict((*holder, "properties"))
            draft.put(child, value)
            if required and step is not ITEMS:
                names = draft.get((*holder, "required"))
                draft.put(
                    (*holder, "required"), [*(names if isinstance(names, list) else []), step]
                )
            return child
        if not found:
            if step is not ITEMS:
                draft.ensure_dict((*child[:-2], "properties"))
            draft.put(child, {"type": "array" if steps[index + 1] is ITEMS else "object"})
        loc = child
        parent_path = child_path(parent_path, step) or parent_path
    raise AssertionError("a path has at least one step")


def _refuse_opaque(sources: Sources, definition: Loc, where: str) -> None:
    ref = sources.get((*definition, "$ref"))
    if ref is not None:
        raise ViewRefused(
            409,
            f"{where} is a reference this view does not follow ({ref!s:.200}); "
            "change the operation",
        )


def _found(sources: Sources, path: str) -> Loc:
    loc = locate(sources, path)
    if loc is None:
        raise ViewRefused(409, f"The operation has no field {path!r} any more; read it again")
    return loc


def add_field(
    draft: Draft, path: str, *, data_type: str, nullable: bool, description: str | None
) -> None:
    """The field `path` added to the success body."""
    place(draft, path, new_field(data_type, nullable, description))


def change_field(draft: Draft, path: str, values: Mapping[str, Any]) -> str:
    """The field `path` with `values` (a PATCH body's) applied; its path after them."""
    loc = _found(draft, path)
    new_path = values.get("field") or path
    if new_path != path:
        if new_path.startswith((f"{path}.", f"{path}[]")):
            raise ViewRefused(422, f"{path!r} cannot move under itself")
        if locate(draft, new_path) is not None:
            raise ViewRefused(409, f"The API already documents the field {new_path!r}")
        moved, required = _take(draft, path, loc)
        loc = place(draft, new_path, moved, required=required)
    if values.get("data_type") is not None:
        _retype(draft, new_path, loc, values["data_type"])
    if values.get("nullable") is not None:
        _set_nullable(draft, loc, values["nullable"])
    if "description" in values:
        _describe(draft, loc, values["description"])
    return str(new_path)


def remove_field(draft: Draft, path: str) -> None:
    """The field `path` taken out; 409 while fields of its own lie under it."""
    loc = _found(draft, path)
    node = view(draft, loc)
    if node.chain.shared == len(node.chain.locs):
        under = [child_path(path, step) or str(step) for step, _, _ in node.children()]
        if under:
            raise ViewRefused(
                409, f"Fields are declared under {path!r}: {', '.join(sorted(under))}"
            )
    _take(draft, path, loc)


def _take(draft: Draft, path: str, loc: Loc) -> tuple[Any, bool]:
    """Remove the field at `loc`; its schema and whether its parent required it."""
    value = draft.get(loc)
    draft.remove(loc)
    last = _steps(path)[-1]
    if last is ITEMS:
        return value, False
    holder = loc[:-2]
    names = draft.get((*holder, "required"))
    if not isinstance(names, list) or last not in names:
        return value, False
    rest = [name for name in names if name != last]
    if rest:
        draft.put((*holder, "required"), rest)
    else:
        draft.remove((*holder, "required"))
    return value, True


def _retype(draft: Draft, path: str, loc: Loc, data_type: str) -> None:
    node = view(draft, loc)
    if node.data_type == data_type:
        return
    under = next(node.children(), None)
    if under is not None:
        child = child_path(path, under[0]) or path
        raise ViewRefused(422, f"{path!r} must be {node.data_type}: {child!r} is declared under it")
    definition = node.chain.definition
    _refuse_opaque(draft, definition, repr(path))
    types = explicit_types(draft.get(definition))
    draft.own(definition)["type"] = [data_type, "null"] if "null" in types else data_type


def _set_nullable(draft: Draft, loc: Loc, nullable: bool) -> None:
    # at most: a wrapper at the field, one in a component, the type's "null"
    for _ in range(4):
        node = view(draft, loc)
        if node.nullable == nullable:
            return
        chain = node.chain
        if nullable and chain.shared < len(chain.locs):
            draft.put(loc, _wrapped(draft.get(loc)))
        elif nullable:
            types = explicit_types(draft.get(chain.definition)) or [node.data_type]
            draft.own(chain.definition)["type"] = [*types, "null"]
        elif chain.wrappers:
            draft.put(
                chain.locs[chain.wrappers[0]], _unwrapped(draft.get(chain.locs[chain.wrappers[0]]))
            )
        else:
            rest = [kind for kind in explicit_types(draft.get(chain.definition)) if kind != "null"]
            draft.own(chain.definition)["type"] = (
                (rest or [node.data_type])[0] if len(rest) <= 1 else rest
            )


def _wrapped(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` or null: `anyOf` of it and `{type: null}`, its annotations outside."""
    outer = {key: value for key, value in schema.items() if key in ANNOTATIONS}
    inner = {key: value for key, value in schema.items() if key not in ANNOTATIONS}
    return {**outer, "anyOf": [inner, {"type": "null"}]}


def _unwrapped(wrapper: dict[str, Any]) -> dict[str, Any]:
    member = nullable_member(wrapper)
    assert member is not None
    keyword, index = member
    outer = {key: value for key, value in wrapper.items() if key != keyword}
    return {**wrapper[keyword][index], **outer}


def _describe(draft: Draft, loc: Loc, description: str | None) -> None:
    if description is not None:
        draft.own(loc)["description"] = description
        return
    chain = view(draft, loc).chain
    for at in chain.locs[: chain.shared]:
        if isinstance(draft.get(at), dict) and "description" in draft.get(at):
            del draft.own(at)["description"]
