"""The corpus of real API descriptions in tests/documents/ is complete, licensed and loadable.

The importer's round-trip tests read these files; this module only keeps the corpus honest, so
that a file added without a manifest entry or a licence, or a manifest entry whose file is gone,
fails here rather than being skipped silently elsewhere.

Decisions:
- The manifest is the one list: the folders and the manifest must name the same files, and every
  entry names its own format, which must be the folder it sits in (one format per folder keeps
  "which documents are 3.0?" a directory listing).
- A licence counts as listed when LICENSES.md names both the file and the SPDX id, and the full
  text of that licence is a file under licences/ that LICENSES.md points to.
- Files are kept byte for byte as published, so some are odd on purpose. One of them re-defines a
  YAML anchor, which YAML 1.2 allows and PyYAML's safe loader refuses; its manifest entry carries
  the quirk `yaml-duplicate-anchor`, and the test checks that it still fails that way, so the
  quirk cannot go stale unnoticed.
- The content check is only the version marker (`openapi`, `swagger`, the Postman schema URL): the
  validity of each document is recorded in the manifest (`valid`), not re-checked here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]

DOCUMENTS = Path(__file__).resolve().parents[1] / "documents"
FORMATS = ("openapi-3.1", "openapi-3.0", "swagger-2.0", "postman-2.1", "postman-2.0")
REQUIRED_KEYS = ("file", "format", "source", "url", "licence", "notes")
LICENCE_TEXTS = {
    "Apache-2.0": "licences/Apache-2.0.txt",
    "MIT": "licences/MIT.txt",
    "BSD-3-Clause": "licences/BSD-3-Clause.txt",
}
MAX_BYTES = 3 * 1024 * 1024
MAX_TOTAL_BYTES = 12 * 1024 * 1024
COMMIT = re.compile(r"@ [0-9a-f]{40}\b")


def _manifest() -> list[dict[str, Any]]:
    entries = json.loads((DOCUMENTS / "manifest.json").read_text(encoding="utf-8"))
    assert isinstance(entries, list)
    return entries


MANIFEST = _manifest()
BY_FILE = {entry["file"]: entry for entry in MANIFEST}


def _corpus_files() -> set[str]:
    return {
        path.relative_to(DOCUMENTS).as_posix()
        for folder in FORMATS
        for path in (DOCUMENTS / folder).rglob("*")
        if path.is_file()
    }


def _load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def test_every_file_has_an_entry_and_every_entry_a_file() -> None:
    files = _corpus_files()
    listed = [entry["file"] for entry in MANIFEST]
    assert len(listed) == len(set(listed)), "a file is listed twice"
    assert sorted(files - set(listed)) == [], "files missing from manifest.json"
    assert sorted(set(listed) - files) == [], "manifest entries without a file"
    unexpected = {
        path.relative_to(DOCUMENTS).as_posix()
        for path in DOCUMENTS.iterdir()
        # diff/: the pairs of documents the diff is held to, with a manifest and licences of
        # their own (tests/diffing)
        if path.is_dir() and path.name not in (*FORMATS, "licences", "diff")
    }
    assert unexpected == set(), "a folder that is no format"


def test_the_corpus_keeps_enough_documents_of_every_format() -> None:
    counts = {fmt: sum(1 for e in MANIFEST if e["format"] == fmt) for fmt in FORMATS}
    assert counts["openapi-3.1"] >= 10
    assert counts["openapi-3.0"] >= 10
    assert counts["swagger-2.0"] >= 10
    assert counts["postman-2.1"] >= 8
    assert counts["postman-2.0"] >= 4


def test_sizes_stay_within_the_corpus_budget() -> None:
    sizes = {name: (DOCUMENTS / name).stat().st_size for name in BY_FILE}
    assert [name for name, size in sizes.items() if size > MAX_BYTES] == []
    assert sum(sizes.values()) <= MAX_TOTAL_BYTES


@pytest.mark.parametrize("name", sorted(BY_FILE))
def test_entry_is_complete_and_its_format_is_its_folder(name: str) -> None:
    entry = BY_FILE[name]
    assert [key for key in REQUIRED_KEYS if not entry.get(key)] == []
    assert entry["format"] == name.split("/", 1)[0]
    assert entry["format"] in FORMATS
    assert COMMIT.search(entry["source"]), "source names no commit"
    assert entry["url"].startswith("https://github.com/")
    assert isinstance(entry.get("valid"), bool)
    assert isinstance(entry.get("quirks"), list)


@pytest.mark.parametrize("name", sorted(BY_FILE))
def test_licence_is_listed_with_its_text(name: str) -> None:
    licences = (DOCUMENTS / "LICENSES.md").read_text(encoding="utf-8")
    licence = BY_FILE[name]["licence"]
    assert licence in LICENCE_TEXTS, f"no licence text kept for {licence}"
    row = next((line for line in licences.splitlines() if f"`{name}`" in line), None)
    assert row is not None, "file not listed in LICENSES.md"
    assert f"| {licence} |" in row
    text = LICENCE_TEXTS[licence]
    assert f"({text})" in licences, "LICENSES.md does not point at the licence text"
    assert (DOCUMENTS / text).stat().st_size > 1000


@pytest.mark.parametrize("name", sorted(BY_FILE))
def test_file_parses_and_declares_its_format(name: str) -> None:
    entry = BY_FILE[name]
    path = DOCUMENTS / name
    if "yaml-duplicate-anchor" in entry["quirks"]:
        with pytest.raises(yaml.composer.ComposerError, match="duplicate anchor"):
            _load(path)
        return
    document = _load(path)
    assert isinstance(document, dict)
    fmt = entry["format"]
    if fmt.startswith("openapi-"):
        assert str(document["openapi"]).startswith(fmt.removeprefix("openapi-") + ".")
    elif fmt == "swagger-2.0":
        accepted: tuple[object, ...] = ("2.0",)
        if "version-as-number" in entry["quirks"]:
            accepted = (2.0,)
        assert document["swagger"] in accepted
    else:
        version = fmt.removeprefix("postman-")
        assert f"/collection/v{version}.0/" in document["info"]["schema"]
