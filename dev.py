#!/usr/bin/env python3
"""The quick start of API Dock, with nothing but Python 3.11+ installed.

    python3 dev.py serve   set up .venv, migrate and seed the SQLite database, serve on :8000
    python3 dev.py test    set up .venv, then run ruff, mypy, import-linter and the test suite

The virtual environment is made in `.venv` when missing, and the project is installed into it
(`pip install -e .[dev]`) only when `pyproject.toml` changed since the last install. Only the
standard library is used here.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".apidock-installed"
MIN_PYTHON = (3, 11)


def venv_bin(name: str) -> Path:
    folder = "Scripts" if os.name == "nt" else "bin"
    suffix = ".exe" if os.name == "nt" else ""
    return VENV / folder / f"{name}{suffix}"


def say(message: str) -> None:
    print(f"dev.py: {message}", file=sys.stderr, flush=True)


def install_fingerprint() -> str:
    """What the installed environment depends on: pyproject.toml and the Python version."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def ensure_venv() -> None:
    """Create `.venv` if missing and install the project when pyproject.toml changed."""
    python = venv_bin("python")
    if not python.exists():
        say(f"creating the virtual environment {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    fingerprint = install_fingerprint()
    installed = STAMP.read_text().strip() if STAMP.exists() else ""
    if installed == fingerprint and venv_bin("apidock").exists():
        return
    say("installing the project and its development tools into .venv")
    pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
    run([*pip, "install", "--editable", ".[dev]"], quiet=True)
    STAMP.write_text(fingerprint + "\n")


def run(command: list[str], *, quiet: bool = False) -> None:
    """Run `command` in the project directory; stop with its status when it fails."""
    stdout = subprocess.DEVNULL if quiet and not os.environ.get("CI") else None
    status = subprocess.call(command, cwd=ROOT, stdout=stdout)
    if status != 0:
        say(f"failed with status {status}: {' '.join(command)}")
        sys.exit(status)


def serve_url(extra: list[str]) -> str:
    """Where `apidock serve` listens, given the options passed on to it (its defaults else)."""
    # click takes no abbreviation of an option: neither does this
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    options, _ = parser.parse_known_args(extra)
    host = f"[{options.host}]" if ":" in options.host else options.host
    return f"http://{host}:{options.port}"


def serve(extra: list[str]) -> None:
    """Migrate and seed the database, then serve on http://127.0.0.1:8000 (by default)."""
    apidock = str(venv_bin("apidock"))
    run([apidock, "deploy"])
    command = [apidock, "serve", *extra]
    say(f"serving on {serve_url(extra)} (Ctrl-C stops)")
    if os.name == "nt":
        sys.exit(subprocess.call(command, cwd=ROOT))
    os.chdir(ROOT)
    os.execv(apidock, command)


def test(extra: list[str]) -> None:
    """Run every check, even after one fails, and fail when any did."""
    bin_ = venv_bin
    checks = [
        ("ruff check", [str(bin_("ruff")), "check", "."]),
        ("ruff format", [str(bin_("ruff")), "format", "--check", "."]),
        ("mypy", [str(bin_("mypy"))]),
        ("import-linter", [str(bin_("lint-imports"))]),
        # pytest's status 5 (no test collected) fails too: every non-zero status does
        ("pytest", [str(bin_("pytest")), "-n", "2", "--durations=15", *extra]),
    ]
    failed = []
    for name, command in checks:
        say(f"running {name}")
        if subprocess.call(command, cwd=ROOT) != 0:
            failed.append(name)
    if failed:
        say(f"FAILED: {', '.join(failed)}")
        sys.exit(1)
    say("all checks passed: ruff check, ruff format, mypy, import-linter, pytest")


def main() -> None:
    if sys.version_info < MIN_PYTHON:
        sys.exit(f"dev.py: API Dock needs Python {'.'.join(map(str, MIN_PYTHON))} or newer")
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("command", choices=["serve", "test"], help="what to do")
    parser.add_argument(
        "extra",
        nargs=argparse.REMAINDER,
        help="passed on to `apidock serve` or to pytest (for instance: -k deploy)",
    )
    arguments = parser.parse_args()
    ensure_venv()
    {"serve": serve, "test": test}[arguments.command](arguments.extra)


if __name__ == "__main__":
    main()
