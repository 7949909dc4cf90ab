"""The rules of OpenAPI 3.1 that its JSON Schema cannot express, checked in one walk.

The same rules as openapi-spec-validator 0.9's, so that a document this accepts is one that
validator accepts too (SPEC: every export is valid for it), and two it lacks:

- an `operationId` is unique among all operations written in the document (paths, webhooks,
  callbacks, `components.pathItems`), as the specification says ("among all operations
  described in the API"; openapi-spec-validator looks at `paths` only): the second and later
  are problems;
- each `{name}` of a path template under `paths` is declared by every operation of the path,
  as an `in: path` parameter of the operation or of its Path Item; a declared `in: path`
  parameter is in the template; one Path Item written as a `$ref` is checked as its target;
- a path parameter is `required: true` (the JSON Schema requires it only of a parameter with a
  `schema`, and openapi-spec-validator no more; this covers one with `content` as well);
- one parameters list has no two parameters with the same `name` and `in`;
- tag names are unique.

A parameter written as a local `$ref` is read through it (with a bound on chains); one that
does not resolve is left to `refs.check_references`, which runs before. Schema Objects are
handed to `validation_schemas` in the same walk. Values of the wrong type are the JSON
Schema's problems, already reported: here they are skipped, never a crash.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from apidock.descriptions.json_values import local_target
from apidock.descriptions.openapi_names import METHODS, operations_of
from apidock.descriptions.problems import Problem
from apidock.descriptions.refs_walk import Path, pointer_of, shapes_of, walk
from apidock.descriptions.validation_schemas import SchemaChecks

_TEMPLATE_NAME = re.compile(r"\{([^{}]+)\}")
# A reference to a reference to ...: real documents chain two at most.
_MAX_HOPS = 32
_SHAPES = shapes_of("openapi")
_PATHS: Path = (None, "paths")


def semantic_problems(document: dict[str, Any]) -> Iterator[Problem]:
    """The problems of the rules above and of the Schema Objects in `document` (OpenAPI 3.1,
    read only): the tags first, then in document order."""
    yield from _duplicate_tags(document)
    operation_ids: dict[str, Path] = {}
    schemas = SchemaChecks(document)
    for node, shape, path, _ in walk(document, "openapi"):
        if shape.schema:
            yield from schemas.problems_of(node, path)
        elif shape is _SHAPES["operation"]:
            yield from _duplicate_operation_id(node, path, operation_ids)
        elif shape is _SHAPES["path_item"]:
            yield from _parameter_lists(document, node, path)
            if path is not None and path[0] == _PATHS:
                yield from _template_problems(document, str(path[1]), node, path)
        elif shape is _SHAPES["parameter"] and node.get("in") == "path":
            yield from _optional_path_parameter(node, path)


def _duplicate_operation_id(
    operation: dict[str, Any], path: Path, seen: dict[str, Path]
) -> Iterator[Problem]:
    name = operation.get("operationId")
    if not isinstance(name, str):
        return
    first = seen.setdefault(name, path)
    if first is not path:
        yield Problem(
            pointer_of((path, "operationId")),
            f"operationId {name!r} is already the id of the operation at {pointer_of(first)}",
            "openapi.operation_id.duplicate",
        )


def _resolved(document: dict[str, Any], value: Any) -> Any:
    """`value`, or what its local `$ref` chain names; None when that names nothing."""
    for _ in range(_MAX_HOPS):
        if not isinstance(value, dict):
            return value
        target = value.get("$ref")
        if not isinstance(target, str):
            return value
        value = local_target(document, target)
    return None


def _parameters(document: dict[str, Any], owner: Any, path: Path) -> list[tuple[Any, Path]]:
    """The parameters of `owner` (an operation or a Path Item), each read through its `$ref`,
    with the path where it is written in the list."""
    listed = owner.get("parameters") if isinstance(owner, dict) else None
    if not isinstance(listed, list):
        return []
    found: list[tuple[Any, Path]] = []
    for index, item in enumerate(listed):
        parameter = _resolved(document, item)
        if isinstance(parameter, dict):
            found.append((parameter, ((path, "parameters"), index)))
    return found


def _parameter_lists(
    document: dict[str, Any], item: dict[str, Any], path: Path
) -> Iterator[Problem]:
    """No parameter twice in the Path Item's list, nor in any of its operations' lists."""
    owners: list[tuple[Any, Path]] = [(item, path)]
    owners += [(item[method], (path, method)) for method in METHODS if method in item]
    for owner, owner_path in owners:
        seen: set[tuple[str, str]] = set()
        for parameter, at in _parameters(document, owner, owner_path):
            name, where = parameter.get("name"), parameter.get("in")
            if not isinstance(name, str) or not isinstance(where, str):
                continue
            if (name, where) in seen:
                yield Problem(
                    pointer_of(at),
                    f"parameter {name!r} in {where} is already in this list",
                    "openapi.parameter.duplicate",
                )
            seen.add((name, where))


def _template_problems(
    document: dict[str, Any], template: str, item: dict[str, Any], path: Path
) -> Iterator[Problem]:
    """The path template `template` against the path parameters of `item`'s operations."""
    wanted = list(dict.fromkeys(_TEMPLATE_NAME.findall(template)))
    if isinstance(item.get("$ref"), str):
        # The operations are the target's; the problems are named at this `$ref`.
        target = _resolved(document, item)
        if not isinstance(target, dict):
            return
        item, where = target, (path, "$ref")
    else:
        where = None
    shared = _path_parameters(document, item, path)
    for parameter_name, at in shared:
        if parameter_name not in wanted:
            yield _unknown(parameter_name, template, where or at)
    shared_names = {name for name, _ in shared}
    for method, operation in operations_of(item):
        own = _path_parameters(document, operation, (path, method))
        for parameter_name, at in own:
            if parameter_name not in wanted:
                yield _unknown(parameter_name, template, where or at)
        declared = shared_names | {name for name, _ in own}
        for name in wanted:
            if name not in declared:
                yield Problem(
                    pointer_of(where or (path, method)),
                    f"path parameter {name!r} of {template!r} is not declared by the {method} "
                    "operation nor by its path item",
                    "openapi.path_parameter.undeclared",
                )


def _path_parameters(document: dict[str, Any], owner: Any, path: Path) -> list[tuple[str, Path]]:
    return [
        (parameter["name"], at)
        for parameter, at in _parameters(document, owner, path)
        if parameter.get("in") == "path" and isinstance(parameter.get("name"), str)
    ]


def _unknown(name: str, template: str, at: Path) -> Problem:
    return Problem(
        pointer_of(at),
        f"path parameter {name!r} is not in the path template {template!r}",
        "openapi.path_parameter.unknown",
    )


def _optional_path_parameter(parameter: dict[str, Any], path: Path) -> Iterator[Problem]:
    # With a `schema`, the JSON Schema of OpenAPI already requires `required: true`.
    if parameter.get("required") is not True and "schema" not in parameter:
        yield Problem(
            pointer_of(path),
            "a path parameter must have required: true",
            "openapi.path_parameter.optional",
        )


def _duplicate_tags(document: dict[str, Any]) -> Iterator[Problem]:
    tags = document.get("tags")
    if not isinstance(tags, list):
        return
    seen: set[str] = set()
    for index, tag in enumerate(tags):
        name = tag.get("name") if isinstance(tag, dict) else None
        if not isinstance(name, str):
            continue
        if name in seen:
            yield Problem(
                pointer_of((((None, "tags"), index), "name")),
                f"tag {name!r} is already defined",
                "openapi.tag.duplicate",
            )
        seen.add(name)
