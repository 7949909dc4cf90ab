"""References: which `$ref`s are references, checking them (never fetched, never followed),
the lenient rewrites, pointers, and the walk's bounds on deep and large documents."""

from __future__ import annotations

import copy
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from apidock.descriptions import refs
from apidock.descriptions.problems import DocumentRefused, Report
from apidock.descriptions.refs import (
    Reference,
    check_references,
    find_references,
    resolve_pointer,
    rewrite_references,
)

PET = {"type": "object", "properties": {"id": {"type": "integer"}}}


def openapi(**members: Any) -> dict[str, Any]:
    document: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}}
    document.setdefault("paths", {})
    document.update(members)
    return document


def refused(document: dict[str, Any], family: str = "openapi") -> list[dict[str, str]]:
    with pytest.raises(DocumentRefused) as caught:
        check_references(document, family, Report())
    return [problem.as_refusal() for problem in caught.value.problems]


def test_reference_positions_of_openapi_3() -> None:
    ref = {"$ref": "#/components/schemas/Pet"}
    document = openapi(
        paths={
            "/pets": {
                "$ref": "#/components/pathItems/Pets",
                "get": {
                    "parameters": [{"$ref": "#/components/parameters/Limit"}],
                    "requestBody": {"$ref": "#/components/requestBodies/Pet"},
                    "responses": {
                        "default": {"$ref": "#/components/responses/Error"},
                        "200": {
                            "headers": {"X-Rate": {"$ref": "#/components/headers/Rate"}},
                            "links": {"next": {"$ref": "#/components/links/Next"}},
                            "content": {
                                "application/json": {
                                    "schema": {"type": "array", "items": ref},
                                    "examples": {"one": {"$ref": "#/components/examples/One"}},
                                }
                            },
                        },
                    },
                    "callbacks": {"onEvent": {"$ref": "#/components/callbacks/Event"}},
                },
            }
        },
        webhooks={"newPet": {"$ref": "#/components/pathItems/Pets"}},
        components={
            "schemas": {
                "Pet": PET,
                "Both": {"allOf": [ref], "properties": {"owner": ref}, "$defs": {"d": ref}},
            }
        },
    )
    assert [found.at for found in find_references(document, "openapi")] == [
        "/paths/~1pets/$ref",
        "/paths/~1pets/get/parameters/0/$ref",
        "/paths/~1pets/get/requestBody/$ref",
        "/paths/~1pets/get/responses/default/$ref",
        "/paths/~1pets/get/responses/200/headers/X-Rate/$ref",
        "/paths/~1pets/get/responses/200/links/next/$ref",
        "/paths/~1pets/get/responses/200/content/application~1json/schema/items/$ref",
        "/paths/~1pets/get/responses/200/content/application~1json/examples/one/$ref",
        "/paths/~1pets/get/callbacks/onEvent/$ref",
        "/webhooks/newPet/$ref",
        "/components/schemas/Both/allOf/0/$ref",
        "/components/schemas/Both/properties/owner/$ref",
        "/components/schemas/Both/$defs/d/$ref",
    ]
    assert find_references(document, "openapi")[0] == Reference(
        "/paths/~1pets/$ref", "#/components/pathItems/Pets"
    )


def test_data_that_looks_like_a_reference_is_not_one() -> None:
    data = {"$ref": "https://example.com/data.json"}
    schema = {
        "type": "object",
        "default": data,
        "enum": [data],
        "const": data,
        "example": data,
        "examples": [data],
        "x-extra": data,
        "unknownKeyword": data,
        # a property called $ref, and one called x-note: both are names, both schemas
        "properties": {"$ref": {"type": "string"}, "x-note": {"$ref": "#/components/schemas/S"}},
    }
    document = openapi(
        paths={
            "x-internal": {"get": {"parameters": [data]}},
            "/a": {
                "x-meta": data,
                "get": {
                    "x-codegen": data,
                    "responses": {
                        "x-note": data,
                        "200": {
                            "links": {"l": {"parameters": {"id": data}, "requestBody": data}},
                            "content": {"application/json": {"schema": schema, "example": data}},
                        },
                    },
                },
            },
        },
        components={
            "schemas": {"S": {"type": "string"}, "$ref": {"type": "string"}},
            "examples": {"E": {"value": data}},
        },
        info={"title": "t", "version": "1", "x-logo": data},
    )
    assert find_references(document, "openapi") == [
        Reference(
            "/paths/~1a/get/responses/200/content/application~1json/schema/properties/x-note/$ref",
            "#/components/schemas/S",
        )
    ]
    before = copy.deepcopy(document)
    check_references(document, "openapi", Report())
    assert document == before


def test_reference_positions_of_swagger_2() -> None:
    document = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/pets": {
                "parameters": [{"$ref": "#/parameters/Limit"}],
                "post": {
                    "parameters": [
                        {"in": "body", "name": "b", "schema": {"$ref": "#/definitions/Pet"}},
                        {"in": "query", "name": "q", "type": "array", "items": {"$ref": "#/x"}},
                    ],
                    "responses": {
                        "200": {
                            "schema": {"$ref": "#/definitions/Pet"},
                            "headers": {"X-N": {"type": "integer"}},
                            "examples": {"application/json": {"$ref": "not/a/reference"}},
                        },
                        "404": {"$ref": "#/responses/NotFound"},
                    },
                },
            }
        },
        "parameters": {"Limit": {"in": "query", "name": "limit", "type": "integer"}},
        "responses": {"NotFound": {"description": "no"}},
        "definitions": {"Pet": {"properties": {"tags": {"items": {"$ref": "#/definitions/T"}}}}},
    }
    assert [found.at for found in find_references(document, "swagger")] == [
        "/paths/~1pets/parameters/0/$ref",
        "/paths/~1pets/post/parameters/0/schema/$ref",
        "/paths/~1pets/post/parameters/1/items/$ref",
        "/paths/~1pets/post/responses/200/schema/$ref",
        "/paths/~1pets/post/responses/404/$ref",
        "/definitions/Pet/properties/tags/items/$ref",
    ]
    # the same document read as OpenAPI 3 has no `definitions`: a family changes the structure
    as_openapi = [found.at for found in find_references(document, "openapi")]
    assert "/definitions/Pet/properties/tags/items/$ref" not in as_openapi
    with pytest.raises(ValueError, match="family"):
        find_references(document, "raml")


def test_a_recursive_tree_is_kept_as_references() -> None:
    tree = {
        "type": "object",
        "properties": {
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}
        },
    }
    document = openapi(
        components={"schemas": {"Tree": tree, "Self": {"$ref": "#/components/schemas/Self"}}}
    )
    before = copy.deepcopy(document)
    report = Report()
    check_references(document, "openapi", report)
    assert document == before
    assert report.warnings == report.lost == []


EXTERNAL = [
    "other.yaml#/components/schemas/Pet",
    "other.yaml",
    "http://example.com/schemas/pet.json",
    "https://example.com/openapi.json#/components/schemas/Pet",
    "file:///etc/passwd",
    "urn:example:pet",
    "//example.com/pet.json",
    "/absolute/path.json",
]


def test_every_kind_of_external_reference_is_refused_with_its_pointer_and_target(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a reference check touched the network")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    schemas = {f"S{i}": {"$ref": target} for i, target in enumerate(EXTERNAL)}
    document = openapi(
        paths={"/a": {"get": {"parameters": [{"$ref": "https://example.com/p.yaml"}]}}},
        components={"schemas": schemas},
    )
    problems = refused(document)
    assert [p["field"] for p in problems] == ["/paths/~1a/get/parameters/0/$ref"] + [
        f"/components/schemas/S{i}/$ref" for i in range(len(EXTERNAL))
    ]
    assert {p["type"] for p in problems} == {"ref.external"}
    for problem, target in zip(problems[1:], EXTERNAL, strict=True):
        assert repr(target) in problem["message"]


def test_unresolved_pointers_are_refused_all_at_once_and_nothing_changes() -> None:
    document = openapi(
        paths={"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/Gone"}}}}},
        components={
            "schemas": {
                "List": {"type": "array", "prefixItems": [{"type": "string"}]},
                "Index01": {"$ref": "#/components/schemas/List/prefixItems/01"},
                "Dash": {"$ref": "#/components/schemas/List/prefixItems/-"},
                "Past": {"$ref": "#/components/schemas/List/prefixItems/1"},
                "Slash": {"$ref": "#/components/schemas/List/"},
                "Anchor": {"$ref": "#nobody"},
                "Escape": {"$ref": "#/components/schemas/~2"},
                "NotString": {"$ref": 12},
                "Fine": {"$ref": "#/components/schemas/List/prefixItems/0"},
            }
        },
    )
    before = copy.deepcopy(document)
    problems = refused(document)
    assert [p["field"] for p in problems] == [
        "/paths/~1a/get/responses/200/$ref",
        *(
            f"/components/schemas/{name}/$ref"
            for name in ("Index01", "Dash", "Past", "Slash", "Anchor", "Escape")
        ),
    ]
    assert {p["type"] for p in problems} == {"ref.unresolved"}
    assert "'#/components/responses/Gone'" in problems[0]["message"]
    assert document == before  # the non-string $ref is removed only when the document passes


def test_fragments_are_percent_decoded_and_pointer_unescaped() -> None:
    document = openapi(
        paths={"/pets/{id}": {"get": {"responses": {}}}},
        components={
            "schemas": {
                "Pet Name": {"type": "string"},
                "Größe": {"type": "string"},
                "a/b~c": {"type": "string"},
                "Encoded": {"$ref": "#/components/schemas/Pet%20Name"},
                "Raw": {"$ref": "#/components/schemas/Pet Name"},
                "Unicode": {"$ref": "#/components/schemas/Gr%C3%B6%C3%9Fe"},
                "Escaped": {"$ref": "#/components/schemas/a~1b~0c"},
                "Path": {"$ref": "#/paths/~1pets~1%7Bid%7D/get"},
            }
        },
    )
    report = Report()
    check_references(document, "openapi", report)
    assert report.warnings == report.lost == []


def test_a_key_with_a_percent_sign_named_undecoded_is_rewritten_encoded() -> None:
    document = openapi(
        components={
            "schemas": {"100%25": {"type": "string"}, "R": {"$ref": "#/components/schemas/100%25"}}
        }
    )
    report = Report()
    check_references(document, "openapi", report)
    assert document["components"]["schemas"]["R"] == {"$ref": "#/components/schemas/100%2525"}
    assert [w.pointer for w in report.warnings] == ["/components/schemas/R/$ref"]


def test_a_ref_that_is_not_a_string_is_removed_and_reported_lost() -> None:
    document = openapi(
        components={
            "schemas": {"P": {"$ref": {"type": "string"}, "description": "d"}},
            "parameters": {"Q": {"$ref": None, "name": "q", "in": "query"}},
        }
    )
    report = Report()
    check_references(document, "openapi", report)
    assert document["components"]["schemas"]["P"] == {"description": "d"}
    assert document["components"]["parameters"]["Q"] == {"name": "q", "in": "query"}
    assert [p.pointer for p in report.lost] == [
        "/components/schemas/P/$ref",
        "/components/parameters/Q/$ref",
    ]
    assert "a dict" in report.lost[0].message


def test_refs_through_anchors_and_ids_are_rewritten_to_pointers() -> None:
    document = openapi(
        components={
            "schemas": {
                "Pet": {"$anchor": "pet", "type": "object"},
                "Owner": {
                    "$id": "https://example.com/schemas/owner",
                    "type": "object",
                    "$defs": {"name": {"$anchor": "name", "type": "string"}},
                    "properties": {
                        "pet": {"$ref": "#/components/schemas/Pet"},
                        "name": {"$ref": "#name"},
                        "nick": {"$ref": "#/$defs/name"},
                        "friend": {"$ref": "friend"},
                    },
                },
                "Friend": {"$id": "https://example.com/schemas/friend"},
                "Relative": {"$id": "relative.json", "$dynamicAnchor": "node"},
                "Old": {"$id": "#old"},
                "A": {"$ref": "#pet"},
                "B": {"$ref": "https://example.com/schemas/owner"},
                "C": {"$ref": "https://example.com/schemas/owner#/properties/pet"},
                "D": {"$ref": "https://example.com/schemas/owner#name"},
                "E": {"$ref": "relative.json"},
                "F": {"$ref": "relative.json#node"},
                "G": {"$ref": "#old"},
            }
        }
    )
    report = Report()
    check_references(document, "openapi", report)
    schemas = document["components"]["schemas"]
    owner = schemas["Owner"]["properties"]
    assert owner["pet"] == {"$ref": "#/components/schemas/Pet"}  # resolves from the root: kept
    assert owner["name"] == {"$ref": "#/components/schemas/Owner/$defs/name"}
    assert owner["nick"] == {"$ref": "#/components/schemas/Owner/$defs/name"}
    assert owner["friend"] == {"$ref": "#/components/schemas/Friend"}
    assert {name: schemas[name]["$ref"] for name in "ABCDEFG"} == {
        "A": "#/components/schemas/Pet",
        "B": "#/components/schemas/Owner",
        "C": "#/components/schemas/Owner/properties/pet",
        "D": "#/components/schemas/Owner/$defs/name",
        "E": "#/components/schemas/Relative",
        "F": "#/components/schemas/Relative",
        "G": "#/components/schemas/Old",
    }
    assert len(report.warnings) == 10
    assert report.warnings[0].pointer == "/components/schemas/Owner/properties/name/$ref"
    assert "$anchor 'name'" in report.warnings[0].message
    assert {w.type for w in report.warnings} == {"ref.rewritten"}
    check_references(document, "openapi", report)  # the rewritten document checks clean
    assert len(report.warnings) == 10


def test_an_anchor_or_id_nobody_declares_is_unresolved_or_external() -> None:
    document = openapi(
        components={
            "schemas": {
                "Owner": {"$id": "https://example.com/owner", "$defs": {"x": {"$anchor": "x"}}},
                "Inner": {"$ref": "https://example.com/owner#missing"},
                "Outer": {"$ref": "#x"},  # x is an anchor of Owner's resource, not the document's
                "Other": {"$ref": "https://example.com/other"},
                "Dynamic": {"$dynamicRef": "https://example.com/meta#node"},
                "LocalDynamic": {"$dynamicRef": "#node"},
            }
        }
    )
    assert [(p["field"], p["type"]) for p in refused(document)] == [
        ("/components/schemas/Inner/$ref", "ref.unresolved"),
        ("/components/schemas/Outer/$ref", "ref.unresolved"),
        ("/components/schemas/Other/$ref", "ref.external"),
        ("/components/schemas/Dynamic/$dynamicRef", "ref.external"),
    ]


class _Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.seen.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"type": "string"}')

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    connections = 0

    def verify_request(self, request: Any, client_address: Any) -> bool:
        _Server.connections += 1
        return True


def test_a_url_reference_to_a_live_listener_is_refused_and_never_fetched() -> None:
    server = _Server(("127.0.0.1", 0), _Recorder)
    server.timeout = 1
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        port = server.server_address[1]
        target = f"http://127.0.0.1:{port}/x.json"
        document = openapi(components={"schemas": {"Remote": {"$ref": target}}})
        # refused without waiting on the listener: no connection reached it (checked below)
        problems = refused(document)
        assert problems == [
            {
                "field": "/components/schemas/Remote/$ref",
                "message": problems[0]["message"],
                "type": "ref.external",
            }
        ]
        assert target in problems[0]["message"]
        time.sleep(0.1)  # a request made in the background would have arrived by now
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert _Recorder.seen == []
    assert _Server.connections == 0


def _deep_chain(depth: int, bottom: dict[str, Any]) -> dict[str, Any]:
    top: dict[str, Any] = {}
    node = top
    for _ in range(depth):
        inner: dict[str, Any] = {}
        node["items"] = inner
        node = inner
    node.update(bottom)
    return top


def test_a_ref_at_the_bottom_of_10000_nested_schemas_raises_no_recursion_error() -> None:
    depth = 10_000
    document = openapi(
        components={
            "schemas": {
                "Deep": _deep_chain(depth, {"$ref": "#/components/schemas/Nope"}),
                "Data": {"example": _deep_chain(depth, {"$ref": "https://example.com/x"})},
            }
        }
    )
    expected = "/components/schemas/Deep" + "/items" * depth + "/$ref"
    assert find_references(document, "openapi") == [
        Reference(expected, "#/components/schemas/Nope")
    ]
    assert [p["field"] for p in refused(document)] == [expected]
    document["components"]["schemas"]["Nope"] = {}
    check_references(document, "openapi", Report())
    assert resolve_pointer(document, expected[: -len("/$ref")]) == {
        "$ref": "#/components/schemas/Nope"
    }


def test_100000_references_to_one_deep_target_resolve_it_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = "#/components/schemas/Deep" + "/items" * 1_000
    document = openapi(
        components={
            "schemas": {
                "Deep": _deep_chain(1_000, {"type": "string"}),
                "Many": {"anyOf": [{"$ref": target} for _ in range(100_000)]},
            }
        }
    )
    calls = []
    real = refs.resolve_pointer

    def counting(document: Any, json_pointer: str) -> Any:
        calls.append(json_pointer)
        return real(document, json_pointer)

    monkeypatch.setattr(refs, "resolve_pointer", counting)
    check_references(document, "openapi", Report())
    assert len(calls) == 1


def test_resolve_pointer_follows_rfc_6901() -> None:
    document = {"a/b": {"m~n": [10, {"": "empty"}]}, "list": [0, 1]}
    assert resolve_pointer(document, "") is document
    assert resolve_pointer(document, "/a~1b/m~0n/0") == 10
    assert resolve_pointer(document, "/a~1b/m~0n/1/") == "empty"
    for bad in (
        "/list/01",
        "/list/-",
        "/list/2",
        "/list/+1",
        "/list/1e0",
        "/nope",
        "/list/0/deeper",
        "a~1b",
        "/a~2b",
        "/list/" + "9" * 5000,
    ):
        with pytest.raises(LookupError):
            resolve_pointer(document, bad)


def test_rewrite_references_maps_only_reference_positions() -> None:
    document: dict[str, Any] = {
        "swagger": "2.0",
        "paths": {
            "/p": {
                "get": {
                    "parameters": [{"$ref": "#/parameters/Limit"}],
                    "responses": {
                        "200": {
                            "schema": {"$ref": "#/definitions/Pet"},
                            "examples": {"application/json": {"$ref": "#/definitions/Pet"}},
                        }
                    },
                }
            }
        },
        "definitions": {"Pet": {"x-see": {"$ref": "#/definitions/Pet"}}},
    }

    def moved(target: str) -> str | None:
        if target.startswith("#/definitions/"):
            return "#/components/schemas/" + target.removeprefix("#/definitions/")
        return None

    assert rewrite_references(document, "swagger", moved) == 1
    response = document["paths"]["/p"]["get"]["responses"]["200"]
    assert response["schema"] == {"$ref": "#/components/schemas/Pet"}
    assert response["examples"]["application/json"] == {"$ref": "#/definitions/Pet"}
    assert document["definitions"]["Pet"]["x-see"] == {"$ref": "#/definitions/Pet"}
    assert document["paths"]["/p"]["get"]["parameters"] == [{"$ref": "#/parameters/Limit"}]


def test_a_lone_surrogate_in_a_key_survives_a_rewrite() -> None:
    key = "odd\ud800"
    document = openapi(components={"schemas": {key: {"$anchor": "odd"}, "R": {"$ref": "#odd"}}})
    check_references(document, "openapi", Report())
    rewritten = document["components"]["schemas"]["R"]["$ref"]
    assert rewritten == "#/components/schemas/odd%ED%A0%80"
    check_references(document, "openapi", Report())  # and it resolves


def test_a_media_type_written_as_a_reference_is_checked_like_one() -> None:
    content = {"application/json": {"$ref": "https://example.com/pet.json"}}
    document = openapi(paths={"/a": {"get": {"responses": {"200": {"content": content}}}}})
    assert [p["field"] for p in refused(document)] == [
        "/paths/~1a/get/responses/200/content/application~1json/$ref"
    ]
