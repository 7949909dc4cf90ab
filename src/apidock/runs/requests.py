"""A case made into the request a run sends: its path parameters in the API's template, the
environment's base URL in front, its query, headers and body, every `{{name}}` replaced.

Variables and secrets share one namespace (a secret wins over a variable of its name). What a
result shows of the request is the same request with every secret value masked (`***`), in the
URL and in the headers alike.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from apidock.contracts.templating import mask, substitute
from apidock.descriptions.json_values import local_target

JSON_MEDIA_TYPE = "application/json"


class CaseUnusable(Exception):
    """The case cannot be made into a request (a missing path parameter, an unknown variable,
    an example the operation no longer documents); a `transport` failure of its own."""


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes | None

    def shown(self, secrets: Mapping[str, str]) -> dict[str, Any]:
        """What a result shows: the method, the URL and the headers, secrets masked."""
        values = [value for value in secrets.values() if value]
        return {
            "method": self.method,
            "url": mask(self.url, values),
            "headers": {name: mask(value, values) for name, value in self.headers},
        }


def prepare(
    *,
    method: str,
    template: str,
    operation: Mapping[str, Any] | None,
    base_url: str,
    request: Mapping[str, Any],
    names: Mapping[str, str],
    document: Mapping[str, Any] | None = None,
) -> PreparedRequest:
    """The request `request` (a case's) makes of the API `method template`."""
    try:
        filled: dict[str, Any] = substitute(dict(request), names)
    except Exception as error:  # UnknownVariable and its kind: the message names the variable
        raise CaseUnusable(str(error)) from None
    path = _path(template, filled.get("path") or {})
    url = base_url.rstrip("/") + path
    query = filled.get("query") or {}
    if query:
        url += "?" + urlencode([(str(name), str(value)) for name, value in query.items()])
    headers = [(str(name), str(value)) for name, value in (filled.get("headers") or {}).items()]
    body, media_type = _body(filled, operation, document or {})
    if body is not None and not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", media_type))
    return PreparedRequest(method=method.upper(), url=url, headers=headers, body=body)


def _path(template: str, values: Mapping[str, Any]) -> str:
    """`template` with each `{name}` replaced by its value, percent-encoded as one segment."""
    out: list[str] = []
    rest = template
    while "{" in rest:
        before, _, after = rest.partition("{")
        name, closed, rest = after.partition("}")
        if not closed:
            raise CaseUnusable(f"the path template {template!r} is not closed")
        if name not in values:
            raise CaseUnusable(f"the case gives no value for the path parameter {name!r}")
        out += [before, quote(str(values[name]), safe="")]
    out.append(rest)
    return "".join(out)


def _followed(document: Mapping[str, Any], node: Any) -> Any:
    """`node`, or what its chain of local `$ref`s names (a few hops at most)."""
    for _ in range(8):
        if not isinstance(node, Mapping) or not isinstance(node.get("$ref"), str):
            return node
        node = local_target(document, node["$ref"])
    return None


def _body(
    filled: Mapping[str, Any], operation: Mapping[str, Any] | None, document: Mapping[str, Any]
) -> tuple[bytes | None, str]:
    if "body" in filled:
        return json.dumps(filled["body"], ensure_ascii=False).encode(), JSON_MEDIA_TYPE
    name = filled.get("example")
    if name is None:
        return None, JSON_MEDIA_TYPE
    request_body = _followed(document, (operation or {}).get("requestBody"))
    content = request_body.get("content") if isinstance(request_body, Mapping) else None
    for media_type, media in (content or {}).items():
        examples = media.get("examples") if isinstance(media, Mapping) else None
        example = _followed(document, examples.get(name)) if isinstance(examples, Mapping) else None
        if isinstance(example, Mapping) and "value" in example:
            value = example["value"]
            if isinstance(value, str) and "json" not in media_type:
                return value.encode(), media_type
            return json.dumps(value, ensure_ascii=False).encode(), media_type
    raise CaseUnusable(f"the operation documents no request example {name!r}")
