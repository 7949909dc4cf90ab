"""Postman auth helpers (collection, folder and request level) as OpenAPI security schemes.

Decisions:
- A level's auth is inherited when absent, `null` or of type `inherit`; `noauth` means none
  (an operation under a collection that has auth then gets `security: []`).
- bearer is http bearer (`jwt` too, with `bearerFormat: JWT`), basic is http basic, digest is
  http digest (its realm, algorithm and qop are `lost`), apikey is an apiKey in its header or
  query under its key name, oauth2 is oauth2 with the flow of its grant type when the flow's
  URLs are absolute once the collection's variables are put in.
- What OpenAPI cannot describe still travels in the Authorization header: oauth1, hawk, awsv4,
  ntlm, edgegrid and asap become an apiKey named `Authorization` in the header, and an oauth2
  whose flow can't be described an http bearer token, each with a `lost` entry. An operation
  then still says it needs credentials, instead of seeming open.
- Scheme names are stable (from the scheme, not from the order of the collection): `bearerAuth`,
  `basicAuth`, `digestAuth`, `jwtAuth`, `apiKey.<in>.<name>`, `oauth2`, `<type>Auth`; a second,
  different scheme of the same base name gets `_2`, `_3`…. The credentials themselves (tokens,
  passwords, client secrets) are never carried: a description holds no secret.
"""

from __future__ import annotations

import json
import re
from typing import Any

from apidock.descriptions.postman_values import Variables, Where, auth_params, scalar_text
from apidock.descriptions.problems import Report

Requirement = list[dict[str, list[str]]]

_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_ABSOLUTE_URL = re.compile(r"^https?://[^\s{}]+$")
_SIGNED = {
    "oauth1": "OAuth 1.0",
    "hawk": "Hawk",
    "awsv4": "AWS Signature v4",
    "ntlm": "NTLM",
    "edgegrid": "Akamai EdgeGrid",
    "asap": "ASAP",
}
_FLOWS = {
    "authorization_code": ("authorizationCode", ("authorizationUrl", "tokenUrl")),
    "authorization_code_with_pkce": ("authorizationCode", ("authorizationUrl", "tokenUrl")),
    "implicit": ("implicit", ("authorizationUrl",)),
    "password_credentials": ("password", ("tokenUrl",)),
    "password": ("password", ("tokenUrl",)),
    "client_credentials": ("clientCredentials", ("tokenUrl",)),
}
_BEARER = {"type": "http", "scheme": "bearer"}


class Security:
    """The security schemes met in a collection, and the requirement of each auth helper."""

    def __init__(self, variables: Variables, report: Report) -> None:
        self.schemes: dict[str, dict[str, Any]] = {}
        self._names: dict[str, str] = {}
        self._variables = variables
        self._report = report

    def _use(
        self, base: str, scheme: dict[str, Any], scopes: list[str] | None = None
    ) -> Requirement:
        key = json.dumps(scheme, sort_keys=True)
        name = self._names.get(key)
        if name is None:
            base = _NAME_UNSAFE.sub("_", base)
            name, number = base, 1
            while name in self.schemes:
                number += 1
                name = f"{base}_{number}"
            self.schemes[name] = scheme
            self._names[key] = name
        return [{name: scopes or []}]

    def requirement(self, auth: Any, at: Where) -> Requirement | None:
        """The security requirement of the auth helper `auth`; None when it inherits."""
        if auth is None:
            return None
        if not isinstance(auth, dict):
            self._report.warn(str(at), "an auth that is not an object: inherited instead")
            return None
        kind = auth.get("type")
        if kind is None or kind == "inherit":
            return None
        if kind == "noauth":
            return []
        params = auth_params(auth.get(kind)) if isinstance(kind, str) else {}
        here = at.at(kind) if isinstance(kind, str) and kind in auth else at.at("type")
        if kind == "bearer":
            return self._use("bearerAuth", dict(_BEARER))
        if kind == "jwt":
            return self._use("jwtAuth", {**_BEARER, "bearerFormat": "JWT"})
        if kind == "basic":
            return self._use("basicAuth", {"type": "http", "scheme": "basic"})
        if kind == "digest":
            self._report.lose(
                str(here), "digest auth: its realm, algorithm and qop are not carried"
            )
            return self._use("digestAuth", {"type": "http", "scheme": "digest"})
        if kind == "apikey":
            return self._api_key(params, here)
        if kind == "oauth2":
            return self._oauth2(params, here)
        if isinstance(kind, str) and kind in _SIGNED:
            self._report.lose(
                str(here),
                f"{_SIGNED[kind]} auth cannot be described in OpenAPI: kept as an "
                "Authorization header",
            )
            return self._authorization_header(f"{kind}Auth", _SIGNED[kind])
        self._report.lose(str(at.at("type")), f"the auth type {kind!r} is not known: ignored")
        return None

    def from_header(self, value: str) -> Requirement:
        """The requirement an Authorization header set by hand shows."""
        scheme = value.strip().split(" ", 1)[0].lower()
        if scheme == "bearer":
            return self._use("bearerAuth", dict(_BEARER))
        if scheme == "basic":
            return self._use("basicAuth", {"type": "http", "scheme": "basic"})
        return self._use("apiKey.header.Authorization", _api_key_scheme("header", "Authorization"))

    def _authorization_header(self, base: str, label: str) -> Requirement:
        scheme = _api_key_scheme("header", "Authorization")
        scheme["description"] = f"{label} (the Authorization header Postman signs)"
        return self._use(base, scheme)

    def _api_key(self, params: dict[str, Any], here: Where) -> Requirement:
        name = self._variables.resolve(scalar_text(params.get("key"))).strip()
        if not name:
            self._report.warn(str(here), "an API key without a name: named 'X-API-Key'")
            name = "X-API-Key"
        location = params.get("in")
        if location not in ("header", "query"):
            location = "header"
        return self._use(f"apiKey.{location}.{name}", _api_key_scheme(location, name))

    def _url(self, value: Any) -> str | None:
        url = self._variables.resolve(scalar_text(value)).strip()
        return url if _ABSOLUTE_URL.match(url) else None

    def _oauth2(self, params: dict[str, Any], here: Where) -> Requirement:
        grant = params.get("grant_type", params.get("grantType")) or "authorization_code"
        scopes = list(dict.fromkeys(scalar_text(params.get("scope")).split()))
        urls = {
            "authorizationUrl": self._url(params.get("authUrl")),
            "tokenUrl": self._url(params.get("accessTokenUrl")),
        }
        flow_name, needed = _FLOWS.get(grant, ("", ())) if isinstance(grant, str) else ("", ())
        if not flow_name or any(urls[url] is None for url in needed):
            self._report.lose(
                str(here),
                f"the OAuth 2.0 grant {grant!r} cannot be described (unknown grant, or its URLs "
                "are missing or not absolute): kept as a bearer token",
            )
            return self._use("oauth2Token", {**_BEARER, "description": "An OAuth 2.0 access token"})
        flow: dict[str, Any] = {url: urls[url] for url in needed}
        refresh = self._url(params.get("refreshTokenUrl"))
        if refresh and flow_name != "implicit":
            flow["refreshUrl"] = refresh
        flow["scopes"] = dict.fromkeys(scopes, "")
        return self._use("oauth2", {"type": "oauth2", "flows": {flow_name: flow}}, scopes)


def _api_key_scheme(location: str, name: str) -> dict[str, Any]:
    return {"type": "apiKey", "in": location, "name": name}
