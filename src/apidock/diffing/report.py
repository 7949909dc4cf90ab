"""The changes told to people: the summary counts, a Markdown changelog, the CLI's lines, and
the catalogue of rules as Markdown (`docs/diff-rules.md`).

Regenerate the rules page with `.venv/bin/python -m apidock.diffing.report > docs/diff-rules.md`.

What a changelog quotes comes from the documents compared (names, media types, scopes): it
is put on one line and its HTML is escaped, so a hostile name cannot add headings or markup
to the page a reader sees.
"""

from __future__ import annotations

import html
import importlib
from collections.abc import Sequence

from apidock.diffing.changes import LEVELS, Change, Level, catalogue

_SECTIONS: dict[Level, str] = {
    "breaking": "Breaking changes",
    "warning": "Warnings",
    "info": "Info",
}

# Areas of the rules page, by the start of the rule id; the first that matches wins.
_AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Response headers",
        ("response-header-", "required-response-header-", "optional-response-header-"),
    ),
    ("Security", ("api-security-", "api-global-security-")),
    ("Versioning", ("api-version-", "api-major-version-")),
    ("Webhooks and components", ("webhook-", "api-schema-")),
    (
        "Parameters",
        (
            "request-parameter-",
            "new-request-path-parameter",
            "new-required-request-parameter",
            "new-optional-request-parameter",
            "new-required-request-default-parameter",
            "new-optional-request-default-parameter",
            "request-header-",
            "new-required-request-header-",
        ),
    ),
    ("Request bodies", ("request-", "new-required-request-", "new-optional-request-")),
    ("Responses", ("response-",)),
    ("Paths and operations", ("api-", "endpoint-", "sunset-")),
)


def summary(changes: Sequence[Change]) -> dict[str, int]:
    """How many changes of each level."""
    counts: dict[str, int] = dict.fromkeys(LEVELS, 0)
    for change in changes:
        counts[change.level] += 1
    return counts


def changelog_markdown(changes: Sequence[Change], *, title: str) -> str:
    """A changelog: the title, then a section per level that has changes."""
    lines = [f"# {_inline(title)}", ""]
    if not changes:
        return "\n".join([*lines, "No changes.", ""])
    counts = summary(changes)
    lines += [_count_line(counts), ""]
    for level in LEVELS:
        of_level = [change for change in changes if change.level == level]
        if not of_level:
            continue
        lines += [f"## {_SECTIONS[level]}", ""]
        for change in of_level:
            where = f"**{_inline(change.operation)}**: " if change.operation else ""
            lines.append(f"- {where}{_inline(change.message)} (`{change.id}`)")
        lines.append("")
    return "\n".join(lines)


def changelog_text(changes: Sequence[Change]) -> str:
    """One line per change (level, operation, message, rule id), then the counts."""
    if not changes:
        return "No changes.\n"
    lines = [
        f"{change.level:<8} {_one_line(change.operation or 'document')}: "
        f"{_one_line(change.message)} [{change.id}]"
        for change in changes
    ]
    return "\n".join([*lines, _count_line(summary(changes)), ""])


def area_of(rule_id: str) -> str:
    for area, starts in _AREAS:
        if rule_id.startswith(starts):
            return area
    return "Other"


def rules_markdown() -> str:
    """Every rule the engine can report, with its level, grouped by area."""
    # The catalogue is whole once every module has declared its rules: the engine imports
    # them all (the schema comparison included).
    importlib.import_module("apidock.diffing.engine")
    rules = catalogue()
    by_area: dict[str, list[str]] = {}
    for rule_id in sorted(rules):
        by_area.setdefault(area_of(rule_id), []).append(rule_id)
    lines = [
        "<!-- Generated: .venv/bin/python -m apidock.diffing.report > docs/diff-rules.md -->",
        "",
        "# Diff rules",
        "",
        f"The {len(rules)} rules `apidock diff` and `GET /api/v1/apps/{{id}}/diff` report, with "
        "oasdiff's ids and default levels (its `error` is `breaking`, `warn` is `warning`).",
        "",
    ]
    order = [area for area, _ in _AREAS] + ["Other"]
    for area in sorted(by_area, key=order.index):
        lines += [f"## {area}", "", "| Rule | Level |", "| --- | --- |"]
        lines += [f"| `{rule_id}` | {rules[rule_id]} |" for rule_id in by_area[area]]
        lines.append("")
    return "\n".join(lines)


README_START = "<!-- diff rules: .venv/bin/python -m apidock.diffing.report --readme -->"
README_END = "<!-- end of diff rules -->"


def rules_readme() -> str:
    """The README's list of every rule with its level: one list item per level (the README
    stays short; docs/diff-rules.md has them by area), between markers a test holds to the
    catalogue."""
    importlib.import_module("apidock.diffing.engine")
    rules = catalogue()
    lines = [README_START]
    for level in LEVELS:
        ids = sorted(rule_id for rule_id, found in rules.items() if found == level)
        lines.append(f"- **{level}** ({len(ids)}): " + ", ".join(f"`{rule_id}`" for rule_id in ids))
    lines.append(README_END)
    return "\n".join(lines)


def _count_line(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    parts = ", ".join(f"{counts[level]} {level}" for level in LEVELS)
    return f"{total} change{'' if total == 1 else 's'}: {parts}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _inline(text: str) -> str:
    return html.escape(_one_line(text), quote=False)


if __name__ == "__main__":
    import sys

    print(rules_readme() if "--readme" in sys.argv[1:] else rules_markdown(), end="")
