"""Swagger 2.0 → OpenAPI 3.1.0, by the rules of the reference converter, swagger2openapi.

The reference gives OpenAPI 3.0.0; this gives 3.1.0 directly, so what it would say with
`nullable` is a type union, and a boolean `exclusiveMaximum` is the number it bounded. The
parts (each module's docstring says its rules and where this departs from the reference):
`swagger2_servers` (host, basePath, schemes), `swagger2_schemas` (definitions and every
schema), `swagger2_parameters` (parameters, and `body`/`formData` into request bodies),
`swagger2_responses` (responses, headers, examples), `swagger2_security` (security
definitions, oauth2 flows), `swagger2_paths` (operations), `swagger2_bodies` (request bodies
shared between operations) and `swagger2_refs` (component names, and every `$ref` rewritten to
where its target went: `#/definitions/X` → `#/components/schemas/X`, and so on).

Report pointers are into the Swagger document as sent; `warnings` say what changed form,
`lost` what could not be carried. The document is not changed; every walk is iterative and
the work is bounded linearly in the document's size.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from apidock.descriptions.problems import Report, child, pointer
from apidock.descriptions.swagger2_bodies import share_request_bodies
from apidock.descriptions.swagger2_parameters import (
    SCHEMA_KEYS,
    convert_parameter,
    kind_of,
    media_list,
)
from apidock.descriptions.swagger2_paths import Swagger2Document, convert_paths, plan_moves
from apidock.descriptions.swagger2_refs import Moves, unique_names
from apidock.descriptions.swagger2_responses import convert_response, response_moves
from apidock.descriptions.swagger2_schemas import Conversion, count_values
from apidock.descriptions.swagger2_security import convert_scheme, requirements
from apidock.descriptions.swagger2_servers import (
    PARAMETERIZED_HOST,
    document_servers,
    scheme_list,
)

OPENAPI_VERSION = "3.1.0"
FORMAT = "swagger-2.0"
MS_PATHS = "x-ms-paths"
# top-level keys whose meaning moved elsewhere
_ABSORBED = frozenset(
    {
        "swagger",
        "info",
        "host",
        "basePath",
        "schemes",
        "consumes",
        "produces",
        "definitions",
        "parameters",
        "responses",
        "securityDefinitions",
    }
)
_INFO_FIELDS = frozenset(
    {"title", "summary", "description", "termsOfService", "contact", "license", "version"}
)


def _section(conv: Conversion, document: dict[str, Any], key: str) -> dict[str, Any]:
    value = document.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        conv.report.lose(pointer(key), f"{key} must be an object")
        return {}
    return value


def _version_text(value: Any) -> str:
    """A non-string `info.version` as the reference's JavaScript would print it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _info(conv: Conversion, value: Any) -> dict[str, Any]:
    at = pointer("info")
    if not isinstance(value, dict):
        conv.report.warn(at, "a document needs info: an empty title and version were given")
        return {"title": "", "version": ""}
    info: dict[str, Any] = {}
    for key, item in value.items():
        if key == "logo":
            conv.report.warn(child(at, key), "info.logo became x-logo")
            info["x-logo"] = conv.data(item)
        elif key.startswith("x-"):
            info[key] = conv.data(item)
        elif key in _INFO_FIELDS:
            info[key] = conv.generic(item, child(at, key))
        else:
            conv.report.lose(child(at, key), f"{key} is not an info field")
    for key in ("title", "version"):
        written = info.get(key)
        if written is None:
            conv.report.warn(child(at, key), f"a document needs info.{key}: it is empty")
            info[key] = ""
        elif not isinstance(written, str):
            info[key] = _version_text(written)
            conv.report.warn(child(at, key), f"info.{key} became the string {info[key]!r}")
    return info


def _tags(conv: Conversion, value: Any) -> list[Any] | None:
    if not isinstance(value, list):
        conv.report.lose(pointer("tags"), "tags must be an array")
        return None
    tags = []
    for index, tag in enumerate(value):
        if isinstance(tag, dict):
            tags.append(conv.generic(tag, pointer("tags", index)))
        else:
            conv.report.lose(pointer("tags", index), "a tag must be an object")
    return tags


# converts a member of a 2.0 section, given its pointer; None when it has no 3.1 form
_Convert = Callable[[Any, str], Any | None]


def convert_swagger2(document: dict[str, Any], report: Report) -> dict[str, Any]:
    """A new OpenAPI 3.1.0 document saying what the Swagger 2.0 `document` says."""
    report.format = report.format or FORMAT
    conv = Conversion(report, Moves(), count_values(document))
    moves = conv.moves
    definitions = _section(conv, document, "definitions")
    parameters = _section(conv, document, "parameters")
    responses = _section(conv, document, "responses")
    security = _section(conv, document, "securityDefinitions")
    doc_consumes = _media(conv, document, "consumes")
    doc_produces = _media(conv, document, "produces")

    schema_names = unique_names(definitions)
    plain = [name for name, value in parameters.items() if _is_plain(value)]
    parameter_names = unique_names(plain)
    response_names = unique_names(responses)
    security_names = unique_names(security)
    for name, new in schema_names.items():
        moves.add(["definitions", name], ["components", "schemas", new])
    for name, new in parameter_names.items():
        target = ["components", "parameters", new]
        moves.add(["parameters", name], target)
        for key in SCHEMA_KEYS:
            if key in parameters[name]:
                moves.add(["parameters", name, key], [*target, "schema", key])
    for name, new in response_names.items():
        target = ["components", "responses", new]
        response_moves(moves, ["responses", name], target, responses[name], doc_produces)
    for name, new in security_names.items():
        moves.add(["securityDefinitions", name], ["components", "securitySchemes", new])

    doc = Swagger2Document(
        conv=conv,
        consumes=doc_consumes,
        produces=doc_produces,
        schemes=scheme_list(conv, document.get("schemes"), pointer("schemes")),
        servers=document_servers(conv, document, parameters),
        parameters=parameters,
        security_names=security_names,
    )
    for section in ("paths", MS_PATHS):
        plan_moves(doc, document.get(section), section)

    result: dict[str, Any] = {"openapi": OPENAPI_VERSION, "info": _info(conv, document.get("info"))}
    if doc.servers:
        result["servers"] = doc.servers
    for key, value in document.items():
        at = pointer(key)
        if key in ("paths", MS_PATHS):
            result[key] = convert_paths(doc, value, key)
        elif key == "security":
            converted = requirements(conv, value, at, security_names)
            if converted is not None:
                result[key] = converted
        elif key == "tags":
            tags = _tags(conv, value)
            if tags is not None:
                result[key] = tags
        elif key == "externalDocs":
            result[key] = conv.generic(value, at)
        elif key == PARAMETERIZED_HOST and isinstance(value, dict):
            continue  # became servers
        elif key.startswith("x-"):
            result[key] = conv.data(value)
        elif key not in _ABSORBED:
            report.lose(at, f"{key} is not a Swagger 2.0 field")

    components: dict[str, Any] = {}
    put = partial(_put, components)
    convert_responses = partial(convert_response, conv, produces=doc_produces)
    put("schemas", _converted(schema_names, definitions, "definitions", conv.schema))
    put("responses", _converted(response_names, responses, "responses", convert_responses))
    convert_parameters = partial(_component_parameter, conv)
    put("parameters", _converted(parameter_names, parameters, "parameters", convert_parameters))
    for name, parameter in parameters.items():
        at = pointer("parameters", name)
        if not isinstance(parameter, dict):
            report.lose(at, "a parameter must be an object")
        elif name not in parameter_names and not doc.used(at):
            report.lose(at, "a body or form parameter no operation uses has no 3.x place")
    put("requestBodies", share_request_bodies(doc.bodies))
    convert_schemes = partial(convert_scheme, conv)
    put(
        "securitySchemes",
        _converted(security_names, security, "securityDefinitions", convert_schemes),
    )
    if components:
        result["components"] = components
    return result


def _converted(
    names: dict[str, str], values: dict[str, Any], section: str, convert: _Convert
) -> dict[str, Any]:
    """The members of the 2.0 section `section` (its `values`) that `names` lists, each
    converted at its pointer and kept under its new name; one that converts to None (reported
    by `convert`) is left out. In the order of `names`, so the report follows the document."""
    converted: dict[str, Any] = {}
    for name, new in names.items():
        value = convert(values[name], pointer(section, name))
        if value is not None:
            converted[new] = value
    return converted


def _component_parameter(conv: Conversion, parameter: dict[str, Any], at: str) -> dict[str, Any]:
    """A parameter of the 2.0 `parameters` section as a 3.1 component: a `$ref` stays one."""
    if isinstance(parameter.get("$ref"), str):
        return {"$ref": conv.ref(parameter["$ref"], child(at, "$ref"))}
    return convert_parameter(conv, parameter, at)


def _is_plain(parameter: Any) -> bool:
    """Whether a `parameters` entry stays a parameter (not a body, form or file one)."""
    if not isinstance(parameter, dict):
        return False
    return isinstance(parameter.get("$ref"), str) or kind_of(parameter) == "other"


def _media(conv: Conversion, document: dict[str, Any], key: str) -> list[str]:
    return media_list(conv, document.get(key), pointer(key)) or []


def _put(components: dict[str, Any], kind: str, values: dict[str, Any]) -> None:
    if values:
        components[kind] = values
