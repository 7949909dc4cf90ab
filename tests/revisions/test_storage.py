"""What a revision stores: a patch that grows with the change, a snapshot when the chain
would cost more, and every revision read back as the very document it recorded."""

from __future__ import annotations

import copy
import zlib
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.revisions import storage
from apidock.revisions.models import Revision
from apidock.revisions.patches import make_patch
from apidock.revisions.storage import Chain, Stored, content_hash, decode, encode, new_content
from tests.catalog.helpers import API
from tests.revisions.helpers import Auth, imported_app, pets_document


async def _stored_sizes(session: AsyncSession, app_id: int) -> list[tuple[int | None, int | None]]:
    """Each revision's (snapshot bytes, patch bytes), by number."""
    rows = await session.execute(
        select(Revision.snapshot, Revision.patch)
        .where(Revision.app_id == app_id)
        .order_by(Revision.number)
    )
    return [
        (None if snapshot is None else len(snapshot), None if patch is None else len(patch))
        for snapshot, patch in rows
    ]


def _large_document() -> dict[str, Any]:
    """The pets document with 200 more paths, so that a snapshot is large beside a patch."""
    document = pets_document("Large")
    for number in range(200):
        document["paths"][f"/things/{number}"] = {
            "get": {
                "operationId": f"thing{number}",
                "summary": f"Read thing number {number} of the catalogue, with its parts",
                "responses": {"200": {"description": f"Thing {number}"}},
            }
        }
    return document


async def test_a_one_field_edit_stores_a_patch_of_a_few_hundred_bytes_and_no_snapshot(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    app = await imported_app(client, dev_auth, _large_document())
    edit = await client.patch(
        f"{API}/apps/{app['id']}", json={"description": "One line more"}, headers=dev_auth
    )
    assert edit.status_code == 200, edit.text

    (snapshot, nothing), (no_snapshot, patch) = await _stored_sizes(session, app["id"])
    assert snapshot is not None
    assert snapshot > 2000
    assert nothing is None
    assert no_snapshot is None
    assert patch is not None
    assert patch < 300


async def test_every_revision_reads_back_as_the_export_it_recorded(
    client: httpx.AsyncClient,
    session: AsyncSession,
    dev_auth: Auth,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a snapshot every third revision: reads from a snapshot, through patches, across both
    monkeypatch.setattr(storage, "MAX_PATCHES_PER_SNAPSHOT", 2)
    app = await imported_app(client, dev_auth, pets_document())
    exports = [await client.get(f"{API}/apps/{app['id']}/openapi.json", headers=dev_auth)]
    pet = f"{API}/apps/{app['id']}/components/schemas/Pet"
    edits: list[tuple[str, str, Any]] = [
        ("PATCH", f"{API}/apps/{app['id']}", {"description": "First"}),
        ("PUT", pet, {"type": "object", "properties": {"id": {"type": "integer"}}}),
        ("PATCH", f"{API}/apps/{app['id']}", {"tags": [{"name": "b"}, {"name": "a"}]}),
        ("PATCH", f"{API}/apps/{app['id']}", {"tags": [{"name": "a"}, {"name": "b"}]}),
        ("PUT", pet, {"enum": [1, 2.5, True, None, 10**30]}),
        ("PATCH", f"{API}/apps/{app['id']}", {"description": None}),
    ]
    for method, url, body in edits:
        answer = await client.request(method, url, json=body, headers=dev_auth)
        assert answer.status_code == 200, answer.text
        exports.append(await client.get(f"{API}/apps/{app['id']}/openapi.json", headers=dev_auth))

    sizes = await _stored_sizes(session, app["id"])
    assert [snapshot is not None for snapshot, _ in sizes] == [True, False, False] * 2 + [True]
    for number, export in enumerate(exports, start=1):
        served = await client.get(
            f"{API}/apps/{app['id']}/revisions/{number}/openapi.json", headers=dev_auth
        )
        assert served.status_code == 200
        assert served.content == export.content, number


def _previous(document: Any) -> Stored:
    packed = zlib.compress(encode(document))
    return Stored(copy.deepcopy(document), content_hash(document), Chain(len(packed), 0, 0))


def test_a_patch_that_would_not_rebuild_the_document_exactly_is_a_snapshot_instead() -> None:
    old, new = {"enum": [1, "a" * 3000]}, {"enum": [True, "a" * 3000]}
    assert make_patch(old, new) == []  # `==` holds 1 equal to true

    content = new_content(_previous(old), new)

    assert content is not None
    assert content.patch is None
    assert content.snapshot is not None
    assert encode(decode(zlib.decompress(content.snapshot))) == encode(new)


def test_a_patch_larger_than_the_chain_allows_is_a_snapshot() -> None:
    old = {"a": "x" * 100}
    new = {"a": "y" * 5000, "b": list(range(500))}
    content = new_content(_previous(old), new)
    assert content is not None
    assert content.snapshot is not None
    assert content.patch is None


def test_the_hash_is_the_documents_not_its_members_order() -> None:
    assert content_hash({"a": 1, "b": [1, 2]}) == content_hash({"b": [1, 2], "a": 1})
    assert content_hash({"a": 1}) != content_hash({"a": 1.0}) != content_hash({"a": True})
    assert content_hash({"a": 10**30}) != content_hash({"a": 10**30 + 1})


def test_integers_past_64_bits_keep_every_digit() -> None:
    document = {"maximum": 10**40 + 7, "b": "ü"}
    assert decode(encode(document)) == document
    assert encode(document).startswith(b" ")
    assert not encode({"small": 2**63}).startswith(b" ")


def test_settings_that_leave_the_hash_make_no_content() -> None:
    document = {"openapi": "3.1.0"}
    assert new_content(_previous(document), copy.deepcopy(document), skip_same=True) is None
    assert new_content(_previous(document), copy.deepcopy(document)) is not None
