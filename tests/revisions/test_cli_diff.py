"""`apidock diff OLD NEW`: two files, or revisions and releases of an app from the database;
exit 0 below the threshold, 1 at it, 2 when a side cannot be read."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import create_async_engine

from apidock.apps.models import App
from apidock.config import load_settings, to_async_url
from apidock.revisions.models import Release
from tests.revisions.helpers import pets_document, without_owners, without_pet_name
from tests.test_cli import database_url, environment, invoke, ok  # noqa: F401  (fixtures)


def _write(tmp_path: Path, name: str, document: dict[str, Any]) -> str:
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps(document))
    else:
        path.write_text(yaml.safe_dump(document, sort_keys=False))
    return str(path)


def test_two_files_in_any_format_and_the_exit_status(tmp_path: Path) -> None:
    old = _write(tmp_path, "old.yaml", pets_document())
    new = _write(tmp_path, "new.json", without_owners(pets_document()))

    text = invoke("diff", old, new)
    assert text.exit_code == 0, text.output
    assert "breaking GET /owners" in text.output
    assert "[api-path-removed-without-deprecation]" in text.output
    assert invoke("diff", old, new, "--fail-on", "breaking").exit_code == 1
    assert invoke("diff", old, new, "--fail-on", "warning").exit_code == 1
    assert invoke("diff", new, old, "--fail-on", "breaking").exit_code == 0
    same = invoke("diff", old, old, "--fail-on", "warning")
    assert (same.exit_code, same.output) == (0, "No changes.\n")


def test_the_json_and_markdown_formats(tmp_path: Path) -> None:
    old = _write(tmp_path, "old.json", pets_document())
    new = _write(tmp_path, "new.yaml", without_pet_name(pets_document()))

    as_json = invoke("diff", old, new, "--format", "json", "--fail-on", "breaking")
    assert as_json.exit_code == 1
    body = json.loads(as_json.output)
    ids = {(change["id"], change["operation"]) for change in body["changes"]}
    assert ("response-required-property-removed", "GET /pets") in ids
    assert body["summary"]["breaking"] >= 2
    markdown = invoke("diff", old, new, "--format", "markdown")
    assert markdown.exit_code == 0
    assert markdown.output.startswith(f"# Changes from {old} to {new}")
    assert "`response-required-property-removed`" in markdown.output


def test_a_side_that_cannot_be_read_exits_2_saying_why(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.json", pets_document())
    broken = _write(
        tmp_path, "broken.json", {**pets_document(), "paths": {"/a": {"$ref": "other.yaml#/x"}}}
    )
    not_a_document = tmp_path / "text.txt"
    not_a_document.write_text("just some words")

    for args, said in (
        ((good, str(tmp_path / "missing.yaml")), "no such file"),
        ((good, broken), "other.yaml#/x"),
        ((str(not_a_document), good), "text.txt"),
        ((good, "@1"), "APP@X"),
        ((good, good, "--fail-on", "info"), "Invalid value"),
        ((good, good, "--format", "html"), "Invalid value"),
    ):
        result = invoke("diff", *args)
        assert result.exit_code == 2, (args, result.output)
        assert said in result.output, (args, result.output)


def _add_release(url: str, slug: str, version: str, number: int) -> None:
    async def add() -> None:
        engine = create_async_engine(to_async_url(url))
        try:
            async with engine.begin() as connection:
                app_id = await connection.scalar(select(App.id).where(App.slug == slug))
                await connection.execute(
                    insert(Release).values(
                        app_id=app_id, version=version, revision_number=number, notes=None
                    )
                )
        finally:
            await engine.dispose()

    asyncio.run(add())


def test_revisions_and_releases_of_an_app_from_the_database(
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    ok("deploy")
    first = _write(tmp_path, "pets.yaml", pets_document())
    imported = json.loads(ok("import", first, "--slug", "pets").output)
    second = _write(tmp_path, "fewer.json", without_owners(pets_document()))
    ok("import", second, "--app-id", str(imported["app"]["id"]))
    _add_release(load_settings().database_url, "pets", "1.0", 1)

    removed = invoke("diff", "pets@1", "pets@2", "--fail-on", "breaking")
    assert removed.exit_code == 1, removed.output
    assert "GET /owners" in removed.output
    assert invoke("diff", "pets@1.0", "pets@2", "--fail-on", "breaking").exit_code == 1
    assert invoke("diff", "pets@2", "pets@1.0", "--fail-on", "breaking").exit_code == 0
    # a file against a revision: the file is what revision 2 was made from
    assert invoke("diff", second, "pets@2", "--fail-on", "warning").exit_code == 0
    for side, said in (
        ("pets@3", "Revision not found"),
        ("pets@2.0", "Release not found"),
        ("cats@1", "no app has the slug 'cats'"),
    ):
        result = invoke("diff", "pets@1", side)
        assert result.exit_code == 2, (side, result.output)
        assert said in result.output
