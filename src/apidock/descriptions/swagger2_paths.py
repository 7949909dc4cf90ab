"""Swagger 2.0 → OpenAPI 3.1: path items and operations.

An operation's `body`, `formData` and file parameters (its own and its path item's, unless
it overrides them by name and location) become its `requestBody`; the rest stay parameters,
a path item's at the path item. Unlike swagger2openapi, a path item's body parameter reaches
an operation that has no `parameters` of its own (the reference drops it there). The media
types come from the operation's `consumes`/`produces`, else the document's. An operation's
`schemes` that differ from the document's become its own `servers`. `consumes`, `produces`
and `schemes` themselves go: their meaning has moved.

`x-ms-paths` (AutoRest's second paths object, for paths that differ by query string) is
converted as `paths` is, as the reference does, so that its references follow the components.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from apidock.descriptions.openapi_names import METHODS, operations_of
from apidock.descriptions.problems import child, pointer
from apidock.descriptions.swagger2_bodies import BodyUse, body_name
from apidock.descriptions.swagger2_parameters import (
    FORM,
    SCHEMA_KEYS,
    URLENCODED,
    Piece,
    convert_parameter,
    kind_of,
    media_list,
    request_body,
    request_piece,
)
from apidock.descriptions.swagger2_refs import local_reference
from apidock.descriptions.swagger2_responses import convert_responses, response_moves
from apidock.descriptions.swagger2_schemas import Conversion
from apidock.descriptions.swagger2_security import requirements
from apidock.descriptions.swagger2_servers import operation_servers

_TEXT_FIELDS = ("summary", "description", "operationId")


@dataclass(slots=True)
class Swagger2Document:
    """What every operation's conversion reads of the whole document."""

    conv: Conversion
    consumes: list[str]
    produces: list[str]
    schemes: list[str] | None
    servers: list[dict[str, Any]]
    parameters: dict[str, Any]
    security_names: dict[str, str]
    bodies: list[BodyUse] = field(default_factory=list)
    _pieces: dict[str, Piece] = field(default_factory=dict)
    _media: dict[int, tuple[list[str], list[str]]] = field(default_factory=dict)

    def resolve(self, parameter: dict[str, Any], at: str) -> tuple[dict[str, Any], str]:
        """A parameter or what its `$ref` names in `parameters`, and its pointer."""
        ref = parameter.get("$ref")
        if isinstance(ref, str):
            parsed = local_reference(ref)
            if parsed is not None and len(parsed[0]) == 2 and parsed[0][0] == "parameters":
                name = parsed[0][1]
                target = self.parameters.get(name)
                if isinstance(target, dict) and "$ref" not in target:
                    return target, pointer("parameters", name)
        return parameter, at

    def piece(self, parameter: dict[str, Any], at: str) -> Piece:
        """The request-body piece of the parameter at `at`: converted (and reported) once; a
        shared one, from `parameters`, is a copy for each operation after the first."""
        cached = self._pieces.get(at)
        if cached is None:
            cached = request_piece(self.conv, parameter, at)
            self._pieces[at] = cached
            return cached
        return self.copy(cached)

    def copy(self, piece: Piece) -> Piece:
        """A piece whose values no other operation holds."""
        clone = self.conv.clone
        return dataclasses.replace(
            piece, schema=clone(piece.schema), extensions=clone(piece.extensions)
        )

    def used(self, at: str) -> bool:
        """Whether an operation took the body or form parameter at `at`."""
        return at in self._pieces

    def media(self, operation: dict[str, Any], at: str) -> tuple[list[str], list[str]]:
        """The operation's consumes and produces (reported once: the plan reads them first)."""
        known = self._media.get(id(operation))
        if known is None:
            consumes = media_list(self.conv, operation.get("consumes"), child(at, "consumes"))
            produces = media_list(self.conv, operation.get("produces"), child(at, "produces"))
            known = (
                self.consumes if consumes is None else consumes,
                self.produces if produces is None else produces,
            )
            self._media[id(operation)] = known
        return known


def _key(parameter: dict[str, Any]) -> tuple[Any, ...]:
    """What an operation's parameter overrides a path item's by: its name and location (a
    parameter without them overrides nothing)."""
    name, where = parameter.get("name"), parameter.get("in")
    if isinstance(name, str) and isinstance(where, str):
        return name, where
    return (id(parameter),)


def plan_moves(doc: Swagger2Document, paths: Any, section: str) -> None:
    """Record where each operation's parameters and responses go, before converting anything,
    so that a reference into a path is rewritten wherever it is met."""
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        base = [section, path]
        _parameter_moves(doc, item.get("parameters"), base, None)
        for method, operation in operations_of(item):
            at = pointer(*base, method)
            consumes, produces = doc.media(operation, at)
            _parameter_moves(doc, operation.get("parameters"), [*base, method], consumes)
            responses = operation.get("responses")
            if isinstance(responses, dict):
                for status, response in responses.items():
                    source = [*base, method, "responses", status]
                    response_moves(doc.conv.moves, source, source, response, produces)


def _parameter_moves(
    doc: Swagger2Document, parameters: Any, base: list[str], consumes: list[str] | None
) -> None:
    if not isinstance(parameters, list):
        return
    moves = doc.conv.moves
    kept = 0
    for index, parameter in enumerate(parameters):
        if not isinstance(parameter, dict):
            continue
        resolved = doc.resolve(parameter, "")[0]
        source = [*base, "parameters", str(index)]
        kind = kind_of(resolved)
        if kind == "other":
            target = [*base, "parameters", str(kept)]
            kept += 1
            moves.add(source, target)
            if resolved is parameter:
                for key in SCHEMA_KEYS:
                    if key in parameter:
                        moves.add([*source, key], [*target, "schema", key])
        elif consumes is not None and resolved is parameter:
            body = [*base, "requestBody", "content"]
            if kind == "body":
                media_type = (consumes or ["application/json"])[0]
                moves.add([*source, "schema"], [*body, media_type, "schema"])
            elif kind == "form" and isinstance(parameter.get("name"), str):
                media_type = FORM if FORM in consumes else URLENCODED
                name = parameter["name"]
                moves.add(source, [*body, media_type, "schema", "properties", name])


def convert_paths(doc: Swagger2Document, paths: Any, section: str) -> dict[str, Any]:
    """A `paths` (or `x-ms-paths`) object, converted."""
    if not isinstance(paths, dict):
        doc.conv.report.lose(pointer(section), f"{section} must be an object")
        return {}
    converted: dict[str, Any] = {}
    for path, item in paths.items():
        at = pointer(section, path)
        if path.startswith("x-"):
            converted[path] = doc.conv.data(item)
        elif isinstance(item, dict):
            converted[path] = _path_item(doc, item, at, path)
        else:
            doc.conv.report.lose(at, "a path item must be an object")
    return converted


def _parameters(
    doc: Swagger2Document, value: Any, at: str
) -> tuple[list[Any], list[tuple[tuple[Any, ...], Piece]], set[tuple[Any, ...]]]:
    """A parameters list: the 3.x parameters, the request-body pieces, and every (name, in)."""
    conv = doc.conv
    if not isinstance(value, list):
        conv.report.lose(at, "parameters must be an array")
        return [], [], set()
    kept: list[Any] = []
    pieces: list[tuple[tuple[Any, ...], Piece]] = []
    keys: set[tuple[Any, ...]] = set()
    for index, parameter in enumerate(value):
        where = child(at, index)
        if not isinstance(parameter, dict):
            conv.report.lose(where, "a parameter must be an object")
            continue
        resolved, source_at = doc.resolve(parameter, where)
        key = _key(resolved)
        keys.add(key)
        if kind_of(resolved) != "other":
            pieces.append((key, doc.piece(resolved, source_at)))
        elif isinstance(parameter.get("$ref"), str):
            reference = {"$ref": conv.ref(parameter["$ref"], child(where, "$ref"))}
            for sibling in parameter:
                if sibling != "$ref":
                    conv.report.lose(child(where, sibling), "a reference's sibling is ignored")
            kept.append(reference)
        else:
            kept.append(convert_parameter(conv, parameter, where))
    return kept, pieces, keys


def _path_item(doc: Swagger2Document, item: dict[str, Any], at: str, path: str) -> dict[str, Any]:
    conv = doc.conv
    shared: list[tuple[tuple[Any, ...], Piece]] = []
    converted: dict[str, Any] = {}
    for key, value in item.items():
        where = child(at, key)
        if key == "parameters":
            kept, shared, _ = _parameters(doc, value, where)
            if kept:
                converted[key] = kept
        elif key in METHODS:
            if isinstance(value, dict):
                converted[key] = None  # in place, filled below once the shared pieces are known
            else:
                conv.report.lose(where, "an operation must be an object")
        elif key == "$ref" and isinstance(value, str):
            converted[key] = conv.ref(value, where)
        elif key.startswith("x-"):
            converted[key] = conv.data(value)
        else:
            conv.report.lose(where, f"{key} is not a path item field")
    for method in METHODS:
        if method in converted:
            converted[method] = _operation(
                doc, item[method], child(at, method), method, path, shared
            )
    return converted


def _operation(
    doc: Swagger2Document,
    operation: dict[str, Any],
    at: str,
    method: str,
    path: str,
    shared: list[tuple[tuple[Any, ...], Piece]],
) -> dict[str, Any]:
    conv = doc.conv
    consumes, produces = doc.media(operation, at)
    parts: dict[str, Any] = {}
    pieces: list[Piece] = []
    for key, value in operation.items():
        where = child(at, key)
        if key == "parameters":
            kept, own, keys = _parameters(doc, value, where)
            pieces = [doc.copy(piece) for name, piece in shared if name not in keys]
            pieces.extend(piece for _, piece in own)
            shared = []
            parts[key] = kept or None
        elif key == "responses":
            parts[key] = convert_responses(conv, value, where, produces)
        elif key in _TEXT_FIELDS:
            if isinstance(value, str):
                parts[key] = value
            else:
                conv.report.lose(where, f"{key} must be a string")
        elif key == "tags":
            if isinstance(value, list) and all(isinstance(tag, str) for tag in value):
                parts[key] = list(value)
            else:
                conv.report.lose(where, "tags must be an array of names")
        elif key == "deprecated":
            if isinstance(value, bool):
                parts[key] = value
            else:
                conv.report.lose(where, "deprecated must be a boolean")
        elif key == "externalDocs":
            parts[key] = conv.generic(value, where)
        elif key == "security":
            parts[key] = requirements(conv, value, where, doc.security_names)
        elif key.startswith("x-"):
            parts[key] = conv.data(value)
        elif key not in ("consumes", "produces", "schemes"):
            conv.report.lose(where, f"{key} is not an operation field")
    pieces = [doc.copy(piece) for _, piece in shared] + pieces
    body = request_body(conv, pieces, consumes, at) if pieces else None
    if "responses" not in parts:
        conv.report.warn(at, "an operation without responses got a default response")
        parts["responses"] = {"default": {"description": "Default response"}}
    target: dict[str, Any] = {}
    for key, value in parts.items():
        if key == "responses" and body is not None and "requestBody" not in target:
            target["requestBody"] = body
        if value is not None:
            target[key] = value
        if key == "parameters" and body is not None:
            target["requestBody"] = body
    if "schemes" in operation:
        servers = operation_servers(
            conv, operation["schemes"], child(at, "schemes"), doc.schemes, doc.servers
        )
        if servers:
            target["servers"] = servers
    if body is not None:
        name = body_name(pieces[0], body, operation.get("operationId"), method, path)
        doc.bodies.append(BodyUse(target, name))
    return target
