"""A Postman request's URL as OpenAPI sees it: a server, a path template, path and query
parameters.

Decisions:
- The whole path stays in the path (`https://api.test/v1/pets` is the server
  `https://api.test` and the path `/v1/pets`): a collection has no base path to trust.
- A host written as a variable (`{{baseUrl}}`, `{{host}}:8080`) becomes a server template
  (`{baseUrl}`) with one server variable per placeholder, its default the collection variable's
  value (without a trailing `/`, since every path starts with one), or `""` with a warning when
  the collection gives none: `{baseUrl}` with the default `""` resolves to the document's own
  location, still a valid server URL. A literal host is a server with its scheme, `http` when
  none is written (as Postman sends it).
- In a path segment, `{{name}}` anywhere, `:name` at the segment's start or after a character
  that is not a letter or digit (so `/:id.json`, `/user-:id`, but not the `v1:batch` or
  `{id}:publish` of Google-style paths), and an OpenAPI-style `{name}` are path parameters. A
  `:name` runs over letters, digits, `_` and `-`, or further over dots when the request's
  `variable` list names it so (`:file.ext`). Any other brace is percent-encoded, so the template
  stays a valid OpenAPI path. A trailing slash is dropped with a warning (`/pets/` is
  `/pets`): redocly's recommended rules make it an error, and an export must lint clean.
- The object form's `host`, `path` and `query` win over what `raw` says; `raw` fills in what the
  object leaves out. A query key is a parameter even when disabled (the key is still part of
  the request's interface).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from apidock.descriptions.postman_values import (
    PLACEHOLDER,
    Variables,
    Where,
    scalar_text,
    text_of,
)
from apidock.descriptions.problems import Report

_SCHEME = re.compile(r"^([^/:?#\s]+)://")
# `{{name}}`, `{name}`, and (in a path) `:name` not after a letter or digit; any other brace
# is matched alone, to be encoded. Each alternative stops at the next brace: one linear pass.
_VARIABLE = r"\{\{(?P<placeholder>[^{}/]*)\}\}|\{(?P<template>[^{}/]+)\}"
_IN_SERVER = re.compile(_VARIABLE + r"|[{}]")
_IN_PATH = re.compile(_VARIABLE + r"|(?<![^\W_]):(?P<colon>[A-Za-z0-9_.-]+)|[{}]")


@dataclass(slots=True)
class QueryKey:
    """One query key with its example value."""

    name: str
    value: str | None
    description: str | None


@dataclass(slots=True)
class PathVariable:
    name: str
    example: str | None = None
    description: str | None = None


@dataclass(slots=True)
class ParsedUrl:
    server: str | None = None
    server_defaults: dict[str, str] = field(default_factory=dict)
    path: str = "/"
    path_variables: list[PathVariable] = field(default_factory=list)
    query: list[QueryKey] = field(default_factory=list)


@dataclass(slots=True)
class _RawParts:
    protocol: str | None = None
    host: str | None = None
    segments: list[str] = field(default_factory=list)
    query: list[tuple[str, str | None]] = field(default_factory=list)


def _split_raw(raw: str) -> _RawParts:
    parts = _RawParts()
    text = raw.strip().split("#", 1)[0]
    text, question, query = text.partition("?")
    if question:
        for pair in query.split("&"):
            if pair:
                key, equals, value = pair.partition("=")
                parts.query.append((key, value if equals else None))
    scheme = _SCHEME.match(text)
    if scheme:
        parts.protocol = scheme.group(1)
        text = text[scheme.end() :]
    if text.startswith("/"):
        rest = text[1:]
    else:
        host, _, rest = text.partition("/")
        parts.host = host or None
    parts.segments = rest.split("/") if rest else []
    return parts


def _segments_of(path: Any) -> list[str] | None:
    if isinstance(path, str):
        path = path.strip()
        return path.lstrip("/").split("/") if path.strip("/") else []
    if not isinstance(path, list):
        return None
    segments = []
    for segment in path:
        if isinstance(segment, dict):
            segment = segment.get("value")
        segments.append(segment if isinstance(segment, str) else scalar_text(segment))
    return segments


def _templated(text: str, names: list[str], dotted: set[str] | None) -> str:
    """`text` with its variables written `{name}` (their names appended to `names`) and any
    other brace percent-encoded. `dotted` None: a server part, where `:` is no variable."""

    def replaced(match: re.Match[str]) -> str:
        groups = match.groupdict()
        name = (groups["placeholder"] or "").strip() or groups["template"]
        colon = groups.get("colon")
        suffix = ""
        if colon and dotted is not None and colon not in dotted:
            colon, dot, rest = colon.partition(".")
            suffix = dot + rest
        name = name or colon
        if not name:
            return match.group(0).replace("{", "%7B").replace("}", "%7D")
        names.append(name)
        return "{" + name + "}" + suffix

    return (_IN_SERVER if dotted is None else _IN_PATH).sub(replaced, text)


def _server_of(
    protocol: str | None,
    host: str,
    port: str | None,
    variables: Variables,
    where: Where,
    report: Report,
) -> tuple[str, dict[str, str]]:
    names: list[str] = []
    if "@" in host:
        report.lose(str(where), "the URL's user information (credentials) is not carried")
        host = host.rsplit("@", 1)[1]
    url = _templated(host, names, None)
    if port:
        url += ":" + _templated(port, names, None)
    if protocol:
        url = _templated(protocol, names, None) + "://" + url
    else:
        # a literal host, or a leading variable whose value is a host without a scheme
        # (`localhost:3000`, not `https://api.test` nor a path like `/`)
        leading = variables.get(names[0]) if names and host.startswith("{{") else None
        bare_host = leading and not _SCHEME.match(leading) and not leading.startswith("/")
        if not host.startswith("{{") or bare_host:
            url = "http://" + url
    defaults: dict[str, str] = {}
    for name in names:
        if name in defaults:
            continue
        value = variables.get(name)
        if value is None and name not in variables.missing:
            variables.missing.add(name)
            report.warn(
                str(where),
                f"the collection gives no value for {{{{{name}}}}}: the server variable "
                f"{name!r} defaults to an empty string",
            )
        defaults[name] = value or ""
    if names and url.endswith("{" + names[-1] + "}"):
        defaults[names[-1]] = defaults[names[-1]].rstrip("/")
    return url, defaults


def _path_variable_facts(url: dict[str, Any]) -> dict[str, tuple[str | None, str | None]]:
    facts: dict[str, tuple[str | None, str | None]] = {}
    entries = url.get("variable")
    if not isinstance(entries, list):
        return facts
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        name = entry.get("key", entry.get("id"))
        if isinstance(name, str) and name and name not in facts:
            value = entry.get("value")
            example = scalar_text(value) if value is not None else None
            facts[name] = (example or None, text_of(entry.get("description")))
    return facts


def parse_url(url: Any, at: Where, variables: Variables, report: Report) -> ParsedUrl:
    """The server, path template and parameters of a request's `url` (object or string)."""
    parsed = ParsedUrl()
    if isinstance(url, str):
        url = {"raw": url}
    if not isinstance(url, dict):
        if url is not None:
            report.warn(str(at), "the URL is neither a string nor an object: the path is /")
        return parsed
    raw = _split_raw(url["raw"]) if isinstance(url.get("raw"), str) else _RawParts()
    protocol = url.get("protocol") if isinstance(url.get("protocol"), str) else raw.protocol
    host: Any = url.get("host")
    if isinstance(host, list):
        host = ".".join(part for part in host if isinstance(part, str))
    if not isinstance(host, str) or not host:
        host = raw.host
    port = url.get("port")
    port = scalar_text(port) if isinstance(port, str | int) and not isinstance(port, bool) else None
    segments = _segments_of(url.get("path"))
    if segments is None:
        segments = raw.segments

    if host:
        parsed.server, parsed.server_defaults = _server_of(
            protocol or None, host, port, variables, at, report
        )

    facts = _path_variable_facts(url)
    names: list[str] = []
    dotted = {name for name in facts if "." in name}
    if segments and not segments[-1]:
        report.warn(str(at), "the path's trailing slash is dropped (OpenAPI linters refuse it)")
        while segments and not segments[-1]:
            segments.pop()
    path = "/" + "/".join(_templated(segment, names, dotted) for segment in segments)
    parsed.path = path
    for name in dict.fromkeys(names):
        example, description = facts.get(name, (None, None))
        if example is not None and PLACEHOLDER.fullmatch(example):
            example = variables.get(example[2:-2].strip()) or example
        if example is None:
            example = variables.get(name) or None
        if description is None:
            description = variables.description(name)
        parsed.path_variables.append(PathVariable(name, example, description))

    query = url.get("query")
    if isinstance(query, list):
        for index, entry in enumerate(query):
            if not isinstance(entry, dict):
                continue
            key = entry.get("key")
            if not isinstance(key, str) or not key:
                report.lose(str(at.at("query", index)), "a query parameter without a key")
                continue
            value = entry.get("value")
            parsed.query.append(
                QueryKey(
                    key,
                    value if isinstance(value, str) else None,
                    text_of(entry.get("description")),
                )
            )
    else:
        for key, value in raw.query:
            if key:
                parsed.query.append(QueryKey(key, value, None))
    return parsed
