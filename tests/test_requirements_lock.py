"""requirements.lock, what the image installs: it holds every dependency pyproject.toml declares,
each pinned to one version inside the declared range and checked by its hashes, and the
Dockerfile installs from it alone (`--require-hashes --no-deps`), with the healthcheck asking
the port the server listens on."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from scripts.live_server import free_port

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
DOCKERFILE = ROOT / "Dockerfile"
# the command docs/deployment.md gives, as pip-compile records it in the lock's header
COMPILE_COMMAND = (
    "pip-compile --generate-hashes --no-emit-find-links --no-emit-index-url "
    "--output-file=requirements.lock --strip-extras pyproject.toml"
)
FROM_PYPROJECT = "apidock (pyproject.toml)"
REGENERATE = "regenerate it as docs/deployment.md says"


@dataclass
class Pin:
    version: Version
    hashes: list[str] = field(default_factory=list)
    wanted_by: set[str] = field(default_factory=set)


def locked() -> dict[str, Pin]:
    """The lock's entries by canonical name: `name==version`, its hashes, and its `# via`."""
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    in_via = False
    for line in LOCK.read_text().splitlines():
        entry = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)(?: \\)?", line)
        if entry:
            current = pins[canonicalize_name(entry[1])] = Pin(Version(entry[2]))
            in_via = False
            continue
        assert not re.match(r"[A-Za-z0-9]", line), f"not a pinned line: {line!r}"
        if current is None:
            continue
        stripped = line.strip()
        if hashed := re.fullmatch(r"--hash=sha256:([0-9a-f]{64})(?: \\)?", stripped):
            current.hashes.append(hashed[1])
        elif stripped.startswith("# via"):
            in_via = True
            if named := stripped.removeprefix("# via").strip():
                current.wanted_by.add(named)
        elif in_via and stripped.startswith("#   "):
            current.wanted_by.add(stripped.removeprefix("#").strip())
        else:
            in_via = False
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(text) for text in project["dependencies"]]


def test_every_declared_dependency_is_locked_within_its_range() -> None:
    pins = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in requirements.lock: {REGENERATE}"
        version = pins[name].version
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements.lock pins {name}=={version}, outside {requirement}: {REGENERATE}"
        )


def test_nothing_is_locked_for_the_project_that_it_no_longer_declares() -> None:
    names = {canonicalize_name(requirement.name) for requirement in declared()}
    direct = {name for name, pin in locked().items() if FROM_PYPROJECT in pin.wanted_by}
    assert direct == names, REGENERATE


def test_every_locked_package_is_pinned_hashed_and_wanted() -> None:
    pins = locked()
    assert len(pins) > len(declared()), "the dependencies of the dependencies are locked too"
    for name, pin in pins.items():
        assert pin.hashes, f"{name} has no hash"
        assert pin.wanted_by, f"{name} says nothing of who needs it"
        for wanter in pin.wanted_by - {FROM_PYPROJECT}:
            assert canonicalize_name(wanter) in pins, f"{name} is wanted by {wanter}, not locked"


def test_extras_are_locked_with_what_they_bring() -> None:
    """`uvicorn[standard]` and `sqlalchemy[asyncio]` bring packages of their own."""
    pins = locked()
    for needed in ("httptools", "uvloop", "greenlet", "argon2-cffi", "bcrypt"):
        assert needed in pins, needed


def test_the_lock_was_written_by_the_documented_command() -> None:
    header = LOCK.read_text().split("\n\n", 1)[0]
    assert f"#    {COMPILE_COMMAND}" in header.splitlines(), REGENERATE
    assert "pip-compile with Python 3.11" in header, "compiled for the image's Python"
    # the page breaks the command over lines with `\`, and writes `--output-file FILE`
    deployment = (ROOT / "docs" / "deployment.md").read_text().replace("\\\n", " ")
    documented = COMPILE_COMMAND.replace("--output-file=", "--output-file ")
    assert documented in " ".join(deployment.split())


def instructions() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_the_image_installs_from_the_lock_alone() -> None:
    steps = instructions()
    installs = [step for step in steps if "pip install" in step]
    assert installs, "no pip install"
    locked_install = installs[0]
    assert "--require-hashes" in locked_install
    assert "--no-deps" in locked_install
    assert "-r requirements.lock" in locked_install
    for install in installs:
        assert "--no-deps" in install, f"resolves versions of its own: {install}"
    copy_lock = steps.index(next(step for step in steps if step.startswith("COPY requirements")))
    assert copy_lock < steps.index(locked_install)
    assert "COPY src" not in " ".join(steps[: steps.index(locked_install)]), (
        "the locked layer comes before the code, so a code change keeps it cached"
    )


def healthcheck_command() -> list[str]:
    step = next(step for step in instructions() if step.startswith("HEALTHCHECK"))
    command: list[str] = json.loads(step.split(" CMD ", 1)[1])
    return command


def test_the_healthcheck_asks_the_port_from_the_environment() -> None:
    command = healthcheck_command()
    assert command[:2] == ["sh", "-c"]
    assert "${PORT:-8000}/healthz" in command[2]


class _Healthz(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/healthz" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def healthz() -> Iterator[int]:
    """A stand-in server answering /healthz on a free port of 127.0.0.1."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Healthz)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def run_healthcheck(port: int) -> int:
    """The image's healthcheck as Docker runs it, with `PORT` set and this interpreter as
    `python`."""
    path = f"{Path(sys.executable).parent}:/usr/bin:/bin"
    done = subprocess.run(
        healthcheck_command(),
        env={"PATH": path, "PORT": str(port)},
        capture_output=True,
        timeout=30,
        check=False,
    )
    return done.returncode


def test_the_healthcheck_passes_on_the_port_that_answers_and_fails_elsewhere(
    healthz: int,
) -> None:
    assert run_healthcheck(healthz) == 0
    assert run_healthcheck(free_port()) != 0
