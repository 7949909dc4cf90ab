"""Postman Collection v2.1 and v2.0 to OpenAPI 3.1.0: hand-made collections for each rule, the
real public collections of tests/documents, and hostile shapes."""

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from apidock.descriptions.from_postman import convert_postman
from apidock.descriptions.problems import Report

V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
V20 = "https://schema.getpostman.com/json/collection/v2.0.0/collection.json"
DOCUMENTS = Path(__file__).parent.parent / "documents"


def collection(*items: Any, schema: str = V21, **extra: Any) -> dict[str, Any]:
    return {
        "info": {"name": "Pets", "version": "2.0.0", "schema": schema},
        "item": list(items),
        **extra,
    }


def req(name: str, url: Any, method: str = "GET", **fields: Any) -> dict[str, Any]:
    response = fields.pop("response", [])
    return {"name": name, "request": {"method": method, "url": url, **fields}, "response": response}


def folder(name: str, *items: Any, **extra: Any) -> dict[str, Any]:
    return {"name": name, "item": list(items), **extra}


def assert_valid(document: dict[str, Any]) -> None:
    json.dumps(document, allow_nan=False)
    errors = [str(error)[:300] for error in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == []


def convert(document: dict[str, Any], *, deep: bool = False) -> tuple[dict[str, Any], Report]:
    """Convert and check the result is valid; unless `deep` (copy.deepcopy and == recurse),
    check too that the collection was left as it was."""
    report = Report()
    sent = None if deep else copy.deepcopy(document)
    out = convert_postman(document, report)
    assert deep or document == sent, "the collection was changed"
    assert_valid(out)
    return out, report


def entries(problems: Any) -> dict[str, str]:
    return {problem.pointer: problem.message for problem in problems}


def op(document: dict[str, Any], path: str, method: str = "get") -> dict[str, Any]:
    operation: dict[str, Any] = document["paths"][path][method]
    return operation


def test_info_and_format_of_either_version() -> None:
    out, report = convert(collection())
    assert out["openapi"] == "3.1.0"
    assert out["info"] == {"title": "Pets", "version": "2.0.0"}
    assert report.format == "postman-2.1.0"
    old = {
        "info": {
            "name": "Old",
            "schema": V20,
            "description": {"content": "About"},
            "version": {"major": 1, "minor": 2, "patch": 3, "identifier": "beta"},
        },
        "item": [],
    }
    out, report = convert(old)
    assert out["info"] == {"title": "Old", "description": "About", "version": "1.2.3-beta"}
    assert report.format == "postman-2.0.0"
    out, report = convert({"info": {"name": "N", "schema": V21}, "item": []})
    assert out["info"]["version"] == "1.0.0"
    assert "/info/version" in entries(report.warnings)


def test_folders_become_a_tag_tree_with_parents() -> None:
    out, _ = convert(
        collection(
            req("Root", "https://x.test/health"),
            folder(
                "Users",
                folder(
                    "Admin", req("Ban", "https://x.test/ban", "POST"), description="Admins only"
                ),
                folder("Admin", req("Other", "https://x.test/other")),
                req("List", "https://x.test/users"),
                description={"content": "People"},
            ),
        )
    )
    assert out["tags"] == [
        {"name": "Users", "description": "People"},
        {"name": "Users / Admin", "description": "Admins only", "x-apidock-group-parent": "Users"},
        {"name": "Users / Admin (2)", "x-apidock-group-parent": "Users"},
    ]
    assert "tags" not in op(out, "/health")
    assert op(out, "/ban", "post")["tags"] == ["Users / Admin"]
    assert op(out, "/other")["tags"] == ["Users / Admin (2)"]
    assert op(out, "/users")["tags"] == ["Users"]
    assert op(out, "/users")["summary"] == "List"


def test_methods_openapi_lacks_are_lost() -> None:
    methods = ["GET", "PUT", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS", "trace"]
    odd = ["COPY", "LINK", "UNLINK", "PURGE", "LOCK", "UNLOCK", "PROPFIND", "VIEW"]
    out, report = convert(collection(*(req(m, "https://x.test/r", m) for m in methods + odd)))
    assert list(out["paths"]["/r"]) == [m.lower() for m in methods]
    lost = entries(report.lost)
    for index, method in enumerate(odd, start=len(methods)):
        assert method in lost[f"/item/{index}/request/method"]
    out, _ = convert(
        collection(
            {"name": "Bare", "request": "https://x.test/bare"},
            {"request": {"method": "PUT", "url": "https://x.test/anonymous"}},
        )
    )
    assert op(out, "/bare")["summary"] == "Bare"
    assert op(out, "/anonymous", "put")["summary"] == "PUT /anonymous"
    assert out["security"] == []  # no auth anywhere, said outright


def test_path_variables_anywhere_in_a_segment() -> None:
    url = {
        "raw": "{{baseUrl}}/users/:userId/files/{{name}}.json/v1:batch/user-:n/:f.ext",
        "host": ["{{baseUrl}}"],
        "path": ["users", ":userId", "files", "{{name}}.json", "v1:batch", "user-:n", ":f.ext"],
        "variable": [
            {"key": "userId", "value": "42", "description": "The user"},
            {"key": "f.ext", "value": "a.txt"},
        ],
    }
    variables = [{"key": "baseUrl", "value": "https://api.test/"}, {"key": "name", "value": "cv"}]
    out, _ = convert(collection(req("File", url), variable=variables))
    path = "/users/{userId}/files/{name}.json/v1:batch/user-{n}/{f.ext}"
    parameters = {p["name"]: p for p in op(out, path)["parameters"]}
    assert parameters["userId"] == {
        "name": "userId",
        "in": "path",
        "description": "The user",
        "required": True,
        "schema": {"type": "string"},
        "example": "42",
    }
    assert parameters["name"]["example"] == "cv"
    assert parameters["f.ext"]["example"] == "a.txt"
    assert parameters["n"]["required"] is True
    assert out["servers"] == [
        {"url": "{baseUrl}", "variables": {"baseUrl": {"default": "https://api.test"}}}
    ]


def test_servers_from_variable_and_literal_hosts() -> None:
    out, report = convert(
        collection(
            req("A", "{{host}}/a"),
            req("B", "https://b.test:8443/b"),
            req("C", "c.test/c?x=1#frag"),
            req("D", "/relative"),
            req("E", "https://user:pw@e.test/e"),
            req("F", "{{host}}/f"),
        )
    )
    assert [server["url"] for server in out["servers"]] == [
        "{host}",
        "https://b.test:8443",
        "http://c.test",
        "https://e.test",
    ]
    assert out["servers"][0]["variables"] == {"host": {"default": ""}}
    assert "/item/0/request/url" in entries(report.warnings)
    assert "/item/5/request/url" not in entries(report.warnings)  # one warning per variable
    assert "/item/4/request/url" in entries(report.lost)
    assert "pw" not in json.dumps(out)
    assert "servers" not in op(out, "/a")
    assert op(out, "/b")["servers"] == [{"url": "https://b.test:8443"}]
    assert op(out, "/c")["parameters"][0]["name"] == "x"
    assert "servers" not in op(out, "/relative")
    out, _ = convert(
        collection(req("L", "{{base}}/l"), variable=[{"key": "base", "value": "localhost:3000"}])
    )
    assert out["servers"][0]["url"] == "http://{base}"
    out, _ = convert(collection(req("R", "{{base}}/r/"), variable=[{"key": "base", "value": "/"}]))
    assert out["servers"] == [{"url": "{base}", "variables": {"base": {"default": ""}}}]
    assert list(out["paths"]) == ["/r"]


def test_query_keys_and_headers_become_parameters() -> None:
    url = {
        "raw": "https://x.test/s?q=cat&old=1",
        "host": ["x", "test"],
        "path": ["s"],
        "query": [
            {"key": "q", "value": "cat", "description": "Terms"},
            {"key": "old", "value": "1", "disabled": True},
            {"key": None},
        ],
    }
    headers = [
        {"key": "X-Trace", "value": "abc"},
        {"key": "Content-Type", "value": "text/csv"},
        {"key": "accept", "value": "*/*"},
        {"key": "Authorization", "value": "Bearer t"},
    ]
    out, report = convert(
        collection(
            req("S", url, header=headers), req("T", "https://x.test/t", header="X-A: 1\nX-B: 2")
        )
    )
    parameters = op(out, "/s")["parameters"]
    assert [(p["in"], p["name"]) for p in parameters] == [
        ("query", "q"),
        ("query", "old"),
        ("header", "X-Trace"),
    ]
    assert parameters[0]["description"] == "Terms"
    assert parameters[0]["example"] == "cat"
    assert [p["name"] for p in op(out, "/t")["parameters"]] == ["X-A", "X-B"]
    assert op(out, "/s")["security"] == [{"bearerAuth": []}]
    assert "/item/0/request/url/query/2" in entries(report.lost)


def raw(text: str, language: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"mode": "raw", "raw": text}
    if language:
        body["options"] = {"raw": {"language": language}}
    return body


def saved(name: str, code: Any, body: str | None, **fields: Any) -> dict[str, Any]:
    return {"name": name, "code": code, "body": body, **fields}


def test_same_method_and_path_merge_into_one_operation() -> None:
    out, report = convert(
        collection(
            folder(
                "A",
                req(
                    "First",
                    "https://x.test/pets/:id?limit=1",
                    "POST",
                    body=raw('{"a": 1}', "json"),
                    response=[saved("One", 201, "{}"), saved("One", 201, "[]")],
                ),
            ),
            folder(
                "B",
                req(
                    "Second",
                    "https://x.test/pets/{{petId}}?page=2",
                    "POST",
                    body=raw('{"b": 2}', "json"),
                    response=[saved("One", 201, "{}")],
                ),
            ),
            req("Other", "https://x.test/pets/:pet", "DELETE"),
        )
    )
    assert list(out["paths"]) == ["/pets/{id}"]
    merged = op(out, "/pets/{id}", "post")
    assert merged["summary"] == "First"
    assert merged["tags"] == ["A", "B"]
    assert [p["name"] for p in merged["parameters"]] == ["id", "limit", "page"]
    assert merged["requestBody"]["content"]["application/json"]["examples"] == {
        "First": {"value": {"a": 1}},
        "Second": {"value": {"b": 2}},
    }
    examples = merged["responses"]["201"]["content"]["application/json"]["examples"]
    assert list(examples) == ["One", "One (2)", "One (3)"]
    assert op(out, "/pets/{id}", "delete")["parameters"][0]["name"] == "id"
    warned = entries(report.warnings)
    assert "/item/0/item/0" in warned["/item/1/item/0"]
    assert "/item/2" in warned


def test_a_10000_deep_folder_chain_converts_without_recursion() -> None:
    leaf: dict[str, Any] = req("Leaf", "https://x.test/leaf")
    for depth in range(10_000):
        leaf = folder(f"F{depth % 3}", leaf)
    started = time.thread_time()  # CPU time: a busy machine's other processes do not count
    out, _ = convert(collection(leaf), deep=True)
    assert time.thread_time() - started < 5
    assert len(out["tags"]) == 10_000
    assert len({tag["name"] for tag in out["tags"]}) == 10_000
    assert all(len(tag["name"]) < 250 for tag in out["tags"])
    assert op(out, "/leaf")["tags"] == [out["tags"][-1]["name"]]
    assert out["tags"][-1]["x-apidock-group-parent"] == out["tags"][-2]["name"]


REAL = sorted(
    path
    for version in ("postman-2.1", "postman-2.0")
    for path in (DOCUMENTS / version).glob("*.json")
)


@pytest.mark.parametrize("path", REAL, ids=[f"{p.parent.name}/{p.name}" for p in REAL])
def test_real_collections_convert_to_valid_openapi(path: Path) -> None:
    out, report = convert(json.loads(path.read_text(encoding="utf-8")))
    assert out["openapi"] == "3.1.0"
    assert out["info"]["title"]
    assert out["info"]["version"]
    assert isinstance(out["paths"], dict)
    assert report.format.startswith("postman-2.")
