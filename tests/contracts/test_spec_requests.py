"""The requests `apidock test --spec` sends: one per operation, in document order, made from the
document's examples, else from plain values of the schemas' types."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import orjson

from apidock.contracts.spec_requests import PlannedRequest, planned_requests

JSON = "application/json"


def document(paths: dict[str, Any], **components: Any) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": components,
    }


def only(paths: dict[str, Any], **components: Any) -> PlannedRequest:
    planned = planned_requests(document(paths, **components))
    assert len(planned) == 1
    return planned[0]


def parameter(name: str, where: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "in": where, **fields}


def get(*parameters: dict[str, Any], **operation: Any) -> dict[str, Any]:
    return {"get": {"parameters": list(parameters), "responses": {}, **operation}}


def test_every_operation_once_in_document_order_named_by_operation_id() -> None:
    planned = planned_requests(
        document(
            {
                "/b": {"post": {"operationId": "makeB"}, "get": {}, "summary": "not a method"},
                "/a": {"$ref": "#/components/pathItems/A"},
            },
            pathItems={"A": {"delete": {"operationId": ""}}},
        )
    )
    assert [(p.name, p.method, p.path_template) for p in planned] == [
        ("makeB", "POST", "/b"),
        ("GET /b", "GET", "/b"),
        ("DELETE /a", "DELETE", "/a"),
    ]
    assert planned_requests({"openapi": "3.1.0"}) == []


def test_parameter_values_come_from_examples_in_order() -> None:
    planned = only(
        {
            "/items": get(
                parameter("a", "query", example="one"),
                parameter("a2", "query", example="no", examples={"x": {"value": "first"}}),
                parameter("b", "query", examples={"x": {"$ref": "#/components/examples/B"}}),
                parameter("c", "query", schema={"example": 3, "default": 4}),
                parameter("d", "query", schema={"default": 4, "enum": [5]}),
                parameter("e", "query", schema={"enum": [True, False]}),
                parameter("f", "query", schema={"$ref": "#/components/schemas/F"}),
                parameter("g", "query", schema={"type": "string"}),
            )
        },
        examples={"B": {"value": "two"}},
        schemas={"F": {"type": "integer", "examples": [9]}},
    )
    assert planned.query == [
        ("a", "one"),
        ("a2", "first"),
        ("b", "two"),
        ("c", "3"),
        ("d", "4"),
        ("e", "true"),
        ("f", "9"),
    ]


def test_required_parameters_without_example_get_plain_values() -> None:
    planned = only(
        {
            "/items/{id}/{day}/{key}": get(
                parameter("id", "path", schema={"type": "integer", "minimum": 10}),
                parameter("day", "path", schema={"type": "string", "format": "date"}),
                parameter("key", "path", schema={"type": "string", "minLength": 3}),
                parameter("flag", "query", required=True, schema={"type": "boolean"}),
                parameter(
                    "ratio",
                    "query",
                    required=True,
                    schema={"exclusiveMinimum": 1, "type": "number"},
                ),
                parameter("low", "query", required=True, schema={"type": "integer", "maximum": -5}),
                parameter(
                    "ids",
                    "query",
                    required=True,
                    schema={"type": "array", "items": {"type": "integer"}},
                ),
                parameter(
                    "uuid", "header", required=True, schema={"type": "string", "format": "uuid"}
                ),
            )
        }
    )
    assert planned.path == "/items/10/2024-01-01/111"
    assert planned.query == [("flag", "true"), ("ratio", "2"), ("low", "-5"), ("ids", "1")]
    assert planned.headers == [("uuid", "00000000-0000-4000-8000-000000000000")]


def test_path_values_are_percent_encoded_and_styled() -> None:
    planned = only(
        {
            "/f/{plain}/{list}{label}{matrix}/{object}": get(
                parameter("plain", "path", example="a/b c?"),
                parameter("list", "path", example=["x", "y z"]),
                parameter("label", "path", style="label", explode=True, example=["p", "q"]),
                parameter("matrix", "path", style="matrix", example={"k": "v", "n": 1}),
                parameter("object", "path", explode=True, example={"k": "v"}),
            )
        }
    )
    assert planned.path == "/f/a%2Fb%20c%3F/x,y%20z.p.q;matrix=k,v,n,1/k=v"


def test_a_placeholder_without_parameter_is_sent_one() -> None:
    assert only({"/things/{id}/ä b": get()}).path == "/things/1/%C3%A4%20b"


def test_query_styles() -> None:
    planned = only(
        {
            "/q": get(
                parameter("form", "query", example=["a", "b"]),
                parameter("flat", "query", explode=False, example=["a", "b"]),
                parameter("space", "query", style="spaceDelimited", explode=False, example=[1, 2]),
                parameter("pipe", "query", style="pipeDelimited", explode=False, example=[1, 2]),
                parameter("deep", "query", style="deepObject", example={"x": 1, "y": "z"}),
                parameter("spread", "query", example={"m": 1}),
                parameter("json", "query", content={JSON: {"example": {"a": [1]}}}),
                parameter("nothing", "query", schema={"type": "string"}),
            )
        }
    )
    assert planned.query == [
        ("form", "a"),
        ("form", "b"),
        ("flat", "a,b"),
        ("space", "1 2"),
        ("pipe", "1|2"),
        ("deep[x]", "1"),
        ("deep[y]", "z"),
        ("m", "1"),
        ("json", '{"a":[1]}'),
    ]


def test_headers_and_cookies() -> None:
    planned = only(
        {
            "/h": get(
                parameter("X-List", "header", example=[1, 2]),
                parameter("X-Evil", "header", example="a\r\nSet-Cookie: x=1"),
                parameter("Accept", "header", example="text/html"),
                parameter("Content-Type", "header", example="text/html"),
                parameter("Authorization", "header", example="Bearer t"),
                parameter("Host", "header", example="evil.example"),
                parameter("bad name", "header", example="x"),
                parameter("session", "cookie", example="a b"),
                parameter("theme", "cookie", example="dark"),
            )
        }
    )
    assert planned.headers == [
        ("X-List", "1,2"),
        ("X-Evil", "aSet-Cookie: x=1"),
        ("Cookie", "session=a%20b; theme=dark"),
    ]


def test_operation_parameters_win_over_path_item_ones() -> None:
    planned = only(
        {
            "/w": {
                "parameters": [
                    parameter("a", "query", example="item"),
                    parameter("X-A", "header", example="1"),
                ],
                "get": {
                    "parameters": [
                        {"$ref": "#/components/parameters/A"},
                        parameter("x-a", "header", example="2"),
                    ]
                },
            }
        },
        parameters={"A": parameter("a", "query", example="operation")},
    )
    assert planned.query == [("a", "operation")]
    assert planned.headers == [("x-a", "2")]


def body_of(content: dict[str, Any], **components: Any) -> PlannedRequest:
    return only({"/b": {"post": {"requestBody": {"content": content}}}}, **components)


def test_the_body_is_the_first_example_serialized_compactly() -> None:
    planned = body_of(
        {
            JSON: {
                "examples": {
                    "external": {"externalValue": "https://example.com/x.json"},
                    "first": {"value": {"name": "Ann", "tags": ["a"]}},
                    "second": {"value": {"name": "Bob"}},
                },
                "example": {"name": "Cy"},
            }
        }
    )
    assert planned.body == b'{"name":"Ann","tags":["a"]}'
    assert planned.media_type == JSON
    assert body_of({JSON: {"example": [1, 2]}}).body == b"[1,2]"


def test_the_body_falls_back_to_the_schema_example_then_the_next_media_type() -> None:
    planned = body_of(
        {
            "application/xml": {"example": {"not": "xml"}},
            "application/vnd.x+json": {"schema": {"$ref": "#/components/schemas/P"}},
        },
        schemas={"P": {"type": "object", "example": {"id": 1}}},
    )
    assert (planned.body, planned.media_type) == (b'{"id":1}', "application/vnd.x+json")


def test_no_example_means_no_body() -> None:
    planned = body_of({JSON: {"schema": {"type": "object"}}})
    assert (planned.body, planned.media_type) == (None, None)
    assert only({"/b": {"get": {}}}).body is None


def test_bodies_of_other_media_types() -> None:
    form = body_of({"application/x-www-form-urlencoded": {"example": {"a": "1 2", "b": True}}})
    assert parse_qsl(form.body.decode()) == [("a", "1 2"), ("b", "true")]  # type: ignore[union-attr]
    text = body_of({"text/plain": {"example": "hello"}})
    assert (text.body, text.media_type) == (b"hello", "text/plain")
    number = body_of({"text/csv": {"example": 5}})
    assert number.body == b"5"
    ranged = body_of({"*/*": {"example": {"a": 1}}})
    assert (ranged.body, ranged.media_type) == (b'{"a":1}', JSON)
    binary = body_of({"application/octet-stream": {"example": "raw"}})
    assert binary.body == b"raw"


def test_multipart_bodies_get_a_boundary_their_values_lack() -> None:
    value = {"name": "apidock-spec-boundary", "file": {"a": 1}}
    planned = body_of({"multipart/form-data": {"example": value}})
    assert planned.media_type is not None
    assert planned.body is not None
    boundary = planned.media_type.split("boundary=", 1)[1]
    assert planned.media_type.startswith("multipart/form-data; boundary=")
    assert boundary != "apidock-spec-boundary"
    text = planned.body.decode()
    assert text.count(f"--{boundary}\r\n") == 2
    assert text.endswith(f"--{boundary}--\r\n")
    assert 'name="file"\r\n\r\n{"a":1}\r\n' in text


def test_a_recursive_array_schema_ends() -> None:
    planned = only(
        {
            "/r": get(
                parameter("tree", "query", required=True, schema={"$ref": "#/components/schemas/T"})
            )
        },
        schemas={"T": {"type": "array", "items": {"$ref": "#/components/schemas/T"}}},
    )
    assert planned.query == [("tree", orjson.dumps([[[]]]).decode())]
