"""Postman auth helpers, scripts and variables to OpenAPI security, and what is lost."""

import json
from typing import Any

from tests.descriptions.test_from_postman import (
    V20,
    collection,
    convert,
    entries,
    folder,
    op,
    req,
)


def auth(kind: str, params: Any) -> dict[str, Any]:
    return {"type": kind, kind: params}


def kv(**params: str) -> list[dict[str, str]]:
    return [{"key": key, "value": value, "type": "string"} for key, value in params.items()]


def test_auth_inheritance_and_schemes() -> None:
    oauth = kv(grant_type="client_credentials", accessTokenUrl="{{idp}}/token", scope="r w")
    key_in_query = kv(key="X-Key", value="s", **{"in": "query"})
    out, report = convert(
        collection(
            req("Inherits", "https://x.test/a"),
            req("Open", "https://x.test/b", auth={"type": "noauth"}),
            folder(
                "F",
                req("Basic", "https://x.test/c"),
                req("Own", "https://x.test/d", auth=auth("apikey", key_in_query)),
                auth=auth("basic", kv(username="u", password="p")),
            ),
            req("OAuth", "https://x.test/e", auth=auth("oauth2", oauth)),
            req("Flowless", "https://x.test/f", auth=auth("oauth2", kv(grant_type="implicit"))),
            req("Inherit", "https://x.test/g", auth={"type": "inherit"}),
            auth=auth("bearer", kv(token="secret-token")),
            variable=[{"key": "idp", "value": "https://id.test"}],
        )
    )
    assert out["security"] == [{"bearerAuth": []}]
    assert "security" not in op(out, "/a")
    assert op(out, "/b")["security"] == []
    assert op(out, "/c")["security"] == [{"basicAuth": []}]
    assert op(out, "/d")["security"] == [{"apiKey.query.X-Key": []}]
    assert op(out, "/e")["security"] == [{"oauth2": ["r", "w"]}]
    assert op(out, "/f")["security"] == [{"oauth2Token": []}]
    assert "security" not in op(out, "/g")
    schemes = out["components"]["securitySchemes"]
    assert schemes["apiKey.query.X-Key"] == {"type": "apiKey", "in": "query", "name": "X-Key"}
    assert schemes["oauth2"]["flows"] == {
        "clientCredentials": {"tokenUrl": "https://id.test/token", "scopes": {"r": "", "w": ""}}
    }
    assert "secret-token" not in json.dumps(out)
    assert "/item/4/request/auth/oauth2" in entries(report.lost)


def test_v20_auth_objects_and_auth_openapi_cannot_describe() -> None:
    kinds = ["digest", "hawk", "awsv4", "ntlm", "edgegrid"]
    out, report = convert(
        collection(
            req("Key", "https://x.test/k", auth=auth("apikey", {"key": "X-K", "in": "header"})),
            req(
                "Code",
                "https://x.test/o",
                auth=auth(
                    "oauth2",
                    {
                        "grantType": "authorization_code",
                        "authUrl": "https://id.test/a",
                        "accessTokenUrl": "https://id.test/t",
                    },
                ),
            ),
            *(
                req(kind, f"https://x.test/{kind}", auth=auth(kind, {"username": "u"}))
                for kind in kinds
            ),
            schema=V20,
        )
    )
    assert op(out, "/k")["security"] == [{"apiKey.header.X-K": []}]
    flows = out["components"]["securitySchemes"]["oauth2"]["flows"]
    assert flows == {
        "authorizationCode": {
            "authorizationUrl": "https://id.test/a",
            "tokenUrl": "https://id.test/t",
            "scopes": {},
        }
    }
    assert op(out, "/digest")["security"] == [{"digestAuth": []}]
    assert op(out, "/hawk")["security"] == [{"hawkAuth": []}]
    lost = entries(report.lost)
    for index, kind in enumerate(kinds, start=2):
        assert f"/item/{index}/request/auth/{kind}" in lost


def test_scripts_settings_and_unused_variables_are_lost() -> None:
    script = [
        {"listen": "prerequest", "script": {"exec": ["pm.environment.set('a', 1)"]}},
        {"listen": "test", "script": {"exec": "pm.test('ok')"}},
        {"listen": "test", "script": {"exec": [""]}},
    ]
    item = req("S", "{{base}}/s")
    item["event"] = script
    out, report = convert(
        collection(
            folder("F", item, event=script[:1]),
            event=script[1:2],
            variable=[
                {"key": "unused", "value": "x"},
                {"key": "off", "value": "https://off.test", "disabled": True},
                {"key": "base", "value": "https://base.test"},
            ],
        )
    )
    lost = entries(report.lost)
    assert {
        "/event/0",
        "/item/0/event/0",
        "/item/0/item/0/event/0",
        "/item/0/item/0/event/1",
        "/variable/0",
        "/variable/1",
    } == set(lost)
    assert "pre-request" in lost["/item/0/event/0"]
    assert "x-postman-variables" not in out
    assert out["servers"][0]["variables"] == {"base": {"default": "https://base.test"}}
    disabled, _ = convert(
        collection(req("O", "{{off}}/o"), variable=[{"key": "off", "value": "x", "disabled": True}])
    )
    assert disabled["servers"][0]["variables"] == {"off": {"default": ""}}


def test_scheme_names_are_stable_whatever_the_order() -> None:
    requests = [
        req("A", "https://x.test/a", auth=auth("apikey", kv(key="X-A"))),
        req("B", "https://x.test/b", auth=auth("apikey", kv(key="X-B", **{"in": "query"}))),
        req("J", "https://x.test/j", auth=auth("jwt", kv(secret="s"))),
        req("U", "https://x.test/u", auth=auth("martian", kv(x="y"))),
    ]
    first, report = convert(collection(*requests))
    second, _ = convert(collection(*reversed(requests)))
    schemes = first["components"]["securitySchemes"]
    assert schemes == second["components"]["securitySchemes"]
    assert set(schemes) == {"apiKey.header.X-A", "apiKey.query.X-B", "jwtAuth"}
    assert schemes["jwtAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert "security" not in op(first, "/u")
    assert "/item/3/request/auth/type" in entries(report.lost)
