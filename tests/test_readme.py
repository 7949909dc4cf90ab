"""The README and the manual in docs/ keep their promises: the first screen, the quick start
and CI's command, the length, links that lead somewhere a clone has, every setting and every
command documented, and the roles tables as seeded. The tour itself runs in
tests/test_readme_tour.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from apidock.cli import cli
from apidock.config import Settings
from apidock.permissions import ALL_PERMISSIONS, SEEDED_ROLES, Permission, permission_names

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
DOCS = ROOT / "docs"
MAX_README_LINES = 250
FIRST_SCREEN = 40
# the manual's pages: every Markdown file in docs/ (the tour's documents aside)
MANUAL = sorted(DOCS.glob("*.md"))


def section(title: str, text: str = README) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"no section {title!r}"
    return match.group(1)


def quick_start_commands() -> list[str]:
    return re.findall(r"^```\w*\n(.*?)\n```", section("Quick start"), re.MULTILINE | re.DOTALL)


def headings(text: str) -> list[str]:
    return re.findall(r"^## (.+)$", text, re.MULTILINE)


def test_the_readme_says_what_api_dock_is_then_the_quick_start_then_the_tour() -> None:
    lines = README.splitlines()
    assert lines[0] == "# API Dock"
    assert lines[2].startswith("A service where a team keeps the descriptions of its HTTP APIs")
    assert lines.index("## Quick start") < FIRST_SCREEN, "the two commands on the first screen"
    assert headings(README)[:3] == ["Quick start", "Tour", "The command line"]


def test_the_readme_is_short() -> None:
    assert len(README.splitlines()) <= MAX_README_LINES


def test_quick_start_is_two_commands_serve_then_test() -> None:
    assert quick_start_commands() == ["python3 dev.py serve", "python3 dev.py test"]


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    test_command = quick_start_commands()[1]
    commands = [line.strip() for line in script.splitlines() if "dev.py" in line]
    assert commands == [f"exec {test_command} </dev/null"]
    assert (ROOT / ".ci" / "run").stat().st_mode & 0o111


def anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def relative_links(text: str) -> list[str]:
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    return [target for target in targets if not re.match(r"[a-z]+:", target)]


@pytest.mark.parametrize("page", [ROOT / "README.md", *MANUAL], ids=lambda page: page.name)
def test_every_link_leads_to_a_file_and_heading_a_clone_has(page: Path) -> None:
    text = page.read_text()
    assert "../shared" not in text, "a clone has no shared/"
    for link in relative_links(text):
        path, _, fragment = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        assert target.is_file(), f"{page.name}: {link} leads nowhere"
        assert ROOT in target.parents, f"{page.name}: {link} leaves the repository"
        if fragment and target.suffix == ".md":
            found = {anchor(title) for title in re.findall(r"^#+ (.+)$", target.read_text(), re.M)}
            assert fragment in found, f"{page.name}: no heading #{fragment} in {target.name}"


def test_the_readme_links_every_page_of_the_manual() -> None:
    linked = {(ROOT / link.partition("#")[0]).resolve() for link in relative_links(README)}
    assert set(MANUAL) <= linked, sorted(page.name for page in set(MANUAL) - linked)


def test_every_setting_is_documented_in_the_configuration_page() -> None:
    rows = re.findall(r"^\| `([A-Z0-9_]+)` \|", (DOCS / "configuration.md").read_text(), re.M)
    names = {str(info.alias or name).upper() for name, info in Settings.model_fields.items()}
    assert names - set(rows) == set(), "settings without a row in docs/configuration.md"
    assert len(rows) == len(set(rows)), "a setting documented twice"


def test_every_command_is_in_the_readme_and_the_command_line_page() -> None:
    table = section("The command line")
    page = (DOCS / "command-line.md").read_text()
    for name in cli.commands:
        assert re.search(rf"^\| `[^|]*\b{re.escape(name)}\b", table, re.M), name
        assert f"`apidock {name}" in page, name


def test_roles_table_matches_the_seeded_roles() -> None:
    roles = section("Roles and permissions", (DOCS / "api.md").read_text())
    rows = dict(re.findall(r"^\| ([A-Z][\w ()-]*?)(?: \(.*?\))? \| (.+?) \|$", roles, re.MULTILINE))
    for title, bits in SEEDED_ROLES.items():
        shown = rows[title]
        if bits == ALL_PERMISSIONS:
            assert shown == "all"
        else:
            assert re.findall(r"`(\w+)`", shown) == permission_names(bits), title


def test_permissions_table_gives_every_flag_and_its_bit() -> None:
    roles = section("Roles and permissions", (DOCS / "api.md").read_text())
    table = dict(re.findall(r"^\| `(\w+)` \| (\d+) \|", roles, re.MULTILINE))
    assert table == {flag.api_name: str(int(flag)) for flag in Permission}
