"""Postman bodies and saved responses to OpenAPI request bodies and responses."""

from tests.descriptions.test_from_postman import collection, convert, entries, op, raw, req, saved


def test_raw_bodies_media_type_example_and_schema() -> None:
    out, report = convert(
        collection(
            req("J", "https://x.test/j", "POST", body=raw('{"id": 1, "tags": ["a"]}', "json")),
            req(
                "H",
                "https://x.test/h",
                "POST",
                body=raw('{"a": 1}', "text"),
                header=[
                    {"key": "Content-Type", "value": "application/vnd.api+json; charset=utf-8"}
                ],
            ),
            req("X", "https://x.test/x", "POST", body=raw("<a/>", "xml")),
            req("P", "https://x.test/p", "POST", body=raw('{"age": {{age}}}', "json")),
            req("B", "https://x.test/b", "POST", body=raw("{oops", "json")),
            req("G", "https://x.test/g", "POST", body=raw("[1, 2.5]")),
            req("E", "https://x.test/e", "GET", body=raw("")),
        )
    )
    json_media = op(out, "/j", "post")["requestBody"]["content"]["application/json"]
    assert json_media["example"] == {"id": 1, "tags": ["a"]}
    assert json_media["schema"] == {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
    }
    assert list(op(out, "/h", "post")["requestBody"]["content"]) == ["application/vnd.api+json"]
    assert op(out, "/x", "post")["requestBody"]["content"]["application/xml"]["example"] == "<a/>"
    placeholder = op(out, "/p", "post")["requestBody"]["content"]["application/json"]
    assert placeholder["example"] == {"age": "{{age}}"}
    broken = op(out, "/b", "post")["requestBody"]["content"]["application/json"]
    assert broken == {"example": "{oops"}
    guessed = op(out, "/g", "post")["requestBody"]["content"]["application/json"]
    assert guessed["schema"] == {"type": "array", "items": {"type": "integer"}}
    assert "requestBody" not in op(out, "/e")
    warned = entries(report.warnings)
    assert {"/item/3/request/body/raw", "/item/4/request/body/raw"} <= set(warned)


def test_form_file_and_graphql_bodies() -> None:
    form = [
        {"key": "name", "value": "Rex", "description": "Pet name"},
        {"key": "photo", "type": "file", "src": "a.png", "contentType": "image/png"},
        {"key": "off", "value": "x", "disabled": True},
    ]
    graphql = {"query": "{ pets { id } }", "variables": '{"n": 1}'}
    out, report = convert(
        collection(
            req(
                "U",
                "https://x.test/u",
                "POST",
                body={
                    "mode": "urlencoded",
                    "urlencoded": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}],
                },
            ),
            req("F", "https://x.test/f", "POST", body={"mode": "formdata", "formdata": form}),
            req("Bin", "https://x.test/bin", "PUT", body={"mode": "file", "file": {"src": None}}),
            req("Q", "https://x.test/q", "POST", body={"mode": "graphql", "graphql": graphql}),
            req("Off", "https://x.test/off", "POST", body={**raw("x"), "disabled": True}),
            req("Odd", "https://x.test/odd", "POST", body={"mode": "telepathy"}),
        )
    )
    urlencoded = op(out, "/u", "post")["requestBody"]["content"]
    assert urlencoded["application/x-www-form-urlencoded"]["example"] == {"a": "1", "b": "2"}
    multipart = op(out, "/f", "post")["requestBody"]["content"]["multipart/form-data"]
    assert multipart["schema"]["properties"] == {
        "name": {"type": "string", "description": "Pet name"},
        "photo": {"type": "string", "format": "binary"},
        "off": {"type": "string"},
    }
    assert multipart["encoding"] == {"photo": {"contentType": "image/png"}}
    binary = op(out, "/bin", "put")["requestBody"]["content"]
    assert binary == {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
    }
    query = op(out, "/q", "post")["requestBody"]["content"]["application/json"]
    assert query["example"] == {"query": "{ pets { id } }", "variables": {"n": 1}}
    assert "requestBody" not in op(out, "/off", "post")
    assert {"/item/4/request/body", "/item/5/request/body/mode"} <= set(entries(report.lost))


def test_saved_responses_by_status_and_media_type() -> None:
    responses = [
        saved(
            "Found",
            200,
            '{"id": 7}',
            status="OK",
            header=[
                {"key": "Content-Type", "value": "application/json"},
                {"key": "X-Rate", "value": "10"},
            ],
        ),
        saved("Also found", 200, '{"id": 8}', header="Content-Type: application/json"),
        saved("Missing", 404, "<html><body>no</body></html>"),
        saved("Plain", 500, "boom", cookie=[{"name": "c"}]),
        saved("Odd", None, None, status="Weird"),
    ]
    out, report = convert(collection(req("Get", "https://x.test/p", response=responses)))
    answers = op(out, "/p")["responses"]
    ok = answers["200"]
    assert ok["description"] == "OK"
    assert ok["headers"] == {"X-Rate": {"schema": {"type": "string"}, "example": "10"}}
    media = ok["content"]["application/json"]
    assert media["schema"] == {"type": "object", "properties": {"id": {"type": "integer"}}}
    assert media["examples"] == {"Found": {"value": {"id": 7}}, "Also found": {"value": {"id": 8}}}
    assert answers["404"]["content"]["text/html"]["examples"]["Missing"]["value"].startswith("<")
    assert answers["500"] == {
        "description": "Plain",
        "content": {"text/plain": {"examples": {"Plain": {"value": "boom"}}}},
    }
    assert answers["default"] == {"description": "Weird"}
    assert "/item/0/response/4/code" in entries(report.warnings)
    assert "/item/0/response/3/cookie" in entries(report.lost)
    accept = [{"key": "Accept", "value": "text/csv"}]
    out, _ = convert(
        collection(req("Csv", "https://x.test/c", header=accept, response=[saved("C", 200, "a")]))
    )
    assert list(op(out, "/c")["responses"]["200"]["content"]) == ["text/csv"]
    out, _ = convert(collection(req("None", "https://x.test/n")))
    assert list(op(out, "/n")["responses"]) == ["default"]


def test_hostile_bodies_stay_bounded_and_serialisable() -> None:
    deep = "[" * 5000 + "]" * 5000
    out, _ = convert(
        collection(
            req(
                "Deep",
                "https://x.test/d",
                "POST",
                body=raw(deep, "json"),
                response=[saved("Deep", 200, deep, header="Content-Type: application/json")],
            ),
            req("Big", "https://x.test/b", "POST", body=raw('{"n": 1e400}', "json")),
            req("Braces", "https://x.test/{a/}b}/{{}}", "GET"),
        )
    )
    assert op(out, "/d", "post")["requestBody"]["content"]["application/json"]["example"] == deep
    assert op(out, "/b", "post")["requestBody"]["content"]["application/json"] == {
        "example": '{"n": 1e400}'
    }
    assert "/%7Ba/%7Db%7D/%7B%7B%7D%7D" in out["paths"]
