"""`apidock import` and `apidock export` on every database: the same app and bytes as HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.imports.test_import_http import PETSTORE
from tests.test_cli import database_url, environment, invoke, ok  # noqa: F401  (fixtures)


def test_import_then_export_gives_the_document_back(database_url: str, tmp_path: Path) -> None:  # noqa: F811
    ok("deploy")
    source = tmp_path / "petstore.yaml"
    source.write_text(yaml.safe_dump(PETSTORE, sort_keys=False))
    imported = json.loads(ok("import", str(source), "--slug", "pets").output)
    assert imported["created"] is True
    assert imported["app"]["slug"] == "pets"
    assert imported["report"]["operations"] == 3

    exported = tmp_path / "out.json"
    ok("export", "pets", "-o", str(exported))
    assert json.loads(exported.read_text()) == PETSTORE
    as_yaml = ok("export", str(imported["app"]["id"]), "--yaml").output
    assert yaml.safe_load(as_yaml) == PETSTORE

    replaced = json.loads(
        ok("import", str(exported), "--app-id", str(imported["app"]["id"])).output
    )
    assert replaced["created"] is False
    assert replaced["app"]["id"] == imported["app"]["id"]


def test_a_refused_document_exits_1_and_names_each_problem(
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    ok("deploy")
    source = tmp_path / "bad.json"
    source.write_text(json.dumps({**PETSTORE, "paths": {"/a": {"$ref": "other.yaml#/x"}}}))
    refused = invoke("import", str(source))
    assert refused.exit_code == 1
    assert "/paths/~1a/$ref" in refused.output
    assert "other.yaml#/x" in refused.output
    assert invoke("export", "no-such-app").exit_code == 1
