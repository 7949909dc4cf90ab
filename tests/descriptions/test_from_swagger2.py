"""Swagger 2.0 → OpenAPI 3.1.0 (apidock.descriptions.from_swagger2), rule by rule.

Inputs and expectations are YAML flow text: short to read, and the same JSON values.
"""

from __future__ import annotations

from typing import Any

import pytest

from apidock.descriptions.from_swagger2 import convert_swagger2
from apidock.descriptions.loading import load_document
from apidock.descriptions.problems import DocumentRefused, Report

OK = '{"200": {description: ok}}'
FORM, URLENCODED = "multipart/form-data", "application/x-www-form-urlencoded"


def y(text: str) -> Any:
    """The JSON value of YAML `text`, read as an import reads it."""
    return load_document(f"value: {text}".encode(), media_type="application/yaml")["value"]


def convert(text: str = "{}", **parts: Any) -> tuple[dict[str, Any], Report]:
    document = {"swagger": "2.0", "info": {"title": "T", "version": "1"}, "paths": {}}
    document.update(y(text))
    document.update(parts)
    report = Report()
    return convert_swagger2(document, report), report


def with_operation(parameters: str, fields: str = "") -> Any:
    """`paths` with one operation, `POST /a`."""
    extra = f", {fields}" if fields else ""
    return y(f"{{/a: {{post: {{parameters: {parameters}, responses: {OK}{extra}}}}}}}")


def post(result: dict[str, Any]) -> Any:
    return result["paths"]["/a"]["post"]


def pointers(report: Report, kind: str = "lost") -> list[str]:
    return [problem.pointer for problem in getattr(report, kind)]


@pytest.mark.parametrize(
    ("source", "servers"),
    y(
        """[[{host: h, basePath: /v1/, schemes: [https, ws]}, [{url: 'https://h/v1'}, {url: 'ws://h/v1'}]],
            [{host: h}, [{url: //h}]], [{basePath: /v2}, [{url: /v2}]], [{}, null],
            [{host: '{{t}}.h', schemes: [https]},
             [{url: 'https://{t}.h', variables: {t: {default: unknown}}}]],
            [{schemes: [https], basePath: /api, parameters: {A: {name: account, in: path}},
              x-ms-parameterized-host: {hostTemplate: '{account}.example.net',
                                        parameters: [{$ref: '#/parameters/A'}]}},
             [{url: /api}, {url: 'https://{account}.example.net/api',
                            variables: {account: {default: none}}}]]]"""
    ),
)
def test_host_base_path_and_schemes_become_servers(source: Any, servers: Any) -> None:
    result, _ = convert(**source)
    assert result.get("servers") == servers
    assert "x-ms-parameterized-host" not in result


def test_definitions_become_schemas_with_references_rewritten_and_names_sanitised() -> None:
    result, _ = convert(
        """{definitions: {Foo Bar: {type: object}, a_b: {type: string},
            a b: {items: {$ref: '#/definitions/Foo%20Bar'}},
            "List[]": {items: {$ref: '#/definitions/a~1c/properties/x'}},
            a/c: {properties: {x: {type: integer}}}},
          paths: {/a: {get: {responses: {"200": {description: ok,
            schema: {$ref: '#/definitions/Foo Bar'}}}}}}}"""
    )
    schemas = result["components"]["schemas"]
    assert list(schemas) == ["Foo_Bar", "a_b", "a_b2", "ListArray", "a_c"]
    assert schemas["a_b2"]["items"] == {"$ref": "#/components/schemas/Foo_Bar"}
    assert schemas["ListArray"]["items"] == {"$ref": "#/components/schemas/a_c/properties/x"}
    content = result["paths"]["/a"]["get"]["responses"]["200"]["content"]
    assert content == {"*/*": {"schema": {"$ref": "#/components/schemas/Foo_Bar"}}}


def test_a_reference_in_data_or_an_extension_is_kept_as_written() -> None:
    schema = y(
        """{type: object, default: {$ref: '#/definitions/B'}, example: {$ref: '#/definitions/B'},
            enum: [{$ref: '#/definitions/B'}], x-see: {$ref: '#/definitions/B'}}"""
    )
    result, _ = convert(definitions={"A": schema, "B": {}})
    assert result["components"]["schemas"]["A"] == schema


def test_a_reference_into_a_moved_part_follows_it() -> None:
    result, _ = convert(
        """{produces: [application/json],
            responses: {Page: {description: a page, schema: {type: object}}},
            parameters: {limit: {name: limit, in: query, type: integer, maximum: 9}},
            definitions: {A: {properties: {page: {$ref: '#/responses/Page/schema'},
                                           n: {$ref: '#/parameters/limit/maximum'}}}}}"""
    )
    assert result["components"]["schemas"]["A"]["properties"] == y(
        """{page: {$ref: '#/components/responses/Page/content/application~1json/schema'},
            n: {$ref: '#/components/parameters/limit/schema/maximum'}}"""
    )


def test_parameters_move_their_type_into_a_schema_and_references_follow() -> None:
    result, _ = convert(
        """{parameters: {limit: {name: limit, in: query, type: integer, minimum: 1, default: 5,
                                 x-example: 3, x-doc: d}}}""",
        paths=with_operation("[{$ref: '#/parameters/limit'}, {name: id, in: path, type: string}]"),
    )
    assert result["components"]["parameters"]["limit"] == y(
        "{name: limit, in: query, schema: {type: integer, minimum: 1, default: 5},"
        " example: 3, x-doc: d}"
    )
    assert post(result)["parameters"] == y(
        "[{$ref: '#/components/parameters/limit'},"
        " {name: id, in: path, required: true, schema: {type: string}}]"
    )


@pytest.mark.parametrize(
    ("where", "fmt", "style"),
    y(
        """[[query, null, {style: form, explode: false}], [query, ssv, {style: spaceDelimited}],
            [query, csv, {style: form, explode: false}], [query, pipes, {style: pipeDelimited}],
            [query, multi, {explode: true}], [path, csv, {style: simple}],
            [header, csv, {style: simple}]]"""
    ),
)
def test_collection_formats_become_styles(where: str, fmt: str | None, style: Any) -> None:
    written = f", collectionFormat: {fmt}" if fmt else ""
    parameter = f"[{{name: p, in: {where}, required: true, type: array, items: {{}}{written}}}]"
    result, report = convert(paths=with_operation(parameter))
    converted = post(result)["parameters"][0]
    assert {key: converted[key] for key in ("style", "explode") if key in converted} == style
    assert converted["schema"] == {"type": "array", "items": {}}
    assert report.lost == []


@pytest.mark.parametrize(("where", "fmt"), [("query", "tsv"), ("header", "ssv"), ("path", "pipes")])
def test_a_collection_format_3x_cannot_say_is_lost_at_its_pointer(where: str, fmt: str) -> None:
    parameters = (
        f"[{{name: q, in: query, type: string}},"
        f" {{name: p, in: {where}, type: array, items: {{}}, collectionFormat: {fmt}}}]"
    )
    _, report = convert(paths=with_operation(parameters))
    assert pointers(report) == ["/paths/~1a/post/parameters/1/collectionFormat"]


def test_a_body_parameter_becomes_a_request_body_per_consumed_media_type() -> None:
    body = "[{name: pet, in: body, description: a pet, required: true, x-kind: 1, schema: {}}]"
    result, _ = convert(consumes=["application/json", "text/xml"], paths=with_operation(body))
    assert post(result)["requestBody"] == y(
        "{description: a pet, content: {application/json: {schema: {}}, text/xml: {schema: {}}},"
        " required: true, x-kind: 1}"
    )
    assert "consumes" not in post(result)
    plain, _ = convert(paths=with_operation("[{name: b, in: body, schema: {type: string}}]"))
    assert post(plain)["requestBody"] == y(
        "{content: {application/json: {schema: {type: string}}}}"
    )


def test_form_parameters_become_one_object_and_a_file_a_binary_string() -> None:
    form = """[{name: file, in: formData, type: file, required: true, description: the file},
               {name: tags, in: formData, type: array, items: {type: string}},
               {name: ids, in: formData, type: array, items: {}, collectionFormat: multi}]"""
    result, report = convert(paths=with_operation(form, "consumes: [multipart/form-data]"))
    assert post(result)["requestBody"] == y(
        """{content: {multipart/form-data: {
              schema: {type: object, required: [file], properties: {
                file: {description: the file, type: string, format: binary},
                tags: {type: array, items: {type: string}}, ids: {type: array, items: {}}}},
              encoding: {tags: {style: form, explode: false}}}},
            required: true}"""
    )
    assert report.warnings == report.lost == []


@pytest.mark.parametrize(
    ("consumes", "media_type", "warnings", "lost"),
    [
        (f"[{URLENCODED}]", URLENCODED, [], []),
        (f"[{FORM}, {URLENCODED}]", FORM, [], ["/paths/~1a/post"]),
        ("[application/json]", URLENCODED, ["/paths/~1a/post"], []),
    ],
)
def test_the_form_media_type_follows_consumes_as_the_reference_does(
    consumes: str, media_type: str, warnings: list[str], lost: list[str]
) -> None:
    field = "[{name: n, in: formData, type: string}]"
    result, report = convert(paths=with_operation(field, f"consumes: {consumes}"))
    assert list(post(result)["requestBody"]["content"]) == [media_type]
    assert (pointers(report, "warnings"), pointers(report)) == (warnings, lost)


def test_identical_bodies_are_shared_and_a_body_used_once_stays_inline() -> None:
    result, report = convert(
        f"""{{definitions: {{Pet: {{}}}},
            parameters: {{PetBody: {{name: pet, in: body, schema: {{$ref: '#/definitions/Pet'}}}},
                         Once: {{name: once, in: body, schema: {{type: integer}}}},
                         Unused: {{name: unused, in: body, schema: {{}}}}}},
            paths: {{
              /a: {{post: {{parameters: [{{$ref: '#/parameters/PetBody'}}], responses: {OK}}}}},
              /b: {{put: {{parameters: [{{$ref: '#/parameters/PetBody'}}], responses: {OK}}}}},
              /c: {{post: {{parameters: [{{$ref: '#/parameters/Once'}}], responses: {OK}}}}}}}}}"""
    )
    shared = {"$ref": "#/components/requestBodies/Pet"}
    assert post(result)["requestBody"] == result["paths"]["/b"]["put"]["requestBody"] == shared
    assert result["components"]["requestBodies"] == y(
        "{Pet: {content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}}"
    )
    once = result["paths"]["/c"]["post"]["requestBody"]
    assert once == y("{content: {application/json: {schema: {type: integer}}}}")
    assert "parameters" not in result["components"]
    assert pointers(report) == ["/parameters/Unused"]


def test_a_path_items_body_reaches_each_operation_unless_overridden() -> None:
    result, _ = convert(
        """{paths: {/a: {parameters: [{name: note, in: body, schema: {type: string}}],
                         get: {responses: {}},
                         put: {parameters: [{name: note, in: body, schema: {type: integer}}],
                               responses: {}}}}}"""
    )
    item = result["paths"]["/a"]
    assert "parameters" not in item
    get, put = (
        item[method]["requestBody"]["content"]["application/json"] for method in ("get", "put")
    )
    assert (get, put) == ({"schema": {"type": "string"}}, {"schema": {"type": "integer"}})


def test_responses_get_content_per_produced_type_with_examples_and_headers() -> None:
    result, _ = convert(
        """{paths: {/a: {get: {produces: [application/json, application/xml], responses: {"200": {
            description: pets, schema: {type: array},
            examples: {application/json: [rex], text/csv: rex},
            headers: {X-Rate: {type: integer, description: calls},
                      X-Ids: {type: array, items: {type: string}}}}}}}}}"""
    )
    converted = result["paths"]["/a"]["get"]["responses"]["200"]
    assert converted["content"] == y(
        """{application/json: {schema: {type: array}, examples: {response: {value: [rex]}}},
            application/xml: {schema: {type: array}},
            text/csv: {examples: {response: {value: rex}}}}"""
    )
    assert converted["headers"] == y(
        """{X-Rate: {description: calls, schema: {type: integer}},
            X-Ids: {style: simple, schema: {type: array, items: {type: string}}}}"""
    )
    assert "produces" not in result["paths"]["/a"]["get"]


def test_an_operation_without_responses_gets_the_references_default() -> None:
    result, report = convert("{paths: {/a: {get: {operationId: a}}}}")
    assert result["paths"]["/a"]["get"]["responses"] == {
        "default": {"description": "Default response"}
    }
    assert pointers(report, "warnings") == ["/paths/~1a/get"]


def test_x_nullable_becomes_a_type_union_and_wraps_a_reference() -> None:
    result, _ = convert(
        """{definitions: {A: {type: string, enum: [a, b], x-nullable: true},
                          B: {$ref: '#/definitions/A', x-nullable: true, description: maybe},
                          C: {type: integer, x-nullable: false}}}"""
    )
    assert result["components"]["schemas"] == y(
        """{A: {type: [string, "null"], enum: [a, b, null]},
            B: {description: maybe, anyOf: [{$ref: '#/components/schemas/A'}, {type: "null"}]},
            C: {type: integer}}"""
    )


def test_schema_keywords_2020_12_says_otherwise() -> None:
    result, report = convert(
        """{definitions: {
            Pet: {discriminator: petType, required: [petType],
                  properties: {petType: {type: string}, name: {type: string, required: true}}},
            Bounded: {type: number, minimum: 0, exclusiveMinimum: true, maximum: 9,
                      exclusiveMaximum: false},
            Tuple: {type: array, items: [{type: string}, {type: integer}]},
            Upload: {type: file},
            Odd: {type: integer, exclusiveMaximum: true, title: null}}}"""
    )
    assert result["components"]["schemas"] == y(
        """{Pet: {discriminator: {propertyName: petType}, required: [petType, name],
                  properties: {petType: {type: string}, name: {type: string}}},
            Bounded: {type: number, exclusiveMinimum: 0, maximum: 9},
            Tuple: {type: array, prefixItems: [{type: string}, {type: integer}]},
            Upload: {type: string, format: binary},
            Odd: {type: integer}}"""
    )
    assert pointers(report) == ["/definitions/Odd/exclusiveMaximum", "/definitions/Odd/title"]


def test_security_definitions_become_schemes_with_oauth2_flows() -> None:
    result, _ = convert(
        """{securityDefinitions: {
            basic auth: {type: basic, description: b},
            key: {type: apiKey, name: X-Key, in: header},
            i: {type: oauth2, flow: implicit, authorizationUrl: 'https://a/q?x=1', scopes: {}},
            p: {type: oauth2, flow: password, tokenUrl: 'https://a/t', scopes: {r: R}},
            a: {type: oauth2, flow: application, tokenUrl: 'https://a/t'},
            c: {type: oauth2, flow: accessCode, authorizationUrl: 'https://a/a',
                tokenUrl: 'https://a/t', scopes: {r: R}}},
          security: [{basic auth: []}, {i: []}],
          paths: {/a: {get: {security: [{key: []}], responses: {}}}}}"""
    )
    assert result["components"]["securitySchemes"] == y(
        """{basic_auth: {type: http, scheme: basic, description: b},
            key: {type: apiKey, name: X-Key, in: header},
            i: {type: oauth2, flows: {implicit: {authorizationUrl: 'https://a/q?x=1', scopes: {}}}},
            p: {type: oauth2, flows: {password: {tokenUrl: 'https://a/t', scopes: {r: R}}}},
            a: {type: oauth2, flows: {clientCredentials: {tokenUrl: 'https://a/t', scopes: {}}}},
            c: {type: oauth2, flows: {authorizationCode: {authorizationUrl: 'https://a/a',
                                                          tokenUrl: 'https://a/t',
                                                          scopes: {r: R}}}}}"""
    )
    assert result["security"] == [{"basic_auth": []}, {"i": []}]
    assert result["paths"]["/a"]["get"]["security"] == [{"key": []}]


def test_an_operations_own_schemes_become_its_servers() -> None:
    result, _ = convert(
        """{host: h.example, schemes: [https], paths: {/a: {
            get: {schemes: [wss], responses: {}}, put: {schemes: [https], responses: {}}}}}"""
    )
    assert result["paths"]["/a"]["get"]["servers"] == [{"url": "wss://h.example"}]
    assert "servers" not in result["paths"]["/a"]["put"]


def test_operations_tags_info_and_extensions_are_carried() -> None:
    operation = y(
        """{tags: [pets], summary: s, operationId: o, deprecated: true, x-op: [1],
            responses: {"200": {description: ok, x-r: 2}}}"""
    )
    result, report = convert(
        """{info: {title: T, version: 2.0, x-logo: {url: l}}, externalDocs: {url: 'https://e'},
            tags: [{name: pets, externalDocs: {url: 'https://e'}}], x-top: {a: 1}}""",
        paths={"/a": {"x-path": 1, "get": operation}},
    )
    assert result["info"] == y("{title: T, version: '2', x-logo: {url: l}}")
    assert result["tags"] == y("[{name: pets, externalDocs: {url: 'https://e'}}]")
    assert (result["x-top"], result["externalDocs"]) == ({"a": 1}, {"url": "https://e"})
    assert result["paths"]["/a"] == {"x-path": 1, "get": operation}
    assert pointers(report, "warnings") == ["/info/version"]


def test_x_ms_paths_are_converted_as_paths_are() -> None:
    result, _ = convert(
        """{definitions: {A: {}}, x-ms-paths: {'/a?op=x': {get: {responses: {"200": {
            description: ok, schema: {$ref: '#/definitions/A'}}}}}}}"""
    )
    response = result["x-ms-paths"]["/a?op=x"]["get"]["responses"]["200"]
    assert response["content"] == y("{'*/*': {schema: {$ref: '#/components/schemas/A'}}}")


def test_what_has_no_place_is_lost_at_its_pointer_and_nothing_raises() -> None:
    _, report = convert(
        """{definitions: [], security: all, weird: 1, paths: {/a: {
            get: nope, put: {parameters: x, responses: []},
            post: {parameters: [3, {name: b, in: body, schema: 5}], consumes: {}, bogus: 1,
                   responses: {"200": 7}}}}}"""
    )
    assert sorted(pointers(report)) == sorted(
        y("""[/definitions, /security, /weird, /paths/~1a/get, /paths/~1a/put/parameters,
              /paths/~1a/put/responses, /paths/~1a/post/parameters/0, /paths/~1a/post/bogus,
              /paths/~1a/post/parameters/1/schema, /paths/~1a/post/consumes,
              /paths/~1a/post/responses/200]""")
    )


def test_ten_thousand_deep_nesting_converts_without_recursion() -> None:
    deep: dict[str, Any] = {"type": "string"}
    for _ in range(10_000):
        deep = {"type": "object", "x-nullable": True, "properties": {"a": deep}}
    paths = with_operation("[{name: b, in: body}]", "consumes: [application/json, text/plain]")
    paths["/a"]["post"]["parameters"][0]["schema"] = deep
    result, _ = convert(definitions={"Deep": deep}, paths=paths)
    content = post(result)["requestBody"]["content"]
    for schema in (result["components"]["schemas"]["Deep"], content["text/plain"]["schema"]):
        node, depth = schema, 0
        while "properties" in node:
            assert node["type"] == ["object", "null"]
            node, depth = node["properties"]["a"], depth + 1
        assert depth == 10_000
    assert content["text/plain"]["schema"] is not content["application/json"]["schema"]


def test_a_document_whose_conversion_repeats_it_past_the_bound_is_refused() -> None:
    schema = {"type": "object", "properties": {f"p{i}": {"type": "string"} for i in range(1000)}}
    response = {"200": {"description": "ok", "schema": schema}}
    produces = [f"application/x-{i}" for i in range(1000)]
    with pytest.raises(DocumentRefused) as refused:
        convert(paths={"/a": {"get": {"produces": produces, "responses": response}}})
    assert refused.value.problems[0].pointer == ""
