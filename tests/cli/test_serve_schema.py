"""`apidock serve` refuses a database whose schema is not at head, naming the database (its
password hidden) and the command to run; `serve --deploy` deploys first, then serves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from apidock import migrations
from apidock.readiness import code_revisions
from tests.test_cli import _child_environment, _free_port, _get_until_up, invoke, ok

HEAD = code_revisions().head


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What `serve` handed to uvicorn, which is not started."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **options: calls.append(options))
    return calls


def test_serve_refuses_an_empty_sqlite_file(environment: dict[str, str]) -> None:
    """As an operator meets it: the command, in its own process, on a file never migrated."""
    database = environment["DATABASE_URL"].removeprefix("sqlite:///")
    Path(database).touch()  # an empty file, as a new volume may hold
    port = _free_port()
    done = subprocess.run(
        [sys.executable, "-m", "apidock", "serve", "--port", str(port)],
        env=_child_environment(environment),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert done.stderr.strip() == (
        f"Error: The database sqlite+aiosqlite:///{database} has no schema yet (no revision); "
        f"the code needs {HEAD}: run `apidock deploy`, or start with `apidock serve --deploy`"
    )


def test_serve_refuses_a_schema_behind_on_every_database(
    database_url: str, started: list[dict[str, Any]]
) -> None:
    ok("db", "upgrade")
    ok("db", "downgrade", "-1")
    previous = migrations.history()[1].revision
    result = invoke("serve")
    assert result.exit_code == 1
    assert f"is at revision {previous}, the code needs {HEAD}" in result.stderr
    assert "run `apidock db upgrade`" in result.stderr
    assert started == []

    ok("db", "upgrade")
    ok("serve")
    assert len(started) == 1


def test_serve_refuses_an_unreachable_database_naming_it_without_its_password(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch, started: list[dict[str, Any]]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://dock:s3cr3t-pw@127.0.0.1:1/apidock")
    result = invoke("serve")
    assert result.exit_code == 1
    assert "s3cr3t-pw" not in result.output
    assert result.stderr.startswith("Error: database error: ")
    assert "(database postgresql+asyncpg://dock:***@127.0.0.1:1/apidock)" in result.stderr
    assert started == []


def test_profile_refuses_too(environment: dict[str, str], started: list[dict[str, Any]]) -> None:
    result = invoke("profile")
    assert result.exit_code == 1
    assert "run `apidock deploy`" in result.stderr
    assert started == []


def test_serve_deploy_migrates_seeds_and_serves(environment: dict[str, str]) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "apidock", "serve", "--deploy", "--port", str(port)],
        env=_child_environment(environment),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready = _get_until_up(f"http://127.0.0.1:{port}/readyz", process, seconds=120)
    finally:
        process.terminate()
        told, _ = process.communicate(timeout=30)
    assert ready == b'{"status":"ok"}'
    assert f"Database upgraded from base to {HEAD}" in told
    assert "Root administrator 'sysop' created" in told
    assert "shown only this once" in told


def test_serve_deploy_on_a_database_at_head_changes_nothing(
    at_head: str, started: list[dict[str, Any]]
) -> None:
    ok("deploy")
    result = ok("serve", "--deploy")
    assert f"Database already at {HEAD}" in result.output
    assert "already in place" in result.output
    assert len(started) == 1
