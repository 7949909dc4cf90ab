"""Security requirements of a mocked operation: 401 problem+json with WWW-Authenticate when the
request carries none of the credentials an alternative needs; any value passes."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from apidock.mocking.answers import MockAnswer, MockDocument, MockRequest

SCHEMES = {
    "basic": {"type": "http", "scheme": "basic"},
    "bearer": {"type": "http", "scheme": "Bearer", "bearerFormat": "JWT"},
    "digest": {"type": "http", "scheme": "Digest"},
    "oauth": {"type": "oauth2", "flows": {}},
    "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://example.com"},
    "header": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "query": {"type": "apiKey", "in": "query", "name": "api_key"},
    "cookie": {"type": "apiKey", "in": "cookie", "name": "token"},
    "tls": {"type": "mutualTLS"},
    "shared": {"$ref": "#/components/securitySchemes/header"},
    "odd": {"type": "apiKey", "in": "header", "name": 'X-"Odd"\r\n'},
}
BASIC = "Basic " + base64.b64encode(b"user:pass").decode()


def build(security: Any, operation_security: Any = None) -> MockDocument:
    operation: dict[str, Any] = {"responses": {"200": {"description": "ok"}}}
    if operation_security is not None:
        operation["security"] = operation_security
    return MockDocument.build(
        {
            "openapi": "3.1.0",
            "paths": {"/things": {"get": operation}},
            "components": {"securitySchemes": SCHEMES},
            "security": security,
        }
    )


def send(mocked: MockDocument, query: bytes = b"", **headers: str) -> MockAnswer:
    named = {name.replace("_", "-"): value for name, value in headers.items()}
    return mocked.answer(MockRequest("GET", "/things", query, named, b""))


def refused(answer: MockAnswer) -> tuple[str, dict[str, Any]]:
    assert answer.status == 401, answer
    headers = dict(answer.headers)
    assert headers["content-type"] == "application/problem+json"
    assert answer.source == "error"
    return headers["www-authenticate"], json.loads(answer.body)


@pytest.mark.parametrize(
    ("scheme", "query", "headers"),
    [
        ("basic", b"", {"authorization": BASIC}),
        ("basic", b"", {"authorization": "basic anything"}),
        ("bearer", b"", {"authorization": "Bearer x"}),
        ("digest", b"", {"authorization": "Digest username=a"}),
        ("oauth", b"", {"authorization": "Bearer token"}),
        ("oidc", b"", {"authorization": "bearer token"}),
        ("header", b"", {"x-api-key": "k"}),
        ("query", b"api_key=k", {}),
        ("query", b"api_key=", {}),
        ("cookie", b"", {"cookie": "a=1; token=t"}),
        ("shared", b"", {"x-api-key": "k"}),
    ],
)
def test_a_credential_of_the_scheme_passes(
    scheme: str, query: bytes, headers: dict[str, str]
) -> None:
    assert send(build([{scheme: []}]), query, **headers).status == 200


@pytest.mark.parametrize(
    ("scheme", "query", "headers"),
    [
        ("basic", b"", {}),
        ("basic", b"", {"authorization": "Bearer x"}),
        ("basic", b"", {"authorization": "Basic "}),
        ("bearer", b"", {"authorization": BASIC}),
        ("oauth", b"", {"authorization": "Token x"}),
        ("header", b"", {"x-other-key": "k"}),
        ("header", b"api_key=k", {}),
        ("query", b"API_KEY=k", {}),
        ("cookie", b"", {"x-api-key": "k", "cookie": "tokens=t"}),
    ],
)
def test_another_schemes_credential_does_not_count(
    scheme: str, query: bytes, headers: dict[str, str]
) -> None:
    refused(send(build([{scheme: []}]), query, **headers))


def test_the_challenges_name_the_schemes_of_every_alternative() -> None:
    mocked = build([{"basic": []}, {"oauth": ["read"], "header": []}, {"bearer": []}])
    challenge, found = refused(send(mocked))
    assert challenge == (
        'Basic realm="mock", Bearer realm="mock", '
        'ApiKey realm="mock", name="X-API-Key", in="header", Bearer realm="mock"'
    )
    assert found["schemes"] == [
        "basic (Authorization: Basic)",
        "oauth (Authorization: Bearer)",
        "header (header X-API-Key)",
        "bearer (Authorization: Bearer)",
    ]


def test_every_scheme_of_a_requirement_is_needed() -> None:
    mocked = build([{"basic": [], "header": []}])
    refused(send(mocked, authorization=BASIC))
    refused(send(mocked, x_api_key="k"))
    assert send(mocked, authorization=BASIC, x_api_key="k").status == 200


def test_several_authorization_headers_carry_several_credentials() -> None:
    mocked = build([{"basic": [], "bearer": []}])
    refused(send(mocked, authorization=BASIC))
    assert send(mocked, authorization=f"{BASIC}, Bearer token").status == 200
    assert send(build([{"bearer": []}]), authorization="Digest a=1, Bearer t").status == 200
    refused(send(build([{"bearer": []}]), authorization="Digest a=1, realm=Bearer"))


def test_one_alternative_is_enough_and_an_empty_one_makes_security_optional() -> None:
    assert send(build([{"basic": []}, {"header": []}]), x_api_key="k").status == 200
    assert send(build([{"basic": []}, {}])).status == 200


def test_the_operations_security_wins_over_the_documents() -> None:
    assert send(build([{"basic": []}], [])).status == 200
    refused(send(build([], [{"basic": []}])))
    assert send(build([{"basic": []}], [{"header": []}]), x_api_key="k").status == 200


def test_what_the_mock_cannot_check_counts_as_satisfied() -> None:
    assert send(build([{"tls": []}])).status == 200
    assert send(build([{"undefined": []}])).status == 200
    assert send(build("not a list")).status == 200


def test_names_from_the_document_are_sent_as_safe_quoted_strings() -> None:
    challenge, _ = refused(send(build([{"odd": []}])))
    assert challenge == 'ApiKey realm="mock", name="X-\\"Odd\\"", in="header"'
