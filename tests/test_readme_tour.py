"""The README's tour, run as a newcomer runs it: its shell blocks in order, in one bash, in a
fresh clone.

The clone is `git clone` of this repository with the working tree's files copied over it
(tracked and untracked, less what git ignores), so that it holds exactly what the next commit
will: on CI's clean clone that changes nothing, and at a desk it includes the changes not yet
committed. A file the tour needs but git would not carry (ignored, or left out) is missing
there, as it would be for a newcomer. The clone's `.venv` is a virtual environment of its own
that runs the clone's code with the packages already installed for this test run, and is
marked installed for `dev.py`, so the tour downloads nothing; everything else is the tour's
own doing: it starts the server (SQLite under the clone's `var/tour`, in a temporary
directory) on a free port of 127.0.0.1 and the mock on another, and stops both at its end.
The whole run is bounded in time, and whatever it left running is stopped by the test.
Without git, bash or curl the test is skipped, except in CI (`CI` set), where it fails.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest
from scripts.live_server import free_port

from apidock.config import Settings

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
TOUR_TIMEOUT = 300.0
STOP_GRACE = 10.0
DONE = "::tour done"
BLOCK = "::block "


def tour_blocks() -> list[str]:
    """The shell blocks of the README's "Tour" section, in order."""
    match = re.search(r"^## Tour\n(.*?)(?=^## |\Z)", README.read_text(), re.MULTILINE | re.DOTALL)
    assert match, "the README has no section headed Tour"
    return re.findall(r"^```sh\n(.*?)^```$", match.group(1), re.MULTILINE | re.DOTALL)


def tour_script(blocks: list[str]) -> str:
    """One bash script of the blocks, which stops at the first failing command and says which
    block it was in; `set -u` also stops at a variable the tour uses before setting it."""
    lines = [
        "set -euo pipefail",
        "trap 'echo \"::tour failed at line $LINENO: $BASH_COMMAND\"' ERR",
    ]
    for number, block in enumerate(blocks, start=1):
        lines += [f"echo '{BLOCK}{number}'", block]
    lines.append(f"echo '{DONE}'")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def tools() -> None:
    missing = [tool for tool in ("git", "bash", "curl", "python3") if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"the tour needs {', '.join(missing)} in CI")
        pytest.skip(f"the tour needs {', '.join(missing)}")


def git(*args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout


def clone_the_working_tree(destination: Path) -> None:
    """A clone of this repository holding the working tree's files, as the next commit will."""
    git("clone", "--quiet", "--no-hardlinks", str(ROOT), str(destination))
    files = git("ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, files):
        source, target = ROOT / name, destination / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        elif target.is_file():  # deleted in the working tree, not yet in a commit
            target.unlink()


def lend_the_environment(clone: Path, env: dict[str, str]) -> None:
    """Make the clone's `.venv`: the clone's `src` first on its path, then the packages of
    the environment running this test (read as a plain directory, so its own editable
    install of API Dock is left out), an `apidock` command, and `dev.py`'s mark that the
    project is installed, computed by the clone's `dev.py` with the environment's `python3`,
    the one the tour runs `dev.py` with once its `.venv/bin` leads its PATH."""
    environment = clone / ".venv"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(environment)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site_packages = environment / "lib" / version / "site-packages"
    ours = next(Path(path) for path in sys.path if path.endswith("site-packages"))
    (site_packages / "00-apidock-clone.pth").write_text(f"{clone / 'src'}\n{ours}\n")
    command = environment / "bin" / "apidock"
    command.write_text(
        f"#!{environment / 'bin' / 'python'}\n"
        # guarded as pip's scripts are: the import pool's processes load this module again
        "import sys\nfrom apidock.cli import main\n"
        "if __name__ == '__main__':\n    sys.exit(main())\n"
    )
    command.chmod(0o755)
    fingerprint = subprocess.run(
        [
            str(environment / "bin" / "python3"),
            "-c",
            "import runpy; print(runpy.run_path('dev.py')['install_fingerprint']())",
        ],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()
    (environment / ".apidock-installed").write_text(fingerprint + "\n")


def newcomer_environment(port: int, mock_port: int) -> dict[str, str]:
    """This process's environment less API Dock's settings and the test's variables (a
    newcomer's shell has none of them), with the tour's two ports."""
    settings = {str(info.alias or name).upper() for name, info in Settings.model_fields.items()}
    settings |= {"SQLALCHEMY_DATABASE_URI", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS"}
    env = {
        name: value
        for name, value in os.environ.items()
        if name.upper() not in settings
        and not name.startswith(("APIDOCK_", "PYTEST_", "PYTHON"))
        and name not in ("VIRTUAL_ENV", "PORT", "MOCK_PORT")
    }
    return env | {"PORT": str(port), "MOCK_PORT": str(mock_port)}


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def tour(tools: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The tour, run once: the clone it ran in and everything it printed."""
    clone = tmp_path_factory.mktemp("tour") / "apidock"
    port, mock_port = free_port(), free_port()
    env = newcomer_environment(port, mock_port)
    clone_the_working_tree(clone)
    lend_the_environment(clone, env)
    script = clone.parent / "tour.sh"
    script.write_text(tour_script(tour_blocks()))
    transcript = clone.parent / "tour.log"
    with transcript.open("wb") as output:
        process = subprocess.Popen(
            ["bash", str(script)],
            cwd=clone,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the servers it starts too
        )
        try:
            process.wait(timeout=TOUR_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        finally:
            left_running = [number for number in (port, mock_port) if listening(number)]
            stop_the_group(process)
    printed = transcript.read_text(errors="replace")
    assert process.returncode == 0, f"the tour failed (status {process.returncode}):\n{printed}"
    assert left_running == [], f"the tour left its servers running:\n{printed}"
    return clone, printed


def stop_the_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the tour's process group, SIGKILL after STOP_GRACE; the shell reaped."""
    for signal_number in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, signal_number)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + STOP_GRACE
        while time.monotonic() < deadline:
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            continue
        break
    if process.poll() is None:
        process.kill()
    process.wait(timeout=STOP_GRACE)


def test_the_tour_has_the_steps_the_readme_promises() -> None:
    tour = "\n".join(tour_blocks())
    for step in (
        "dev.py serve",
        "/login",
        "/token/refresh",
        "/apps/import",
        "/docs/apps/",
        "/mock/petstore/",
        "/environments",
        "/cases",
        "/runs",
        "apidock test",
        "apidock diff",
        "kill",
    ):
        assert step in tour, step
    for needed in re.findall(r"@?(docs/tour/[\w.-]+)", tour):
        assert (ROOT / needed).is_file(), needed


def test_the_tour_runs_block_by_block_in_a_fresh_clone(tour: tuple[Path, str]) -> None:
    clone, printed = tour
    blocks = tour_blocks()
    assert [line for line in printed.splitlines() if line.startswith(BLOCK)] == [
        f"{BLOCK}{number}" for number in range(1, len(blocks) + 1)
    ]
    assert printed.rstrip().endswith(DONE)
    assert (clone / "var" / "tour" / "apidock.db").is_file(), "SQLite in the clone's var/tour"


def test_each_step_prints_what_the_readme_shows(tour: tuple[Path, str]) -> None:
    """In the tour's blocks a `# ` line is what the command above it prints: every one is a
    line the tour printed, in the order shown."""
    _, printed = tour
    shown = [line[2:] for block in tour_blocks() for line in block.splitlines() if line[:2] == "# "]
    assert len(shown) > 20, "the tour shows what its commands print"
    lines = printed.splitlines()
    position = 0
    for expected in shown:
        assert expected in lines[position:], f"{expected!r} not printed (in order):\n{printed}"
        position = lines.index(expected, position) + 1


def test_the_tour_imports_the_petstore_as_published() -> None:
    """docs/tour/petstore-v1.yaml is the corpus's Petstore, byte for byte below its header."""
    tour_copy = (ROOT / "docs" / "tour" / "petstore-v1.yaml").read_bytes()
    header, _, document = tour_copy.partition(b'openapi: "3.0.0"\n')
    assert all(line.startswith(b"# ") for line in header.splitlines())
    published = ROOT / "tests" / "documents" / "openapi-3.0" / "oai-petstore.yaml"
    assert b'openapi: "3.0.0"\n' + document == published.read_bytes()
