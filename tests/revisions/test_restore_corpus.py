"""The real documents of tests/documents, on every database: a revision's `openapi.json` is the
export it recorded, and restoring it, after the description was replaced by another, gives
the app's export back byte for byte, with the revision's hash."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.catalog.helpers import API
from tests.imports.test_corpus_http import DOCUMENTS, MANIFEST, media_type_of
from tests.revisions.helpers import Auth, imported_app, pets_document, revisions_of


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda entry: entry["file"])
async def test_a_real_documents_revision_restores_byte_for_byte(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth, entry: dict[str, Any]
) -> None:
    raw = (DOCUMENTS / entry["file"]).read_bytes()
    imported = await client.post(
        f"{API}/apps/import",
        content=raw,
        headers={**dev_auth, "Content-Type": media_type_of(entry["file"])},
    )
    assert imported.status_code == 201, imported.text
    app_id = imported.json()["data"]["app"]["id"]
    export = (await client.get(f"{API}/apps/{app_id}/openapi.json", headers=dev_auth)).content
    await imported_app(client, dev_auth, pets_document(), app_id=app_id)
    recorded = await client.get(f"{API}/apps/{app_id}/revisions/1/openapi.json", headers=dev_auth)
    assert recorded.content == export

    restored = await client.post(f"{API}/apps/{app_id}/revisions/1/restore", headers=dev_auth)

    assert restored.status_code == 201, restored.text
    again = await client.get(f"{API}/apps/{app_id}/openapi.json", headers=dev_auth)
    assert again.content == export
    first, _, last = await revisions_of(session, app_id)
    assert last.hash == first.hash == restored.json()["data"]["hash"]
