"""Security requirements of operations and of the document, and the security schemes of
components: all `info`, as oasdiff reports them."""

from __future__ import annotations

from typing import Any

import pytest

from apidock.diffing.security import alternatives, diff_requirements
from tests.diffing.walk_builders import Case, case_id, diff, document, single


def secured(*requirements: dict[str, list[str]]) -> dict[str, Any]:
    return single(security=list(requirements))


def globally(*requirements: dict[str, list[str]]) -> dict[str, Any]:
    return document({"/pets": {"get": {"responses": {}}}}, security=list(requirements))


def schemes(**found: Any) -> dict[str, Any]:
    return document(components={"securitySchemes": found})


def oauth(
    authorization_url: str = "https://a.example/auth",
    exchange_url: str = "https://a.example/token",
    **scopes: str,
) -> dict[str, Any]:
    return {
        "type": "oauth2",
        "flows": {
            "authorizationCode": {
                "authorizationUrl": authorization_url,
                "tokenUrl": exchange_url,
                "scopes": scopes or {"read": "Read"},
            }
        },
    }


KEY = {"type": "apiKey", "in": "header", "name": "X-Key"}

CASES = [
    Case(
        "api-security-added",
        secured({"key": []}),
        secured({"key": []}, {"oauth": ["read"]}),
        near_new=secured({"key": []}, {}),
    ),
    Case(
        "api-security-removed",
        secured({"key": []}, {"oauth": ["read"]}),
        secured({"key": []}),
        near_new=secured({"oauth": ["read"]}, {"key": []}),
    ),
    Case(
        "api-security-scope-added",
        secured({"oauth": ["read"]}),
        secured({"oauth": ["read", "write"]}),
        near_new=secured({"oauth": ["read"]}),
    ),
    Case(
        "api-security-scope-removed",
        secured({"oauth": ["read", "write"]}),
        secured({"oauth": ["read"]}),
        near_new=secured({"oauth": ["write", "read"]}),
    ),
    Case("api-global-security-added", globally(), globally({"key": []}), near_new=globally()),
    Case(
        "api-global-security-removed",
        globally({"key": []}, {}),
        globally({"key": []}),
        near_new=globally({}, {"key": []}),
    ),
    Case(
        "api-global-security-scope-added",
        globally({"oauth": []}),
        globally({"oauth": ["admin"]}),
        near_new=globally({"oauth": []}),
    ),
    Case(
        "api-global-security-scope-removed",
        globally({"oauth": ["admin"]}),
        globally({"oauth": []}),
        near_new=globally({"oauth": ["admin"]}),
    ),
    Case("api-security-component-added", schemes(), schemes(key=KEY), near_new=schemes()),
    Case("api-security-component-removed", schemes(key=KEY), schemes(), near_new=schemes(key=KEY)),
    Case(
        "api-security-component-type-changed",
        schemes(key=KEY),
        schemes(key={"type": "http", "scheme": "bearer"}),
        near_new=schemes(key={**KEY, "name": "X-Api-Key"}),
    ),
    Case(
        "api-security-component-oauth-url-changed",
        schemes(o=oauth()),
        schemes(o=oauth("https://b.example/auth")),
        near_new=schemes(o=oauth()),
    ),
    Case(
        "api-security-component-oauth-token-url-changed",
        schemes(o=oauth()),
        schemes(o=oauth(exchange_url="https://b.example/token")),
        near_new=schemes(o=oauth("https://b.example/auth")),
    ),
    Case(
        "api-security-component-oauth-scope-added",
        schemes(o=oauth()),
        schemes(o=oauth(read="Read", write="Write")),
        near_new=schemes(o=oauth(read="Read pets")),
    ),
    Case(
        "api-security-component-oauth-scope-removed",
        schemes(o=oauth(read="Read", write="Write")),
        schemes(o=oauth()),
        near_new=schemes(o=oauth(read="Read", write="Write it")),
    ),
    Case(
        "api-security-component-oauth-scope-changed",
        schemes(o=oauth()),
        schemes(o=oauth(read="Read pets")),
        near_new=schemes(o=oauth()),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_rule(case: Case) -> None:
    case.check()


def test_alternatives_sharing_a_scheme_are_matched_whole() -> None:
    requirements = alternatives([{"oauth": ["read"]}, {"oauth": ["write"]}])
    found = diff_requirements(requirements, list(reversed(requirements)))
    assert (found.added, found.removed, found.rescoped) == ([], [], [])


def test_an_ambiguous_left_over_is_added_and_removed() -> None:
    old = alternatives([{"oauth": ["read"]}, {"oauth": ["write"]}])
    new = alternatives([{"oauth": ["admin"]}])
    found = diff_requirements(old, new)
    assert [a.index for a in found.removed] == [0, 1]
    assert [a.index for a in found.added] == [0]
    assert found.rescoped == []


def test_security_changes_are_info_and_point_at_the_requirement() -> None:
    (change,) = diff(secured({"key": []}), secured({"key": []}, {"oauth": ["read"]}))
    assert (change.level, change.operation, change.pointer) == (
        "info",
        "GET /pets",
        "/paths/~1pets/get/security/1",
    )
    (document_change,) = diff(globally(), globally({"key": []}))
    assert (document_change.operation, document_change.pointer) == (None, "/security/0")


def test_making_anonymous_access_mandatory_on_the_document_is_reported() -> None:
    (change,) = diff(globally({}, {"key": []}), globally({"key": []}))
    assert change.id == "api-global-security-removed"
    assert "anonymous" in change.message


def test_hostile_security_lists_are_read_as_empty() -> None:
    hostile = single(security=[1, "key", None, {"key": "read"}])
    assert diff(hostile, hostile) == []
    assert diff(hostile, secured({"key": []})) == []
    assert diff(single(security={"key": []}), single(security="key")) == []
