"""Whether a mock request carries the credentials an operation's security asks for.

Decisions (SPEC: any value passes, another scheme's credential doesn't count):
- The operation's `security` wins when it has one (an empty list: no security), else the
  document's. The request passes when it satisfies one requirement of the list; an empty
  requirement `{}` is always satisfied (security made optional).
- A requirement is satisfied when every scheme it names is: http `basic` by `Authorization:
  Basic <something>`, http `bearer`, `oauth2` and `openIdConnect` by `Authorization: Bearer
  <something>`, another http scheme by `Authorization: <that scheme> <something>` (scheme
  names are case-insensitive), an `apiKey` by its named header (case-insensitive), query
  parameter or cookie being present, with any value. Several credentials may come in
  Authorization headers sent more than once (joined with ", "), so a requirement naming both
  a Basic and a Bearer scheme can be met.
- What the mock cannot see or check counts as satisfied: `mutualTLS` (the TLS handshake is
  not the mock's), a scheme of an unknown type, a name that `components.securitySchemes` does
  not define (or that does not resolve). The mock then errs toward answering.
- The 401's `WWW-Authenticate` has one challenge per scheme of the operation's requirements, in
  their order and once each: `Basic realm="mock"`, `Bearer realm="mock"`, `<Scheme>
  realm="mock"` for other http schemes, and `ApiKey realm="mock", name="…", in="…"` for an API
  key, which has no registered challenge of its own. Names from the document are sent as
  quoted strings, made safe.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from apidock.descriptions.problems import pointer
from apidock.mocking.encoding import safe_header_text
from apidock.mocking.references import follow

Kind = Literal["basic", "bearer", "http", "header", "query", "cookie"]
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


@dataclass(frozen=True, slots=True)
class Scheme:
    """A security scheme the mock checks: `kind`, and the http scheme or key name it needs."""

    name: str
    kind: Kind
    parameter: str

    def challenge(self) -> str:
        """This scheme's challenge in a `WWW-Authenticate` header."""
        if self.kind == "basic":
            return 'Basic realm="mock"'
        if self.kind == "bearer":
            return 'Bearer realm="mock"'
        if self.kind == "http":
            return f'{self.parameter} realm="mock"'
        return f'ApiKey realm="mock", name={_quoted(self.parameter)}, in="{self.kind}"'

    def describe(self) -> str:
        """The scheme as a 401's `schemes` entry lists it."""
        if self.kind in ("basic", "bearer", "http"):
            scheme = {"basic": "Basic", "bearer": "Bearer"}.get(self.kind, self.parameter)
            return f"{self.name} (Authorization: {scheme})"
        return f"{self.name} ({self.kind} {self.parameter})"


Requirement = tuple[Scheme, ...]


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a request carries that a scheme may look at."""

    headers: Mapping[str, str]
    query_names: frozenset[str]
    cookie_names: frozenset[str]


def requirements_of(
    document: Mapping[str, Any], operation: Mapping[str, Any]
) -> tuple[Requirement, ...] | None:
    """The alternatives an operation's security asks for, or None when it asks for nothing
    (no security, or one requirement the mock always takes)."""
    listed = operation.get("security", document.get("security"))
    if not isinstance(listed, list) or not listed:
        return None
    requirements: list[Requirement] = []
    for requirement in listed:
        if not isinstance(requirement, dict):
            continue
        schemes = tuple(
            scheme for name in requirement if (scheme := _scheme(document, name)) is not None
        )
        if not schemes:
            return None
        requirements.append(schemes)
    return tuple(requirements) or None


def satisfied(requirements: tuple[Requirement, ...], credentials: Credentials) -> bool:
    """Whether `credentials` satisfy one of `requirements`."""
    return any(
        all(_carries(scheme, credentials) for scheme in requirement) for requirement in requirements
    )


def challenges(requirements: tuple[Requirement, ...]) -> tuple[str, list[str]]:
    """The `WWW-Authenticate` value for `requirements`, and the schemes as a 401 lists them."""
    schemes: list[Scheme] = []
    for requirement in requirements:
        schemes.extend(scheme for scheme in requirement if scheme not in schemes)
    value = ", ".join(scheme.challenge() for scheme in schemes)
    return value, [scheme.describe() for scheme in schemes]


def _scheme(document: Mapping[str, Any], name: Any) -> Scheme | None:
    components = document.get("components")
    defined = components.get("securitySchemes") if isinstance(components, dict) else None
    if not isinstance(name, str) or not isinstance(defined, dict) or name not in defined:
        return None
    located = follow(document, defined[name], pointer("components", "securitySchemes", name))
    value = located.value if located is not None else None
    if not isinstance(value, dict):
        return None
    kind = value.get("type")
    if kind in ("oauth2", "openIdConnect"):
        return Scheme(name, "bearer", "Bearer")
    if kind == "http" and isinstance(value.get("scheme"), str):
        http_scheme = value["scheme"].strip()
        if http_scheme.lower() in ("basic", "bearer"):
            return Scheme(name, "basic" if http_scheme.lower() == "basic" else "bearer", "")
        if _TOKEN.fullmatch(http_scheme):
            return Scheme(name, "http", http_scheme)
        return None
    key_name, where = value.get("name"), value.get("in")
    if kind == "apiKey" and isinstance(key_name, str) and where in ("header", "query", "cookie"):
        return Scheme(name, where, key_name)
    return None


def _carries(scheme: Scheme, credentials: Credentials) -> bool:
    if scheme.kind == "header":
        return scheme.parameter.lower() in credentials.headers
    if scheme.kind == "query":
        return scheme.parameter in credentials.query_names
    if scheme.kind == "cookie":
        return scheme.parameter in credentials.cookie_names
    wanted = {"basic": "basic", "bearer": "bearer"}.get(scheme.kind, scheme.parameter.lower())
    # Several Authorization headers arrive joined with ", "; a piece that starts with a scheme
    # name and a credential is one of them (a Digest's `, realm=…` pieces are not).
    for piece in credentials.headers.get("authorization", "").split(","):
        given, _, credential = piece.strip().partition(" ")
        if given.lower() == wanted and credential.strip():
            return True
    return False


def _quoted(text: str) -> str:
    escaped = safe_header_text(text).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
