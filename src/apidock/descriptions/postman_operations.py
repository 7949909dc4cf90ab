"""Postman requests as OpenAPI operations, merged by method and path.

Decisions:
- Requests with the same method and path are one operation (a warning): the first request's
  summary, description and parameter definitions win, the others add what is missing,
  their bodies and saved responses add examples, their tags and servers add up, and their
  security requirements become alternatives. Paths that differ only in their parameter names
  (`/pets/{id}`, `/pets/{petId}`) are one path (OpenAPI forbids both): the later one takes
  the first one's names, by position (a warning).
- Query keys and headers are parameters (string schemas, their values as examples), disabled
  ones too. Content-Type, Accept and Authorization are not header parameters (OpenAPI ignores
  them there): Content-Type picks the request body's media type, Accept the media type of a
  saved response that has no Content-Type, and Authorization, on a request without an auth
  helper, the security scheme its value shows (Bearer, Basic, else an apiKey header).
- An operation's summary is its request's name (`GET /path` for a request without one:
  redocly's recommended rules want a summary). An operation without a saved response answers
  `default` (`responses` is what a reader and the mock look for first). Operation-level
  `servers` appear only when the collection talks to more than one server; operation-level
  `security` only when it differs from the collection's.
"""

from __future__ import annotations

import json
import re
from typing import Any

from apidock.descriptions.json_values import copy_json
from apidock.descriptions.openapi_names import METHODS
from apidock.descriptions.postman_auth import Requirement, Security
from apidock.descriptions.postman_body import add_request_body, add_saved_responses
from apidock.descriptions.postman_url import parse_url
from apidock.descriptions.postman_values import (
    Draft,
    Variables,
    Where,
    header_value,
    name_of,
    read_headers,
    text_of,
)
from apidock.descriptions.problems import Report

_NOT_PARAMETERS = ("content-type", "accept", "authorization")
_PARAMETER = re.compile(r"\{([^{}]*)\}")
_ORDER = (
    "tags",
    "summary",
    "description",
    "servers",
    "parameters",
    "requestBody",
    "responses",
    "security",
)


def _parameter(
    name: str,
    location: str,
    example: str | None,
    description: str | None,
) -> dict[str, Any]:
    parameter: dict[str, Any] = {"name": name, "in": location}
    if description:
        parameter["description"] = description
    if location == "path":
        parameter["required"] = True
    parameter["schema"] = {"type": "string"}
    if example:
        parameter["example"] = example
    return parameter


class Operations:
    """The paths of the document being built, one `Draft` per path and method."""

    def __init__(self, variables: Variables, security: Security, report: Report) -> None:
        self.paths: dict[str, dict[str, Draft]] = {}
        self.servers: dict[str, dict[str, str]] = {}
        self._shapes: dict[str, tuple[str, list[str]]] = {}
        self._variables = variables
        self._security = security
        self._report = report

    def _path_of(self, path: str, at: Where) -> tuple[str, dict[str, str]]:
        shape = _PARAMETER.sub("{}", path)
        names = _PARAMETER.findall(path)
        first = self._shapes.setdefault(shape, (path, names))
        if first[0] == path:
            return path, {}
        self._report.warn(
            str(at),
            f"the path {path} is the path {first[0]} with other parameter names: "
            "merged under the first one's names",
        )
        return first[0], dict(zip(names, first[1], strict=True))

    def add(
        self, item: dict[str, Any], at: Where, tag: str | None, inherited: Requirement | None
    ) -> None:
        """Add the request of the item `item` (at `at`) under the folder tag `tag`."""
        request: Any = item.get("request")
        request_at = at.at("request")
        if isinstance(request, str):
            request = {"url": request}
        if not isinstance(request, dict):
            self._report.lose(str(request_at), "a request that is neither an object nor a URL")
            return
        method = request.get("method", "GET")
        if not isinstance(method, str) or not method.strip():
            self._report.warn(str(request_at.at("method")), "a request without a method: GET")
            method = "GET"
        if method.strip().lower() not in METHODS:
            self._report.lose(
                str(request_at.at("method")),
                f"OpenAPI has no {method.strip().upper()} method: the request is not carried",
            )
            return
        method = method.strip().lower()
        if "url" not in request:
            self._report.warn(str(request_at), "a request without a URL: its path is /")
        url_at = request_at.at("url") if isinstance(item.get("request"), dict) else request_at
        parsed = parse_url(request.get("url"), url_at, self._variables, self._report)
        path, renames = self._path_of(parsed.path, at)
        methods = self.paths.setdefault(path, {})
        draft = methods.get(method)
        if draft is None:
            draft = methods[method] = Draft({}, at)
        else:
            self._report.warn(
                str(at), f"the same method and path as {draft.first_at}: merged into one operation"
            )
        operation = draft.operation
        summary = name_of(item) or f"{method.upper()} {path}"
        if tag is not None and tag not in draft.seen(operation.setdefault("tags", [])):
            draft.seen(operation["tags"]).add(tag)
            operation["tags"].append(tag)
        operation.setdefault("summary", summary)
        described = text_of(request.get("description")) or text_of(item.get("description"))
        if described:
            operation.setdefault("description", described)
        if parsed.server:
            defaults = self.servers.setdefault(parsed.server, {})
            for name, default in parsed.server_defaults.items():
                defaults.setdefault(name, default)
            draft.servers[parsed.server] = None

        for variable in parsed.path_variables:
            name = renames.get(variable.name, variable.name)
            draft.add_parameter(_parameter(name, "path", variable.example, variable.description))
        for key in parsed.query:
            draft.add_parameter(_parameter(key.name, "query", key.value, key.description))
        headers = list(read_headers(request.get("header")))
        for header in headers:
            if header.key.lower() not in _NOT_PARAMETERS:
                draft.add_parameter(
                    _parameter(header.key, "header", header.value, header.description)
                )
        add_request_body(
            draft,
            request.get("body"),
            headers,
            summary,
            request_at.at("body"),
            self._report,
        )
        add_saved_responses(draft, item.get("response"), headers, at.at("response"), self._report)

        own = self._security.requirement(request.get("auth"), request_at.at("auth"))
        effective = own if own is not None else inherited
        authorization = header_value(headers, "authorization")
        if not effective and authorization:
            effective = self._security.from_header(authorization)
        for alternative in effective or [{}]:
            draft.security.setdefault(json.dumps(alternative, sort_keys=True), alternative)
        for setting in ("proxy", "certificate"):
            if request.get(setting):
                self._report.lose(
                    str(request_at.at(setting)), f"the request's {setting} is not carried"
                )

    def server_objects(self) -> list[dict[str, Any]]:
        servers = []
        for url, defaults in self.servers.items():
            server: dict[str, Any] = {"url": url}
            if defaults:
                server["variables"] = {
                    name: {"default": default} for name, default in defaults.items()
                }
            servers.append(server)
        return servers

    def finish(self, top: Requirement | None) -> dict[str, Any]:
        """The OpenAPI `paths` object, `top` being the collection's own security."""
        servers = {server["url"]: server for server in self.server_objects()}
        first_server = next(iter(servers), None)
        paths: dict[str, Any] = {}
        for path, methods in self.paths.items():
            path_item: dict[str, Any] = {}
            for method, draft in methods.items():
                operation = draft.operation
                if not operation.get("responses"):
                    operation["responses"] = {
                        "default": {"description": "No saved response in the collection"}
                    }
                for media in operation.get("requestBody", {}).get("content", {}).values():
                    examples = media.get("examples", {})
                    if len(examples) == 1:
                        media["example"] = media.pop("examples").popitem()[1]["value"]
                if len(servers) > 1 and draft.servers and list(draft.servers) != [first_server]:
                    operation["servers"] = [copy_json(servers[url]) for url in draft.servers]
                security = list(draft.security.values())
                if security == [{}]:
                    security = []
                if security != (top or []):
                    operation["security"] = copy_json(security)
                path_item[method] = {key: operation[key] for key in _ORDER if key in operation}
            paths[path] = path_item
        return paths
