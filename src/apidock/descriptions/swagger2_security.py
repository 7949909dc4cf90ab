"""Swagger 2.0 → OpenAPI 3.1: security definitions and requirements.

As swagger2openapi does: `basic` is an `http` scheme `basic`; `apiKey` is kept; an `oauth2`
definition's one flow becomes `flows` (implicit and password keep their names, `application`
is `clientCredentials`, `accessCode` is `authorizationCode`) with its URLs and scopes.
Unlike the reference, a URL keeps its query string: 3.1 allows one. Requirements follow the
schemes' new names.
"""

from __future__ import annotations

from typing import Any

from apidock.descriptions.problems import child
from apidock.descriptions.swagger2_refs import component_name
from apidock.descriptions.swagger2_schemas import Conversion

_FLOWS = {
    "implicit": ("implicit", ("authorizationUrl",)),
    "password": ("password", ("tokenUrl",)),
    "application": ("clientCredentials", ("tokenUrl",)),
    "accessCode": ("authorizationCode", ("authorizationUrl", "tokenUrl")),
}
_FIELDS = {
    "basic": {"type", "description"},
    "apiKey": {"type", "description", "name", "in"},
    "oauth2": {"type", "description", "flow", "authorizationUrl", "tokenUrl", "scopes"},
}


def convert_scheme(conv: Conversion, scheme: Any, at: str) -> dict[str, Any] | None:
    """A 2.0 Security Definition as a 3.1 Security Scheme."""
    report = conv.report
    if not isinstance(scheme, dict):
        report.lose(at, "a security definition must be an object")
        return None
    kind = scheme.get("type")
    if not isinstance(kind, str) or kind not in _FIELDS:
        report.lose(at, f"security type {kind!r} is not basic, apiKey or oauth2")
        return None
    target: dict[str, Any] = {}
    if kind == "basic":
        target = {"type": "http", "scheme": "basic"}
    else:
        target["type"] = kind
    description = scheme.get("description")
    if isinstance(description, str):
        target["description"] = description
    if kind == "apiKey":
        for key in ("name", "in"):
            if key in scheme:
                target[key] = conv.generic(scheme[key], child(at, key))
    if kind == "oauth2":
        target["flows"] = _flows(conv, scheme, at)
    for key, value in scheme.items():
        if key.startswith("x-"):
            target[key] = conv.data(value)
        elif key not in _FIELDS[kind]:
            report.lose(child(at, key), f"{key} is not a field of a {kind} security scheme")
    return target


def _flows(conv: Conversion, scheme: dict[str, Any], at: str) -> dict[str, Any]:
    written = scheme.get("flow")
    if not isinstance(written, str) or written not in _FLOWS:
        conv.report.lose(child(at, "flow"), f"oauth2 flow {written!r} is not a 2.0 flow")
        return {}
    name, urls = _FLOWS[written]
    flow: dict[str, Any] = {}
    for key in ("authorizationUrl", "tokenUrl"):
        value = scheme.get(key)
        if isinstance(value, str) and key in urls:
            flow[key] = value
        elif key in urls:
            conv.report.warn(child(at, key), f"the {written} flow needs {key}")
        elif value is not None:
            conv.report.lose(child(at, key), f"the {written} flow has no {key}")
    scopes = scheme.get("scopes")
    if isinstance(scopes, dict):
        flow["scopes"] = {key: conv.data(value) for key, value in scopes.items()}
    else:
        if scopes is not None:
            conv.report.lose(child(at, "scopes"), "scopes must be an object")
        flow["scopes"] = {}
    return {name: flow}


def requirements(
    conv: Conversion, value: Any, at: str, names: dict[str, str]
) -> list[dict[str, Any]] | None:
    """A `security` list with each scheme under its new name."""
    if not isinstance(value, list):
        conv.report.lose(at, "security must be an array of requirements")
        return None
    converted: list[dict[str, Any]] = []
    for index, requirement in enumerate(value):
        where = child(at, index)
        if not isinstance(requirement, dict):
            conv.report.lose(where, "a security requirement must be an object")
            continue
        target: dict[str, Any] = {}
        for name, scopes in requirement.items():
            if name not in names:
                conv.report.warn(child(where, name), f"no security definition is named {name}")
            target[names.get(name) or component_name(name)] = conv.data(scopes)
        converted.append(target)
    return converted
