"""What the changes look like to people: the counts, the Markdown changelog, the CLI's text,
and the rules page, which must match the catalogue."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import apidock.diffing.engine  # noqa: F401  (importing the engine declares every rule)
from apidock.diffing.changes import Change, catalogue
from apidock.diffing.report import (
    area_of,
    changelog_markdown,
    changelog_text,
    rules_markdown,
    summary,
)

RULES_PAGE = Path(__file__).resolve().parents[2] / "docs" / "diff-rules.md"

removed = Change.of(
    "api-path-removed-without-deprecation",
    operation="GET /pets",
    pointer="/paths/~1pets/get",
    message="the path was removed without being deprecated first",
)
header = Change.of(
    "optional-response-header-removed",
    operation="GET /pets",
    pointer="/paths/~1pets/get/responses/200/headers/X-Rate",
    message="the optional header `X-Rate` was removed from the response `200`",
)
webhook = Change.of(
    "webhook-added",
    operation=None,
    pointer="/webhooks/newPet",
    message="the webhook `newPet` was added",
)


def test_summary_counts_every_level() -> None:
    assert summary([removed, header, webhook, removed]) == {"breaking": 2, "warning": 1, "info": 1}
    assert summary([]) == {"breaking": 0, "warning": 0, "info": 0}


def test_markdown_has_a_section_per_level_with_changes() -> None:
    text = changelog_markdown([removed, header, webhook], title="Pets 1.0.0 → 2.0.0")
    assert text == (
        "# Pets 1.0.0 → 2.0.0\n"
        "\n"
        "3 changes: 1 breaking, 1 warning, 1 info\n"
        "\n"
        "## Breaking changes\n"
        "\n"
        "- **GET /pets**: the path was removed without being deprecated first "
        "(`api-path-removed-without-deprecation`)\n"
        "\n"
        "## Warnings\n"
        "\n"
        "- **GET /pets**: the optional header `X-Rate` was removed from the response `200` "
        "(`optional-response-header-removed`)\n"
        "\n"
        "## Info\n"
        "\n"
        "- the webhook `newPet` was added (`webhook-added`)\n"
    )


def test_markdown_without_changes_says_so() -> None:
    assert changelog_markdown([], title="Pets") == "# Pets\n\nNo changes.\n"
    assert "## Warnings" not in changelog_markdown([removed], title="Pets")


def test_markdown_keeps_hostile_text_on_its_line() -> None:
    hostile = Change.of(
        "endpoint-added",
        operation="GET /a\n# injected",
        pointer="/paths/~1a/get",
        message="added <script>alert(1)</script>\n\n## Breaking changes",
    )
    text = changelog_markdown([hostile], title="T\n# also injected")
    assert [line for line in text.splitlines() if line.startswith("#")] == [
        "# T # also injected",
        "## Info",
    ]
    assert "<script>" not in text
    assert "&lt;script&gt;" in text


def test_text_is_one_line_per_change_and_the_counts() -> None:
    assert changelog_text([removed, webhook]) == (
        "breaking GET /pets: the path was removed without being deprecated first "
        "[api-path-removed-without-deprecation]\n"
        "info     document: the webhook `newPet` was added [webhook-added]\n"
        "2 changes: 1 breaking, 0 warning, 1 info\n"
    )
    assert changelog_text([]) == "No changes.\n"


def test_rule_areas() -> None:
    assert area_of("request-parameter-removed") == "Parameters"
    assert area_of("new-required-request-property") == "Request bodies"
    assert area_of("required-response-header-removed") == "Response headers"
    assert area_of("response-property-removed") == "Responses"
    assert area_of("api-global-security-added") == "Security"
    assert area_of("sunset-deleted") == "Paths and operations"


def test_the_rules_page_lists_every_rule_of_the_catalogue() -> None:
    page = rules_markdown()
    rules = catalogue()
    assert all(f"| `{rule}` | {level} |" in page for rule, level in rules.items())
    assert page.count("\n| `") == len(rules)


def test_the_rules_page_is_up_to_date() -> None:
    assert RULES_PAGE.read_text(encoding="utf-8") == rules_markdown(), (
        "regenerate: .venv/bin/python -m apidock.diffing.report > docs/diff-rules.md"
    )


def test_the_rules_page_command_prints_the_page() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "apidock.diffing.report"], capture_output=True, text=True, check=True
    ).stdout
    assert printed == rules_markdown()
