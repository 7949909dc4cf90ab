"""The real documents of tests/documents through HTTP on every database: each imports, exports
the same bytes the intake alone gives (the database keeps every part as written, key order
included), and its export imported again exports byte for byte the same, as JSON and YAML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from apidock.apps.described_export import with_mock_server
from apidock.descriptions.dumping import dump_json
from apidock.descriptions.intake import take_in
from apidock.descriptions.parts import join_document
from tests.catalog.helpers import API

Auth = dict[str, str]
DOCUMENTS = Path(__file__).parent.parent / "documents"
MANIFEST: list[dict[str, Any]] = json.loads((DOCUMENTS / "manifest.json").read_text())


def media_type_of(name: str) -> str:
    return "application/json" if name.endswith(".json") else "application/yaml"


@pytest.mark.parametrize(
    "entry",
    MANIFEST,
    ids=lambda entry: entry["file"],
)
async def test_a_real_document_round_trips_through_the_database(
    client: httpx.AsyncClient, dev_auth: Auth, entry: dict[str, Any]
) -> None:
    raw = (DOCUMENTS / entry["file"]).read_bytes()
    imported = await client.post(
        f"{API}/apps/import",
        content=raw,
        headers={**dev_auth, "Content-Type": media_type_of(entry["file"])},
    )
    assert imported.status_code == 201, imported.text
    data = imported.json()["data"]
    assert data["report"]["format"].startswith(entry["format"])
    app_id = data["app"]["id"]
    exported = await client.get(f"{API}/apps/{app_id}/openapi.json", headers=dev_auth)
    assert exported.status_code == 200, exported.text
    source = join_document(take_in(raw, media_type=None).parts)
    # a source without servers gains one: the app's mock (SPEC, "Export details")
    expected = with_mock_server(source, f"/mock/{data['app']['slug']}")
    assert exported.content == dump_json(expected)

    as_yaml = await client.get(f"{API}/apps/{app_id}/openapi.yaml", headers=dev_auth)
    assert yaml.safe_load(as_yaml.content) == json.loads(exported.content)
    for syntax, content in (("json", exported.content), ("yaml", as_yaml.content)):
        again = await client.post(
            f"{API}/apps/import",
            params={"slug": f"again-{syntax}"},
            content=content,
            headers={**dev_auth, "Content-Type": f"application/{syntax}"},
        )
        assert again.status_code == 201, again.text
        second = again.json()["data"]["app"]["id"]
        re_exported = await client.get(f"{API}/apps/{second}/openapi.{syntax}", headers=dev_auth)
        assert re_exported.content == content
