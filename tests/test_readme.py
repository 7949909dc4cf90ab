"""The README keeps its promises: the quick start, CI's command and the roles table."""

from __future__ import annotations

import re
from pathlib import Path

from apidock.permissions import ALL_PERMISSIONS, SEEDED_ROLES, Permission, permission_names

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    match = re.search(
        rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.MULTILINE | re.DOTALL
    )
    assert match, f"no section {title!r}"
    return match.group(1)


def quick_start_commands() -> list[str]:
    return re.findall(r"^```\w*\n(.*?)\n```", section("Quick start"), re.MULTILINE | re.DOTALL)


def test_readme_opens_with_the_name_a_line_and_the_quick_start() -> None:
    lines = README.splitlines()
    assert lines[0] == "# API Dock"
    assert lines[1] == ""
    assert lines[2].strip()
    assert lines[3] == ""
    assert lines[4] == "## Quick start"


def test_quick_start_is_two_commands_serve_then_test() -> None:
    assert quick_start_commands() == ["python3 dev.py serve", "python3 dev.py test"]


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    test_command = quick_start_commands()[1]
    commands = [line.strip() for line in script.splitlines() if "dev.py" in line]
    assert commands == [f"exec {test_command} </dev/null"]
    assert (ROOT / ".ci" / "run").stat().st_mode & 0o111


def test_roles_table_matches_the_seeded_roles() -> None:
    roles = section("Roles and permissions")
    rows = dict(re.findall(r"^\| ([A-Z][\w ()-]*?)(?: \(.*?\))? \| (.+?) \|$", roles, re.MULTILINE))
    for title, bits in SEEDED_ROLES.items():
        shown = rows[title]
        if bits == ALL_PERMISSIONS:
            assert shown == "all"
        else:
            assert re.findall(r"`(\w+)`", shown) == permission_names(bits), title


def test_permissions_table_gives_every_flag_and_its_bit() -> None:
    table = dict(
        re.findall(r"^\| `(\w+)` \| (\d+) \|", section("Roles and permissions"), re.MULTILINE)
    )
    assert table == {flag.api_name: str(int(flag)) for flag in Permission}
