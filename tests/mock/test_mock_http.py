"""The mock on the API's port: its fixed headers, CORS, strictness, its log, the export's
server, and answers that follow every edit of the description at once."""

from __future__ import annotations

import json

import httpx

from tests.catalog.helpers import API
from tests.mock.helpers import SHOP, Auth, import_app, keyed, make_key

FIXED = {
    "content-security-policy": "sandbox",
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
    "access-control-allow-origin": "*",
}


async def shop(client: httpx.AsyncClient, auth: Auth, **flags: bool) -> tuple[dict, str]:
    app = await import_app(client, auth)
    if flags:
        await client.patch(f"{API}/apps/{app['id']}", json=flags, headers=auth)
    key = await make_key(client, auth, app["id"])
    return app, key["key"]


async def test_an_example_is_answered_with_the_fixed_headers_and_none_of_the_cookies(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app, key = await shop(client, dev_auth)
    answer = await client.get(f"/mock/{app['slug']}/items", headers=keyed(key))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json() == [{"id": 1, "name": "cup"}, {"id": 2, "name": "pot"}]
    for name, value in FIXED.items():
        assert answer.headers[name] == value, name
    assert answer.headers.get_list("cache-control") == ["no-store"]
    assert "set-cookie" not in answer.headers
    assert answer.headers["x-total"] == "2"
    assert "access-control-allow-credentials" not in answer.headers


async def test_a_script_in_an_html_example_is_sandboxed(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app, key = await shop(client, dev_auth)
    answer = await client.get(f"/mock/{app['slug']}/page", headers=keyed(key))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert "<script>" in answer.text
    assert answer.headers["content-security-policy"] == "sandbox"
    assert answer.headers["x-content-type-options"] == "nosniff"


async def test_a_preflight_is_answered_without_a_key_and_without_credentials(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app, _ = await shop(client, dev_auth)
    for path in (f"/mock/{app['slug']}/items", "/mock/no-such-shop/items"):
        answer = await client.options(
            path,
            headers={
                "Origin": "https://front.example.com",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "x-mock-key, content-type, prefer",
            },
        )
        assert answer.status_code == 204, path
        assert answer.headers["access-control-allow-origin"] == "*"
        assert "x-mock-key" in answer.headers["access-control-allow-headers"].lower()
        assert "POST" in answer.headers["access-control-allow-methods"]
        assert "access-control-allow-credentials" not in answer.headers
    hostile = await client.options(
        f"/mock/{app['slug']}/items",
        headers={
            "Origin": "https://x",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "a\tb,\x01",
        },
    )
    assert hostile.status_code == 204
    assert "\x01" not in hostile.headers["access-control-allow-headers"]


async def test_a_strict_mock_answers_a_bad_request_422_and_a_lenient_one_as_a_good_one(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app, key = await shop(client, dev_auth)
    url = f"/mock/{app['slug']}/items"
    assert (await client.get(url, params={"page": "zero"}, headers=keyed(key))).status_code == 200
    await client.patch(f"{API}/apps/{app['id']}", json={"mock_strict": True}, headers=dev_auth)
    refused = await client.get(url, params={"page": "zero"}, headers=keyed(key))
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["content-security-policy"] == "sandbox"
    assert [error["location"] for error in refused.json()["errors"]] == ["query.page"]
    bad_body = await client.post(url, json={"id": 0}, headers=keyed(key))
    assert bad_body.status_code == 422
    assert (await client.get(url, params={"page": "2"}, headers=keyed(key))).status_code == 200


async def test_an_edit_of_the_description_shows_in_the_next_answer(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app, key = await shop(client, dev_auth)
    url = f"/mock/{app['slug']}/items"
    assert (await client.get(url, headers=keyed(key))).json()[0]["name"] == "cup"
    listed = await client.get(f"{API}/apis", params={"app_id": app["id"]}, headers=dev_auth)
    api_id = next(api["id"] for api in listed.json()["data"]["apis"] if api["title"] == "listItems")
    operation = json.loads(json.dumps(SHOP["paths"]["/items"]["get"]))
    operation["responses"]["200"]["content"]["application/json"]["example"] = [
        {"id": 9, "name": "jug"}
    ]
    patched = await client.patch(
        f"{API}/apis/{api_id}", json={"operation": operation}, headers=dev_auth
    )
    assert patched.status_code == 200, patched.text
    assert (await client.get(url, headers=keyed(key))).json() == [{"id": 9, "name": "jug"}]
    # a component edited: the generated body follows it
    item = json.loads(json.dumps(SHOP["components"]["schemas"]["Item"]))
    item["properties"]["name"] = {"type": "string", "const": "always"}
    put = await client.put(
        f"{API}/apps/{app['id']}/components/schemas/Item", json=item, headers=dev_auth
    )
    assert put.status_code == 200, put.text
    shown = await client.get(f"/mock/{app['slug']}/items/5", headers=keyed(key))
    assert shown.status_code == 200
    assert shown.json()["name"] == "always"
    # an API deleted: its path is no longer answered
    shown_id = next(
        api["id"] for api in listed.json()["data"]["apis"] if api["title"] == "showItem"
    )
    assert (await client.delete(f"{API}/apis/{shown_id}", headers=dev_auth)).status_code == 200
    assert (await client.get(f"/mock/{app['slug']}/items/5", headers=keyed(key))).status_code == 404


async def test_routing_errors_are_problems_with_allow(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app, key = await shop(client, dev_auth)
    missing = await client.get(f"/mock/{app['slug']}/nothing", headers=keyed(key))
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    wrong = await client.delete(f"/mock/{app['slug']}/items", headers=keyed(key))
    assert wrong.status_code == 405
    assert {method.strip() for method in wrong.headers["allow"].split(",")} >= {"GET", "POST"}


async def test_a_body_past_the_bound_is_413(client: httpx.AsyncClient, dev_auth: Auth) -> None:
    app, key = await shop(client, dev_auth)
    answer = await client.post(
        f"/mock/{app['slug']}/items", content=b"x" * (1024 * 1024 + 1), headers=keyed(key)
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"


async def test_the_log_lists_the_last_requests_newest_first(
    client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth
) -> None:
    app, key = await shop(client, dev_auth)
    base = f"/mock/{app['slug']}"
    await client.get(f"{base}/items", headers=keyed(key))
    await client.get(f"{base}/items/3", headers=keyed(key, Prefer="dynamic=true"))
    await client.get(f"{base}/nowhere", headers=keyed(key))
    await client.get(f"{base}/items")  # no key: refused at the door, not the app's request
    log = await client.get(f"{API}/apps/{app['id']}/mock-log", headers=reader_auth)
    assert log.status_code == 200, log.text
    entries = log.json()["data"]["entries"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/nowhere", 404),
        ("GET", "/items/3", 200),
        ("GET", "/items", 200),
    ]
    assert entries[1]["example"] == "generated"
    assert entries[2]["example"] != "generated"
    assert all("T" in entry["time"] for entry in entries)
    for _ in range(105):
        await client.get(f"{base}/items", headers=keyed(key))
    again = (await client.get(f"{API}/apps/{app['id']}/mock-log", headers=reader_auth)).json()
    assert len(again["data"]["entries"]) == 100


async def test_an_export_without_servers_lists_the_mock_and_one_with_servers_keeps_its_own(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app, _ = await shop(client, dev_auth)
    document = (await client.get(f"{API}/apps/{app['id']}/openapi.json", headers=dev_auth)).json()
    assert [server["url"] for server in document["servers"]] == [f"/mock/{app['slug']}"]
    assert "mock" in document["servers"][0]["description"].lower()
    with_servers = {**SHOP, "servers": [{"url": "https://shop.example.com/v1"}]}
    other = await import_app(client, dev_auth, with_servers, slug="served-shop")
    document = (await client.get(f"{API}/apps/{other['id']}/openapi.json", headers=dev_auth)).json()
    assert document["servers"] == [{"url": "https://shop.example.com/v1"}]
    # the mock takes the servers' base path as a prefix
    await client.patch(f"{API}/apps/{other['id']}", json={"mock_public": True}, headers=dev_auth)
    assert (await client.get("/mock/served-shop/v1/items")).status_code == 200


def test_a_batch_keeps_only_what_can_be_among_each_apps_last_entries() -> None:
    from datetime import UTC, datetime

    from apidock.mock.log_writer import LogEntry, newest_of_each_app

    def entry(app_id: int, n: int) -> LogEntry:
        return LogEntry(app_id, datetime.now(UTC), "GET", f"/{n}", 200, "generated")

    batch = [entry(1, n) for n in range(250)] + [entry(2, 0)] + [entry(1, 250)]
    kept = newest_of_each_app(batch)
    assert [e.path for e in kept if e.app_id == 1] == [f"/{n}" for n in range(151, 251)]
    assert [e.path for e in kept if e.app_id == 2] == ["/0"]
