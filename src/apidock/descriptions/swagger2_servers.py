"""Swagger 2.0 → OpenAPI 3.1: `host`, `basePath` and `schemes` as `servers`.

As swagger2openapi does: one server per scheme, `scheme://host/basePath` (a trailing `/` of
the base path dropped); no `schemes`, a scheme-relative `//host/basePath`; no `host`, the base
path alone as a relative server (3.x reads it against where the document was served, as 2.0
read a missing host); `{{var}}` or `{var}` in them become server variables (default
`unknown`, as 3.x needs one). AutoRest's `x-ms-parameterized-host` adds a server per scheme
with its host template's parameters as variables. An operation's own `schemes` become its
`servers`: the document's servers under each of its schemes.
"""

from __future__ import annotations

import re
from typing import Any

from apidock.descriptions.problems import child, pointer
from apidock.descriptions.swagger2_refs import local_reference
from apidock.descriptions.swagger2_schemas import Conversion

_VARIABLE = re.compile(r"\{(.+?)\}")
_TEMPLATE_NAME = re.compile(r"\{(\w+)\}")
PARAMETERIZED_HOST = "x-ms-parameterized-host"


def scheme_list(conv: Conversion, value: Any, at: str) -> list[str] | None:
    """A `schemes` list (None when absent or unusable)."""
    if value is None:
        return None
    if not isinstance(value, list):
        conv.report.lose(at, "schemes must be an array")
        return None
    schemes = []
    for index, scheme in enumerate(value):
        if isinstance(scheme, str):
            schemes.append(scheme)
        else:
            conv.report.lose(child(at, index), "a scheme must be a string")
    return schemes


def _server(conv: Conversion, url: str, at: str) -> dict[str, Any]:
    url = url.replace("{{", "{").replace("}}", "}")
    server: dict[str, Any] = {"url": url}
    names = _VARIABLE.findall(url)
    if names:
        conv.report.warn(at, "a variable in the host or base path got the default 'unknown'")
        server["variables"] = {name: {"default": "unknown"} for name in names}
    return server


def document_servers(
    conv: Conversion, document: dict[str, Any], parameters: dict[str, Any]
) -> list[dict[str, Any]]:
    """The servers of a 2.0 document."""
    host = document.get("host")
    base = document.get("basePath")
    if base is not None and not isinstance(base, str):
        conv.report.lose(pointer("basePath"), "basePath must be a string")
        base = None
    servers: list[dict[str, Any]] = []
    if host is not None and not isinstance(host, str):
        conv.report.lose(pointer("host"), "host must be a string")
    elif host:
        schemes = scheme_list(conv, document.get("schemes"), pointer("schemes"))
        path = base[:-1] if base and base.endswith("/") else base or ""
        for scheme in [""] if schemes is None else schemes:
            prefix = f"{scheme}:" if scheme else ""
            servers.append(_server(conv, f"{prefix}//{host}{path}", pointer("host")))
    elif base:
        servers.append(_server(conv, base, pointer("basePath")))
    template = document.get(PARAMETERIZED_HOST)
    if isinstance(template, dict):
        servers.extend(_parameterized(conv, document, template, base or "", parameters))
    return servers


def _parameterized(
    conv: Conversion,
    document: dict[str, Any],
    template: dict[str, Any],
    base: str,
    parameters: dict[str, Any],
) -> list[dict[str, Any]]:
    at = pointer(PARAMETERIZED_HOST)
    host = template.get("hostTemplate")
    if not isinstance(host, str):
        conv.report.lose(child(at, "hostTemplate"), "hostTemplate must be a string")
        return []
    url = host + base
    names = _TEMPLATE_NAME.findall(url)
    variables: dict[str, Any] = {}
    listed = template.get("parameters")
    for index, parameter in enumerate(listed if isinstance(listed, list) else []):
        if isinstance(parameter, dict) and isinstance(parameter.get("$ref"), str):
            parsed = local_reference(parameter["$ref"])
            if parsed and len(parsed[0]) == 2 and parsed[0][0] == "parameters":
                parameter = parameters.get(parsed[0][1])
        name = parameter.get("name") if isinstance(parameter, dict) else None
        if not isinstance(name, str):
            name = names[index] if index < len(names) else None
        if not isinstance(parameter, dict) or name is None:
            conv.report.lose(child(at, "parameters", index), "a host parameter needs a name")
            continue
        variables[name] = _variable(conv, parameter)
    servers: list[dict[str, Any]] = []
    if template.get("useSchemePrefix") is False:
        urls = [url]
    else:
        schemes = scheme_list(conv, document.get("schemes"), pointer("schemes"))
        urls = [f"{scheme}://{url}" for scheme in schemes or ["https"]]
    for each in urls:
        server: dict[str, Any] = {"url": each}
        if variables:
            server["variables"] = conv.clone(variables)
        servers.append(server)
    return servers


def _variable(conv: Conversion, parameter: dict[str, Any]) -> dict[str, Any]:
    enum = parameter.get("enum")
    values = [str(value) for value in enum] if isinstance(enum, list) else []
    default = parameter.get("default")
    variable: dict[str, Any] = {
        "default": str(default) if default is not None else (values[0] if values else "none")
    }
    if values:
        variable["enum"] = values
    if isinstance(parameter.get("description"), str):
        variable["description"] = parameter["description"]
    for key, value in parameter.items():
        if key.startswith("x-"):
            variable[key] = conv.data(value)
    return variable


def operation_servers(
    conv: Conversion,
    value: Any,
    at: str,
    document_schemes: list[str] | None,
    servers: list[dict[str, Any]],
) -> list[dict[str, Any]] | None:
    """An operation's servers, when its `schemes` differ from the document's."""
    schemes = scheme_list(conv, value, at)
    if not schemes or (document_schemes is not None and set(schemes) == set(document_schemes)):
        return None
    result: list[dict[str, Any]] = []
    for scheme in schemes:
        for server in servers:
            url = server["url"]
            if url.startswith("//"):
                url = f"{scheme}:{url}"
            elif "://" in url:
                url = scheme + url[url.index("://") :]
            else:
                continue
            result.append({**conv.clone(server), "url": url})
    if not result:
        conv.report.lose(at, "an operation's schemes need the document's host to apply to")
    return result or None
