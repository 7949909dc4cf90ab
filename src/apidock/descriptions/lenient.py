"""The fixes a lenient import makes to a document once it is OpenAPI 3.1, each one reported.

SPEC: a document that parses, has a known format and whose references resolve is imported
even when a validator would complain; what was changed is a `warnings` entry, what could not
be carried a `lost` one. The fixes here are the mistakes real documents make most and that
`redocly lint` and openapi-spec-validator reject:

- keywords of the wrong type (`lenient_types`);
- duplicate `operationId`s: the first keeps its name, a later one gets the next free
  `<name>_<n>` from 2 (Links naming the id are left alone: which operation they meant is not
  knowable);
- path parameters: a `{name}` of a path template that no parameter declares is declared (a
  required string, the loosest type a path segment has), at the path level when every
  operation lacks it, else on each operation that does; a path parameter not `required: true`
  (the specification requires it) is made required;
- a draft-03 boolean `required` on a property schema, a media type written as a `$ref` to a
  schema, the 3.0 keyword `nullable` left in a 3.1 schema, a `pattern` that Python's `re`
  does not compile (`lenient_schemas`, `lenient_patterns`).

A Path Item that is a `$ref` keeps its template unchecked: its operations are shared with
whatever else references it, so declaring a parameter there would be a guess.

Every walk is iterative (callbacks nest operations without bound) and linear in the size of
the document. Pointers are into the 3.1 document, passed through `source_pointer` to name the
place in the document as sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from apidock.descriptions import lenient_types as rules
from apidock.descriptions.json_values import local_target
from apidock.descriptions.lenient_schemas import fix_by_structure
from apidock.descriptions.lenient_types import TypeFixer
from apidock.descriptions.openapi_names import operations_of
from apidock.descriptions.problems import Report
from apidock.descriptions.refs_walk import Path

_TEMPLATE_NAME = re.compile(r"\{([^{}]+)\}")


def _identity(json_pointer: str) -> str:
    return json_pointer


def make_lenient_fixes(
    document: dict[str, Any],
    report: Report,
    *,
    source_pointer: Callable[[str], str] = _identity,
) -> None:
    """Fix `document` (OpenAPI 3.1, mutated in place) as a lenient import may, reporting each
    fix at `source_pointer(<pointer in document>)`.

    `source_pointer` maps a pointer of the 3.1 document back to the document as sent, for a
    converter that moved things (Swagger 2.0); for OpenAPI 3.x input it is the identity.
    """
    fixer = TypeFixer(report, source_pointer)
    _fix_root(document, fixer)
    operations: list[tuple[dict[str, Any], Path]] = []
    for item, path, template in _path_items(document):
        fixer.fix(item, path, rules.PATH_ITEM)
        _fix_parameters(document, item, path, fixer)
        here: list[tuple[dict[str, Any], Path]] = [
            (operation, (path, method)) for method, operation in operations_of(item)
        ]
        for operation, operation_path in here:
            fixer.fix(operation, operation_path, rules.OPERATION)
            _fix_parameters(document, operation, operation_path, fixer)
            _fix_inline(operation, operation_path, fixer)
        if template is not None and "$ref" not in item:
            _declare_template_parameters(document, template, item, path, here, fixer)
        operations.extend(here)
    _rename_duplicate_operation_ids(operations, fixer)
    fix_by_structure(document, fixer)


def _fix_root(document: dict[str, Any], fixer: TypeFixer) -> None:
    fixer.fix(document, None, rules.ROOT)
    if isinstance(document.get("info"), dict):
        fixer.fix(document["info"], (None, "info"), rules.INFO)
    tags = document.get("tags")
    if isinstance(tags, list):
        for index, tag in enumerate(tags):
            if isinstance(tag, str | int | float) and not isinstance(tag, bool):
                tags[index] = {"name": str(tag)}
                fixer.report.warn(
                    fixer.at(((None, "tags"), index)),
                    f"a tag is an object with a name: {tag!r} kept as {{name: {str(tag)!r}}}",
                )
        fixer.fix_list_of_objects(document, "tags", None, "tag")
        for index, tag in enumerate(tags):
            fixer.fix(tag, ((None, "tags"), index), rules.TAG)
    components = document.get("components")
    if not isinstance(components, dict):
        return
    path: Path = (None, "components")
    fixer.fix(components, path, rules.COMPONENTS)
    for kind, member_rules in (
        ("parameters", rules.PARAMETER),
        ("headers", rules.PARAMETER),
        ("requestBodies", rules.REQUEST_BODY),
        ("responses", rules.RESPONSE),
    ):
        for name, member in components.get(kind, {}).items():
            if isinstance(member, dict) and "$ref" not in member:
                member_path: Path = ((path, kind), name)
                fixer.fix(member, member_path, member_rules)
                if kind == "parameters":
                    _require_path_parameter(member, member_path, fixer)


def _path_items(document: dict[str, Any]) -> Iterator[tuple[dict[str, Any], Path, str | None]]:
    """Every Path Item in document order with its path and, under `paths`, its template: the
    paths, the webhooks, `components.pathItems` and `components.callbacks`, and the callbacks
    of every operation among them. The items' operations are read after each yield, so the
    caller may fix them first."""
    roots: list[tuple[dict[str, Any], Path, str | None]] = []
    paths = document.get("paths")
    if isinstance(paths, dict):
        for template, item in paths.items():
            if not template.startswith("x-") and isinstance(item, dict):
                roots.append((item, ((None, "paths"), template), template))
    components = document.get("components")
    components = components if isinstance(components, dict) else {}
    for container, where in (
        (document.get("webhooks"), (None, "webhooks")),
        (components.get("pathItems"), ((None, "components"), "pathItems")),
    ):
        if isinstance(container, dict):
            roots.extend(
                (item, (where, name), None)
                for name, item in container.items()
                if isinstance(item, dict)
            )
    callbacks = components.get("callbacks")
    if isinstance(callbacks, dict):
        roots.extend(_callback_items(callbacks, ((None, "components"), "callbacks")))
    stack = roots[::-1]
    while stack:
        item, path, template = stack.pop()
        yield item, path, template
        found: list[tuple[dict[str, Any], Path, str | None]] = []
        for method, operation in operations_of(item):
            if isinstance(operation.get("callbacks"), dict):
                found.extend(_callback_items(operation["callbacks"], ((path, method), "callbacks")))
        stack.extend(reversed(found))


def _callback_items(
    callbacks: dict[str, Any], path: Path
) -> Iterator[tuple[dict[str, Any], Path, str | None]]:
    """The Path Items of a callbacks map (a Callback that is a `$ref` has none here)."""
    for name, callback in callbacks.items():
        if isinstance(callback, dict) and "$ref" not in callback:
            for expression, item in callback.items():
                if not expression.startswith("x-") and isinstance(item, dict):
                    yield item, ((path, name), expression), None


def _fix_parameters(
    document: dict[str, Any], obj: dict[str, Any], path: Path, fixer: TypeFixer
) -> None:
    fixer.fix_list_of_objects(obj, "parameters", path, "parameter")
    for index, parameter in enumerate(obj.get("parameters", ())):
        if "$ref" not in parameter:
            fixer.fix(parameter, ((path, "parameters"), index), rules.PARAMETER)
            _require_path_parameter(parameter, ((path, "parameters"), index), fixer)


def _fix_inline(operation: dict[str, Any], path: Path, fixer: TypeFixer) -> None:
    body = operation.get("requestBody")
    if isinstance(body, dict) and "$ref" not in body:
        fixer.fix(body, (path, "requestBody"), rules.REQUEST_BODY)
    responses = operation.get("responses")
    if isinstance(responses, dict):
        for status, response in responses.items():
            if isinstance(response, dict) and "$ref" not in response:
                fixer.fix(response, ((path, "responses"), status), rules.RESPONSE)


def _require_path_parameter(parameter: dict[str, Any], path: Path, fixer: TypeFixer) -> None:
    if parameter.get("in") == "path" and parameter.get("required") is not True:
        at = (path, "required") if "required" in parameter else path
        parameter["required"] = True
        fixer.report.warn(fixer.at(at), "a path parameter is always required: now required")


def _referenced(document: dict[str, Any], parameter: dict[str, Any]) -> Any:
    """The Parameter a `$ref` names (references were checked: a miss means no parameter)."""
    target = parameter.get("$ref")
    if not isinstance(target, str):
        return parameter
    return local_target(document, target)


def _path_names(document: dict[str, Any], obj: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for parameter in obj.get("parameters", ()):
        declared = _referenced(document, parameter)
        if isinstance(declared, dict) and declared.get("in") == "path":
            names.add(str(declared.get("name")))
    return names


def _declare_template_parameters(
    document: dict[str, Any],
    template: str,
    item: dict[str, Any],
    path: Path,
    operations: list[tuple[dict[str, Any], Path]],
    fixer: TypeFixer,
) -> None:
    wanted = list(dict.fromkeys(_TEMPLATE_NAME.findall(template)))
    missing = [name for name in wanted if name not in _path_names(document, item)]
    if not missing or not operations:
        return
    lacking = {
        id(op): [n for n in missing if n not in _path_names(document, op)] for op, _ in operations
    }
    for name in missing:
        if all(name in lacking[id(op)] for op, _ in operations):
            _declare(item, path, name, fixer, "the path")
        else:
            for operation, operation_path in operations:
                if name in lacking[id(operation)]:
                    _declare(operation, operation_path, name, fixer, "this operation")


def _declare(obj: dict[str, Any], path: Path, name: str, fixer: TypeFixer, where: str) -> None:
    parameter = {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
    obj.setdefault("parameters", []).append(parameter)
    fixer.report.warn(
        fixer.at(path),
        f"path parameter {name!r} is in the template but not declared: declared on {where} "
        "as a required string",
    )


def _rename_duplicate_operation_ids(
    operations: list[tuple[dict[str, Any], Path]], fixer: TypeFixer
) -> None:
    taken = {op["operationId"] for op, _ in operations if isinstance(op.get("operationId"), str)}
    seen: set[str] = set()
    next_suffix: dict[str, int] = {}
    for operation, path in operations:
        name = operation.get("operationId")
        if not isinstance(name, str):
            continue
        if name not in seen:
            seen.add(name)
            continue
        suffix = next_suffix.get(name, 2)
        while f"{name}_{suffix}" in taken:
            suffix += 1
        next_suffix[name] = suffix + 1
        new = f"{name}_{suffix}"
        taken.add(new)
        seen.add(new)
        operation["operationId"] = new
        fixer.report.warn(
            fixer.at((path, "operationId")),
            f"operationId {name!r} is used by an earlier operation: renamed {new!r}",
        )
