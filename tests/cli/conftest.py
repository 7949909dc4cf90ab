"""Fixtures of the command-line tests: a clean environment in `tmp_path` (the project directory
too, so that no `.env` of the checkout is read), a database on each server under a name of this
process, and `at_head` (tests/test_cli.py): the SQLite database already migrated."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from apidock.migrations import ALEMBIC_INI_ENV
from apidock.project import PROJECT_DIR_ENV
from tests.conftest import DATABASE_PARAMS, create_database, drop_database
from tests.test_cli import SETTING_NAMES, at_head, head_database

__all__ = ["at_head", "database_url", "environment", "head_database"]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """Settings for the commands, SQLite under `tmp_path`; the current directory is `tmp_path`,
    the project directory too (so that no `.env` of the checkout is read)."""
    for name in (*SETTING_NAMES, ALEMBIC_INI_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    values = {
        PROJECT_DIR_ENV: str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'apidock.db'}",
        "APP_VAR_DIR": str(tmp_path / "var"),
        "ARGON2_MEMORY_COST": "64",
        "ARGON2_TIME_COST": "1",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture(params=DATABASE_PARAMS)
def database_url(
    request: pytest.FixtureRequest, environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """An empty database for the commands, on each server in turn (set in DATABASE_URL)."""
    if request.param == "sqlite":
        yield environment["DATABASE_URL"]
        return
    # the process id: another checkout's tests on the same server use names of their own
    name = f"apidock_cli_{os.getpid()}"
    url = asyncio.run(create_database(request.param, name)).render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        yield url
    finally:
        asyncio.run(drop_database(request.param, name))
