"""What a case's body may hold, refused where it is wrong: the request's parts as strings,
headers a client may send, a body or an example, and expectations checked with pointers into
the body as sent."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.cases.conftest import Auth, create, fields, made, one
from tests.catalog.helpers import API


@pytest.mark.parametrize(
    ("request_body", "field"),
    [
        ({"query": {"page": 1}}, "body.request.query.page"),
        ({"path": {"petId": 7}}, "body.request.path.petId"),
        ({"headers": {"X-Id": True}}, "body.request.headers.X-Id"),
        ({"headers": {"X Id": "1"}}, "body.request.headers.X Id.[key]"),
        ({"headers": {"X-Id": "1\r\nX-Other: 2"}}, "body.request.headers.X-Id"),
        ({"headers": {"X-Id": "1\n"}}, "body.request.headers.X-Id"),
        ({"headers": {"Host": "internal"}}, "body.request.headers"),
        ({"headers": {"content-length": "5"}}, "body.request.headers"),
        ({"headers": {"Transfer-Encoding": "chunked"}}, "body.request.headers"),
        ({"headers": {"X-A": "1", "x-a": "2"}}, "body.request.headers"),
        ({"query": {f"q{i}": "x" for i in range(101)}}, "body.request.query"),
        ({"query": {"q": "x" * 10_001}}, "body.request.query.q"),
        ({"body": {"a": 1}, "example": "cat"}, "body.request"),
        ({"body": float("inf")}, "body.request.body"),
        ({"example": ""}, "body.request.example"),
        ({"method": "POST"}, "body.request.method"),
        ({"query": ["page"]}, "body.request.query"),
    ],
)
async def test_bad_requests_are_422_naming_the_field(
    client: httpx.AsyncClient,
    dev_auth: Auth,
    pets: dict[str, Any],
    request_body: dict[str, Any],
    field: str,
) -> None:
    api = pets["POST /pets"]
    response = await client.post(
        f"{API}/apis/{api['id']}/cases",
        content=json.dumps({"name": "n", "request": request_body}, allow_nan=True),
        headers={**dev_auth, "Content-Type": "application/json"},
    )
    assert field in fields(response), response.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "body.name"),
        ({"name": "n" * 201}, "body.name"),
        ({"contract": "yes"}, "body.contract"),
        ({"follow_redirects": 1}, "body.follow_redirects"),
        ({"expect": []}, "body.expect"),
        ({"expect": "201"}, "body.expect"),
        ({"api_id": 1}, "body.api_id"),
    ],
)
async def test_bad_cases_are_422_naming_the_field(
    client: httpx.AsyncClient,
    dev_auth: Auth,
    pets: dict[str, Any],
    body: dict[str, Any],
    field: str,
) -> None:
    api = pets["POST /pets"]
    assert field in fields(await create(client, dev_auth, api["id"], **body))
    case = await made(client, dev_auth, api["id"], name="valid")
    patched = await client.patch(one(case["id"]), json=body, headers=dev_auth)
    assert field in fields(patched)


async def test_expectations_are_checked_with_pointers_into_the_body(
    client: httpx.AsyncClient, dev_auth: Auth, pets: dict[str, Any]
) -> None:
    api = pets["POST /pets"]
    valid = {
        "status": "2xx",
        "headers": {"Content-Type": "application/json"},
        "body": [
            {"path": "$.name", "equals": "Tom"},
            {"path": "$.id", "type": "integer"},
            {"path": "$.tags", "exists": True},
            {"path": "$.name", "matches": "^T[a-z]+$"},
        ],
        "max_ms": 0,
    }
    case = await made(client, dev_auth, api["id"], expect=valid)
    assert case["expect"] == valid
    for expect, pointer in (
        ({"status": 42}, "/expect/status"),
        ({"status": "6xx"}, "/expect/status"),
        ({"max_ms": -1}, "/expect/max_ms"),
        ({"body": [{"path": "name", "equals": "Tom"}]}, "/expect/body/0/path"),
        ({"body": [{"path": "$.a", "equals": 1, "exists": True}]}, "/expect/body/0"),
        ({"body": [{"path": "$.a", "type": "int"}]}, "/expect/body/0/type"),
        ({"body": [{"path": "$.a", "matches": "(a)\\1"}]}, "/expect/body/0/matches"),
    ):
        refused = await create(client, dev_auth, api["id"], name="bad", expect=expect)
        assert pointer in fields(refused), (expect, refused.text)
        patched = await client.patch(one(case["id"]), json={"expect": expect}, headers=dev_auth)
        assert pointer in fields(patched), (expect, patched.text)
    read = await client.get(one(case["id"]), headers=dev_auth)
    assert read.json()["data"]["expect"] == valid
