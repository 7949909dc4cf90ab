"""Hostile requests and large documents: clear 4xx answers, fast; bounded caches; a static
answer in microseconds; a build linear in the document."""

from __future__ import annotations

import json
from typing import Any

import pytest

from apidock.mocking.answers import MAX_CACHED_ACCEPTS, MockAnswer, MockDocument, MockRequest

EXAMPLE = {"description": "", "content": {"application/json": {"example": {"ok": True}}}}
DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "paths": {
        "/pets/{id}": {"get": {"responses": {"200": EXAMPLE}}},
        "/pets/mine": {"get": {"responses": {"200": EXAMPLE}}},
    },
}


def send(mocked: MockDocument, path: str = "/pets/1", **headers: str) -> MockAnswer:
    return mocked.answer(MockRequest("GET", path, b"", headers, b""))


@pytest.mark.parametrize(
    "headers",
    [
        {"prefer": "code=200," * 2000},
        {"prefer": '"' * 3001},
        {"prefer": "example=" + "x" * 5000},
        {"accept": "text/html," * 1000},
        {"accept": "a/b," * 100},
        {"x-mock-response-code": "2" * 10_000},
    ],
)
def test_huge_or_malformed_preference_headers_are_400_fast(headers: dict[str, str]) -> None:
    answer = send(MockDocument.build(DOCUMENT), "/pets/1", **headers)
    assert answer.status == 400
    assert json.loads(answer.body)["status"] == 400


def test_a_malformed_accept_within_bounds_is_read_leniently() -> None:
    answer = send(MockDocument.build(DOCUMENT), accept=";;;,/,*/x;q=abc, ,")
    assert answer.status == 200


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/a" * 10_000, 404),
        ("/pets/" + "x" * 100_000, 200),
        ("/pets/" + "a%" * 1000, 400),
        ("/pets/" + "%41" * 10_000, 200),
        ("/" + "/" * 10_000, 404),
        ("/pets/%2e%2e", 400),
        ("/pets/%00", 400),
        ("/pets/\udcff", 200),
    ],
)
def test_hostile_paths_are_answered_fast(path: str, status: int) -> None:
    answer = send(MockDocument.build(DOCUMENT), path)
    assert answer.status == status


def test_many_accept_values_do_not_grow_the_cache_past_its_bound() -> None:
    mocked = MockDocument.build(DOCUMENT)
    for index in range(MAX_CACHED_ACCEPTS + 100):
        assert send(mocked, accept=f"application/json;v={index}").status == 200
    assert len(mocked._selections) <= MAX_CACHED_ACCEPTS + 1
    # past the bound, answers are still right
    assert send(mocked, accept="image/png").status == 406


def test_a_build_of_many_paths_keeps_the_document_and_routes_the_last() -> None:
    def document(count: int) -> dict[str, Any]:
        paths = {f"/r{index}/{{id}}/s{index}": {"get": {}} for index in range(count)}
        return {"openapi": "3.1.0", "paths": paths}

    large = document(10_000)
    mocked = MockDocument.build(large)
    assert mocked._document is large
    assert send(mocked, "/r9999/7/s9999").status == 200


def test_a_deep_reference_chain_or_a_cycle_is_read_as_missing() -> None:
    responses: dict[str, Any] = {
        f"R{index}": {"$ref": f"#/components/responses/R{index + 1}"} for index in range(100)
    }
    responses["Loop"] = {"$ref": "#/components/responses/Loop"}
    for name in ("R0", "Loop"):
        document = {
            "paths": {
                "/a": {"get": {"responses": {"200": {"$ref": f"#/components/responses/{name}"}}}}
            },
            "components": {"responses": responses},
        }
        answer = send(MockDocument.build(document), "/a")
        assert (answer.status, answer.body) == (200, b"")


def test_a_document_of_the_wrong_shapes_is_answered_without_a_crash() -> None:
    document: dict[str, Any] = {
        "paths": {
            "/a": {"get": {"responses": ["not", "a", "map"], "parameters": "x", "security": 3}},
            "/b": {"get": {"responses": {"200": {"content": {"application/json": []}}}}},
            "/c": {"get": {"responses": {"200": {"headers": {"X-A": 1}, "content": 2}}}},
            "/d": "not an item",
        },
        "servers": "nope",
        "security": [{"x": []}, "y"],
    }
    mocked = MockDocument.build(document)
    for path in ("/a", "/b", "/c"):
        for strict in (False, True):
            answer = mocked.answer(MockRequest("GET", path, b"", {}, b"", strict))
            assert answer.status < 500, (path, answer)
    assert send(mocked, "/d").status == 404
