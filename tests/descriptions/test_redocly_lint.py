"""Every export of the corpus (tests/documents) has no error from `redocly lint`, under the
rules of tests/descriptions/redocly.yaml (Redocly's recommended set without its style rules).

Redocly's CLI is installed outside the repository, as `.ci/run` does:
`npm install --no-audit --no-fund --prefix .tools/node @redocly/cli@2`, and found at
`.tools/node/node_modules/.bin/redocly` or at `$APIDOCK_REDOCLY`. Without it the test is
skipped, and fails when `CI` is set. One run lints every export.

`x-` keys are kept as written (SPEC): Redocly types a few vendor extensions of its own
(`x-code-samples`, say), and a source that uses another vendor's shape under that name gets a
`struct` error there that is the source's, not the export's; those are the only errors let by.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from apidock.descriptions.dumping import dump_json
from apidock.descriptions.intake import take_in
from apidock.descriptions.parts import join_document
from apidock.descriptions.problems import DocumentRefused

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ROOT / "tests" / "documents"
CONFIG = Path(__file__).parent / "redocly.yaml"
DEFAULT_BINARY = ROOT / ".tools" / "node" / "node_modules" / ".bin" / "redocly"


def _binary() -> Path:
    configured = os.environ.get("APIDOCK_REDOCLY")
    binary = Path(configured) if configured else DEFAULT_BINARY
    if not binary.exists():
        if os.environ.get("CI"):
            pytest.fail(f"redocly is not installed at {binary} (.ci/run installs it)")
        pytest.skip(f"redocly is not installed at {binary}")
    return binary


def _reports(output: str) -> list[dict[str, Any]]:
    """The JSON reports `redocly lint --format=json` writes one after the other."""
    decoder = json.JSONDecoder()
    reports: list[dict[str, Any]] = []
    position = 0
    while position < len(output):
        if output[position].isspace():
            position += 1
            continue
        report, position = decoder.raw_decode(output, position)
        reports.append(report)
    return reports


def _in_extension(problem: dict[str, Any]) -> bool:
    return any(
        part.startswith("x-")
        for location in problem.get("location", [])
        for part in str(location.get("pointer", "")).split("/")
    )


def test_every_export_of_the_corpus_lints_without_errors(tmp_path: Path) -> None:
    binary = _binary()
    manifest = json.loads((DOCUMENTS / "manifest.json").read_text())
    files: list[str] = []
    for entry in manifest:
        try:
            intake = take_in((DOCUMENTS / entry["file"]).read_bytes(), media_type=None)
        except DocumentRefused:
            continue  # a document the import refuses has no export
        target = tmp_path / (entry["file"].replace("/", "__") + ".json")
        target.write_bytes(dump_json(join_document(intake.parts)))
        files.append(str(target))
    assert len(files) >= len(manifest) - 2
    completed = subprocess.run(
        [str(binary), "lint", "--config", str(CONFIG), "--format=json", *files],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"},
        check=False,
    )
    reports = _reports(completed.stdout)
    assert len(reports) == len(files), completed.stderr[-2000:]
    errors = [
        (Path(file).name, problem["ruleId"], problem["message"][:100])
        for file, report in zip(files, reports, strict=True)
        for problem in report["problems"]
        if problem["severity"] == "error" and not _in_extension(problem)
    ]
    assert errors == []
