"""`GET /apps/{id}/diff`: the changes between two revisions or releases (or one and now),
as JSON in the envelope or as a Markdown changelog; 404 for an unknown side."""

from __future__ import annotations

from typing import Any

import httpx

from tests.catalog.helpers import API
from tests.revisions.helpers import (
    Auth,
    imported_app,
    pets_document,
    without_owners,
    without_pet_name,
)


async def _history(client: httpx.AsyncClient, auth: Auth) -> int:
    """An app of three revisions: the pets (1), without `/owners` (2), without Pet's
    required `name` (3); release `1.0` is revision 1. Its id."""
    app = await imported_app(client, auth, pets_document())
    app_id = app["id"]
    made = await client.post(f"{API}/apps/{app_id}/releases", json={"version": "1.0"}, headers=auth)
    assert made.status_code == 201, made.text
    await imported_app(client, auth, without_owners(pets_document()), app_id=app_id)
    pet = without_pet_name(pets_document())["components"]["schemas"]["Pet"]
    put = await client.put(f"{API}/apps/{app_id}/components/schemas/Pet", json=pet, headers=auth)
    assert put.status_code == 200, put.text
    return int(app_id)


async def _diff(client: httpx.AsyncClient, auth: Auth, app_id: int, **query: str) -> httpx.Response:
    return await client.get(f"{API}/apps/{app_id}/diff", params=query, headers=auth)


def _found(data: dict[str, Any]) -> set[tuple[str, str, str | None]]:
    return {(change["id"], change["level"], change["operation"]) for change in data["changes"]}


REMOVED_PATH = ("api-path-removed-without-deprecation", "breaking", "GET /owners")
REMOVED_NAME = {
    ("response-required-property-removed", "breaking", "GET /pets"),
    ("response-required-property-removed", "breaking", "GET /pets/{petId}"),
}


async def test_the_diff_of_two_revisions_lists_the_changes_and_counts_them(
    client: httpx.AsyncClient, dev_auth: Auth, reader_auth: Auth
) -> None:
    app_id = await _history(client, dev_auth)

    one_two = await _diff(client, reader_auth, app_id, **{"from": "1", "to": "2"})

    assert one_two.status_code == 200, one_two.text
    data = one_two.json()["data"]
    assert REMOVED_PATH in _found(data)
    (change,) = [change for change in data["changes"] if change["level"] == "breaking"]
    assert change["pointer"] == "/paths/~1owners/get"
    assert change["message"]
    assert data["summary"] == {"breaking": 1, "warning": 0, "info": len(data["changes"]) - 1}
    two_three = (await _diff(client, dev_auth, app_id, **{"from": "2", "to": "3"})).json()["data"]
    assert _found(two_three) >= REMOVED_NAME
    pointers = {change["pointer"] for change in two_three["changes"]}
    assert "/components/schemas/Pet/properties/name" in pointers
    same = (await _diff(client, dev_auth, app_id, **{"from": "2", "to": "2"})).json()["data"]
    assert same == {"changes": [], "summary": {"breaking": 0, "warning": 0, "info": 0}}


async def test_a_release_names_a_side_and_now_is_the_default_other(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app_id = await _history(client, dev_auth)

    by_release = (await _diff(client, dev_auth, app_id, **{"from": "1.0"})).json()["data"]
    by_numbers = (await _diff(client, dev_auth, app_id, **{"from": "1", "to": "3"})).json()["data"]

    assert by_release == by_numbers
    assert _found(by_release) >= {REMOVED_PATH, *REMOVED_NAME}
    backwards = (await _diff(client, dev_auth, app_id, **{"from": "3", "to": "1.0"})).json()
    assert ("endpoint-added", "info", "GET /owners") in _found(backwards["data"])


async def test_the_markdown_changelog(client: httpx.AsyncClient, dev_auth: Auth) -> None:
    app_id = await _history(client, dev_auth)

    answer = await _diff(
        client, dev_auth, app_id, **{"from": "1.0", "to": "2", "format": "markdown"}
    )

    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/markdown")
    text = answer.text
    assert text.startswith("# ")
    assert "1.0" in text.splitlines()[0]
    assert "api-path-removed-without-deprecation" in text
    assert "GET /owners" in text


async def test_an_unknown_side_or_app_is_404(client: httpx.AsyncClient, dev_auth: Auth) -> None:
    app_id = await _history(client, dev_auth)
    for query in (
        {"from": "4"},
        {"from": "1", "to": "9.9"},
        {"from": "no-such", "to": "1"},
        {"from": "9" * 30},
    ):
        answer = await _diff(client, dev_auth, app_id, **query)
        assert answer.status_code == 404, (query, answer.text)
        assert answer.json()["status"] == "error"
    assert (await _diff(client, dev_auth, 2**31 - 1, **{"from": "1"})).status_code == 404
    assert (await _diff(client, dev_auth, app_id)).status_code == 422
    assert (
        await _diff(client, dev_auth, app_id, **{"from": "1", "format": "html"})
    ).status_code == 422
    assert (await _diff(client, {}, app_id, **{"from": "1"})).status_code == 401
