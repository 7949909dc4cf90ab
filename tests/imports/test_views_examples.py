"""`/apis/examples` of a described API on every database: the named examples of its success
body, written through to the operation (where a shared one is defined, to the component),
shown in the export, with ids that stay."""

from __future__ import annotations

import copy
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.catalog.helpers import API, log_rows, post
from tests.imports.test_import_http import PETSTORE
from tests.imports.test_views_fields import USERS, exported, imported

Auth = dict[str, str]


async def examples_of(client: httpx.AsyncClient, auth: Auth, api_id: int) -> list[Any]:
    response = await client.get(f"{API}/apis/examples", params={"api_id": api_id}, headers=auth)
    assert response.status_code == 200, response.text
    return list(response.json()["data"]["examples"])


def media(document: Any, path: str, method: str = "get", status: str = "200") -> Any:
    return document["paths"][path][method]["responses"][status]["content"]["application/json"]


async def test_an_imported_api_lists_its_named_examples(
    client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth, session: AsyncSession
) -> None:
    _, ids = await imported(client, dev_auth, session, PETSTORE)
    (rex,) = await examples_of(client, reader_auth, ids["showPet"])
    # no summary: the title is the example's key; the body its value as JSON text
    assert (rex["title"], rex["body"], rex["api_id"]) == (
        "rex",
        '{"id": 1, "name": "Rex"}',
        ids["showPet"],
    )
    read = await client.get(f"{API}/apis/examples/{rex['id']}", headers=reader_auth)
    assert read.json()["data"] == rex
    assert await examples_of(client, reader_auth, ids["listPets"]) == []


async def test_examples_added_changed_and_deleted_show_in_the_export(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    app_id, ids = await imported(client, dev_auth, session, USERS)
    api_id = ids["getUser"]
    (ann,) = await examples_of(client, dev_auth, api_id)
    assert (ann["title"], ann["body"]) == ("Ann", '{"data": {"id": 1}}')
    bob = await post(
        client, "/apis/examples", dev_auth, api_id=api_id, title="Bob", body='{"data": {"id": 2}}'
    )
    assert len(await log_rows(session, "api_example.create", bob["id"])) == 1
    again = await post(
        client, "/apis/examples", dev_auth, api_id=api_id, title="Bob", body="plain text"
    )
    assert media(await exported(client, dev_auth, app_id), "/users/{id}")["examples"] == {
        "ann": {"summary": "Ann", "value": {"data": {"id": 1}}},
        "bob": {"summary": "Bob", "value": {"data": {"id": 2}}},
        "bob-2": {"summary": "Bob", "value": "plain text"},
    }
    url = f"{API}/apis/examples/{bob['id']}"
    changed = await client.patch(url, json={"title": "Robert", "body": "[1, 2]"}, headers=dev_auth)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["data"]["id"], changed.json()["data"]["title"]) == (bob["id"], "Robert")
    examples = media(await exported(client, dev_auth, app_id), "/users/{id}")["examples"]
    assert examples["bob"] == {"summary": "Robert", "value": [1, 2]}
    deleted = await client.delete(url, headers=dev_auth)
    assert deleted.status_code == 200, deleted.text
    assert (await client.get(url, headers=dev_auth)).status_code == 404
    assert len(await log_rows(session, "api_example.delete", bob["id"])) == 1
    assert list(media(await exported(client, dev_auth, app_id), "/users/{id}")["examples"]) == [
        "ann",
        "bob-2",
    ]
    # the ids of the examples left are those they had
    assert [(e["id"], e["title"]) for e in await examples_of(client, dev_auth, api_id)] == [
        (ann["id"], "Ann"),
        (again["id"], "Bob"),
    ]


async def test_an_example_of_an_api_without_a_json_body_gives_it_one(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    app_id, ids = await imported(client, dev_auth, session, PETSTORE)
    await post(client, "/apis/examples", dev_auth, api_id=ids["createPet"], title="Made")
    document = await exported(client, dev_auth, app_id)
    # the first 2xx response (201) carries it; the other responses are as they were
    assert media(document, "/pets", "post", "201") == {"examples": {"made": {"summary": "Made"}}}
    assert document["paths"]["/pets"]["post"]["responses"]["204"] == {"description": "No body"}


async def test_a_shared_example_is_changed_where_it_is_defined(
    client: httpx.AsyncClient, dev_auth: Auth, session: AsyncSession
) -> None:
    document = copy.deepcopy(USERS)
    examples = media(document, "/users/{id}")["examples"]
    examples["shared"] = {"$ref": "#/components/examples/Anyone"}
    document["components"]["examples"] = {
        "Anyone": {"summary": "Anyone", "value": {"data": {"id": 0}}}
    }
    app_id, ids = await imported(client, dev_auth, session, document)
    listed = await examples_of(client, dev_auth, ids["getUser"])
    assert [e["title"] for e in listed] == ["Ann", "Anyone"]
    shared = listed[1]
    changed = await client.patch(
        f"{API}/apis/examples/{shared['id']}",
        json={"body": '{"data": {"id": 9}}'},
        headers=dev_auth,
    )
    assert changed.status_code == 200, changed.text
    exported_document = await exported(client, dev_auth, app_id)
    assert exported_document["components"]["examples"]["Anyone"]["value"] == {"data": {"id": 9}}
    assert media(exported_document, "/users/{id}")["examples"]["shared"] == {
        "$ref": "#/components/examples/Anyone"
    }
    deleted = await client.delete(f"{API}/apis/examples/{shared['id']}", headers=dev_auth)
    assert deleted.status_code == 200, deleted.text
    exported_document = await exported(client, dev_auth, app_id)
    assert list(media(exported_document, "/users/{id}")["examples"]) == ["ann"]
    assert "Anyone" in exported_document["components"]["examples"]
