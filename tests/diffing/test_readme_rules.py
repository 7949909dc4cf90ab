"""The README lists every rule the diff can report, with its level (issue 17)."""

from __future__ import annotations

from pathlib import Path

from apidock.diffing.changes import catalogue
from apidock.diffing.report import README_END, README_START, rules_readme

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_every_rule_at_its_level() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index(README_START)
    end = text.index(README_END) + len(README_END)
    assert text[start:end] == rules_readme(), (
        "regenerate: .venv/bin/python -m apidock.diffing.report --readme"
    )
    listed = text[start:end]
    for level in ("breaking", "warning", "info"):
        paragraph = next(line for line in listed.splitlines() if line.startswith(f"- **{level}**"))
        for rule_id, found in catalogue().items():
            if found == level:
                assert f"`{rule_id}`" in paragraph, rule_id
