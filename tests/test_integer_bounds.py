"""Every integer a client sends is bounded, on every route, read from the OpenAPI document: a
route added without a bound fails here. Out-of-range values (2^63, 10^20, -1, 0) are 422
naming the field, on every database, never a 500 from a driver that cannot bind them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.config import Settings
from apidock.schemas import MAX_ID
from tests.catalog.helpers import make_api, make_app, make_group, post
from tests.factories import bearer, create_user, role_id

HOSTILE = (2**63, 10**20, MAX_ID + 1, -1, 0)


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _integers(
    document: dict[str, Any], schema: dict[str, Any], where: str, seen: frozenset[str] = frozenset()
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each integer schema inside `schema`, at any depth, with where it lies."""
    ref = schema.get("$ref")
    if ref in seen:
        return
    seen = seen | {ref} if ref else seen
    schema = _resolve(document, schema)
    kinds = schema.get("type")
    if kinds == "integer" or (isinstance(kinds, list) and "integer" in kinds):
        yield where, schema
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for branch in schema.get(key, []):
            yield from _integers(document, branch, where, seen)
    for name, branch in schema.get("properties", {}).items():
        yield from _integers(document, branch, f"{where}.{name}", seen)
    for key in ("items", "additionalProperties", "not"):
        if isinstance(schema.get(key), dict):
            yield from _integers(document, schema[key], f"{where}[]", seen)


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "put", "post", "patch", "delete", "head", "options"}:
                yield method.upper(), path, operation


def _items_of(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The item schema of an array schema, or of its array branch; None for no array."""
    for branch in [schema, *schema.get("anyOf", [])]:
        if branch.get("type") == "array":
            items: dict[str, Any] = branch.get("items", {})
            return items
    return None


def _bounds(schema: dict[str, Any]) -> tuple[int, int]:
    """The (minimum, maximum) of an integer schema, or of its integer branch; an unbounded
    side as far as any value sent here (the test above reports it)."""
    for branch in [schema, *schema.get("anyOf", [])]:
        if branch.get("type") == "integer":
            return int(branch.get("minimum", -(2**128))), int(branch.get("maximum", 2**128))
    raise AssertionError(f"no integer branch in {schema}")


async def test_every_integer_parameter_and_body_property_has_a_minimum_and_a_maximum(
    app: FastAPI,
) -> None:
    document = app.openapi()
    unbounded: list[str] = []
    found = 0
    for method, path, operation in _operations(document):
        places = [
            (f"{parameter['in']}.{parameter['name']}", parameter["schema"])
            for parameter in operation.get("parameters", [])
        ] + [
            (f"body({content_type})", media["schema"])
            for content_type, media in operation.get("requestBody", {}).get("content", {}).items()
        ]
        for where, schema in places:
            for inner, integer in _integers(document, schema, where):
                found += 1
                if "maximum" not in integer or "minimum" not in integer:
                    unbounded.append(f"{method} {path} {inner}")
                elif integer["maximum"] > MAX_ID:
                    unbounded.append(f"{method} {path} {inner}: maximum past the INTEGER columns")
    assert found > 40  # the walk reaches the parameters and the bodies
    assert not unbounded, unbounded


async def _path_ids(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, settings: Settings
) -> tuple[dict[str, str], dict[str, int]]:
    """Admin headers and an existing object for each `{x_id}` of the paths, so that a request
    reaches the validation of its body (loaders 404 first)."""
    admin = await create_user(session, settings, role="Administrator")
    other = await create_user(session, settings)
    auth = bearer(app, admin)
    catalog = await make_app(client, auth)
    group = await make_group(client, auth, catalog["id"])
    api = await make_api(client, auth, catalog["id"])
    field = await post(
        client, "/apis/responses", auth, api_id=api["id"], field="data", data_type="object"
    )
    example = await post(client, "/apis/examples", auth, api_id=api["id"], title="An example")
    ids = {
        "app_id": catalog["id"],
        "group_id": group["id"],
        "api_id": api["id"],
        "field_id": field["id"],
        "example_id": example["id"],
        "user_id": other.id,
        "role_id": await role_id(session, "QA"),
    }
    return auth, ids


# the path parameters filled in beside the ids: a component's kind and name, a mock key's id,
# the ids of routes with no other integer to reach (an environment's, a case's), a revision's
# number and a release's version
NAMED = {
    "kind": "schemas",
    "name": "Thing",
    "key_id": "1",
    "environment_id": "1",
    "case_id": "1",
    "number": "1",
    "version": "v1",
}


def _url(path: str, ids: dict[str, int], replaced: str | None = None, value: int = 0) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(value if name == replaced else ids[name] if name in ids else NAMED[name])

    return re.sub(r"\{(\w+)(?::\w+)?\}", fill, path)


def _refused(response: httpx.Response, field: str) -> bool:
    if response.status_code != 422:
        return False
    return field in [item["field"] for item in response.json()["data"]]


async def test_out_of_range_integers_are_422_on_every_route_and_never_500(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, app: FastAPI
) -> None:
    auth, ids = await _path_ids(client, app, session, settings)
    document = app.openapi()
    failures: list[str] = []
    sent = 0
    for method, path, operation in _operations(document):
        # parameters: each integer one alone out of range, the others as they must be
        for parameter in operation.get("parameters", []):
            integers = list(_integers(document, parameter["schema"], parameter["name"]))
            if not integers:
                continue
            low, high = _bounds(_resolve(document, parameter["schema"]))
            for value in HOSTILE:
                if parameter["in"] == "path":
                    url, params = _url(path, ids, parameter["name"], value), {}
                else:
                    url, params = _url(path, ids), {parameter["name"]: value}
                response = await client.request(method, url, params=params, headers=auth)
                sent += 1
                where = f"{parameter['in']}.{parameter['name']}"
                if response.status_code >= 500:
                    failures.append(f"{method} {path} {where}={value}: {response.status_code}")
                elif low <= value <= high:
                    continue
                elif parameter["in"] == "path" and value < 0:
                    # `{x:int}` matches digits only: no route takes a negative id
                    if response.status_code != 404:
                        failures.append(f"{method} {path} {where}={value}: {response.text}")
                elif not _refused(response, where):
                    failures.append(f"{method} {path} {where}={value}: {response.text}")
        # bodies: each integer property out of range
        media = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if media is None:
            continue
        body_schema = _resolve(document, media["schema"])
        for name, prop in body_schema.get("properties", {}).items():
            if not list(_integers(document, prop, name)):
                continue
            resolved = _resolve(document, prop)
            # a list of integers (a run's `cases`): each value sent as its one item
            items = _items_of(resolved)
            low, high = _bounds(items if items is not None else resolved)
            for value in HOSTILE:
                sent_value: Any = [value] if items is not None else value
                field = f"body.{name}.0" if items is not None else f"body.{name}"
                response = await client.request(
                    method, _url(path, ids), json={name: sent_value}, headers=auth
                )
                sent += 1
                if response.status_code >= 500:
                    failures.append(f"{method} {path} body.{name}={value}: {response.status_code}")
                elif not low <= value <= high and not _refused(response, field):
                    failures.append(f"{method} {path} body.{name}={value}: {response.text}")
    assert sent > 200
    assert not failures, "\n".join(failures)
